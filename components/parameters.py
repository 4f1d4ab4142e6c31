"""The "Parameters" accordion: the current task's fields, built from `TaskSpec.parameters`, plus
the "Extra parameters (JSON)" box. Empty fields mean "the server's default" and are not sent.

The page holds one row of field *slots* that the task reshapes (label, help, value, choices), not a
group of fields per task: 14 components instead of 86 in the page's config, which the browser has
to build before anything shows (issue 12). `SLOTS` is the shortest sequence of field kinds that
holds every task's parameters in their own order, so each task's fields show in the order its
spec lists them.

Run reads the fields through one hidden JSON value (`chosen`, `{"fill_mask__top_k": 3, ...}`) that
the browser keeps up to date (`keep_chosen_js`), not as separate inputs: that is also the API's
`parameters`, the same whichever slots a task uses.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from functools import reduce
from typing import Any, Mapping, Sequence

import gradio as gr

from backend.errors import InvalidParameters
from backend.tasks import TASKS, Param

__all__ = ["ParameterPanel", "build_parameter_panel", "SERVER_DEFAULT", "SLOTS", "LAYOUTS", "param_key",
           "keep_chosen_js"]

SERVER_DEFAULT = "(server default)"
_BOOL_CHOICES = [SERVER_DEFAULT, "true", "false"]


def param_key(task: str, name: str) -> str:
    """The key a parameter's value travels under in `chosen` (and in the API's `parameters`)."""
    return f"{task.replace('-', '_')}__{name}"


def keep_chosen_js(layouts: Mapping[str, Sequence[str | None]]) -> str:
    """A browser-side listener body: (shaped task, chosen, ...slot values) -> `chosen` with that task's
    keys set from the slots; other tasks' keys are kept, so going back to a task shows what was set."""
    return ("(task, chosen, ...values) => { const names = " + json.dumps(layouts) + "[task] || [];"
            " const prefix = String(task).replaceAll('-', '_') + '__';"
            " return {...(chosen || {}),"
            " ...Object.fromEntries(names.flatMap((name, n) => name ? [[prefix + name, values[n]]] : []))}; }")


def initial_chosen() -> dict[str, Any]:
    """Every task's fields as the page first shows them, by `param_key`: the API's default `parameters`
    (a call for any task may use it) and the page's starting `chosen`."""
    return {param_key(spec.name, p.name): _initial(p) for spec in TASKS.values() for p in spec.parameters}


# --- the slots ---------------------------------------------------------------------------------------

def slot_kind(param: Param) -> str:
    """The component a parameter needs: number (a gr.Number, for a number with a default), checkbox (a
    bool with a default), choice (a tri-state or a choice: a dropdown), list (two lines) or text."""
    if param.kind in ("int", "float") and param.default is not None:
        return "number"
    if param.kind == "bool" and param.default is not None:
        return "checkbox"
    if param.kind in ("bool", "choice"):
        return "choice"
    return "list" if param.kind == "list" else "text"


def _supersequence(first: Sequence[str], second: Sequence[str]) -> tuple[str, ...]:
    """The shortest sequence holding both in order (the classic dynamic programme)."""
    rows, cols = len(first), len(second)
    length = [[i + j if not i or not j else 0 for j in range(cols + 1)] for i in range(rows + 1)]
    for i in range(1, rows + 1):
        for j in range(1, cols + 1):
            length[i][j] = (length[i - 1][j - 1] + 1 if first[i - 1] == second[j - 1]
                            else min(length[i - 1][j], length[i][j - 1]) + 1)
    merged: list[str] = []
    i, j = rows, cols
    while i and j:
        if first[i - 1] == second[j - 1]:
            merged.append(first[i - 1])
            i, j = i - 1, j - 1
        elif length[i - 1][j] <= length[i][j - 1]:
            merged.append(first[i - 1])
            i -= 1
        else:
            merged.append(second[j - 1])
            j -= 1
    merged.extend(reversed(first[:i] or second[:j]))
    return tuple(reversed(merged))


def _place(params: Sequence[Param], slots: Sequence[str]) -> tuple[str | None, ...]:
    """Each slot's parameter name for a task (None: the slot is hidden), the earliest slot of its kind first."""
    names: list[str | None] = [None] * len(slots)
    start = 0
    for param in params:
        at = next(n for n in range(start, len(slots)) if slots[n] == slot_kind(param))
        names[at], start = param.name, at + 1
    return tuple(names)


_KINDS = sorted((tuple(slot_kind(p) for p in spec.parameters) for spec in TASKS.values()), key=len, reverse=True)
SLOTS: tuple[str, ...] = reduce(_supersequence, _KINDS, ())
LAYOUTS: dict[str, tuple[str | None, ...]] = {name: _place(spec.parameters, SLOTS) for name, spec in TASKS.items()}


def _range(param: Param) -> str:
    if param.minimum is None and param.maximum is None:
        return ""
    low = "" if param.minimum is None else f"{param.minimum:g}"
    high = "" if param.maximum is None else f"{param.maximum:g}"
    return f" Range {low}–{high}." if low and high else (f" At least {low}." if low else f" At most {high}.")


