"""The chat panel: the transcript (`#chat`) that replaces the answer views in chat mode, the reasoning
effort, the message actions, and the raw stream (SSE) on demand. The message box is the page's
`#prompt`; the system prompt, image, parameters, provider and Run / Cancel are the page's own fields.

The conversation is a tree (`handlers/conversation.py`): the Chatbot's own Retry, Undo and Edit
buttons regenerate an answer (the old one stays as an alternative), take back the last turn, or edit
any message (a user's is answered again; an assistant's becomes a prefill or few-shot example). A click
on a message shows its actions: switch between its alternatives (‹ 2/3 ›), regenerate from it, delete.
What is sent is always exactly the path on screen.

Function calling and structured output live in one accordion under the transcript (`chat_tools.py`);
a model's calls show in the transcript as cards.

Text reaches the Chatbot only through `chat_markdown()` (HTML escaped, no images), and the Chatbot's
own sanitizer stays on behind it (SECURITY.md T10).
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import gradio as gr

from backend.settings import Settings

from .chat_tools import ToolsPanel, build_tools_panel
from .conversations import ConversationsPanel, build_conversations_panel
from .handlers.chat import REASONING_EFFORTS, ChatView, Conversation
from .handlers.conversation import strip_alternative_mark
from .markup import inert

__all__ = ["ChatPanel", "build_chat_panel", "ChatActions"]

PLACEHOLDER = "The conversation appears here. Type a message in the box on the left and press **Run** (Ctrl+Enter)."
EFFORT_INFO = "Sent as reasoning_effort only when set; models that do not reason ignore it or refuse it."


@dataclass
class ChatPanel:
    """Handles of the chat panel; `conversation` holds this session's `Conversation`."""

    container: gr.Column
    chatbot: gr.Chatbot
    effort: gr.Dropdown
    clear: gr.Button
    raw_stream: gr.Code
    conversation: gr.State
    actions: gr.Row          # shown for the message last clicked
    picked: gr.Markdown      # which message, and where it is among its alternatives
    previous: gr.Button
    following: gr.Button
    regenerate: gr.Button
    delete: gr.Button
    selected: gr.State       # the id of the message clicked
    library: ConversationsPanel  # the conversations kept in this browser
    tools: ToolsPanel        # function calling, MCP servers, structured output

    @property
    def components(self) -> list[gr.components.Component]:
        return [self.chatbot, self.raw_stream, self.conversation]

    def show(self, view: ChatView, raw: gr.JSON, message_box: gr.Textbox) -> dict[Any, Any]:
        """Updates for one step of a chat turn: the transcript, the raw panels, the message box."""
        updates: dict[Any, Any] = {self.chatbot: view.conversation.transcript, self.conversation: view.conversation}
        if view.run.phase != "progress":
            updates.update(self.tools.show(view.conversation, view.check))
        if view.run.phase not in ("progress", "held"):  # held: nothing was sent, the last answer's stay
            updates[raw] = view.run.raw
            updates[self.raw_stream] = view.raw_stream
        if view.message is not None:
            updates[message_box] = view.message
        return updates

    def kept(self, conversation: Conversation) -> dict[Any, Any]:
        """The transcript as it is, for a listener that does not change it (a plain value is cheaper
        for Gradio than leaving the Chatbot out)."""
        return {self.chatbot: conversation.transcript}

    def mode(self, is_chat: bool, answer_views: gr.Column) -> dict[Any, Any]:
        """Chat mode shows the transcript in place of the task answer views."""
        return {self.container: gr.update(visible=is_chat), answer_views: gr.update(visible=not is_chat)}

    @staticmethod
    def cleared() -> tuple[list[Any], str, Conversation]:
        """Values of `components` for a fresh conversation."""
        return [], "", Conversation()


def build_chat_panel(visible: bool, settings: Settings) -> ChatPanel:
    """Render the panel (shown in chat mode); its listeners are wired in `events.py` and `wire_chat`."""
    with gr.Column(visible=visible, elem_id="chat-panel") as container:
        # sanitize_html stays on (the default, said out loud): it backs up chat_markdown's escaping.
        chatbot = gr.Chatbot(label="Chat", elem_id="chat", height=460, sanitize_html=True, placeholder=PLACEHOLDER,
                             buttons=["copy", "copy_all"], feedback_options=None, editable="all")
        with gr.Row(visible=False, elem_id="chat-actions") as actions:
            picked = gr.Markdown(elem_id="chat-picked")
            previous = gr.Button("‹", size="sm", scale=0, min_width=40, elem_id="chat-previous")
            following = gr.Button("›", size="sm", scale=0, min_width=40, elem_id="chat-next")
            regenerate = gr.Button("Regenerate from here", size="sm", scale=0, elem_id="chat-regenerate")
            delete = gr.Button("Delete", size="sm", scale=0, variant="stop", elem_id="chat-delete")
        with gr.Row():
            effort = gr.Dropdown(list(REASONING_EFFORTS), value="default", label="Reasoning effort",
                                 info=EFFORT_INFO, elem_id="reasoning-effort", scale=1, min_width=200)
            clear = gr.Button("Clear conversation", size="sm", elem_id="chat-clear", scale=0)
        tools = build_tools_panel()
        with gr.Accordion("Raw stream (SSE, as received)", open=False, elem_id="raw-stream-box"):
            raw_stream = gr.Code("", language=None, interactive=False, elem_id="raw-stream", lines=6, max_lines=20,
                                 label="Server-sent events of the last answer")
        kept = build_conversations_panel(settings)
    return ChatPanel(container, chatbot, effort, clear, raw_stream, gr.State(Conversation()), actions, picked,
                     previous, following, regenerate, delete, gr.State(""), kept, tools)


