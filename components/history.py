"""The History panel: every run of this session in a table, newest first. Clicking a row puts the
run back in the form and shows its stored answer (nothing is sent); the history exports as a JSON
"demo script" and imports back; "Clear history" empties it.

The history is a per-session `gr.State` holding an immutable `backend.history.History`: never a
global, and never a token (entries are made from the request as built, which holds no credential).
The backend caps it in entries and bytes; an import that fails changes nothing. A copy of its newest
runs lives in the visitor's browser (`gr.BrowserState`, rewritten whenever the table changes) and
comes back on page load; `backend.history_store` decides what that copy may hold.

This module builds the panel; its listeners are in `history_events.py`.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import gradio as gr

from backend.history import History, HistoryEntry
from backend.history_store import MAX_STORED_RUNS, storage_secret
from backend.settings import Settings

from .handlers.media import write_media
from .handlers.replay import describe_inputs, shorten

__all__ = ["HistoryPanel", "build_history_panel", "HEADERS", "EMPTY", "STORAGE_KEY", "count_note"]

HEADERS = ["time", "model", "task", "input", "parameters", "status", "latency", "answer"]
WIDTHS = ["7%", "18%", "12%", "18%", "13%", "8%", "7%", "17%"]
EMPTY = "No runs yet. Each run lands here; click one to put it back in the form and see its answer again."
STORAGE_KEY = "hf-playground-history"  # the browser's copy, in localStorage (encrypted by the page)


def _parameters_text(entry: HistoryEntry) -> str:
    chosen = [f"{name}={json.dumps(value)}" for name, value in entry.params.items() if value is not None]
    if entry.extra_params.strip():
        chosen.append(entry.extra_params.strip())
    return shorten(", ".join(chosen), 60)


def _row(entry: HistoryEntry) -> list[str]:
    """A table row; cells are plain text (the Dataframe renders no markup)."""
    when, model, task, status, latency = entry.row()
    return [when, model, task, describe_inputs(entry.inputs, 60), _parameters_text(entry), status, latency,
            shorten(entry.summary, 60)]


def _export_file(history: History) -> str:
    # A fresh file per change, so the button always downloads the history as it is now.
    return write_media(history.to_json().encode("utf-8"), "application/json", prefix="demo-script-")


def count_note(history: History) -> str:
    runs = f"{len(history)} run{'s' if len(history) != 1 else ''}"
    return f"{runs} in this session (the newest {history.max_entries} are kept, and the newest " \
           f"{MAX_STORED_RUNS} in this browser for your next visit, without tokens or keys). Click a row to put it " \
           "back in the form and see its answer again."


@dataclass
class HistoryPanel:
    """Handles of the history: its per-session state, its copy in the browser, the row last picked, the
    table, export, import and clear."""

    state: gr.State        # this session's History
    stored: gr.BrowserState  # the browser's copy (`backend.history_store.to_stored`)
    selected: gr.State     # the HistoryEntry last clicked (what a frozen link shares), or None
    note: gr.Markdown
    table: gr.Dataframe
    export: gr.DownloadButton
    upload: gr.UploadButton
    clear: gr.Button

    @property
    def components(self) -> list[Any]:
        """What `show` updates (the run listener's outputs include them)."""
        return [self.state, self.note, self.table, self.export]

    def show(self, history: History) -> dict[Any, Any]:
        rows = [_row(entry) for entry in history.entries]
        return {self.state: history, self.note: count_note(history) if rows else EMPTY,
                self.table: gr.update(value={"headers": HEADERS, "data": rows}, visible=bool(rows)),
                self.export: gr.update(value=_export_file(history) if rows else None, interactive=bool(rows))}


def build_history_panel(settings: Settings) -> HistoryPanel:
    note = gr.Markdown(EMPTY, elem_id="history-note")
    table = gr.Dataframe(headers=HEADERS, interactive=False, visible=False, wrap=True, max_height=360,
                         column_widths=WIDTHS, elem_id="history-table")
    with gr.Row(elem_id="history-files"):
        export = gr.DownloadButton("Export demo script (JSON)", interactive=False, size="sm",
                                   elem_id="history-export")
        upload = gr.UploadButton("Import demo script", file_types=[".json"], type="filepath", size="sm",
                                 elem_id="history-import")
        clear = gr.Button("Clear history", size="sm", variant="stop", elem_id="history-clear")
    # A fixed key and a secret that survives restarts; the secret is public in /config (see history_store).
    stored = gr.BrowserState(None, storage_key=STORAGE_KEY, secret=storage_secret(settings))
    return HistoryPanel(gr.State(History()), stored, gr.State(None), note, table, export, upload, clear)
