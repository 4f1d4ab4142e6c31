"""The History panel: every run of this session in a table, newest first. Clicking a row puts the
run back in the form and shows its stored answer (nothing is sent); the history exports as a JSON
"demo script" and imports back.

The history is a per-session `gr.State` holding an immutable `backend.history.History`: never a
global, and never a token (entries are made from the request as built, which holds no credential).
The backend caps it in entries and bytes; an import that fails changes nothing.
"""
from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import gradio as gr

from backend import user_message
from backend.errors import InvalidInput
from backend.history import MAX_IMPORT_BYTES, History, HistoryEntry
from backend.plain_json import BYTES_KEY, is_bytes_descriptor

from .handlers.media import write_media
from .handlers.replay import FROM_HISTORY, describe_inputs, replay, shorten
from .markup import inert
from .refill import refill, refill_outputs

if TYPE_CHECKING:  # events.py builds the Page from panels, this one included
    from .events import Page

__all__ = ["HistoryPanel", "build_history_panel", "wire_history"]

HEADERS = ["time", "model", "task", "input", "parameters", "status", "latency", "answer"]
WIDTHS = ["7%", "18%", "12%", "18%", "13%", "8%", "7%", "17%"]
EMPTY = "No runs yet. Each run lands here; click one to put it back in the form and see its answer again."


def _parameters_text(entry: HistoryEntry) -> str:
    chosen = [f"{name}={json.dumps(value)}" for name, value in entry.params.items() if value is not None]
    if entry.extra_params.strip():
        chosen.append(entry.extra_params.strip())
    return shorten(", ".join(chosen), 60)


def _answer_text(entry: HistoryEntry) -> str:
    if entry.error:
        return shorten(entry.error, 60)
    response = entry.response
    if is_bytes_descriptor(response):
        about = response[BYTES_KEY]
        return f"{about.get('type') or 'binary'}, {about.get('size', 0):,} bytes"
    text = response if isinstance(response, str) else json.dumps(response, ensure_ascii=False)
    return shorten(text, 60)


def _row(entry: HistoryEntry) -> list[str]:
    """A table row; cells are plain text (the Dataframe renders no markup)."""
    when, model, task, status, latency = entry.row()
    return [when, model, task, describe_inputs(entry.inputs, 60), _parameters_text(entry), status, latency,
            _answer_text(entry)]


def _export_file(history: History) -> str:
    # A fresh file per change, so the button always downloads the history as it is now.
    return write_media(history.to_json().encode("utf-8"), "application/json", prefix="demo-script-")


def _count(history: History) -> str:
    runs = f"{len(history)} run{'s' if len(history) != 1 else ''}"
    return f"{runs} in this session (the newest {history.max_entries} are kept). Click a row to put it back " \
           "in the form and see its answer again."


@dataclass
class HistoryPanel:
    """Handles of the history: its per-session state, the row last picked, the table, export and import."""

    state: gr.State        # this session's History
    selected: gr.State     # the HistoryEntry last clicked (what a frozen link shares), or None
    note: gr.Markdown
    table: gr.Dataframe
    export: gr.DownloadButton
    upload: gr.UploadButton

    @property
    def components(self) -> list[Any]:
        """What `show` updates (the run listener's outputs include them)."""
        return [self.state, self.note, self.table, self.export]

    def show(self, history: History) -> dict[Any, Any]:
        rows = [_row(entry) for entry in history.entries]
        return {self.state: history, self.note: _count(history) if rows else EMPTY,
                self.table: gr.update(value={"headers": HEADERS, "data": rows}, visible=bool(rows)),
                self.export: gr.update(value=_export_file(history) if rows else None, interactive=bool(rows))}


