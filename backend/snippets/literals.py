"""Source literals for copy-as-code: JSON values as Python or JavaScript, JavaScript template literals.

A literal evaluates to a value equal to the one given, key order kept, so `json.dumps` of it gives the
same bytes. Invisible and bidi control characters are escaped, so what a reader sees is what is sent.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Mapping, Sequence

__all__ = ["Code", "Syntax", "PY", "JS", "quote", "literal", "function_call", "template_literal"]

_LINE = 80
_IDENTIFIER = re.compile(r"^[A-Za-z_$][A-Za-z0-9_$]*$")


@dataclass(frozen=True)
class Code:
    """Source text placed into a literal as is: an environment read, a file read."""

    text: str


@dataclass(frozen=True)
class Syntax:
    """How one language spells the few things JSON values need."""

    true: str
    false: str
    null: str
    indent: str
    astral_escape: str  # a non-printable character beyond U+FFFF, as a format string
    bare_keys: bool  # object keys that are identifiers go unquoted
    brace_pad: str  # inside a one-line object: "{a: 1}" or "{ a: 1 }"


PY = Syntax("True", "False", "None", "    ", "\\U{:08x}", bare_keys=False, brace_pad="")
JS = Syntax("true", "false", "null", "  ", "\\u{{{:x}}}", bare_keys=True, brace_pad=" ")


def quote(text: str, syntax: Syntax = PY) -> str:
    """A double-quoted string literal (JSON escapes, which Python and JavaScript both read)."""
    quoted = json.dumps(text, ensure_ascii=False)
    if quoted.isprintable():  # the common case, checked in C: a long conversation quotes megabytes
        return quoted
    return "".join(char if char.isprintable() else _escape(char, syntax) for char in quoted)


def _escape(char: str, syntax: Syntax) -> str:
    # A surrogate pair would be two characters in Python, so astral characters get their own escape.
    code = ord(char)
    return f"\\u{code:04x}" if code <= 0xFFFF else syntax.astral_escape.format(code)


def literal(value: Any, syntax: Syntax = PY, depth: int = 0) -> str:
    """A JSON value as a literal; `depth` is the indentation level the literal starts at."""
    if isinstance(value, Code):
        return value.text
    if isinstance(value, (Mapping, list, tuple)):
        return _container(value, syntax, depth)
    if value is None or isinstance(value, bool):
        return {None: syntax.null, True: syntax.true, False: syntax.false}[value]
    if isinstance(value, (int, float)):
        return repr(value)  # the digits json.dumps writes
    return quote(str(value), syntax)


def _container(value: Mapping[Any, Any] | Sequence[Any], syntax: Syntax, depth: int) -> str:
    if isinstance(value, Mapping):
        items = [f"{_key(key, syntax)}: {literal(item, syntax, depth + 1)}" for key, item in value.items()]
        opener, closer, pad = "{", "}", syntax.brace_pad
    else:
        items = [literal(item, syntax, depth + 1) for item in value]
        opener, closer, pad = "[", "]", ""
    if not items:
        return opener + closer
    flat = f"{opener}{pad}{', '.join(items)}{pad}{closer}"
    if len(flat) + len(syntax.indent) * depth <= _LINE and "\n" not in flat:
        return flat
    inner = syntax.indent * (depth + 1)
    return opener + "\n" + "".join(f"{inner}{item},\n" for item in items) + syntax.indent * depth + closer


def _key(key: Any, syntax: Syntax) -> str:
    # json.dumps writes a non-string key as its JSON text; the literal must say the same.
    text = key if isinstance(key, str) else json.dumps(key)
    return text if syntax.bare_keys and _IDENTIFIER.match(text) else quote(text, syntax)


def function_call(function: str, args: Sequence[Any] = (), kwargs: Mapping[str, Any] | None = None) -> str:
    """A Python call, one argument per line: `function(\\n    arg,\\n    name=value,\\n)`."""
    parts = [literal(arg, PY, 1) for arg in args]
    parts += [f"{name}={literal(value, PY, 1)}" for name, value in (kwargs or {}).items()]
    if not parts:
        return f"{function}()"
    return f"{function}(\n" + "".join(f"{PY.indent}{part},\n" for part in parts) + ")"


def template_literal(text: str) -> str:
    """A JavaScript template literal holding `text` exactly: no `${...}` or escape is interpreted."""
    return "`" + text.replace("\\", "\\\\").replace("`", "\\`").replace("${", "\\${") + "`"
