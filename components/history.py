"""The History panel: every run of this session in a table, newest first. Clicking a row puts the
run back in the form and shows its stored answer (nothing is sent); the history exports as a JSON
"demo script" and imports back; "Clear history" empties it.

The history is a per-session `gr.State` holding an immutable `backend.history.History`: never a
global, and never a token (entries are made from the request as built, which holds no credential).
The backend caps it in entries and bytes; an import that fails changes nothing. A copy of its newest
runs lives in the visitor's browser (`gr.BrowserState`, rewritten whenever the table changes) and
comes back on page load; `backend.history_store` decides what that copy may hold.
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
from backend.history_store import MAX_STORED_RUNS, from_stored, is_stored_copy, storage_secret, to_stored
from backend.settings import Settings

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


def _count(history: History) -> str:
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
        return {self.state: history, self.note: _count(history) if rows else EMPTY,
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


def _read_capped(path: str | None) -> bytes:
    if not path:
        raise InvalidInput("No file was uploaded.")
    with open(path, "rb") as handle:  # one byte past the cap is enough for the backend to refuse it
        return handle.read(MAX_IMPORT_BYTES + 1)


def _merged(current: History, imported: History) -> History:
    """Both histories in one, oldest added first so the newest stays on top; a run imported twice once."""
    runs: dict[tuple[Any, ...], HistoryEntry] = {}
    for entry in sorted((*current.entries, *imported.entries), key=lambda e: e.when):
        key = (entry.when, entry.model, entry.task, entry.endpoint_url)
        if key not in runs or runs[key].imported:  # a run this playground vouches for stays vouched for
            runs[key] = entry
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
                      params=entry.params, extra_params=entry.extra_params, endpoint_url=entry.endpoint_url,
                      offered_by="An imported run" if entry.imported else "")
        when = time.strftime("%H:%M:%S", time.localtime(entry.when))
        note = f"↺ The run of **{inert(entry.model or entry.endpoint_url)}** from {when} is back in the form. " \
               "Press **Run** to send it again, or make a frozen link to share its answer."
        return {**form, **self.page.show_stored(entry, shown.view, language), self.panel.selected: entry,
                self.panel.note: note}

    def on_page_load(self, stored: Any, history: History) -> dict[Any, Any]:
        """Bring back the runs the browser kept; a copy of another shape is replaced, never shown."""
        provenance = self.page.services.playground.provenance
        restored = from_stored(stored, history.max_entries, history.max_bytes, provenance)
        merged = _merged(history, restored) if history.entries else restored
        rewrite = stored is not None and not is_stored_copy(stored)
        kept = to_stored(merged, provenance=provenance) if rewrite else gr.skip()
        if not merged.entries:
            return {self.panel.stored: kept}
        return {**self.panel.show(merged), self.panel.stored: kept}

    def on_changed(self, history: History, token: str | None, endpoint_key: str | None,
                   oauth_token: gr.OAuthToken | None = None) -> Any:
        """The browser's copy after each change; this visitor's own secrets are hidden by value too.

        An empty history is never written from here: only Clear empties the copy, so a table drawn
        empty before the page's load has restored anything cannot wipe what the browser kept."""
        if not history.entries:
            return gr.skip()
        return to_stored(history, (token, endpoint_key, oauth_token.token if oauth_token else None),
                         self.page.services.playground.provenance)

    def on_clear(self) -> dict[Any, Any]:
        """An empty history, on the page and in the browser."""
        empty = History()
        return {**self.panel.show(empty), self.panel.selected: None, self.panel.stored: to_stored(empty),
                self.panel.note: "History cleared, here and in this browser. " + EMPTY}

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


def wire_history(page: Page, demo: gr.Blocks) -> None:
    """Row clicks restore a run; the upload button imports a demo script; the browser's copy follows
    every change of the history and comes back on page load; Clear empties both."""
    handlers, panel = HistoryHandlers(page), page.history
    quiet: dict[str, Any] = dict(api_visibility="private", show_progress="hidden", show_progress_on=panel.note)
    demo.load(handlers.on_page_load, [panel.stored, panel.state], [*panel.components, panel.stored],
              concurrency_limit=None, **quiet)
    # The table changes with every change of the history, however it came (a run, Compare, an import,
    # this load). Not the state's own change event: Gradio sends that only for queued events.
    panel.table.change(handlers.on_changed, [panel.state, page.tokens.token, page.endpoint.key], panel.stored,
                       queue=False, **quiet)
    panel.clear.click(handlers.on_clear, None, [*panel.components, panel.selected, panel.stored], queue=False,
                      **quiet)
    panel.table.select(handlers.on_pick, [panel.state, page.requests.language], handlers.restore_outputs(),
                       api_visibility="private", concurrency_limit=None, show_progress_on=page.status.line)
    panel.upload.upload(handlers.on_import, [panel.upload, panel.state], panel.components,
                        api_name="history_import", api_visibility="undocumented", concurrency_limit=None,
                        show_progress_on=panel.note)