class ChatActions:
    """The listeners of the transcript's own buttons and of the message actions. Each returns the new
    conversation and transcript; those that ask for an answer set `pending` for the run that follows."""

    def __init__(self, panel: ChatPanel, message_box: gr.Textbox) -> None:
        self.panel, self.message_box = panel, message_box

    def _shown(self, conversation: Conversation, selected: str = "") -> dict[Any, Any]:
        panel = self.panel
        updates: dict[Any, Any] = {panel.conversation: conversation, panel.chatbot: conversation.transcript}
        try:
            node = conversation.tree.node(selected) if selected else None
        except (KeyError, ValueError, IndexError):
            node = None
        updates.update(panel.tools.pending(conversation, open_box=False))
        if node is None:
            return {**updates, panel.actions: gr.Row(visible=False), panel.selected: ""}
        index, count = conversation.tree.alternatives(node)
        who = {"user": "your message", "tool": "the tool result"}.get(node.role, "the answer")
        words = f"**{who.capitalize()}** “{inert(_short(node.text))}”" + (f" · ‹ {index + 1}/{count} ›" if count > 1 else "")
        return {**updates, panel.actions: gr.Row(visible=True), panel.selected: node.id, panel.picked: words,
                panel.previous: gr.Button(interactive=index > 0), panel.following: gr.Button(interactive=index + 1 < count),
                panel.regenerate: gr.Button(visible=node.role == "assistant")}

    def outputs(self) -> list[Any]:
        panel = self.panel
        return [panel.conversation, panel.chatbot, panel.actions, panel.selected, panel.picked, panel.previous,
                panel.following, panel.regenerate, *panel.tools.pending_outputs()]

    def on_select(self, conversation: Conversation, event: gr.SelectData) -> dict[Any, Any]:
        node = conversation.node_at(event.index)
        return self._shown(conversation, node.id if node is not None else "")

    def on_switch(self, step: int):  # type: ignore[no-untyped-def]
        def switch(conversation: Conversation, selected: str) -> dict[Any, Any]:
            if not selected or conversation.answering:
                return self._shown(conversation)
            index, count = conversation.tree.alternatives(selected)
            if not 0 <= index + step < count:
                return self._shown(conversation, selected)
            tree = conversation.tree.switch(selected, index + step)
            shown = tree.path()[len(conversation.tree.path()[:_depth(conversation, selected)])]
            return self._shown(conversation.settled(tree), shown.id)
        return switch

    def on_delete(self, conversation: Conversation, selected: str) -> dict[Any, Any]:
        if not selected or conversation.answering:
            return self._shown(conversation)
        return self._shown(conversation.settled(conversation.tree.delete(selected)))

    def on_retry(self, conversation: Conversation, event: gr.RetryData) -> dict[Any, Any]:
        """Regenerate the answer at the retried row (the last one, for the transcript's Retry)."""
        node = conversation.node_at(event.index)
        return self._regenerate(conversation, node.id if node is not None else "")

    def on_regenerate(self, conversation: Conversation, selected: str) -> dict[Any, Any]:
        return self._regenerate(conversation, selected)

    def _regenerate(self, conversation: Conversation, node_id: str) -> dict[Any, Any]:
        if conversation.answering:
            return self._shown(conversation)
        path = conversation.tree.path()
        node = next((n for n in path if n.id == node_id), path[-1] if path else None)
        if node is None:
            return self._shown(conversation)
        if node.role == "user":  # Retry names the message it asks again: its answer is what is regenerated
            answer = node.shown_child
            if answer is None or answer.role != "assistant":
                return self._shown(replace(conversation.settled(conversation.tree), pending="answer"))
            node = answer
        return self._shown(replace(conversation.settled(conversation.tree), pending=f"regenerate:{node.id}"))

    def on_undo(self, conversation: Conversation, event: gr.UndoData) -> dict[Any, Any]:
        """Take back the last turn; its message goes back to the box to fix and send again."""
        if conversation.answering:
            return self._shown(conversation)
        path = conversation.tree.path()
        last_user = next((node for node in reversed(path) if node.role == "user"), None)
        updates = self._shown(conversation.settled(conversation.tree.undo()))
        return {**updates, self.message_box: last_user.text if last_user is not None else gr.skip()}

    def on_edit(self, conversation: Conversation, event: gr.EditData) -> dict[Any, Any]:
        """An edited message becomes a new alternative; a user's is then answered again."""
        node = conversation.node_at(event.index)
        value = event.value if isinstance(event.value, str) else str((event.value or {}).get("text", "")) \
            if isinstance(event.value, dict) else ""
        text = strip_alternative_mark(value).strip()
        if node is None or conversation.answering or not text or text == node.text:
            return self._shown(conversation)  # a note row, an empty edit or no change: shown as it was
        tree = conversation.tree.edit(node.id, text)
        edited = conversation.settled(tree)
        # An edited tool result goes to the model once every call of its turn has one again.
        asks = node.role == "user" or (node.role == "tool" and not tree.unanswered_calls())
        return self._shown(replace(edited, pending="answer") if asks else edited)


def _depth(conversation: Conversation, node_id: str) -> int:
    return next(n for n, node in enumerate(conversation.tree.path()) if node.id == node_id)


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1] + "…"
