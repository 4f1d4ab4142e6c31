"""A `ChatTree` as plain JSON, to keep conversations in the browser or a file, and back, checked strictly.

The messages are a flat list in pre-order (a parent before its children, siblings in order), so a
200-turn conversation nests no deeper than any other. `tree_from_json` trusts nothing: a value of
another format, version or shape raises `InvalidInput` saying what is wrong, for the caller to show
as a note; it never half-loads.

    {"format": "hf-playground-conversation", "version": 1, "next_id": 4, "shown": 0,
     "messages": [{"id": "m1", "parent": null, "role": "user", "content": "Hi", "shown": 0}, ...]}
"""
from __future__ import annotations

import re
from typing import Any, Mapping

from ..errors import InvalidInput
from .tree import ROLES, ChatNode, ChatTree, copy_json, frozen_figures

__all__ = ["tree_to_json", "tree_from_json", "CONVERSATION_FORMAT", "CONVERSATION_VERSION", "MAX_MESSAGES"]

CONVERSATION_FORMAT, CONVERSATION_VERSION = "hf-playground-conversation", 1
MAX_MESSAGES = 20_000  # alternatives included
_KEYS = {"id", "parent", "role", "content", "reasoning", "figures", "shown"}
_REQUIRED = {"id", "parent", "role", "content"}
_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
_OUR_ID = re.compile(r"m(\d{1,12})")


def tree_to_json(tree: ChatTree) -> dict[str, Any]:
    """The whole tree, alternatives included, as JSON values (its `figures` must be JSON values)."""
    messages: list[dict[str, Any]] = []
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
        messages.append(entry)
        stack.extend((child, node.id) for child in reversed(node.children))
    return {"format": CONVERSATION_FORMAT, "version": CONVERSATION_VERSION, "next_id": tree.next_id,
            "shown": tree.root.shown, "messages": messages}


def tree_from_json(data: Any) -> ChatTree:
    """The tree `tree_to_json` wrote; InvalidInput when `data` is anything else."""
    if not isinstance(data, Mapping) or data.get("format") != CONVERSATION_FORMAT:
        raise InvalidInput("This is not a saved conversation of this playground.")
    if data.get("version") != CONVERSATION_VERSION:
        raise InvalidInput(f"This conversation was saved in format version {str(data.get('version'))[:20]}; "
                           f"this playground reads version {CONVERSATION_VERSION}.")
    entries, next_id = data.get("messages"), data.get("next_id")
    if not isinstance(entries, list) or len(entries) > MAX_MESSAGES:
        raise InvalidInput(f"A saved conversation has a list of at most {MAX_MESSAGES:,} messages.")
    if not _is_count(next_id) or next_id < 1:
        raise InvalidInput("A saved conversation's next_id is a whole number from 1.")
    children: dict[str | None, list[str]] = {None: []}
    for number, entry in enumerate(entries, 1):
        _check_entry(number, entry, children)
        children[entry["parent"]].append(entry["id"])
        children[entry["id"]] = []
    built: dict[str, ChatNode] = {}
    for entry in reversed(entries):  # children come after their parent: build them first
        kids = tuple(built.pop(kid) for kid in children[entry["id"]])
        built[entry["id"]] = ChatNode(entry["id"], entry["role"], _content(entry["content"]),
                                      entry.get("reasoning", ""), frozen_figures(entry.get("figures")),
                                      kids, _shown(entry.get("shown", 0), len(kids), f"message {entry['id']}"))
    firsts = tuple(built.pop(kid) for kid in children[None])
    root = ChatNode("", "root", children=firsts, shown=_shown(data.get("shown", 0), len(firsts), "the start"))
    highest = max((int(m[1]) for entry in entries if (m := _OUR_ID.fullmatch(entry["id"]))), default=0)
    return ChatTree(root, max(next_id, highest + 1))


def _check_entry(number: int, entry: Any, seen: Mapping[str | None, list[str]]) -> None:
    where = f"Message {number} of the saved conversation"
    if not isinstance(entry, Mapping) or not _REQUIRED <= set(entry) or not set(entry) <= _KEYS:
        raise InvalidInput(f"{where} is not an object with {', '.join(sorted(_REQUIRED))} "
                           f"(and optionally reasoning, figures, shown).")
    if not isinstance(entry["id"], str) or not _ID.fullmatch(entry["id"]) or entry["id"] in seen:
        raise InvalidInput(f"{where} has a missing, odd or repeated id.")
    if entry["parent"] not in seen:
        raise InvalidInput(f"{where} follows a message that does not come before it.")
    if entry["role"] not in ROLES:
        raise InvalidInput(f"{where} has the role {str(entry['role'])[:20]!r}; expected {' or '.join(ROLES)}.")
    if not isinstance(entry.get("reasoning", ""), str) or not isinstance(entry.get("figures", {}), Mapping):
        raise InvalidInput(f"{where} has reasoning that is not text or figures that are not an object.")
    content = entry["content"]
    if not isinstance(content, str) and not (isinstance(content, list) and all(
            isinstance(part, Mapping) and isinstance(part.get("type"), str) for part in content)):
        raise InvalidInput(f"{where} has content that is neither text nor a list of content parts.")


def _content(content: str | list[Mapping[str, Any]]) -> str | tuple[Mapping[str, Any], ...]:
    return content if isinstance(content, str) else tuple(copy_json(part) for part in content)


def _shown(value: Any, count: int, where: str) -> int:
    if not _is_count(value) or (count and value >= count) or (not count and value != 0):
        raise InvalidInput(f"The saved conversation shows an alternative after {where} that is not there.")
    return int(value)


def _is_count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0
