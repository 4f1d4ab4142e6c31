"""The chat panel (issue #4): the transcript (`#chat`) that replaces the answer views in chat mode,
a Clear button, and the raw stream (SSE) on demand. The message box is the page's `#prompt`; the
system prompt, image, parameters, provider and Run / Cancel are the page's own fields too.

Text reaches the Chatbot only through `chat_markdown()` (HTML escaped, no images), and the Chatbot's
own sanitizer stays on behind it (SECURITY.md T10).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import gradio as gr

from .handlers.chat import ChatView, Conversation

__all__ = ["ChatPanel", "build_chat_panel"]

PLACEHOLDER = "The conversation appears here. Type a message in the box on the left and press **Run** (Ctrl+Enter)."


@dataclass
class ChatPanel:
    """Handles of the chat panel; `conversation` holds this session's `Conversation`."""

    container: gr.Column
    chatbot: gr.Chatbot
    clear: gr.Button
    raw_stream: gr.Code
    conversation: gr.State

    @property
    def components(self) -> list[gr.components.Component]:
        return [self.chatbot, self.raw_stream, self.conversation]

    def show(self, view: ChatView, raw: gr.JSON, message_box: gr.Textbox) -> dict[Any, Any]:
        """Updates for one step of a chat turn: the transcript, the raw panels, the message box."""
        updates: dict[Any, Any] = {self.chatbot: [*view.conversation.transcript, *view.note],
                                   self.conversation: view.conversation}
        if view.run.phase != "progress":
            updates[raw] = view.run.raw
            updates[self.raw_stream] = view.raw_stream
        if view.message is not None:
            updates[message_box] = view.message
        return updates

    def kept(self, conversation: Conversation) -> dict[Any, Any]:
        """The transcript as it is, for a listener that does not change it (a plain value is cheaper
        for Gradio than leaving the Chatbot out)."""
        return {self.chatbot: list(conversation.transcript)}

    def mode(self, is_chat: bool, answer_views: gr.Column) -> dict[Any, Any]:
        """Chat mode shows the transcript in place of the task answer views."""
        return {self.container: gr.update(visible=is_chat), answer_views: gr.update(visible=not is_chat)}

    @staticmethod
    def cleared() -> tuple[list[Any], str, Conversation]:
        """Values of `components` for a fresh conversation."""
        return [], "", Conversation()


def build_chat_panel(visible: bool) -> ChatPanel:
    """Render the panel (shown in chat mode); its listeners are wired in `events.py`."""
    with gr.Column(visible=visible, elem_id="chat-panel") as container:
        # sanitize_html stays on (the default, said out loud): it backs up chat_markdown's escaping.
        chatbot = gr.Chatbot(label="Chat", elem_id="chat", height=460, sanitize_html=True, placeholder=PLACEHOLDER,
                             buttons=["copy", "copy_all"], feedback_options=None)
        with gr.Row():
            clear = gr.Button("Clear conversation", size="sm", elem_id="chat-clear", scale=0)
        with gr.Accordion("Raw stream (SSE, as received)", open=False, elem_id="raw-stream-box"):
            raw_stream = gr.Code("", language=None, interactive=False, elem_id="raw-stream", lines=6, max_lines=20,
                                 label="Server-sent events of the last answer")
    return ChatPanel(container, chatbot, clear, raw_stream, gr.State(Conversation()))
