"""The History panel's listeners: a row click puts the run back in the form with its stored answer
(nothing is sent), an import adds a demo script's runs, Clear empties the history here and in the
browser, and the browser's copy follows every change and comes back on page load.
"""
from __future__ import annotations

import time
from typing import Any

import gradio as gr

from backend import user_message
from backend.errors import InvalidInput
from backend.history import MAX_IMPORT_BYTES, History, HistoryEntry
from backend.history_store import from_stored, is_stored_copy, to_stored

from .events import Page
from .handlers.replay import FROM_HISTORY, replay
from .history import EMPTY, count_note
from .markup import inert
from .refill import refill, refill_outputs

__all__ = ["HistoryHandlers", "wire_history"]


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
                self.panel.note: f"✓ Imported {len(imported)} run(s). " + count_note(merged)}


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
