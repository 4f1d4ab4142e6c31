"""Plain, token-free JSON for what the playground keeps: run history, demo scripts, frozen links.

`plain()` copies run data into JSON values: bytes become a `{"$bytes": ...}` descriptor with their
sha256 (base64 inline only up to `INLINE_BYTES`), strings are redacted and cut at `MAX_STRING`.
`loads_checked()` reads stored text strictly: size cap first, real JSON only (no NaN), bounded
nesting. Every failure is an `InvalidInput`; stored content is data, never code.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import json
import math
from typing import Any

from .errors import InvalidInput
from .redact import redact

__all__ = ["BYTES_KEY", "INLINE_BYTES", "MAX_STRING", "MAX_DEPTH", "plain", "describe_bytes", "bytes_from",
           "is_bytes_descriptor", "json_size", "loads_checked"]

BYTES_KEY = "$bytes"
INLINE_BYTES = 32 * 1024  # small uploads (an icon, a short clip) replay from the export; larger keep a digest
MAX_STRING = 200_000  # characters of one stored string, a stored answer included
MAX_DEPTH = 48  # nesting kept in one stored value; deeper parts become a note
_DOCUMENT_DEPTH = MAX_DEPTH + 8  # room for the document (a script, its entries) around the values


def describe_bytes(data: bytes, media_type: str = "") -> dict[str, Any]:
    """A short, JSON-able stand-in for binary data; carries the data itself only when it is small."""
    about: dict[str, Any] = {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data), "type": media_type}
    if len(data) <= INLINE_BYTES:
        about["base64"] = base64.b64encode(data).decode("ascii")
    return {BYTES_KEY: about}


def is_bytes_descriptor(value: Any) -> bool:
    return isinstance(value, dict) and set(value) == {BYTES_KEY} and isinstance(value[BYTES_KEY], dict)


def bytes_from(descriptor: dict[str, Any]) -> bytes | None:
    """The bytes a descriptor carries (checked against its sha256), or None when only the digest was kept."""
    about = descriptor[BYTES_KEY]
    encoded = about.get("base64")
    if encoded is None:
        return None
    try:
        data = base64.b64decode(encoded, validate=True) if isinstance(encoded, str) else None
    except (binascii.Error, ValueError):
        data = None
    if data is None or hashlib.sha256(data).hexdigest() != about.get("sha256"):
        raise InvalidInput("A stored upload is damaged: its bytes do not match their sha256.")
    return data


class _Plain:
    """One conversion to plain JSON; remembers whether anything had to be cut."""

    def __init__(self) -> None:
        self.cut = False

    def __call__(self, value: Any, depth: int = 0) -> Any:
        if depth > MAX_DEPTH:
            self.cut = True
            return "(nested too deeply to keep)"
        if isinstance(value, str):
            if len(value) > MAX_STRING:
                self.cut, value = True, value[:MAX_STRING]
            return redact(value)
        if value is None or isinstance(value, (bool, int)):
            return value
        if isinstance(value, float):
            return value if math.isfinite(value) else None
        if isinstance(value, (bytes, bytearray, memoryview)):
            return describe_bytes(bytes(value))
        if isinstance(value, dict):
            return {self(str(key), depth + 1): self(item, depth + 1) for key, item in value.items()}
        if isinstance(value, (list, tuple)):
            return [self(item, depth + 1) for item in value]
        return self(str(value), depth + 1)


def plain(value: Any) -> tuple[Any, bool]:
    """`value` as plain JSON (see the module docstring) and whether anything was cut to get there."""
    convert = _Plain()
    return convert(value), convert.cut


def json_size(value: Any) -> int:
    """Bytes of `value` as stored (compact, ASCII-escaped JSON)."""
    return len(json.dumps(value, separators=(",", ":")))


def _reject_constant(name: str) -> None:
    raise ValueError(f"{name} is not JSON")


def _depth_within(value: Any, limit: int) -> bool:
    stack = [(value, 0)]
    while stack:  # a loop, not recursion: hostile nesting must not exhaust the stack
        item, depth = stack.pop()
        if isinstance(item, (dict, list)):
            if depth >= limit:
                return False
            stack.extend((child, depth + 1) for child in (item.values() if isinstance(item, dict) else item))
    return True


def loads_checked(text: str | bytes, max_bytes: int, what: str) -> Any:
    """Parse stored JSON strictly; raises InvalidInput naming `what` for anything off."""
    if not isinstance(text, (str, bytes)):
        raise InvalidInput(f"The {what} must be JSON text.")
    raw = text.encode("utf-8", "replace") if isinstance(text, str) else text
    if len(raw) > max_bytes:
        raise InvalidInput(f"The {what} is too large ({len(raw) // 1024} KB; the limit is {max_bytes // 1024} KB).")
    try:
        value = json.loads(raw, parse_constant=_reject_constant)
    except (ValueError, RecursionError) as err:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        reason = err.msg if isinstance(err, json.JSONDecodeError) else "not valid JSON"
        raise InvalidInput(f"The {what} is not valid JSON ({reason}).") from None
    if not _depth_within(value, _DOCUMENT_DEPTH):
        raise InvalidInput(f"The {what} is nested more than {_DOCUMENT_DEPTH} levels deep.")
    return value
