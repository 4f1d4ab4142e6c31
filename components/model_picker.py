"""The model picker: a searchable model dropdown (any full id can be typed), the task it runs as,
the provider (every task: auto or one that serves the model), and a note saying what the Hub knows about the model.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import gradio as gr

from backend.tasks import TASKS, TaskSpec

from .handlers.models import AUTO_CHOICE, curated_choices

__all__ = ["ModelPicker", "build_model_picker", "task_choices", "choices_after_pick", "picked_provider",
           "PROVIDER_CHOICES", "PROVIDER_INFO"]

# The routing policies; picking a chat model adds its providers with their figures (handlers/chat.py).
PROVIDER_CHOICES = [("auto (fastest)", "auto"), ("cheapest", "cheapest"), ("preferred", "preferred")]
PROVIDER_INFO = "auto (the model's first provider for the task) or one that serves it"
DROPDOWN_MIN_WIDTH = 220  # px: two side by side need 440, so on a phone they stack
WELCOME = ("Type to search the Hub, or paste any model id such as `org/name`. "
           "The list starts with a suggested model for each task.")


def task_choices() -> list[tuple[str, str]]:
    return [(spec.label, spec.name) for spec in TASKS.values()]


def choices_after_pick(model_id: str, task: str) -> list[tuple[str, str]]:
    """The picked model under its bare id, then the suggestions (typing searches again)."""
    return [(model_id, model_id), *[choice for choice in curated_choices(task) if choice[1] != model_id]]


def picked_provider(choices: list[tuple[str, str]], picked: str) -> dict[str, Any]:
    """The provider picker once `picked` is chosen: a chat provider's label ("together · live · 131k context ·
    $0.18 / $0.18 per 1M in/out · 300 ms to first token · 140 tok/s", too long for the box) is cut to its name
    and status, and its figures become the picker's info line; the list keeps every other label whole."""
    relabelled, figures = [], ""
    for label, value in choices:
        parts = label.split(" · ", 2)
        if value == picked and len(parts) == 3:
            label, figures = " · ".join(parts[:2]), parts[2]
        relabelled.append((label, value))
    return {"choices": relabelled, "info": f"{picked}: {figures}" if figures else PROVIDER_INFO}


@dataclass
class ModelPicker:
    """Handles of the picker; `card` holds per-session facts about the picked model."""

    model: gr.Dropdown
    task: gr.Dropdown
    provider: gr.Dropdown
    note: gr.Markdown
    card: gr.State
    query: gr.Textbox   # hidden: carries the text typed in the model box to the search...
    keystroke: gr.Number  # ...and which keystroke of this page it was
    picked: gr.Textbox  # hidden: the model the page's task and form are shaped for (set on load and by picks)

    def provider_update(self, spec: TaskSpec, choices: list[tuple[str, str]] | None = None) -> dict[Any, Any]:
        """New `choices` (a newly picked model's, or another task's) start again from auto: the old
        provider may not serve it."""
        update: dict[str, Any] = {"visible": True}
        if choices is not None:
            update.update(choices=choices, value="auto", info=PROVIDER_INFO)
        return {self.provider: gr.update(**update)}


def build_model_picker(spec: TaskSpec) -> ModelPicker:
    """Render the picker with `spec`'s suggested model selected. Makes no Hub call."""
    # The model gets a row of its own and task and provider share the next, so that a long id ("org/name ·
    # task") or "auto (fastest) → provider" shows in full; below DROPDOWN_MIN_WIDTH each takes its own line.
    model = gr.Dropdown(choices=curated_choices(spec.name), value=spec.default_model, allow_custom_value=True,
                        filterable=True, label="Model", elem_id="model",
                        info="Search the Hub by name, or paste a full model id")
    with gr.Row(equal_height=True):
        task = gr.Dropdown(choices=task_choices(), value=spec.name, allow_custom_value=True, label="Task",
                           elem_id="task", min_width=DROPDOWN_MIN_WIDTH,
                           info="Detected from the Hub; change it if needed")
        choices = PROVIDER_CHOICES if spec.input_kind == "chat" else [AUTO_CHOICE]  # a pick lists the model's
        provider = gr.Dropdown(choices=choices, value="auto", allow_custom_value=True, label="Provider",
                               elem_id="provider", min_width=DROPDOWN_MIN_WIDTH,
                               info=PROVIDER_INFO)
    note = gr.Markdown(WELCOME, elem_id="model-info")
    card = gr.State({"model_id": spec.default_model, "mask_token": "", "examples": [], "gated": False})
    query, keystroke = gr.Textbox(visible=False), gr.Number(visible=False, precision=0)
    picked = gr.Textbox("", visible=False, label="Picked model")
    return ModelPicker(model, task, provider, note, card, query, keystroke, picked)