def _initial(param: Param) -> Any:
    """What a field shows before the visitor touches it: the server's default, or the spec's own."""
    if param.kind in ("int", "float"):
        return param.default if param.default is not None else ""
    if param.kind == "bool" and param.default is not None:
        return bool(param.default)
    if param.kind in ("bool", "choice"):
        return param.default or SERVER_DEFAULT
    return param.default or ""


def _props(task: str, param: Param, shown: Any) -> dict[str, Any]:
    """A slot's properties as `param` of `task`, showing `shown`: for the constructor and for updates."""
    info = (param.help + _range(param)).strip() if param.kind in ("int", "float") else param.help
    props: dict[str, Any] = dict(label=param.name, info=info or None, value=shown, elem_id=f"param-{task}-{param.name}")
    kind = slot_kind(param)
    if kind == "number":
        # No minimum/maximum on the component: the backend checks ranges and says so beside the
        # answer, like every other input mistake, instead of Gradio's own pop-up.
        props.update(step=param.step or (1 if param.kind == "int" else 0.1),
                     precision=0 if param.kind == "int" else None)
    elif kind == "choice":
        # A tri-state: leaving it on the server's default must differ from sending false.
        props.update(choices=_BOOL_CHOICES if param.kind == "bool" else [SERVER_DEFAULT, *param.choices])
    elif kind == "text":
        # A number without a default is text too: gr.Number shows (and sends) 0 for "no value".
        props.update(placeholder="server default")
    return props


_SLOT_TYPES: dict[str, Any] = {"number": gr.Number, "checkbox": gr.Checkbox, "choice": gr.Dropdown,
                               "list": lambda **props: gr.Textbox(lines=2, placeholder="one per line", **props),
                               "text": gr.Textbox}


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
    """Handles of the accordion: `slots` (shaped for the task in `shaped`) and `chosen`, their values
    for Run by `param_key`."""

    accordion: gr.Accordion
    slots: list[gr.components.Component]
    extra: gr.Textbox
    chosen: gr.JSON
    shaped: gr.Textbox  # hidden: the task the slots are shaped for

    def _shape(self, task: str, shown: Mapping[str, Any]) -> dict[Any, Any]:
        """The slots as `task`'s fields, showing `shown` (by name; a name not given shows its initial value)."""
        params = {p.name: p for p in TASKS[task].parameters} if task in TASKS else {}
        updates: dict[Any, Any] = {self.shaped: task}
        for slot, name in zip(self.slots, LAYOUTS.get(task, (None,) * len(self.slots))):
            param = params.get(name or "")
            updates[slot] = gr.update(visible=False) if param is None else gr.update(
                visible=True, **_props(task, param, shown.get(param.name, _initial(param))))
        return updates

    def fill(self, task: str, params: Mapping[str, Any]) -> dict[Any, Any]:
        """Show stored `params` in `task`'s fields (the inverse of `values`); fields not given are emptied.
        The other tasks' fields start again from their initial values."""
        spec = TASKS.get(task)
        shown = {p.name: _shown(p, params.get(p.name)) for p in spec.parameters} if spec else {}
        chosen = {**initial_chosen(), **{param_key(task, name): value for name, value in shown.items()}}
        return {**self._shape(task, shown), self.chosen: chosen}

    def reshape(self, task: str, shaped: str, chosen: Any) -> dict[Any, Any]:
        """The slots as `task`'s fields showing what was set for it on this page, unless they already
        are `task`'s (a restored run has just filled them)."""
        if task == shaped:
            return {}
        chosen = chosen if isinstance(chosen, Mapping) else {}
        prefix = param_key(task, "")
        return self._shape(task, {key[len(prefix):]: value for key, value in chosen.items() if key.startswith(prefix)})

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


def build_parameter_panel(task: str) -> ParameterPanel:
    """Render the accordion, its slots shaped for `task`."""
    params = {p.name: p for p in TASKS[task].parameters}
    slots: list[gr.components.Component] = []
    with gr.Accordion("Parameters", open=False, elem_id="parameters") as accordion:
        gr.Markdown("Leave a field empty to use the server's default; only what you set is sent.",
                    elem_classes=["hint"])
        for n, (kind, name) in enumerate(zip(SLOTS, LAYOUTS[task])):
            param = params.get(name or "")
            if param is None:  # hidden until a task needs it
                slots.append(_SLOT_TYPES[kind](visible=False, elem_id=f"param-slot-{n}"))
                continue
            slots.append(_SLOT_TYPES[kind](**_props(task, param, _initial(param))))
        extra = gr.Textbox(label="Extra parameters (JSON)", lines=2, elem_id="extra-params",
                           placeholder='{"top_k": 3}', info="Merged over the fields above; checked before sending.")
    # `shaped` is a hidden box, not a gr.State: the browser-side listener that keeps `chosen` reads it.
    return ParameterPanel(accordion, slots, extra,
                          gr.JSON(initial_chosen(), visible=False, elem_id="chosen-parameters"),
                          gr.Textbox(task, visible=False, label="Parameters shaped for"))
