"""The strict schema of a stored history entry: one check per field, as a table.

Used when a demo script is imported or a frozen link is opened, so everything arriving here may be
hostile: wrong types, huge values, odd model ids, damaged uploads. A check returns the value to
keep or fails; `check_entry` turns any failure into an `InvalidInput` that says where and why.
"""
from __future__ import annotations

import math
import re
from typing import Any, Callable

from .errors import InvalidInput
from .plain_json import BYTES_KEY, MAX_STRING, bytes_from, is_bytes_descriptor, json_size
from .targets import validate_model_id, validate_provider

__all__ = ["MAX_RESPONSE", "FIELD_CHECKS", "REQUIRED_FIELDS", "check_entry"]

MAX_RESPONSE = MAX_STRING  # characters of a stored answer (200 KB), the raw-JSON panel's own cap
REQUIRED_FIELDS = ("when", "model", "task")
_SHA256 = re.compile(r"[0-9a-f]{64}")


class _Bad(ValueError):
    """A field failed its check; the message says what it must be."""


def _text(limit: int) -> Callable[[Any], str]:
    def check(value: Any) -> str:
        if not isinstance(value, str) or len(value) > limit:
            raise _Bad(f"text of at most {limit} characters")
        return value
    return check


def _number(value: Any, upper: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= upper \
            or not math.isfinite(value):
        raise _Bad(f"a number from 0 to {upper:g}")
    return float(value)


def _seconds(value: Any) -> float | None:
    return None if value is None else _number(value, 1e6)


def _when(value: Any) -> float:
    return _number(value, 1e11)  # seconds since 1970; far beyond any real date, far below overflow


def _status(value: Any) -> int | None:
    if value is not None and (type(value) is not int or not 100 <= value <= 599):
        raise _Bad("an HTTP status (100-599) or null")
    return value


def _flag(value: Any) -> bool:
    if not isinstance(value, bool):
        raise _Bad("true or false")
    return value


def _descriptor(value: dict[str, Any]) -> dict[str, Any]:
    about = value[BYTES_KEY]
    if not (set(about) <= {"sha256", "size", "type", "base64"} and _SHA256.fullmatch(str(about.get("sha256")))
            and type(about.get("size")) is int and isinstance(about.get("type"), str)):
        raise _Bad("a {\"$bytes\": {sha256, size, type}} descriptor")
    bytes_from(value)  # raises when inline bytes do not match their digest
    return value


def _object(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _Bad("a JSON object")
    for item in value.values():
        if is_bytes_descriptor(item):
            _descriptor(item)
    return value


def _response(value: Any) -> Any:
    if is_bytes_descriptor(value):
        return _descriptor(value)
    if (len(value) if isinstance(value, str) else json_size(value)) > MAX_RESPONSE:
        raise _Bad(f"at most {MAX_RESPONSE // 1000} KB")
    return value


def _model(value: Any) -> str:
    text = _text(200)(value)
    return validate_model_id(text) if text else ""


def _provider(value: Any) -> str:
    return validate_provider(_text(40)(value))


FIELD_CHECKS: dict[str, Callable[[Any], Any]] = {
    "when": _when, "model": _model, "task": _text(64), "provider": _provider, "endpoint_url": _text(2048),
    "inputs": _object, "params": _object, "extra_params": _text(20_000), "status": _status,
    "error": _text(2_000), "latency": _seconds, "total_time": _seconds, "compute_time": _seconds,
    "response": _response, "content_type": _text(200), "truncated": _flag,
}


def check_entry(data: Any, where: str) -> dict[str, Any]:
    """The checked fields of one stored entry, ready for `HistoryEntry(**fields)`."""
    if not isinstance(data, dict):
        raise InvalidInput(f"{where}: must be a JSON object.")
    unknown = sorted(set(data) - set(FIELD_CHECKS))
    if unknown:
        raise InvalidInput(f"{where}: unknown field {unknown[0][:40]!r}.")
    missing = [name for name in REQUIRED_FIELDS if name not in data]
    if missing:
        raise InvalidInput(f"{where}: the field {missing[0]!r} is missing.")
    checked = {}
    for name, value in data.items():
        try:
            checked[name] = FIELD_CHECKS[name](value)
        except _Bad as bad:
            raise InvalidInput(f"{where}: {name!r} must be {bad}.") from None
        except InvalidInput as err:
            raise InvalidInput(f"{where}: {name!r}: {err.message}") from None
    return checked
