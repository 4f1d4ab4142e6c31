"""The kept conversations' listeners: the library read from the browser's copy and written back on
each change; new, switch, rename, delete, export and import; the current conversation saved after
each answer and opened again on the next visit (unless the page was opened from a link).
"""
from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any, Mapping

import gradio as gr

from backend.chat.library import (KeptConversation, Library, conversation_from_json, conversation_to_json,
                                  library_from_stored, library_to_stored)
from backend.errors import InvalidInput, user_message

from .events import Page
from .handlers.chat import CHAT_TASK
from .handlers.conversation import Conversation
from .handlers.forms import FormValues
from .handlers.mcp import McpSession
from .handlers.replay import shorten
from .markup import inert
from .refill import refill, refill_outputs

__all__ = ["ConversationHandlers", "wire_conversations"]

MAX_IMPORT_BYTES = 2 * 1024 * 1024
NEW_NAME = "New conversation"
_EXPORTS = Path(tempfile.gettempdir()) / "hf-playground-conversations"


def _export_file(conversation: KeptConversation, secrets: tuple[str | None, ...]) -> str:
    _EXPORTS.mkdir(parents=True, exist_ok=True)
    safe = "".join(c if c.isalnum() else "-" for c in conversation.name)[:40].strip("-") or "conversation"
    path = _EXPORTS / f"{safe}-{conversation.id[:8]}.json"
    path.write_text(conversation_to_json(conversation, secrets), encoding="utf-8")
    return str(path)


class ConversationHandlers:
    """The listeners. The browser's copy is read once, on page load, into the session's `kept` state;
    each listener reads the library there and writes both back, so no event (a save fires at every
    change of the transcript, streamed refreshes included) uploads a megabyte of kept conversations."""

    def __init__(self, page: Page) -> None:
        self.page, self.panel = page, page.chat.library

    def listing(self, library: Library, note: str = "", secrets: tuple[str | None, ...] = ()) -> dict[Any, Any]:
        panel, shown = self.panel, library.shown
        return {panel.library: library_to_stored(library, secrets), panel.kept: library,
                panel.choice: gr.Dropdown(choices=library.choices(), value=library.current or None),
                panel.name: shown.name if shown else "",
                panel.export: gr.DownloadButton(value=_export_file(shown, secrets) if shown else None,
                                                interactive=shown is not None),
                panel.note: note}

    def outputs(self) -> list[Any]:
        panel = self.panel
        return [panel.library, panel.kept, panel.choice, panel.name, panel.export, panel.note]

    def opening(self, conversation: KeptConversation | None, session: McpSession | None = None) -> dict[Any, Any]:
        """The chat, the form and the tools as `conversation` left them (an empty chat for none); `session`
        is this visitor's MCP servers, whose functions tool_choice keeps offering."""
        chat = self.page.chat
        if conversation is None:
            return {chat.conversation: Conversation(), chat.chatbot: []}
        settings = conversation.settings
        shown = Conversation(conversation.tree)
        updates = refill(self.page, model=settings.get("model", ""), task=CHAT_TASK,
                         values=FormValues(system=settings.get("system", "")), provider=settings.get("provider", ""),
                         params=dict(conversation.parameters) or None, extra_params=settings.get("extra_params"))
        for field in ("prompt", "image"):  # what the visitor is typing (or the picture in its box) stays
            updates.pop(self.page.inputs.form[field], None)
        return {**updates, **chat.tools.restored(settings, session or McpSession()), chat.conversation: shown,
                chat.chatbot: shown.transcript, chat.effort: settings.get("reasoning_effort") or "default"}

    def open_outputs(self) -> list[Any]:
        chat = self.page.chat
        return [*refill_outputs(self.page), *chat.tools.restored_outputs(), chat.conversation, chat.chatbot,
                chat.effort]

    def on_page_load(self, stored: Any, request: gr.Request) -> dict[Any, Any]:
        """The kept conversations listed; the current one opens, unless the page was opened from a link."""
        library, note = library_from_stored(stored)
        updates = self.listing(library, note)
        if not note:
            updates.pop(self.panel.library)  # unchanged: not written back
        if library.shown is not None and not dict(request.query_params or {}):
            updates.update(self.opening(library.shown))
        return updates

    def on_save(self, library: Library, conversation: Conversation, model: str, provider: str, system: str,
                effort: str, extra: str, tools: str, tool_choice: str, schema: str, strict: bool,
                token: str | None, key: str | None) -> dict[Any, Any]:
        """The current conversation saved after a change (an answer in, an edit, a switch of alternative)."""
        current = library.shown
        settings = _settings(model, provider, system, effort, extra, tools, tool_choice, schema, strict)
        if conversation.answering or (current is None and not conversation.tree.path()) or \
                (current is not None and current.tree is conversation.tree and current.settings == settings):
            return {self.panel.library: gr.skip()}  # streaming, nothing yet, or as kept (the tree is immutable)
        first = next((node.text for node in conversation.tree.path() if node.role == "user"), "")
        named = shorten(first, 60) if first.strip() else "Conversation"
        if current is None:
            current = KeptConversation.new(named)
        elif current.name == NEW_NAME and first.strip():  # a new conversation takes its first message's name
            current = KeptConversation(current.id, named, current.tree, current.settings, current.parameters)
        kept = KeptConversation(current.id, current.name, conversation.tree, settings, current.parameters,
                                current.updated)
        updates = self.listing(library.put(kept), secrets=(token, key))
        updates.pop(self.panel.note)  # a save says nothing: the note of an import or a rename stays
        return updates

    def on_new(self, library: Library) -> dict[Any, Any]:
        library = library.put(KeptConversation.new(NEW_NAME))
        return {**self.listing(library, "A new conversation: type your first message."),
                **self.opening(None)}

    def on_switch(self, library: Library, chosen: str, session: McpSession) -> dict[Any, Any]:
        try:
            library = library.switch(chosen)
        except InvalidInput as err:
            return {**self.listing(library, "✗ " + inert(user_message(err), already_html_escaped=True))}
        return {**self.listing(library), **self.opening(library.shown, session)}

    def on_rename(self, library: Library, name: str) -> dict[Any, Any]:
        try:
            library = library.rename(library.current, name or "")
        except InvalidInput as err:
            return {self.panel.note: "✗ " + inert(user_message(err), already_html_escaped=True)}
        return self.listing(library, "Renamed.")

    def on_delete(self, library: Library, session: McpSession) -> dict[Any, Any]:
        gone = library.shown
        library = library.delete(library.current)
        said = f"Deleted “{inert(gone.name)}” from this browser." if gone else ""
        return {**self.listing(library, said), **self.opening(library.shown, session)}

    def on_import(self, library: Library, path: str | None, session: McpSession) -> dict[Any, Any]:
        try:
            if not path:
                raise InvalidInput("No file was uploaded.")
            with open(path, "rb") as handle:
                imported = conversation_from_json(handle.read(MAX_IMPORT_BYTES + 1))
        except (InvalidInput, OSError) as err:
            reason = inert(user_message(err), already_html_escaped=True) if isinstance(err, InvalidInput) \
                else "The file could not be read."
            return {self.panel.note: f"✗ **Not imported.** {reason} Your conversations are unchanged."}
        library = library.put(imported)
        return {**self.listing(library, f"✓ Imported “{inert(imported.name)}”."), **self.opening(imported, session)}


