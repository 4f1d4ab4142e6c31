"""The conversation as a tree: every edit or regeneration keeps its siblings as alternatives (‹ 2/3 ›),
each node remembers which child is shown, and the request is exactly the shown path. A function-calling
round is part of the path: an assistant node with `tool_calls`, then one `tool` node per call (its
`tool_call_id`); `unanswered_calls()` names the calls still waiting for their result.

`ChatTree` is immutable: an operation returns a new tree that shares every untouched node with the old
one, copying only the nodes from the changed one up to the root (path copying), so a Gradio state can
hold it and an operation costs O(path length), never a copy of the whole tree. Nodes are addressed by
id and must be on the shown path (the only ones a person can point at). `tree_json.py` stores it.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field, replace
from typing import Any, Mapping, Sequence, Union

from .frozen import FrozenFigures, copy_json, frozen_figures
from .reasoning import split_thinking

__all__ = ["ChatNode", "ChatTree", "Content", "ROLES"]

ROLES = ("user", "assistant", "tool")
Content = Union[str, tuple[Mapping[str, Any], ...]]  # text, or OpenAI content parts (text, image_url)
_MAYBE_THINKING = re.compile(r"</?think", re.IGNORECASE)
_ROOT_ID = ""


@dataclass(frozen=True, eq=False, repr=False)
class ChatNode:
    """One message and the messages that may follow it; `shown` picks the child on the visible path."""

    id: str
    role: str
    content: Content = ""
    reasoning: str = ""  # an assistant's thinking, shown folded and not sent back by default
    figures: Mapping[str, Any] = field(default_factory=lambda: FrozenFigures())  # JSON values
    children: tuple[ChatNode, ...] = ()
    shown: int = 0
    tool_calls: tuple[Mapping[str, Any], ...] = ()  # an assistant's calls, OpenAI-shaped ({id, type, function})
    tool_call_id: str = ""  # a tool message: the call it answers

    def __deepcopy__(self, memo: dict[int, Any]) -> ChatNode:
        return self  # immutable all the way down (Gradio deep-copies a State's value per session)

    def __repr__(self) -> str:
        return f"ChatNode(id={self.id!r}, role={self.role!r}, chars={len(self.text)}, children={len(self.children)})"

    @property
    def text(self) -> str:
        """The text of the content (its text parts joined, when it has parts)."""
        if isinstance(self.content, str):
            return self.content
        return "\n".join(str(part.get("text", "")) for part in self.content if part.get("type") == "text")

    @property
    def shown_child(self) -> ChatNode | None:
        return self.children[self.shown] if self.children else None


@dataclass(frozen=True, eq=False, repr=False)
class ChatTree:
    """A conversation; `ChatTree()` is an empty one. Every operation returns a new tree.

        tree = ChatTree().append_user("Hi").append_assistant("Hello!", reasoning="Greet back.")
        tree = tree.regenerate(tree.path()[-1].id, "Hi there!")      # ‹ 2/2 ›
        tree.alternatives(tree.path()[-1].id) == (1, 2)
        tree.messages_for_request("Be brief.")                        # system + the shown path
    """

    root: ChatNode = field(default_factory=lambda: ChatNode(_ROOT_ID, "root"))
    next_id: int = 1

    def __deepcopy__(self, memo: dict[int, Any]) -> ChatTree:
        return self  # immutable: sharing is copying

    def __repr__(self) -> str:
        return f"ChatTree(shown={len(self.path())} messages)"

    # -- reading ---------------------------------------------------------------------------------
    def path(self) -> tuple[ChatNode, ...]:
        """The visible conversation, first message first."""
        return self._chain[1:]

    @functools.cached_property
    def _chain(self) -> tuple[ChatNode, ...]:
        chain, node = [self.root], self.root
        while (node := node.shown_child) is not None:  # type: ignore[assignment]
            chain.append(node)
        return tuple(chain)

    @property
    def last(self) -> ChatNode | None:
        return self._chain[-1] if len(self._chain) > 1 else None

    def node(self, node_id: str) -> ChatNode:
        return self._chain[self._depth(node_id)]

    def alternatives(self, node: ChatNode | str) -> tuple[int, int]:
        """(index of the one shown, how many) among a shown message and its siblings: ‹ index+1/count ›."""
        parent = self._chain[self._depth(_id(node)) - 1]
        return parent.shown, len(parent.children)

    def unanswered_calls(self) -> tuple[Mapping[str, Any], ...]:
        """The calls of the path's last assistant message with `tool_calls` that no `tool` message after it
        answers yet, in order (empty when the model's last word was not a call, or every call has its result)."""
        path = self.path()
        for depth in range(len(path) - 1, -1, -1):
            node = path[depth]
            if node.role == "tool":
                continue
            if node.role != "assistant" or not node.tool_calls:
                return ()
            answered = {later.tool_call_id for later in path[depth + 1:]}
            return tuple(call for call in node.tool_calls if call.get("id") not in answered)
        return ()

    def messages_for_request(self, system_prompt: str = "", *, before: ChatNode | str | None = None,
                             keep_reasoning: bool = False) -> list[dict[str, Any]]:
        """The shown path as chat-completions messages, after a system message when `system_prompt` has text.

        `before`: stop short of that message (to regenerate it). Earlier assistant turns go back with
        their answer only, thinking stripped (OpenAI's and DeepSeek's guidance); `keep_reasoning` sends
        it back as `reasoning_content` instead, as chat-ui does for models that condition on it. A last
        assistant message is a prefill and goes exactly as written.
        """
        nodes = self.path()
        if before is not None:
            nodes = nodes[:self._depth(_id(before)) - 1]
        messages: list[dict[str, Any]] = [{"role": "system", "content": system_prompt}] if system_prompt.strip() else []
        for position, node in enumerate(nodes):
            is_prefill = position == len(nodes) - 1 and node.role == "assistant"
            messages.append(_request_message(node, strip=node.role == "assistant" and not is_prefill,
                                             keep_reasoning=keep_reasoning))
        return messages

    # -- changing ------------------------------------------------------------------------------------
    def append(self, role: str, content: str | Sequence[Mapping[str, Any]], reasoning: str = "",
               figures: Mapping[str, Any] | None = None, *, tool_calls: Sequence[Mapping[str, Any]] = (),
               tool_call_id: str = "") -> ChatTree:
        """A new message at the end of the shown path (a `tool` one names the call it answers)."""
        leaf = self._new_node(role, content, reasoning, figures, tool_calls, tool_call_id)
        depth = len(self._chain) - 1
        last = self._chain[depth]
        return self._rebuilt(depth, replace(last, children=(*last.children, leaf), shown=len(last.children)),
                             self.next_id + 1)

    def append_user(self, content: str | Sequence[Mapping[str, Any]],
                    figures: Mapping[str, Any] | None = None) -> ChatTree:
        return self.append("user", content, figures=figures)

    def append_assistant(self, content: str | Sequence[Mapping[str, Any]], reasoning: str = "",
                         figures: Mapping[str, Any] | None = None,
                         tool_calls: Sequence[Mapping[str, Any]] = ()) -> ChatTree:
        return self.append("assistant", content, reasoning, figures, tool_calls=tool_calls)

    def append_tool(self, tool_call_id: str, content: str, figures: Mapping[str, Any] | None = None) -> ChatTree:
        """The result of one call of the last assistant message, as a `tool` message."""
        return self.append("tool", content, figures=figures, tool_call_id=tool_call_id)

    def edit(self, node: ChatNode | str, content: str | Sequence[Mapping[str, Any]], reasoning: str = "",
             figures: Mapping[str, Any] | None = None) -> ChatTree:
        """A new version of a shown message, shown in its place; the original stays as an alternative.

        The path then ends at the new version: after editing a user message the caller asks for the answer
        below it; an edited assistant message is a prefill or a few-shot example to continue from.
        """
        original = self.node(_id(node))
        return self._add_sibling(original, original.role, content, reasoning, figures, original.tool_call_id)

    def regenerate(self, node: ChatNode | str, content: str | Sequence[Mapping[str, Any]], reasoning: str = "",
                   figures: Mapping[str, Any] | None = None) -> ChatTree:
        """A new answer in place of a shown assistant message (asked with `messages_for_request(before=...)`)."""
        original = self.node(_id(node))
        if original.role != "assistant":
            raise ValueError(f"Only an answer can be regenerated; message {original.id} is the {original.role}'s.")
        return self._add_sibling(original, "assistant", content, reasoning, figures)

    def update(self, node: ChatNode | str, *, content: str | Sequence[Mapping[str, Any]] | None = None,
               reasoning: str | None = None, figures: Mapping[str, Any] | None = None,
               tool_calls: Sequence[Mapping[str, Any]] | None = None) -> ChatTree:
        """Change a shown message in place, no alternative kept (an answer as it streams, its figures after)."""
        depth = self._depth(_id(node))
        current = self._chain[depth]
        changed = replace(current, content=current.content if content is None else _frozen_content(content),
                          reasoning=current.reasoning if reasoning is None else reasoning,
                          figures=current.figures if figures is None else frozen_figures(figures),
                          tool_calls=current.tool_calls if tool_calls is None
                          else _frozen_calls(tool_calls, current.role))
        return self._rebuilt(depth, changed)

    def switch(self, node: ChatNode | str, index: int) -> ChatTree:
        """Show alternative `index` (0-based) in place of a shown message; the path follows that branch."""
        depth = self._depth(_id(node))
        parent = self._chain[depth - 1]
        if not 0 <= index < len(parent.children):
            raise ValueError(f"There are {len(parent.children)} alternatives here; {index} is none of them.")
        return self._rebuilt(depth - 1, replace(parent, shown=index))

    def delete(self, node: ChatNode | str) -> ChatTree:
        """Remove a shown message and everything after it on that branch; a sibling, if any, shows instead."""
        depth = self._depth(_id(node))
        parent = self._chain[depth - 1]
        children = parent.children[:parent.shown] + parent.children[parent.shown + 1:]
        return self._rebuilt(depth - 1, replace(parent, children=children,
                                                shown=min(max(parent.shown - 1, 0), max(len(children) - 1, 0))))

    def undo(self) -> ChatTree:
        """Drop the last turn shown: the last user message and what follows it (the last message if none)."""
        path = self.path()
        if not path:
            return self
        last_user = next((node for node in reversed(path) if node.role == "user"), path[-1])
        return self.delete(last_user)

    # -- path copying -----------------------------------------------------------------------------
    def _depth(self, node_id: str) -> int:
        for depth in range(len(self._chain) - 1, 0, -1):
            if self._chain[depth].id == node_id:
                return depth
        raise ValueError(f"Message {node_id!r} is not in the conversation shown.")

    def _rebuilt(self, depth: int, node: ChatNode, next_id: int | None = None) -> ChatTree:
        """This tree with the shown node at `depth` replaced by `node`, its ancestors copied, all else shared."""
        for parent in reversed(self._chain[:depth]):
            children = list(parent.children)
            children[parent.shown] = node
            node = replace(parent, children=tuple(children))
        return ChatTree(node, self.next_id if next_id is None else next_id)

    def _new_node(self, role: str, content: str | Sequence[Mapping[str, Any]], reasoning: str,
                  figures: Mapping[str, Any] | None, tool_calls: Sequence[Mapping[str, Any]] = (),
                  tool_call_id: str = "") -> ChatNode:
        if role not in ROLES:
            raise ValueError(f"A message's role is one of {', '.join(ROLES)}, not {role!r}.")
        if (role == "tool") != bool(tool_call_id):
            raise ValueError("A message of role tool, and only one, names the call it answers (tool_call_id).")
        return ChatNode(f"m{self.next_id}", role, _frozen_content(content), reasoning, frozen_figures(figures),
                        tool_calls=_frozen_calls(tool_calls, role), tool_call_id=tool_call_id)

    def _add_sibling(self, original: ChatNode, role: str, content: str | Sequence[Mapping[str, Any]],
                     reasoning: str, figures: Mapping[str, Any] | None, tool_call_id: str = "") -> ChatTree:
        sibling = self._new_node(role, content, reasoning, figures, tool_call_id=tool_call_id)
        depth = self._depth(original.id)
        parent = self._chain[depth - 1]
        return self._rebuilt(depth - 1, replace(parent, children=(*parent.children, sibling),
                                                shown=len(parent.children)), self.next_id + 1)


def _id(node: ChatNode | str) -> str:
    return node if isinstance(node, str) else node.id


def _request_message(node: ChatNode, strip: bool, keep_reasoning: bool) -> dict[str, Any]:
    content: Any = node.content if isinstance(node.content, str) else [copy_json(part) for part in node.content]
    reasoning = node.reasoning
    if strip and isinstance(content, str) and _MAYBE_THINKING.search(content):
        split = split_thinking(content)  # thinking typed inline by hand, or kept from an older answer
        content, reasoning = split.answer, "\n\n".join(p for p in (reasoning, split.thinking) if p.strip())
    message: dict[str, Any] = {"role": node.role, "content": content}
    if node.tool_calls:
        message["tool_calls"] = [copy_json(call) for call in node.tool_calls]
    if node.tool_call_id:
        message["tool_call_id"] = node.tool_call_id
    if strip and keep_reasoning and reasoning.strip():
        message["reasoning_content"] = reasoning
    return message


def _frozen_calls(calls: Sequence[Mapping[str, Any]], role: str) -> tuple[Mapping[str, Any], ...]:
    """An assistant's calls as `ToolCall.as_openai()` gives them: {id, type: function, function: {name,
    arguments (text)}}; ValueError for another shape, or calls on another role."""
    frozen = tuple(frozen_figures(call) for call in calls)
    if frozen and role != "assistant":
        raise ValueError("Only an assistant message makes tool calls.")
    for call in frozen:
        function = call.get("function")
        if not (isinstance(call.get("id"), str) and call["id"] and isinstance(function, Mapping)
                and isinstance(function.get("name"), str) and isinstance(function.get("arguments"), str)):
            raise ValueError("A tool call has an id and a function with a name and its arguments as text.")
    return frozen


def _frozen_content(content: str | Sequence[Mapping[str, Any]]) -> Content:
    if isinstance(content, str):
        return content
    parts = tuple(copy_json(part) for part in content)
    if not all(isinstance(part, dict) and isinstance(part.get("type"), str) for part in parts):
        raise ValueError("A message's content is text or a list of content parts, each with a 'type'.")
    return parts
