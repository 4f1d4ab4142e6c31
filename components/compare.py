"""The Compare tab: the Playground tab's task, input and parameters on 2 to 4 models (or, for chat,
providers: `model:provider`) side by side, all sent at once through `backend.compare`.

Each column has its own status line (the countdown while its model is cold), timings and compute
time, and its answer drawn by the Playground's own output panel. A cold column keeps polling while
the others already show their answers. Cancel stops every column; nothing more is sent.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, AsyncIterator

import gradio as gr

from backend import InferenceRequest, Playground, user_message
from backend.compare import MAX_COLUMNS, MIN_COLUMNS, compare
from backend.errors import InvalidInput
from backend.tasks import get_task

from .events import Page
from .handlers.background import in_background
from .handlers.replay import shorten
from .handlers.run import RunSetup, RunSteps, RunView, build_request
from .handlers.status import CANCELLED, NOT_SENT, sending_line
from .markup import inert
from .output import OutputPanel, build_output_panel
from .status import StatusPanel, build_status_panel

__all__ = ["ComparePanel", "CompareColumn", "CompareHandlers", "build_compare_panel", "build_compare_tab",
           "wire_compare", "model_lines"]

INTRO = (f"Send the **Playground tab's** task, input and parameters to {MIN_COLUMNS} to {MAX_COLUMNS} models at "
         "once and see their answers side by side. `model:provider` compares providers (two video "
         "providers side by side, each with its own queue and countdown).")
PLACEHOLDER = "distilbert/distilbert-base-uncased-finetuned-sst-2-english\nBAAI/bge-reranker-v2-m3"
WAITING = "Waiting for Compare."


def model_lines(text: str) -> list[str]:
    """The models to compare, one per line; blank lines and `#` comments are skipped."""
    lines = (line.strip() for line in (text or "").splitlines())
    return [line for line in lines if line and not line.startswith("#")]


@dataclass
class CompareColumn:
    """One model's column: its title, status line with attempt log, and answer."""

    box: gr.Column
    title: gr.Markdown
    status: StatusPanel
    output: OutputPanel

    def show(self, view: RunView) -> dict[Any, Any]:
        return {**self.status.show(view), **self.output.show(view)}


@dataclass
class ComparePanel:
    """Handles of the Compare tab; `running` lists the columns still waiting for an answer."""

    models: gr.Textbox
    run: gr.Button
    cancel: gr.Button
    note: gr.Markdown
    columns: list[CompareColumn]
    running: gr.State
    finished: gr.State  # the HistoryEntry of each column answered, until the history has them


def build_compare_panel() -> ComparePanel:
    gr.Markdown(INTRO, elem_classes=["hint"])
    models = gr.Textbox(label=f"Models ({MIN_COLUMNS} to {MAX_COLUMNS}, one per line)", lines=4,
                        placeholder=PLACEHOLDER, elem_id="compare-models")
    with gr.Row():
        run = gr.Button("Compare", variant="primary", scale=3, elem_id="compare-run")
        cancel = gr.Button("Cancel", variant="stop", scale=1, elem_id="compare-cancel")
    note = gr.Markdown(elem_id="compare-note")
    columns: list[CompareColumn] = []
    with gr.Row(equal_height=False):
        for n in range(MAX_COLUMNS):
            with gr.Column(visible=False, min_width=280, elem_id=f"compare-{n}") as box:
                title = gr.Markdown(elem_id=f"compare-{n}-title")
                status = build_status_panel(f"compare-{n}-", ready=WAITING)
                output = build_output_panel(f"compare-{n}-")
            columns.append(CompareColumn(box, title, status, output))
    return ComparePanel(models, run, cancel, note, columns, gr.State([]), gr.State(()))


def _requests(playground: Playground, setups: list[RunSetup], token: str | None
              ) -> tuple[list[InferenceRequest], str]:
    """Every column's checked request, or none and why (Markdown), so nothing goes out half-checked."""
    if not MIN_COLUMNS <= len(setups) <= MAX_COLUMNS:
        return [], f"{NOT_SENT} Compare needs {MIN_COLUMNS} to {MAX_COLUMNS} models, one per line " \
                   f"(there are {len(setups)})."
    requests = []
    for n, setup in enumerate(setups, 1):
        try:
            request = build_request(playground, setup)
            playground.credential(request, token)  # a column no credential may go to stops them all, unsent
            requests.append(request)
        except InvalidInput as err:
            why = inert(user_message(err), already_html_escaped=True)
            return [], f"{NOT_SENT} Line {n} (**{inert(setup.model_id)}**): {why}"
    return requests, ""


