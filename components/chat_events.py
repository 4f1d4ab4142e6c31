"""Chat listeners beyond Run: the transcript's Retry, Undo and Edit, the message actions, Clear, and the
Tools panel (a call's result sent, an MCP call allowed, examples, MCP servers added). Those that ask for
an answer run it as Run does (`Page.on_answer`) and record it in the history.
"""
from __future__ import annotations

from typing import Any

import gradio as gr

from .chat import ChatActions
from .chat_tools import ToolsHandlers
from .events import Page

__all__ = ["wire_chat"]

_QUIET: dict[str, Any] = dict(api_visibility="private", queue=False, show_progress="hidden")


def _then_answer(page: Page, event: Any) -> Any:
    """After `event` set `pending`, the answer it asked for, recorded once it is on the page."""
    chat = page.chat
    answer = event.then(
        page.on_answer, [page.requests.language, page.picker.card, chat.conversation, page.inputs.filled,
                         page.picker.picked], page.run_outputs(), inputs_kwargs=page.run_inputs(),
        api_visibility="private", concurrency_limit=None, concurrency_id="inference", show_progress="hidden",
        show_progress_on=page.running)
    answer.then(page.on_finished, [page.finished, page.history.state], [*page.history.components, page.finished],
                **_QUIET)
    return answer


def wire_chat_actions(page: Page) -> list[Any]:
    """The transcript's Retry, Undo and Edit and the message actions. Returns the answer events, for Cancel."""
    chat, prompt = page.chat, page.inputs.prompt
    actions = ChatActions(chat, prompt)
    chat.chatbot.select(actions.on_select, chat.conversation, actions.outputs(), **_QUIET)
    chat.previous.click(actions.on_switch(-1), [chat.conversation, chat.selected], actions.outputs(), **_QUIET)
    chat.following.click(actions.on_switch(1), [chat.conversation, chat.selected], actions.outputs(), **_QUIET)
    chat.delete.click(actions.on_delete, [chat.conversation, chat.selected], actions.outputs(), **_QUIET)
    chat.chatbot.undo(actions.on_undo, chat.conversation, [*actions.outputs(), prompt], **_QUIET)
    return [_then_answer(page, trigger(handler, inputs, actions.outputs(), **_QUIET))
            for trigger, handler, inputs in ((chat.chatbot.retry, actions.on_retry, [chat.conversation]),
                                             (chat.chatbot.edit, actions.on_edit, [chat.conversation]),
                                             (chat.regenerate.click, actions.on_regenerate,
                                              [chat.conversation, chat.selected]))]


def wire_chat_tools(page: Page) -> list[Any]:
    """The Tools panel's listeners. Returns the answer events (a result sent, an MCP call allowed)."""
    chat = page.chat
    panel, token = chat.tools, page.tokens.token
    handlers = ToolsHandlers(panel, chat.chatbot, chat.conversation, page.services.settings)
    # Queued: the queue's request names the button pressed (EventData.target), a direct call does not.
    answered = gr.on([panel.send.click, panel.run_once.click, panel.always.click], handlers.on_action,
                     [chat.conversation, panel.mcp, panel.result], [*handlers.answer_outputs(), panel.result],
                     api_visibility="private", show_progress="hidden", concurrency_limit=None)
    panel.example.click(handlers.on_example, [panel.tools, panel.mcp], [panel.tools, panel.choice, panel.note],
                        **_QUIET)
    panel.tools.blur(handlers.on_tools_checked, [panel.tools, panel.mcp], [panel.choice, panel.note], **_QUIET)
    panel.schema_example.input(handlers.on_schema_example, [panel.schema_example, panel.schema],
                               [panel.schema, panel.note], **_QUIET)
    # Listing a server's tools waits on the network: queued, each visitor in a pool of their own.
    network: dict[str, Any] = dict(api_visibility="private", concurrency_limit=None, concurrency_id="mcp",
                                   show_progress="minimal", show_progress_on=panel.mcp_note)
    panel.mcp_add.click(handlers.on_add, [panel.mcp, panel.mcp_url, panel.mcp_header, panel.tools, token],
                        handlers.mcp_outputs(), **network)
    panel.mcp_hub.click(handlers.on_hub, [panel.mcp, panel.tools, token], handlers.mcp_outputs(), **network)
    panel.mcp_remove.click(handlers.on_remove, panel.tools, handlers.mcp_outputs(), **_QUIET)
    return [_then_answer(page, answered)]


def wire_chat(page: Page) -> list[Any]:
    """Every chat listener but Run's; returns the events that run an answer, for Cancel."""
    chat = page.chat

    def cleared() -> dict[Any, Any]:
        return {**dict(zip(chat.components, chat.cleared())), **chat.tools.cleared()}

    gr.on([chat.clear.click, chat.chatbot.clear], cleared, None, [*chat.components, *chat.tools.outputs()],
          show_progress_on=chat.chatbot, **_QUIET)
    return [*wire_chat_actions(page), *wire_chat_tools(page)]
