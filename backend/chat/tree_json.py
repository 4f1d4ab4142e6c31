"""A `ChatTree` as plain JSON, to keep conversations in the browser or a file, and back, checked strictly.

The messages are a flat list in pre-order (a parent before its children, siblings in order), so a
200-turn conversation nests no deeper than any other. `tree_from_json` trusts nothing: a value of
another format, version or shape raises `InvalidInput` saying what is wrong, for the caller to show
as a note; it never half-loads. Version 2 adds function calling (`tool` messages with their
`tool_call_id`, assistant messages with `tool_calls`); a tree without any is written as version 1, which
every reader of this format takes, and version 1 is still read.

    {"format": "hf-playground-conversation", "version": 1, "next_id": 4, "shown": 0,
     "messages": [{"id": "m1", "parent": null, "role": "user", "content": "Hi", "shown": 0}, ...]}
"""
from __future__ import annotations

import re
from typing import Any, Mapping

from ..errors import InvalidInput
from .tree import ROLES, ChatNode, ChatTree, copy_json, frozen_figures

__all__ = ["tree_to_json", "tree_from_json", "CONVERSATION_FORMAT", "CONVERSATION_VERSION", "MAX_MESSAGES"]

CONVERSATION_FORMAT, CONVERSATION_VERSION = "hf-playground-conversation", 2
PLAIN_VERSION = 1  # written for a tree without tool calls; read alike
MAX_MESSAGES = 20_000  # alternatives included
_KEYS = {"id", "parent", "role", "content", "reasoning", "figures", "shown"}
_TOOL_KEYS = {"tool_calls", "tool_call_id"}
_ROLES = {PLAIN_VERSION: ("user", "assistant"), CONVERSATION_VERSION: ROLES}
_REQUIRED = {"id", "parent", "role", "content"}
_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
_OUR_ID = re.compile(r"m(\d{1,12})")


def tree_to_json(tree: ChatTree) -> dict[str, Any]:
    """The whole tree, alternatives included, as JSON values (its `figures` must be JSON values)."""
    messages: list[dict[str, Any]] = []
    calls = False
    stack: list[tuple[ChatNode, str | None]] = [(child, None) for child in reversed(tree.root.children)]
    while stack:
        node, parent = stack.pop()
        entry: dict[str, Any] = {"id": node.id, "parent": parent, "role": node.role,
                                 "content": node.content if isinstance(node.content, str) else copy_json(node.content),
                                 "shown": node.shown}
        if node.reasoning:
            entry["reasoning"] = node.reasoning
        if node.figures:
            entry["figures"] = copy_json(node.figures)
        if node.tool_calls:
            entry["tool_calls"] = copy_json(node.tool_calls)
        if node.tool_call_id:
            entry["tool_call_id"] = node.tool_call_id
        calls = calls or node.role == "tool" or bool(node.tool_calls)
        messages.append(entry)
        stack.extend((child, node.id) for child in reversed(node.children))
    return {"format": CONVERSATION_FORMAT, "version": CONVERSATION_VERSION if calls else PLAIN_VERSION,
            "next_id": tree.next_id, "shown": tree.root.shown, "messages": messages}


def tree_from_json(data: Any) -> ChatTree:
    """The tree `tree_to_json` wrote; InvalidInput when `data` is anything else."""
    if not isinstance(data, Mapping) or data.get("format") != CONVERSATION_FORMAT:
        raise InvalidInput("This is not a saved conversation of this playground.")
    version = data.get("version")
    if type(version) is not int or version not in _ROLES:
        raise InvalidInput(f"This conversation was saved in format version {str(version)[:20]}; "
                           f"this playground reads versions {PLAIN_VERSION} and {CONVERSATION_VERSION}.")
    entries, next_id = data.get("messages"), data.get("next_id")
    if not isinstance(entries, list) or len(entries) > MAX_MESSAGES:
        raise InvalidInput(f"A saved conversation has a list of at most {MAX_MESSAGES:,} messages.")
    if not _is_count(next_id) or next_id < 1:
        raise InvalidInput("A saved conversation's next_id is a whole number from 1.")
    children: dict[str | None, list[str]] = {None: []}
    for number, entry in enumerate(entries, 1):
        _check_entry(number, entry, children, version)
        children[entry["parent"]].append(entry["id"])
        children[entry["id"]] = []
    built: dict[str, ChatNode] = {}
    for entry in reversed(entries):  # children come after their parent: build them first
        kids = tuple(built.pop(kid) for kid in children[entry["id"]])
        built[entry["id"]] = ChatNode(entry["id"], entry["role"], _content(entry["content"]),
                                      entry.get("reasoning", ""), frozen_figures(entry.get("figures")),
                                      kids, _shown(entry.get("shown", 0), len(kids), f"message {entry['id']}"),
                                      tuple(frozen_figures(c) for c in entry.get("tool_calls", ())),
                                      entry.get("tool_call_id", ""))
    firsts = tuple(built.pop(kid) for kid in children[None])
    root = ChatNode("", "root", children=firsts, shown=_shown(data.get("shown", 0), len(firsts), "the start"))
    highest = max((int(m[1]) for entry in entries if (m := _OUR_ID.fullmatch(entry["id"]))), default=0)
    return ChatTree(root, max(next_id, highest + 1))