class CompareHandlers:
    """The Compare and Cancel listeners; the input comes from the Playground tab's form."""

    def __init__(self, panel: ComparePanel, page: Page) -> None:
        self.panel, self.page = panel, page

    def outputs(self) -> list[Any]:
        columns = [c for column in self.panel.columns
                   for c in (column.box, column.title, *column.status.components, *column.output.components)]
        return [self.panel.note, *columns, self.panel.running, self.panel.finished]

    def _setups(self, base: RunSetup, models: list[str]) -> list[RunSetup]:
        # The picked model's mask token is known; other models' are not, so their text is not checked for it.
        # `model:provider` names a provider for any task (chat reads the suffix itself); a bare id runs as
        # the picked model would (its own providers) or, for another model, on hf-inference.
        setups = []
        for line in models:
            model, provider = (line, base.provider) if get_task(base.task).route == "chat" or ":" not in line \
                else line.split(":", 1)
            setups.append(replace(base, model_id=model, provider=provider if ":" in line else base.provider,
                                  providers=base.providers if model == base.model_id and ":" not in line else None,
                                  mask_token=base.mask_token if model == base.model_id else ""))
        return setups

    def _start(self, setups: list[RunSetup]) -> dict[Any, Any]:
        spec, prompt = get_task(setups[0].task), setups[0].form.prompt
        asked = f" on “{inert(shorten(prompt))}”" if prompt.strip() else ""
        updates: dict[Any, Any] = {
            self.panel.note: f"Comparing **{inert(spec.label)}**{asked} on {len(setups)} models.",
            self.panel.running: list(range(len(setups)))}
        for n, column in enumerate(self.panel.columns):
            updates[column.box] = gr.Column(visible=n < len(setups))
            if n < len(setups):
                on = f" · {inert(setups[n].provider)}" if setups[n].provider not in ("", "auto") else ""
                updates[column.title] = f"**{n + 1}. {inert(setups[n].model_id)}**{on}"
                updates.update(column.show(RunView("start", sending_line(1))))
        return updates

    async def on_compare(self, models: str, card: dict[str, Any], oauth_token: gr.OAuthToken | None = None,
                         **values: Any) -> AsyncIterator[dict[Any, Any]]:
        """Run every column at once; yield each column's new view as its events come in."""
        try:
            base = self.page.run_setup(card, values)
        except InvalidInput as err:
            yield {self.panel.note: f"{NOT_SENT} {inert(user_message(err), already_html_escaped=True)}",
                   self.panel.running: []}
            return
        setups, playground = self._setups(base, model_lines(models)), self.page.services.playground
        token = self.page.visitor(values["token"], oauth_token)
        requests, problem = _requests(playground, setups, token)
        if problem:
            yield {self.panel.note: problem, self.panel.running: []}
            return
        # Each yield repeats what every column shows. Gradio streams a generator's outputs as diffs,
        # and an output left out of one yield and updated in the next was seen to lose that update
        # in the browser; a repeated value costs nothing, as its diff is empty.
        shown = self._start(setups)
        yield shown
        steps = [RunSteps(setup, request, RunView("start", sending_line(1), source_image=setup.form.image))
                 for setup, request in zip(setups, requests)]
        waiting, answered = set(range(len(setups))), []
        async for update in in_background(compare(playground, requests, token)):
            if (view := steps[update.column].view(update.event)) is not None:
                if update.finished:
                    waiting.discard(update.column)
                    answered += [view.entry] if view.entry is not None else []
                shown = {**shown, **self.panel.columns[update.column].show(view), self.panel.running: sorted(waiting),
                         self.panel.finished: tuple(answered)}
                yield shown

    def on_cancel(self, running: list[int]) -> dict[Any, Any]:
        if not running:
            return {self.panel.running: []}
        return {self.panel.note: CANCELLED, self.panel.running: [],
                **{self.panel.columns[n].status.line: CANCELLED for n in running}}


def build_compare_tab(tab: gr.Tab, page: Page) -> None:
    """The tab's contents, built on its first opening: a first view of the page does not need them, and
    their four answer columns are a third of the page's components and half of its config (each column
    holds every task's answer view). Its own session gets them once (the render is triggered by a
    flag that only ever changes from False to True), so a Compare under way is never rebuilt."""
    opened = gr.State(False)
    # Queued, as Gradio 6 starts a State's change listeners only after a queued event's update.
    tab.select(lambda: True, None, opened, api_visibility="private", show_progress="hidden", concurrency_limit=None)

    @gr.render(triggers=[opened.change], show_progress="hidden", concurrency_limit=None)
    def compare_tab() -> None:
        wire_compare(build_compare_panel(), page)


def wire_compare(panel: ComparePanel, page: Page) -> None:
    handlers = CompareHandlers(panel, page)
    event = panel.run.click(handlers.on_compare, [panel.models, page.picker.card], handlers.outputs(),
                            inputs_kwargs=page.run_inputs(), api_visibility="private", concurrency_limit=None,
                            concurrency_id="inference", show_progress="hidden", show_progress_on=panel.note)
    # Whatever was answered joins the history, also when the rest was cancelled.
    record: dict[str, Any] = dict(fn=page.on_finished, inputs=[panel.finished, page.history.state],
                                  outputs=[*page.history.components, panel.finished], api_visibility="private",
                                  queue=False, show_progress="hidden", show_progress_on=page.history.note)
    event.then(**record)
    panel.cancel.click(**record)
    panel.cancel.click(handlers.on_cancel, panel.running,
                       [panel.note, panel.running, *(column.status.line for column in panel.columns)],
                       cancels=[event], api_visibility="private", queue=False, show_progress_on=panel.note)
