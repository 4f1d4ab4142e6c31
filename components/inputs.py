"""The input panel: every task's fields (shown or hidden by task), the example buttons, the
parameters accordion and the Run / Cancel buttons.
"""
from __future__ import annotations

from dataclasses import dataclass, fields as dataclass_fields
from typing import Any

import gradio as gr

from backend.tasks import TaskSpec

from .handlers.forms import FormShape, FormValues, form_shape
from .image_field import ImageUpload
from .parameters import ParameterPanel, build_parameter_panel

__all__ = ["InputPanel", "build_input_panel"]

FORM_FIELDS = tuple(f.name for f in dataclass_fields(FormValues))
EMPTY_TABLE = {"headers": ["column 1", "column 2"], "data": [["", ""]]}


@dataclass
class InputPanel:
    """Handles of the input panel. `form` maps each FormValues field name to its component."""

    form: dict[str, gr.components.Component]
    filled: gr.State   # the text the page itself last put in the prompt, so it may replace it again
    examples: gr.Dataset
    parameters: ParameterPanel
    run: gr.Button
    cancel: gr.Button

    @property
    def prompt(self) -> gr.Textbox:
        return self.form["prompt"]  # type: ignore[return-value]

    def reshape(self, spec: TaskSpec) -> dict[gr.components.Component, Any]:
        """Show the fields `spec` uses, with the main box labelled for it; values are kept."""
        shape: FormShape = form_shape(spec)
        updates: dict[gr.components.Component, Any] = {
            component: gr.update(visible=name in shape.fields) for name, component in self.form.items()}
        updates[self.prompt] = gr.update(visible="prompt" in shape.fields, label=shape.prompt_label,
                                         placeholder=shape.prompt_placeholder)
        updates[self.form["labels"]] = gr.update(visible="labels" in shape.fields,
                                                 placeholder=shape.labels_placeholder)
        updates[self.form["negative_prompt"]] = gr.update(visible="negative_prompt" in shape.fields,
                                                          placeholder=shape.negative_placeholder)
        return updates

    def fill(self, spec: TaskSpec, values: FormValues, *, page_text: bool = True) -> dict[Any, Any]:
        """Put `values` into the fields `spec` shows; hidden fields keep what they hold.

        With `page_text` the text is remembered as the page's own (an example), which picking
        another model may replace; a restored or linked run is the visitor's, so it passes False.
        """
        shown = form_shape(spec).fields
        updates: dict[Any, Any] = {component: getattr(values, name) for name, component in self.form.items()
                                   if name in shown}
        if "table" in shown and values.table is None:
            updates[self.form["table"]] = EMPTY_TABLE  # a table cannot be "nothing" in the page
        if "prompt" in shown and page_text:
            updates[self.filled] = values.prompt
        return updates


def _text_fields(shape: FormShape, values: FormValues) -> dict[str, gr.components.Component]:
    def shown(name: str) -> bool:
        return name in shape.fields

    form: dict[str, gr.components.Component] = {
        "prompt": gr.Textbox(values.prompt, label=shape.prompt_label, placeholder=shape.prompt_placeholder,
                             lines=3, max_lines=12, elem_id="prompt", visible=shown("prompt")),
        "context": gr.Textbox(values.context, label="Context", lines=5, max_lines=16, elem_id="context",
                              visible=shown("context"), placeholder="The passage the answer comes from"),
        "labels": gr.Textbox(values.labels, label="Candidate labels", elem_id="labels", visible=shown("labels"),
                             placeholder=shape.labels_placeholder, info="Comma-separated"),
        "multi_label": gr.Checkbox(values.multi_label, label="More than one label can be true",
                                   elem_id="multi-label", visible=shown("multi_label")),
        "sentences": gr.Textbox(values.sentences, label="Sentences to compare", lines=4, elem_id="sentences",
                                visible=shown("sentences"), info="One per line"),
        "negative_prompt": gr.Textbox(values.negative_prompt, label="Negative prompt", elem_id="negative-prompt",
                                      visible=shown("negative_prompt"), placeholder="What the picture should avoid"),
        "system": gr.Textbox(values.system, label="System prompt", lines=2, elem_id="system",
                             visible=shown("system")),
    }
    with gr.Row():
        form["src_lang"] = gr.Textbox(values.src_lang, label="Source language code", elem_id="src-lang",
                                      visible=shown("src_lang"), placeholder="e.g. en_XX (many-to-many models)")
        form["tgt_lang"] = gr.Textbox(values.tgt_lang, label="Target language code", elem_id="tgt-lang",
                                      visible=shown("tgt_lang"), placeholder="e.g. fr_XX")
    return form


def _media_fields(shape: FormShape, values: FormValues) -> dict[str, gr.components.Component]:
    # image_mode=None hands over the file exactly as uploaded, instead of a re-encoded copy.
    return {
        "image": ImageUpload(values.image, type="filepath", image_mode=None, label="Image",
                             sources=["upload", "clipboard"], elem_id="image", visible="image" in shape.fields,
                             height=260, buttons=["fullscreen"]),
        "audio": gr.Audio(values.audio, type="filepath", label="Audio (upload a file or record)",
                          sources=["upload", "microphone"], elem_id="audio", visible="audio" in shape.fields,
                          buttons=["download"]),
    }


def _table_field(shape: FormShape, values: FormValues) -> dict[str, gr.components.Component]:
    # Every cell is text, as the table tasks send it; rows and columns can be added in the page.
    return {"table": gr.Dataframe(values.table or EMPTY_TABLE, label="Table (edit cells, add rows and columns)",
                                  interactive=True,
                                  datatype="str", elem_id="table", visible="table" in shape.fields, wrap=True)}


def build_input_panel(spec: TaskSpec, values: FormValues, example_titles: list[str]) -> InputPanel:
    """Render the panel for `spec`, filled with `values`."""
    shape = form_shape(spec)
    form = {**_text_fields(shape, values), **_media_fields(shape, values), **_table_field(shape, values)}
    examples = gr.Dataset(components=[gr.Textbox(visible=False)], samples=[[t] for t in example_titles],
                          type="index", label="Examples: click one to fill the form", elem_id="examples",
                          samples_per_page=6)
    parameters = build_parameter_panel(spec.name)
    with gr.Row(elem_id="run-row"):
        run = gr.Button("Run  (Ctrl+Enter)", variant="primary", elem_id="run", scale=3)
        cancel = gr.Button("Cancel", variant="stop", elem_id="cancel", scale=1)
    filled = gr.State(values.prompt)
    return InputPanel({name: form[name] for name in FORM_FIELDS}, filled, examples, parameters, run, cancel)
