"""What an MCP server answered, as plain frozen values: its tools (`McpTools`, offered to the model as OpenAI
tool objects) and one call's result (`McpResult`, as the text a `tool` message carries).

A server's tool names may hold characters a function name may not (`.`, `/`, more than 64 of them): each
tool keeps its own `name` for tools/call and gets a `function_name` for the model, unique in the list.
Tools whose input schema is not valid JSON Schema are left out and named in the notes (a provider would
refuse the whole request for one of them).
"""
from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass
from typing import Any, Iterable, Mapping

from .schema import schema_problem

__all__ = ["McpTool", "McpTools", "McpResult", "tools_from", "result_from"]

_NOT_IN_NAME = re.compile(r"[^a-zA-Z0-9_-]")
_EMPTY_PARAMETERS = {"type": "object", "properties": {}}


@dataclass(frozen=True)
class McpTool:
    """One tool: `name` as the server calls it, `function_name` as the model sees it."""

    name: str
    function_name: str
    description: str
    input_schema: Mapping[str, Any]

    def as_openai(self) -> dict[str, Any]:
        function: dict[str, Any] = {"name": self.function_name}
        if self.description:
            function["description"] = self.description
        function["parameters"] = dict(self.input_schema)
        return {"type": "function", "function": function}


@dataclass(frozen=True)
class McpTools:
    """A server's tools as offered: `listed` is how many it listed; `notes` say what was capped or left out."""

    url: str
    tools: tuple[McpTool, ...]
    listed: int
    notes: tuple[str, ...] = ()

    @property
    def note(self) -> str:
        return " ".join(self.notes)

    def openai_tools(self) -> list[dict[str, Any]]:
        """The request's `tools` entries, in the server's order."""
        return [tool.as_openai() for tool in self.tools]

    def find(self, function_name: str) -> McpTool | None:
        """The tool a model's call names (by `function_name`), to run it by its own name."""
        return next((tool for tool in self.tools if tool.function_name == function_name), None)


@dataclass(frozen=True)
class McpResult:
    """One tools/call: `text` is what goes back to the model (text parts joined, other parts described in
    brackets); `notes` list those other parts; `is_error` is the server saying the tool failed."""

    text: str
    is_error: bool = False
    notes: tuple[str, ...] = ()
    structured: Any = None


def _function_name(name: str, taken: set[str]) -> str:
    base = _NOT_IN_NAME.sub("_", name)[:64] or "tool"
    candidate, number = base, 2
    while candidate in taken:
        suffix = f"_{number}"
        candidate, number = base[:64 - len(suffix)] + suffix, number + 1
    taken.add(candidate)
    return candidate


def tools_from(url: str, tools: Iterable[Any], limit: int) -> McpTools:
    """SDK `Tool`s (name, description, input_schema) → McpTools, the first `limit` usable ones offered."""
    listed, usable, broken, taken = 0, [], [], set()
    for tool in tools:
        listed += 1
        schema = tool.input_schema if isinstance(tool.input_schema, Mapping) else _EMPTY_PARAMETERS
        if schema_problem(schema) or schema.get("type", "object") != "object":
            broken.append(str(tool.name))
            continue
        if len(usable) < limit:
            usable.append(McpTool(str(tool.name), _function_name(str(tool.name), taken),
                                  str(tool.description or tool.title or ""), dict(schema)))
    notes = []
    if len(usable) == limit and listed - len(broken) > limit:
        notes.append(f"The server lists {listed} tools; the first {limit} are offered.")
    if broken:
        shown = ", ".join(broken[:5]) + (", …" if len(broken) > 5 else "")
        notes.append(f"{len(broken)} tool{'s' if len(broken) > 1 else ''} left out: the input schema is not "
                     f"valid JSON Schema ({shown}).")
    return McpTools(url, tuple(usable), listed, tuple(notes))


def _size(data: str) -> int:
    try:
        return len(base64.b64decode(data, validate=False))
    except (binascii.Error, ValueError):
        return len(data)


def _describe(part: Any) -> tuple[str | None, str | None]:
    """(text for the model, note) for one content part."""
    kind = getattr(part, "type", "")
    if kind == "text":
        return part.text, None
    if kind in ("image", "audio"):
        note = f"[{kind} {part.mime_type}, {_size(part.data)} bytes, not shown]"
        return note, note
    if kind == "resource":
        resource = part.resource
        if isinstance(getattr(resource, "text", None), str):
            return resource.text, None
        note = f"[file {resource.uri} ({resource.mime_type or 'unknown type'}), not shown]"
        return note, note
    if kind == "resource_link":
        note = f"[link {part.uri}{f' ({part.name})' if part.name else ''}]"
        return note, note
    note = f"[a {kind or 'content'} part, not shown]"
    return note, note


def result_from(result: Any) -> McpResult:
    """An SDK `CallToolResult` → McpResult; with no content, the structured content as JSON text."""
    texts, notes = [], []
    for part in result.content or ():
        text, note = _describe(part)
        texts.append(text or "")
        if note:
            notes.append(note)
    structured = result.structured_content
    if not texts and structured is not None:
        texts.append(json.dumps(structured, ensure_ascii=False))
    return McpResult("\n".join(texts) if texts else "(the tool returned nothing)", bool(result.is_error),
                     tuple(notes), structured)