def _settings(model: str, provider: str, system: str, effort: str, extra: str, tools: str, tool_choice: str,
              schema: str, strict: bool) -> Mapping[str, str]:
    values = {"model": model, "provider": "" if provider in ("", "auto") else provider, "system": system,
              "reasoning_effort": "" if effort in ("", "default") else effort, "extra_params": extra,
              "tools": (tools or "").strip(), "tool_choice": tool_choice, "response_format": (schema or "").strip(),
              "strict": "true" if strict else ""}
    return {key: value for key, value in values.items() if value}


def wire_conversations(page: Page, demo: gr.Blocks) -> None:
    handlers, panel, chat = ConversationHandlers(page), page.chat.library, page.chat
    quiet: dict[str, Any] = dict(api_visibility="private", show_progress="hidden", show_progress_on=panel.note)
    demo.load(handlers.on_page_load, panel.library, [*handlers.outputs(), *handlers.open_outputs()],
              concurrency_limit=None, **quiet)
    form = page.inputs.form
    chat.chatbot.change(handlers.on_save,
                        [panel.kept, chat.conversation, page.picker.model, page.picker.provider, form["system"],
                         chat.effort, page.inputs.parameters.extra, chat.tools.tools, chat.tools.choice,
                         chat.tools.schema, chat.tools.strict, page.tokens.token, page.endpoint.key],
                        handlers.outputs(), queue=False, **quiet)
    panel.new.click(handlers.on_new, panel.kept, [*handlers.outputs(), *handlers.open_outputs()], queue=False,
                    **quiet)
    panel.choice.input(handlers.on_switch, [panel.kept, panel.choice, chat.tools.mcp],
                       [*handlers.outputs(), *handlers.open_outputs()], queue=False, **quiet)
    panel.rename.click(handlers.on_rename, [panel.kept, panel.name], handlers.outputs(), queue=False, **quiet)
    panel.delete.click(handlers.on_delete, [panel.kept, chat.tools.mcp],
                       [*handlers.outputs(), *handlers.open_outputs()], queue=False, **quiet)
    panel.upload.upload(handlers.on_import, [panel.kept, panel.upload, chat.tools.mcp],
                        [*handlers.outputs(), *handlers.open_outputs()], concurrency_limit=None, **quiet)
