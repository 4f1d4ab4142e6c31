"""Conversations kept in the visitor's browser (`#conversations`): several named chats, each with its
model, provider, system prompt, reasoning effort, parameters and whole tree (alternatives included).
New, switch, rename, delete, export and import as JSON; they survive a reload and a restart.

The library lives in a `gr.BrowserState` shared with the Side by side page ("Continue with this one"
puts a column here), under the same rules as the history's copy (`backend/chat/library.py`: redacted,
the visitor's own token and endpoint key hidden by value, no key, bounded). The current conversation
is saved when an answer is in (never while one streams), and opens again on the next visit.

This module builds the panel; its listeners are in `conversations_events.py`.
"""
from __future__ import annotations

from dataclasses import dataclass

import gradio as gr

from backend.chat.library import Library
from backend.history_store import storage_secret
from backend.settings import Settings

__all__ = ["ConversationsPanel", "build_conversations_panel", "CONVERSATIONS_KEY"]

CONVERSATIONS_KEY = "hf-playground-conversations"  # localStorage key, shared with the Side by side page


@dataclass
class ConversationsPanel:
    library: gr.BrowserState  # the browser's copy: read on page load, written after each change
    kept: gr.State            # this session's Library, which the listeners read (nothing is uploaded)
    choice: gr.Dropdown
    name: gr.Textbox
    new: gr.Button
    rename: gr.Button
    delete: gr.Button
    export: gr.DownloadButton
    upload: gr.UploadButton
    note: gr.Markdown


def build_conversations_panel(settings: Settings) -> ConversationsPanel:
    with gr.Accordion("Conversations (kept in this browser)", open=False, elem_id="conversations-box"):
        with gr.Row():
            choice = gr.Dropdown([], value=None, label="Conversation", elem_id="conversations", scale=3,
                                 info="Each with its model, provider, system prompt and alternatives.")
            name = gr.Textbox(label="Name", elem_id="conversation-name", scale=2, max_length=80)
        with gr.Row():
            new = gr.Button("New", size="sm", elem_id="conversation-new")
            rename = gr.Button("Rename", size="sm", elem_id="conversation-rename")
            delete = gr.Button("Delete", size="sm", variant="stop", elem_id="conversation-delete")
            export = gr.DownloadButton("Export (JSON)", size="sm", elem_id="conversation-export", interactive=False)
            upload = gr.UploadButton("Import", file_types=[".json"], type="filepath", size="sm",
                                     elem_id="conversation-import")
        note = gr.Markdown(elem_id="conversations-note")
    # Rendered by the page outside the chat panel: a BrowserState in a hidden column never syncs its storage.
    library = gr.BrowserState(None, storage_key=CONVERSATIONS_KEY, secret=storage_secret(settings), render=False)
    return ConversationsPanel(library, gr.State(Library()), choice, name, new, rename, delete, export, upload, note)
