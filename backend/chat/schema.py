"""Structured output: a `response_format` built from a JSON Schema typed in the page, and the answer checked
against it.

    response_format(SCHEMA_EXAMPLES["person"], strict=True)   # {"type": "json_schema", "json_schema": {...}}
    check_answer('```json\\n{"name": "Ada"}\\n```', schema)   # SchemaCheck(ok=False, errors=("$: 'born' is ..."))
A schema that is not valid JSON Schema is refused (`InvalidParameters` naming its path) before anything is
sent; `jsonschema` checks it against the draft its `$schema` names (2020-12 when it names none).
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Mapping

from jsonschema import Draft202012Validator, validators
from jsonschema.exceptions import SchemaError, ValidationError

from ..errors import InvalidParameters

__all__ = ["SchemaCheck", "SCHEMA_EXAMPLES", "parse_schema", "schema_problem", "response_format", "check_answer",
           "json_path"]

_NAME = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")
_FENCE = re.compile(r"```[ \t]*(?:json[ \t]*)?\n?(.*?)\n?[ \t]*```", re.DOTALL | re.IGNORECASE)
MAX_ERRORS = 20  # enough to fix an answer by; a wildly wrong one would otherwise list hundreds
_TYPES = ("string", "number", "integer", "boolean", "object", "array", "null")

SCHEMA_EXAMPLES: dict[str, str] = {
    "person": json.dumps({
        "type": "object",
        "properties": {
            "name": {"type": "string"},
            "born": {"type": "integer", "description": "Year of birth"},
            "known_for": {"type": "array", "items": {"type": "string"}, "maxItems": 3},
        },
        "required": ["name", "born", "known_for"],
        "additionalProperties": False,
    }, indent=2),
    "animals seen": json.dumps({  # the shape huggingface_hub's response_format test recorded (2024)
        "type": "object",
        "properties": {
            "location": {"type": "string"},
            "activity": {"type": "string"},
            "animals_seen": {"type": "integer", "minimum": 1, "maximum": 5},
            "animals": {"type": "array", "items": {"type": "string"}},
        },
        "required": ["location", "activity", "animals_seen", "animals"],
        "additionalProperties": False,
    }, indent=2),
    "sentiment": json.dumps({
        "type": "object",
        "properties": {
            "sentiment": {"type": "string", "enum": ["positive", "neutral", "negative"]},
            "confidence": {"type": "number", "minimum": 0, "maximum": 1},
        },
        "required": ["sentiment", "confidence"],
        "additionalProperties": False,
    }, indent=2),
}


@dataclass(frozen=True)
class SchemaCheck:
    """An answer checked against a schema: `value` is the parsed JSON (None when it was not JSON);
    `errors` name their place, e.g. "$.people[0].age: -1 is less than the minimum of 0"."""

    ok: bool
    value: Any = None
    errors: tuple[str, ...] = ()


def json_path(prefix: str, path: str) -> str:
    """`prefix` ("tools[1].function.parameters") joined to a jsonschema `json_path` ("$.properties.a")."""
    rest = path[1:] if path.startswith("$") else path
    return f"{prefix}{rest}" if prefix else f"${rest}"


def schema_problem(schema: Any, where: str = "") -> str | None:
    """Why `schema` is not valid JSON Schema ("where.path: message"), or None when it is."""
    cls = validators.validator_for(schema, default=Draft202012Validator) if isinstance(schema, Mapping) \
        else Draft202012Validator
    try:
        cls.check_schema(schema)
    except SchemaError as err:
        message = err.message
        if err.path and err.path[-1] == "type" and err.validator == "anyOf":  # the metaschema's words are vague
            message = f"{err.instance!r} is not a JSON Schema type ({', '.join(_TYPES)})"
        return f"{json_path(where, err.json_path)}: {message}"
    return None


def _loads(text: str, what: str) -> Any:
    try:
        return json.loads(text, parse_constant=_no_constant)
    except json.JSONDecodeError as err:
        raise InvalidParameters(f"{what}: not valid JSON: {err.msg} (line {err.lineno}, column {err.colno}).",
                                position=err.pos) from None
    except (RecursionError, ValueError) as err:
        raise InvalidParameters(f"{what}: not valid JSON ({err}).") from None


def _no_constant(name: str) -> None:
    raise ValueError(f"{name} is not a JSON number")


def parse_schema(text: str) -> dict[str, Any]:
    """The schema box: a JSON object that is valid JSON Schema, else `InvalidParameters` naming the path."""
    if not (text or "").strip():
        raise InvalidParameters("schema: enter a JSON Schema, or start from one of the examples.")
    schema = _loads(text, "schema")
    if not isinstance(schema, dict):
        raise InvalidParameters('schema: must be a JSON object such as {"type": "object", "properties": {...}}.')
    problem = schema_problem(schema, "schema")
    if problem:
        raise InvalidParameters(f"{problem}.")
    return schema


def response_format(schema_text: str, *, name: str = "answer", strict: bool = False,
                    description: str = "") -> dict[str, Any]:
    """`{"type": "json_schema", "json_schema": {"name", "schema", "strict"}}`, as OpenAI's reference and
    huggingface_hub's `ChatCompletionInputResponseFormatJSONSchema` lay it out; raises InvalidParameters."""
    name = (name or "").strip()
    if not _NAME.fullmatch(name):
        raise InvalidParameters(f"schema name: {name[:70]!r} must be 1-64 letters, digits, '_' or '-'.")
    spec: dict[str, Any] = {"name": name}
    if description.strip():
        spec["description"] = description.strip()
    spec.update(schema=parse_schema(schema_text), strict=bool(strict))
    return {"type": "json_schema", "json_schema": spec}


def _answer_json(text: str) -> str:
    """The JSON in an answer: the whole text, or the first fenced block (```json ... ```) when there is one."""
    stripped = (text or "").strip()
    if stripped.startswith(("{", "[")):
        return stripped
    fenced = _FENCE.search(stripped)
    return fenced.group(1).strip() if fenced else stripped


def check_answer(answer_text: str, schema: Mapping[str, Any]) -> SchemaCheck:
    """Parse the answer (a ```json fence is tolerated) and validate it; never raises for a bad answer."""
    text = _answer_json(answer_text)
    if not text:
        return SchemaCheck(False, None, ("$: the answer is empty, not JSON.",))
    try:
        value = json.loads(text, parse_constant=_no_constant)
    except (ValueError, RecursionError) as err:
        where = f" (line {err.lineno}, column {err.colno})" if isinstance(err, json.JSONDecodeError) else ""
        reason = err.msg if isinstance(err, json.JSONDecodeError) else str(err)
        return SchemaCheck(False, None, (f"$: the answer is not JSON: {reason}{where}.",))
    validator = validators.validator_for(schema, default=Draft202012Validator)(schema)
    found: list[ValidationError] = sorted(validator.iter_errors(value), key=lambda e: (list(map(str, e.path)),
                                                                                       e.message))
    errors = tuple(f"{json_path('', e.json_path)}: {e.message}" for e in found[:MAX_ERRORS])
    if len(found) > MAX_ERRORS:
        errors += (f"… and {len(found) - MAX_ERRORS} more.",)
    return SchemaCheck(not found, value, errors)