def _check_entry(number: int, entry: Any, seen: Mapping[str | None, list[str]], version: int) -> None:
    where = f"Message {number} of the saved conversation"
    keys = _KEYS | _TOOL_KEYS if version == CONVERSATION_VERSION else _KEYS
    if not isinstance(entry, Mapping) or not _REQUIRED <= set(entry) or not set(entry) <= keys:
        raise InvalidInput(f"{where} is not an object with {', '.join(sorted(_REQUIRED))} "
                           f"(and optionally {', '.join(sorted(keys - _REQUIRED))}).")
    if not isinstance(entry["id"], str) or not _ID.fullmatch(entry["id"]) or entry["id"] in seen:
        raise InvalidInput(f"{where} has a missing, odd or repeated id.")
    if entry["parent"] not in seen:
        raise InvalidInput(f"{where} follows a message that does not come before it.")
    roles = _ROLES[version]
    if entry["role"] not in roles:
        raise InvalidInput(f"{where} has the role {str(entry['role'])[:20]!r}; expected {' or '.join(roles)}.")
    if not isinstance(entry.get("reasoning", ""), str) or not isinstance(entry.get("figures", {}), Mapping):
        raise InvalidInput(f"{where} has reasoning that is not text or figures that are not an object.")
    content = entry["content"]
    if not isinstance(content, str) and not (isinstance(content, list) and all(
            isinstance(part, Mapping) and isinstance(part.get("type"), str) for part in content)):
        raise InvalidInput(f"{where} has content that is neither text nor a list of content parts.")
    _check_tool_keys(where, entry)


def _check_tool_keys(where: str, entry: Mapping[str, Any]) -> None:
    """A `tool` message names the call it answers; only an assistant's carries calls, each OpenAI-shaped."""
    call_id, calls = entry.get("tool_call_id"), entry.get("tool_calls", [])
    if (entry["role"] == "tool") != _is_call_id(call_id) or (call_id is not None and entry["role"] != "tool"):
        raise InvalidInput(f"{where}: a tool message, and only one, names the call it answers (tool_call_id).")
    if not isinstance(calls, list) or (calls and entry["role"] != "assistant") or not all(
            _is_call(call) for call in calls):
        raise InvalidInput(f"{where} has tool_calls that are not an assistant's list of "
                           f"{{id, type: function, function: {{name, arguments}}}}.")


def _is_call_id(value: Any) -> bool:
    return isinstance(value, str) and 0 < len(value) <= 256  # providers' own ids: call_..., toolu_..., 0


def _is_call(call: Any) -> bool:
    function = call.get("function") if isinstance(call, Mapping) else None
    return isinstance(function, Mapping) and set(call) <= {"id", "type", "function"} \
        and call.get("type") == "function" and _is_call_id(call.get("id")) \
        and isinstance(function.get("name"), str) and isinstance(function.get("arguments"), str)


def _content(content: str | list[Mapping[str, Any]]) -> str | tuple[Mapping[str, Any], ...]:
    return content if isinstance(content, str) else tuple(copy_json(part) for part in content)


def _shown(value: Any, count: int, where: str) -> int:
    if not _is_count(value) or (count and value >= count) or (not count and value != 0):
        raise InvalidInput(f"The saved conversation shows an alternative after {where} that is not there.")
    return int(value)


def _is_count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0
