"""The Warm-up tab: ping the demo's models ahead of time, so cold endpoints are awake before the
audience arrives. One ready light per model: ⚪ cold, 🟡 warming (with the countdown), 🟢 ready in
1.2 s, 🔴 error and why. All models warm at once through `backend.warmup`; Cancel stops them all.

A line is a model id (its task comes from the Hub), `model_id task`, or an endpoint URL.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, AsyncIterator

import gradio as gr

from backend import Hub, PlaygroundError, user_message
from backend.warmup import MAX_TARGETS, WarmupStatus, WarmupTarget, warm_up

from .events import Page
from .handlers.background import in_background
from .handlers.status import CANCELLED
from .markup import inert

__all__ = ["WarmupPanel", "build_warmup_panel", "wire_warmup", "parse_targets", "lights_table"]

INTRO = ("Wake your demo's models before the audience arrives: one per line, as `model_id`, `model_id task` "
         "or an endpoint URL. Each gets a cheap example request, retried until it answers.")
PLACEHOLDER = "google-bert/bert-base-uncased fill-mask\ndistilbert/distilbert-base-uncased-finetuned-sst-2-english"
# The light and its word: without an emoji font the light is an empty box, so the word says it too.
LIGHTS = {"cold": "⚪ cold", "warming": "🟡 warming", "ready": "🟢 ready", "error": "🔴 error"}
NO_LIGHTS = "The ready lights appear here."


def parse_targets(text: str, hub: Hub, token: str | None) -> list[WarmupTarget | WarmupStatus]:
    """One target per line; a bare model id gets its task from the Hub, or an error light saying why not."""
    parsed: list[WarmupTarget | WarmupStatus] = []
    lines = dict.fromkeys(" ".join(line.split()) for line in (text or "").splitlines())  # each line once
    for line in lines:
        first, _, task = line.partition(" ")
        if not first or first.startswith("#"):
            continue
        if first.startswith(("https://", "http://")):
            parsed.append(WarmupTarget(endpoint_url=first, task=task.strip()))
        elif task.strip():
            parsed.append(WarmupTarget(model_id=first, task=task.strip()))
        else:
            parsed.append(_with_hub_task(first, hub, token))
    return parsed


def _with_hub_task(model_id: str, hub: Hub, token: str | None) -> WarmupTarget | WarmupStatus:
    target = WarmupTarget(model_id=model_id)
    try:
        task = hub.model_info(model_id, token=token).task
    except PlaygroundError as err:
        return WarmupStatus(target, "error", f"error: {user_message(err)}")
    if not task:
        return WarmupStatus(target, "error", "error: the Hub lists no task; add one after the id")
    return WarmupTarget(model_id=model_id, task=task)


def lights_table(lights: list[WarmupStatus]) -> str:
    """The ready lights as a Markdown table; every cell is inert text."""
    rows = [f"| {LIGHTS.get(light.state, LIGHTS['cold'])} | {inert(light.target.label)} | "
            f"{inert(light.target.task or '—')} | {inert(light.text, already_html_escaped=True)} |" for light in lights]
    return "\n".join(["| light | model | task | status |", "|---|---|---|---|", *rows]) if rows else NO_LIGHTS


@dataclass
class WarmupPanel:
    """Handles of the Warm-up tab; `running` says whether pings are under way (for Cancel)."""

    targets: gr.Textbox
    run: gr.Button
    cancel: gr.Button
    lights: gr.Markdown
    running: gr.State


def build_warmup_panel() -> WarmupPanel:
    gr.Markdown(INTRO, elem_classes=["hint"])
    targets = gr.Textbox(label=f"Models to warm up (at most {MAX_TARGETS})", lines=5, placeholder=PLACEHOLDER,
                         elem_id="warmup-models")
    with gr.Row():
        run = gr.Button("Warm up", variant="primary", scale=3, elem_id="warmup-run")
        cancel = gr.Button("Cancel", variant="stop", scale=1, elem_id="warmup-cancel")
    lights = gr.Markdown(NO_LIGHTS, elem_id="warmup-lights")
    return WarmupPanel(targets, run, cancel, lights, gr.State(False))


class WarmupHandlers:
    """The Warm up and Cancel listeners; pings use the visitor's token, like a run."""

    def __init__(self, panel: WarmupPanel, page: Page) -> None:
        self.panel, self.page = panel, page

    async def on_warm(self, text: str, typed_token: str, oauth_token: gr.OAuthToken | None = None
                      ) -> AsyncIterator[dict[Any, Any]]:
        """Light every target, then follow each light as its model wakes."""
        services, token = self.page.services, self.page.visitor(typed_token, oauth_token)
        parsed = parse_targets(text, services.hub, token)
        lights = {n: item for n, item in enumerate(parsed) if isinstance(item, WarmupStatus)}
        targets = [item for item in parsed if isinstance(item, WarmupTarget)]
        slots = [n for n, item in enumerate(parsed) if isinstance(item, WarmupTarget)]
        try:
            statuses = warm_up(services.playground, targets, token) if targets else iter(())
        except PlaygroundError as err:
            yield {self.panel.lights: "🔴 " + inert(user_message(err), already_html_escaped=True)}
            return
        async for status in in_background(statuses):
            lights[slots[targets.index(status.target)]] = status  # each light keeps its line's place
            yield {self.panel.lights: lights_table([lights[n] for n in sorted(lights)]), self.panel.running: True}
        yield {self.panel.lights: lights_table([lights[n] for n in sorted(lights)]), self.panel.running: False}

    def on_cancel(self, running: bool, lights: str) -> dict[Any, Any]:
        if not running:
            return {self.panel.running: False}
        return {self.panel.lights: f"{lights}\n\n{CANCELLED}", self.panel.running: False}


def wire_warmup(panel: WarmupPanel, page: Page) -> None:
    handlers = WarmupHandlers(panel, page)
    event = panel.run.click(handlers.on_warm, [panel.targets, page.tokens.token], [panel.lights, panel.running],
                            api_visibility="private", concurrency_limit=None, concurrency_id="inference",
                            show_progress="hidden")
    panel.cancel.click(handlers.on_cancel, [panel.running, panel.lights], [panel.lights, panel.running],
                       cancels=[event], api_visibility="private", queue=False)
