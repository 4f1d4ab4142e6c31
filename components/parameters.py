"""The "Parameters" accordion: one group of fields per task, built from `TaskSpec.parameters`, plus
the "Extra parameters (JSON)" box. Empty fields mean "the server's default" and are not sent.

Run reads the fields through one hidden JSON value (`chosen`, `{"fill_mask__top_k": 3, ...}`) that
the browser keeps up to date (`KEEP_CHOSEN`), not as some fifty inputs: Gradio gathers, sends and
processes every input of an event one by one on each click, which made Run 20 ms slower.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Mapping

import gradio as gr

from backend.errors import InvalidParameters
from backend.tasks import TASKS, Param, TaskSpec

__all__ = ["ParameterPanel", "build_parameter_panel", "SERVER_DEFAULT", "param_key", "keep_chosen_js"]

SERVER_DEFAULT = "(server default)"
_BOOL_CHOICES = [SERVER_DEFAULT, "true", "false"]


def param_key(task: str, name: str) -> str:
    """The key a parameter's value travels under in `chosen` (and in the API's `parameters`)."""
    return f"{task.replace('-', '_')}__{name}"


def keep_chosen_js(keys: list[str]) -> str:
    """A browser-side listener body: the fields' values, in `keys` order, as the `chosen` object."""
    return f"(...values) => Object.fromEntries({json.dumps(keys)}.map((key, n) => [key, values[n]]))"


def _range(param: Param) -> str:
    if param.minimum is None and param.maximum is None:
        return ""
    low = "" if param.minimum is None else f"{param.minimum:g}"
    high = "" if param.maximum is None else f"{param.maximum:g}"
    return f" Range {low}–{high}." if low and high else (f" At least {low}." if low else f" At most {high}.")


def _field(spec: TaskSpec, param: Param) -> gr.components.Component:
    info = (param.help + _range(param)).strip() if param.kind in ("int", "float") else param.help
    common: dict[str, Any] = dict(label=param.name, info=info or None, elem_id=f"param-{spec.name}-{param.name}")
    if param.kind in ("int", "float") and param.default is not None:
        # No minimum/maximum on the component: the backend checks ranges and says so beside the
        # answer, like every other input mistake, instead of Gradio's own pop-up.
        return gr.Number(value=param.default, step=param.step or (1 if param.kind == "int" else 0.1),
                         precision=0 if param.kind == "int" else None, **common)
    if param.kind in ("int", "float"):
        # gr.Number shows (and sends) 0 for "no value"; a box that can be empty means the server's default.
        return gr.Textbox(value="", placeholder="server default", **common)
    if param.kind == "bool" and param.default is not None:
        return gr.Checkbox(value=bool(param.default), **common)
    if param.kind in ("bool", "choice"):
        # A tri-state: leaving it on the server's default must differ from sending false.
        choices = _BOOL_CHOICES if param.kind == "bool" else [SERVER_DEFAULT, *param.choices]
        return gr.Dropdown(choices=choices, value=param.default or SERVER_DEFAULT, **common)
    lines = 2 if param.kind == "list" else 1
    placeholder = "one per line" if param.kind == "list" else "server default"
    return gr.Textbox(value=param.default or "", lines=lines, placeholder=placeholder, **common)


def _value(param: Param, raw: Any) -> Any:
    """A field's value as the backend expects it; None for "leave it to the server"."""
    if raw is None or raw == "" or raw == SERVER_DEFAULT:
        return None
    if param.kind == "bool" and isinstance(raw, str):
        return raw == "true"
    if param.kind in ("int", "float") and isinstance(raw, str):
        raw = _number(raw.strip())
        if raw == "":
            return None
    if param.kind == "int" and isinstance(raw, float) and raw.is_integer():
        return int(raw)
    return raw


def _number(text: str) -> Any:
    """A number typed in a box; text that is none stays text, so the backend says what is wrong with it."""
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            continue
    return text


def _shown(param: Param, value: Any) -> Any:
    """A stored value as its field shows it (the inverse of `_value`); odd values show as unset."""
    if param.kind == "bool" and param.default is not None:  # a checkbox
        return bool(param.default if value is None else value)
    if param.kind in ("int", "float"):
        number = value if isinstance(value, (int, float)) and not isinstance(value, bool) else None
        if param.default is not None:  # a gr.Number
            return number
        return "" if number is None else f"{number:g}" if isinstance(number, float) else str(number)
    if param.kind == "bool":
        return SERVER_DEFAULT if value is None else ("true" if value else "false")
    if param.kind == "choice":
        return value if value in param.choices else SERVER_DEFAULT
    if isinstance(value, (list, tuple)):
        return "\n".join(str(item) for item in value)
    return "" if value is None else str(value)


@dataclass
class ParameterPanel:
    """Handles of the accordion; `fields` maps `param_key(task, name)` to its component, and `chosen`
    holds their values for Run."""

    accordion: gr.Accordion
    groups: dict[str, gr.Group]
    fields: dict[str, gr.components.Component]
    extra: gr.Textbox
    chosen: gr.JSON

    def visibility(self, task: str) -> dict[gr.Group, Any]:
        """Show only the current task's group."""
        return {group: gr.Group(visible=name == task) for name, group in self.groups.items()}

    @staticmethod
    def values(task: str, chosen: Any) -> dict[str, Any]:
        """The current task's parameter values from `chosen` (every field's value by `param_key`)."""
        if not isinstance(chosen, Mapping):
            raise InvalidParameters('Parameters must be a JSON object of field values, such as '
                                    '{"text_classification__top_k": 3}.')
        spec = TASKS.get(task)
        if spec is None:
            return {}
        return {p.name: _value(p, chosen.get(param_key(task, p.name))) for p in spec.parameters}

    def fill(self, task: str, params: Mapping[str, Any]) -> dict[gr.components.Component, Any]:
        """Show stored `params` in `task`'s fields (the inverse of `values`); fields not given are emptied."""
        spec = TASKS.get(task)
        if spec is None:
            return {}
        return {self.fields[param_key(task, p.name)]: _shown(p, params.get(p.name)) for p in spec.parameters}


def build_parameter_panel(task: str) -> ParameterPanel:
    """Render the accordion, with `task`'s group visible."""
    groups: dict[str, gr.Group] = {}
    fields: dict[str, gr.components.Component] = {}
    with gr.Accordion("Parameters", open=False, elem_id="parameters") as accordion:
        gr.Markdown("Leave a field empty to use the server's default; only what you set is sent.",
                    elem_classes=["hint"])
        for spec in TASKS.values():
            if not spec.parameters:
                continue
            with gr.Group(visible=spec.name == task) as groups[spec.name]:
                for param in spec.parameters:
                    fields[param_key(spec.name, param.name)] = _field(spec, param)
        extra = gr.Textbox(label="Extra parameters (JSON)", lines=2, elem_id="extra-params",
                           placeholder='{"top_k": 3}', info="Merged over the fields above; checked before sending.")
    chosen = gr.JSON({key: field.value for key, field in fields.items()}, visible=False, elem_id="parameters")
    return ParameterPanel(accordion, groups, fields, extra, chosen)
