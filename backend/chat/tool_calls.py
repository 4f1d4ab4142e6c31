"""Function calling, the answer side: `ToolCall`, one call as the card shows it, and `ToolCallAssembler`,
which builds the calls of one assistant turn from streamed `delta.tool_calls` fragments or a whole
`message.tool_calls`.

Streamed calls arrive as OpenAI's reference lays them out: the first fragment of each call carries its
`index`, `id`, `type` and `function.name`, later ones only `index` and a piece of `function.arguments`;
several calls in one turn have distinct indexes. Tolerated as recorded elsewhere: TGI's whole calls with
an integer `id` and `arguments` as an object (huggingface_hub's 2024 cassette), `tool_calls: null` or
`[]` on ordinary chunks (huggingface.js's together tapes), a name repeated in every fragment, a missing id.
"""
from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any, Mapping

__all__ = ["ToolCall", "ToolCallAssembler", "tool_names"]


@dataclass(frozen=True)
class ToolCall:
    """One function call: `arguments` is the parsed JSON object, or None with `arguments_error` saying why;
    `defined` is False for a function the request did not offer."""

    id: str
    name: str
    arguments_text: str
    arguments: dict[str, Any] | None = None
    arguments_error: str = ""
    defined: bool = True
    index: int = 0

    @property
    def pretty_arguments(self) -> str:
        """The arguments indented for the card; the text as it came when it is not a JSON object."""
        if self.arguments is None:
            return self.arguments_text
        return json.dumps(self.arguments, indent=2, ensure_ascii=False)

    def as_openai(self) -> dict[str, Any]:
        """The call as the assistant message sent back carries it (`arguments` is always a string there)."""
        return {"id": self.id, "type": "function",
                "function": {"name": self.name, "arguments": self.arguments_text if self.arguments_text.strip()
                             else "{}"}}


@dataclass
class _Fragments:
    id: str = ""
    name: str = ""
    pieces: list[str] = field(default_factory=list)
    whole: Any = None  # arguments sent as a JSON value rather than text (TGI 1.x)

    def take(self, entry: Mapping[str, Any]) -> bool:
        changed = False
        call_id = entry.get("id")
        if call_id not in (None, "") and not self.id:
            self.id, changed = str(call_id), True
        function = entry.get("function") if isinstance(entry.get("function"), Mapping) else {}
        name = function.get("name")
        if isinstance(name, str) and name and not self.name:
            self.name, changed = name, True
        arguments = function.get("arguments")
        if isinstance(arguments, str) and arguments:
            self.pieces.append(arguments)
            changed = True
        elif isinstance(arguments, (dict, list)):
            self.whole, changed = arguments, True
        return changed

    @property
    def text(self) -> str:
        if self.pieces:
            return "".join(self.pieces)
        return json.dumps(self.whole, ensure_ascii=False) if self.whole is not None else ""


class ToolCallAssembler:
    """The calls of one assistant turn, fed `tool_calls` lists (deltas or a whole message) in order."""

    def __init__(self) -> None:
        self._calls: dict[int, _Fragments] = {}

    def __bool__(self) -> bool:
        return bool(self._calls)

    def __repr__(self) -> str:
        return f"ToolCallAssembler(calls={len(self._calls)})"

    def feed(self, tool_calls: Any) -> bool:
        """Take one `tool_calls` list; True when a call's id, name or arguments grew."""
        if not isinstance(tool_calls, list):
            return False
        changed = False
        for position, entry in enumerate(tool_calls):
            if isinstance(entry, Mapping):
                changed |= self._calls.setdefault(self._key(entry, position), _Fragments()).take(entry)
        return changed

    def _key(self, entry: Mapping[str, Any], position: int) -> int:
        index = entry.get("index")
        if isinstance(index, int) and not isinstance(index, bool) and index >= 0:
            return index
        # No index: the position in the list, unless a different id there says a new call has begun.
        known, call_id = self._calls.get(position), entry.get("id")
        if known is not None and known.id and call_id not in (None, "") and str(call_id) != known.id:
            return max(self._calls) + 1
        return position

    def calls(self, defined: Collection[str] | None = None) -> tuple[ToolCall, ...]:
        """The calls so far in index order; `defined` is the request's function names (None: unknown)."""
        calls, seen = [], set()
        for index in sorted(self._calls):
            fragments = self._calls[index]
            call_id = fragments.id or f"call_{index}"
            if call_id in seen:  # TGI 1.x numbered every call 0; each answer must name its own call
                call_id = f"{call_id}_{index}"
            seen.add(call_id)
            arguments, error = _parse_arguments(fragments.text)
            calls.append(ToolCall(call_id, fragments.name, fragments.text, arguments, error,
                                  defined is None or fragments.name in defined, index))
        return tuple(calls)


def tool_names(tools: Any) -> frozenset[str]:
    """The function names a request defines (its body's `tools`), whatever shape the entries have."""
    names = set()
    for tool in tools if isinstance(tools, list) else ():
        function = tool.get("function") if isinstance(tool, Mapping) else None
        if isinstance(function, Mapping) and isinstance(function.get("name"), str):
            names.add(function["name"])
    return frozenset(names)


def _parse_arguments(text: str) -> tuple[dict[str, Any] | None, str]:
    if not text.strip():
        return {}, ""
    try:
        value = json.loads(text)
    except json.JSONDecodeError as err:
        return None, f"The arguments are not valid JSON: {err.msg} (line {err.lineno}, column {err.colno})."
    except RecursionError:
        return None, "The arguments are nested too deeply to read."
    if not isinstance(value, dict):
        return None, "The arguments are JSON but not an object, which a function call needs."
    return value, ""
