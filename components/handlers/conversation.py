"""The chat's conversation as the page holds it: a `ChatTree` (what is sent is exactly its shown path),
the answer streaming now, and the transcript the Chatbot shows, with the message each of its rows
belongs to (so Retry, Undo, Edit and a click on a row find their message).

An assistant message shows as up to three rows: its thinking, folded under "Thought for 4.2 s"; its
answer (the only row its copy button copies); and a boxed line with its numbers and, when it has
alternatives, where it is among them (`‹ 2/3 ›`). Its function calls show as one card each, and each
`tool` message as the result under its call (`tool_rows.py`). Text reaches the Chatbot only through
`chat_markdown()` (SECURITY.md T10).
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any, Mapping

from backend.chat import ChatNode, ChatTree, ToolCall

from ..markup import chat_markdown, inert
from .tool_rows import call_rows, result_rows, schema_rows, stored_calls

__all__ = ["Conversation", "Message", "ALTERNATIVE_MARK", "strip_alternative_mark", "tree_from_messages"]

Message = Mapping[str, Any]
ALTERNATIVE_MARK = re.compile(r"\n\n\*‹ \d+/\d+ ›\*$")


@dataclass(frozen=True)
class Conversation:
    """Immutable: every step makes a new one (it lives in a `gr.State`).

    `answering` is the id of the answer being streamed (an empty node in the tree until it is done);
    `live_*` hold that answer so far (its calls too). `pending` is set by Retry, Edit or a tool result for
    the run they start: "answer" (reply to the path's last message) or "regenerate:<id>". `allowed_calls`
    are the ids of MCP calls the person allowed to run once; `acknowledged` a provider warning they chose
    to send past, `context_acknowledged` a context warning (model|provider)."""

    tree: ChatTree = field(default_factory=ChatTree)
    answering: str = ""
    live_answer: str = ""
    live_reasoning: str = ""
    live_title: str = ""
    live_calls: tuple[ToolCall, ...] = ()
    pending: str = ""
    images: tuple[str, ...] = ()  # pictures already sent (they go once; the box keeps showing them)
    notes: tuple[Message, ...] = ()  # shown after the transcript this once (an error, a refusal)
    allowed_calls: tuple[str, ...] = ()
    acknowledged: str = ""
    context_acknowledged: str = ""

    def has_image(self, path: str | None) -> bool:
        return bool(path) and path in self.images

    @property
    def transcript(self) -> list[Message]:
        return [*self._rendered[0], *self.notes]

    @property
    def rows(self) -> tuple[str, ...]:
        """The message id of each transcript row ('' for a note)."""
        return (*self._rendered[1], *("" for _ in self.notes))

    def node_at(self, row: int | tuple[int, ...] | list[int]) -> ChatNode | None:
        """The message a transcript row (a Chatbot event's index) shows, if it is one."""
        index = row[0] if isinstance(row, (tuple, list)) else row
        rows = self.rows
        if not isinstance(index, int) or not 0 <= index < len(rows) or not rows[index]:
            return None
        try:
            return self.tree.node(rows[index])
        except (KeyError, ValueError, IndexError):
            return None

    def add_notes(self, *notes: Message) -> Conversation:
        return replace(self, notes=(*self.notes, *notes))

    def settled(self, tree: ChatTree, **changes: Any) -> Conversation:
        """This conversation with `tree` and nothing streaming or pending."""
        return replace(self, tree=tree, answering="", live_answer="", live_reasoning="", live_title="",
                       live_calls=(), pending="", notes=(), **changes)

    @cached_property
    def _rendered(self) -> tuple[tuple[Message, ...], tuple[str, ...]]:
        messages: list[Message] = []
        rows: list[str] = []
        waiting = {str(call.get("id")) for call in self.tree.unanswered_calls()}
        names: dict[str, str] = {}  # call id -> function name, for the results under the calls
        parent = self.tree.root
        for node in self.tree.path():
            # Its parent says where it is among its alternatives (tree.alternatives would look each one up:
            # quadratic in a long conversation's length, rendered again at every streamed refresh).
            index, count, parent = parent.shown, len(parent.children), node
            mark = f"‹ {index + 1}/{count} ›" if count > 1 else ""
            names.update((str(c.get("id")), str(c.get("function", {}).get("name", ""))) for c in node.tool_calls)
            if node.id == self.answering:
                shown = self._live_rows(node, mark)
            elif node.role == "tool":
                shown = [*result_rows(node, names.get(node.tool_call_id, "")), *([_note(mark)] if mark else [])]
            else:
                shown = _node_rows(node, mark, waiting)
            messages.extend(shown)
            rows.extend(node.id for _ in shown)
        return tuple(messages), tuple(rows)

    def _live_rows(self, node: ChatNode, mark: str) -> list[Message]:
        shown: list[Message] = []
        if self.live_reasoning:
            title = self.live_title or "Thinking…"
            shown.append({"role": "assistant", "content": chat_markdown(self.live_reasoning),
                          "metadata": {"title": title, "status": "pending" if not self.live_answer else "done"}})
        if self.live_answer:
            shown.append({"role": "assistant", "content": chat_markdown(self.live_answer)})
        shown.extend(call_rows(self.live_calls))
        if mark:
            shown.append(_note(mark))
        return shown


def _node_rows(node: ChatNode, mark: str, waiting: set[str]) -> list[Message]:
    if node.role == "user":
        return _user_rows(node, mark)
    figures = node.figures
    shown: list[Message] = []
    if node.reasoning:
        seconds = figures.get("thought", figures.get("thinking_seconds"))  # the Side by side page's name
        title = f"Thought for {seconds:.1f} s" if isinstance(seconds, (int, float)) else "Thinking"
        shown.append({"role": "assistant", "content": chat_markdown(node.reasoning),
                      "metadata": {"title": title, "status": "done"}})
    if node.text:
        shown.append({"role": "assistant", "content": chat_markdown(node.text)})
    servers = figures.get("mcp_calls")
    shown.extend(call_rows(stored_calls(node), servers if isinstance(servers, Mapping) else {}, waiting))
    shown.extend(schema_rows(figures.get("schema")))
    facts = [mark, str(figures.get("numbers") or "")]
    line = " · ".join(fact for fact in facts if fact)
    if figures.get("thinking_note"):
        shown.append(_note("⚠ " + inert(str(figures["thinking_note"]))))
    if figures.get("routed"):
        shown.append(_note("ℹ " + inert(str(figures["routed"]))))
    if figures.get("context"):
        shown.append(_note("⚠ " + inert(str(figures["context"]))))
    if figures.get("stopped"):
        shown.append(_note("■ Stopped", "The answer above is as far as it came."))
    if line:
        shown.append(_note(line))
    return shown


def _user_rows(node: ChatNode, mark: str) -> list[Message]:
    text = chat_markdown(node.text)
    pictures = 0 if isinstance(node.content, str) else sum(part.get("type") == "image_url" for part in node.content)
    picture = node.figures.get("picture")
    if isinstance(picture, str) and os.path.isfile(picture):
        shown: list[Message] = [{"role": "user", "content": {"path": picture}}]
    elif pictures:
        text += f" *({pictures} picture{'s' if pictures > 1 else ''} sent)*"
        shown = []
    else:
        shown = []
    if mark:
        text += f"\n\n*{mark}*"
    return ([{"role": "user", "content": text}] if text.strip() else []) + shown


def _note(title: str, body: str = "") -> dict[str, Any]:
    """A boxed line under an answer (its numbers, a mark): shown, never sent to the model."""
    return {"role": "assistant", "content": body, "metadata": {"title": title}}


def strip_alternative_mark(text: str) -> str:
    """An edited message's text without the `‹ 2/3 ›` line the transcript adds."""
    return ALTERNATIVE_MARK.sub("", text)


def tree_from_messages(messages: Any, answer: str = "") -> ChatTree:
    """A tree holding stored OpenAI-shape messages (a history entry's, a tool round's included) and,
    after them, `answer`."""
    tree = ChatTree()
    for message in messages or ():
        if not isinstance(message, Mapping) or message.get("role") not in ("user", "assistant", "tool"):
            continue
        content = message.get("content")
        if isinstance(content, list):
            content = [part for part in content if isinstance(part, Mapping)]
        content = content if isinstance(content, (str, list)) else str(content or "")
        try:
            if message["role"] == "tool":
                tree = tree.append_tool(str(message.get("tool_call_id") or ""), str(content))
            else:
                tree = tree.append(str(message["role"]), content, tool_calls=message.get("tool_calls") or ())
        except (ValueError, TypeError, AttributeError):  # a stored message of another shape is left out
            continue
    return tree.append_assistant(answer) if answer else tree
