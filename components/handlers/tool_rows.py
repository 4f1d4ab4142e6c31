"""How function calling and structured output read in the transcript: one card per call of an assistant
message (the function's name, its arguments pretty-printed, arguments that are not a JSON object and a
function the request did not define flagged, where an MCP tool runs), each `tool` message as the result
under its call, and the schema check under an answer. Text goes through `chat_markdown`/`inert` (T10).
"""
from __future__ import annotations

from dataclasses import replace
from typing import Any, Collection, Mapping, Sequence

from backend.chat import ChatNode, ToolCall, ToolCallAssembler

from ..markup import chat_markdown, inert

__all__ = ["stored_calls", "call_rows", "result_rows", "schema_rows"]

Message = Mapping[str, Any]


def stored_calls(node: ChatNode) -> tuple[ToolCall, ...]:
    """An assistant node's calls as `ToolCall`s (arguments parsed again; `defined` as recorded at the end
    of its turn in the figures' `undefined_calls`)."""
    if not node.tool_calls:
        return ()
    assembler = ToolCallAssembler()
    assembler.feed([{**call, "index": number} for number, call in enumerate(node.tool_calls)])
    undefined = set(node.figures.get("undefined_calls") or ())
    return tuple(replace(call, defined=call.id not in undefined) for call in assembler.calls())


def _call_card(call: ToolCall, number: int, count: int, server: str, waiting: bool) -> Message:
    name = call.name or "(no name)"
    title = f"ƒ {inert(name)}" + (f" · call {number} of {count}" if count > 1 else "")
    arguments = call.pretty_arguments if call.arguments_text.strip() else "{}"
    lines = [chat_markdown(f"```json\n{arguments}\n```").strip()]
    if call.arguments_error:
        lines.append("⚠ " + inert(call.arguments_error))
    if not call.defined:
        lines.append("⚠ " + inert(f"{name} is not one of the functions offered to the model: nobody defined it."))
    if server:
        lines.append(inert(f"A tool of the MCP server at {server}."))
    if waiting:
        lines.append("… " + inert("Waiting for its result (Tools and structured output, below)."))
    lines.append(f"*id* {inert(call.id)}")
    return {"role": "assistant", "content": "\n\n".join(lines), "metadata": {"title": title}}


def call_rows(calls: Sequence[ToolCall], servers: Mapping[str, str] | None = None,
              waiting: Collection[str] = ()) -> list[Message]:
    """One card per call; `servers` maps a call id to the MCP server it runs on, `waiting` the ids of
    the calls that have no result yet."""
    servers = servers or {}
    return [_call_card(call, number, len(calls), str(servers.get(call.id, "")), call.id in waiting)
            for number, call in enumerate(calls, 1)]


def result_rows(node: ChatNode, call_name: str) -> list[Message]:
    """A `tool` message: the result the person gave (or an MCP server sent) for one call."""
    figures = node.figures
    facts = [f"↩ Result of {inert(call_name or 'the call')}"]
    if figures.get("mcp"):
        facts.append(inert(f"from the MCP server at {figures['mcp']}"))
    if figures.get("is_error"):
        facts.append("the tool reported an error")
    body = chat_markdown(node.text) if node.text.strip() else "*(empty)*"
    notes = [inert(str(note)) for note in figures.get("notes") or ()]
    return [{"role": "assistant", "content": "\n\n".join([body, *notes]), "metadata": {"title": " · ".join(facts)}}]


def schema_rows(check: Any) -> list[Message]:
    """The schema check of an answer (figures' `schema`: {"ok", "errors"}), as a boxed line naming each
    failing path."""
    if not isinstance(check, Mapping):
        return []
    if check.get("ok"):
        return [{"role": "assistant", "content": "", "metadata": {"title": "✓ matches the schema"}}]
    errors = "\n".join(f"- {inert(str(error))}" for error in check.get("errors") or ())
    return [{"role": "assistant", "content": errors, "metadata": {"title": "✗ does not match the schema"}}]