def build_history_panel() -> HistoryPanel:
    note = gr.Markdown(EMPTY, elem_id="history-note")
    table = gr.Dataframe(headers=HEADERS, interactive=False, visible=False, wrap=True, max_height=360,
                         column_widths=WIDTHS, elem_id="history-table")
    with gr.Row(elem_id="history-files"):
        export = gr.DownloadButton("Export demo script (JSON)", interactive=False, size="sm",
                                   elem_id="history-export")
        upload = gr.UploadButton("Import demo script", file_types=[".json"], type="filepath", size="sm",
                                 elem_id="history-import")
    return HistoryPanel(gr.State(History()), gr.State(None), note, table, export, upload)


def _read_capped(path: str | None) -> bytes:
    if not path:
        raise InvalidInput("No file was uploaded.")
    with open(path, "rb") as handle:  # one byte past the cap is enough for the backend to refuse it
        return handle.read(MAX_IMPORT_BYTES + 1)


def _merged(current: History, imported: History) -> History:
    """Both histories in one, oldest added first so the newest stays on top; a run imported twice once."""
    runs = {(e.when, e.model, e.task, e.endpoint_url): e for e in sorted((*current.entries, *imported.entries),
                                                                         key=lambda e: e.when)}
    merged = History(max_entries=current.max_entries, max_bytes=current.max_bytes)
    for entry in runs.values():
        merged = merged.add(entry)
    return merged


class HistoryHandlers:
    """The listeners of the history panel."""

    def __init__(self, page: Page) -> None:
        self.page, self.panel = page, page.history

    def restore_outputs(self) -> list[Any]:
        page = self.page
        return [*refill_outputs(page), *page.stored_outputs(), self.panel.selected, self.panel.note]

    def on_pick(self, history: History, language: str, event: gr.SelectData) -> dict[Any, Any]:
        row = event.index[0] if isinstance(event.index, (list, tuple)) else event.index
        return self.restore(history, language, int(row))

    def restore(self, history: History, language: str, row: int) -> dict[Any, Any]:
        """Put run `row` (0 = newest) back in the form and show its stored answer; nothing is sent."""
        if not 0 <= row < len(history):
            return {self.panel.note: gr.skip()}
        entry = history.entries[row]
        shown = replay(self.page.services.playground, entry, FROM_HISTORY)
        form = refill(self.page, model=entry.model, task=entry.task, values=shown.form, provider=entry.provider,
                      params=entry.params, extra_params=entry.extra_params, endpoint_url=entry.endpoint_url)
        when = time.strftime("%H:%M:%S", time.localtime(entry.when))
        note = f"↺ The run of **{inert(entry.model or entry.endpoint_url)}** from {when} is back in the form. " \
               "Press **Run** to send it again, or make a frozen link to share its answer."
        return {**form, **self.page.show_stored(entry, shown.view, language), self.panel.selected: entry,
                self.panel.note: note}

    def on_import(self, path: str | None, history: History) -> dict[Any, Any]:
        """Add a demo script's runs to the history; a file that is not one changes nothing."""
        try:
            imported = History.from_json(_read_capped(path), history.max_entries, history.max_bytes)
        except (InvalidInput, OSError) as err:
            reason = inert(user_message(err), already_html_escaped=True) if isinstance(err, InvalidInput) \
                else "The file could not be read."
            return {self.panel.note: f"✗ **Not imported.** {reason} Your history is unchanged."}
        merged = _merged(history, imported)
        return {**self.panel.show(merged),
                self.panel.note: f"✓ Imported {len(imported)} run(s). " + _count(merged)}


def wire_history(page: Page) -> None:
    """Row clicks restore a run; the upload button imports a demo script."""
    handlers, panel = HistoryHandlers(page), page.history
    panel.table.select(handlers.on_pick, [panel.state, page.requests.language], handlers.restore_outputs(),
                       api_visibility="private", concurrency_limit=None, show_progress_on=page.status.line)
    panel.upload.upload(handlers.on_import, [panel.upload, panel.state], panel.components,
                        api_name="history_import", api_visibility="undocumented", concurrency_limit=None,
                        show_progress_on=panel.note)
