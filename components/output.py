"""The answer: one `#output` container whose per-kind views (labels, entities, boxes, masks, image,
audio, video, text, table, embedding summary) are shown one at a time, beside the raw response (`#raw-json`).

Model output is data: it reaches the page through Label, HighlightedText, Textbox, Dataframe and
JSON (text renderers), and through Markdown only after `inert()`; never through gr.HTML (T10).
"""
from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any, Mapping

import gradio as gr
import numpy as np
from PIL import Image

from backend.render import sniff_image
from backend.tasks import Rendered

from .handlers.media import write_media
from .handlers.run import RunView
from .markup import inert, inert_with_links
from .showing import STALE, classes, part, showing

__all__ = ["OutputPanel", "build_output_panel"]

PLACEHOLDER = "The answer appears here. Press **Run** (or Ctrl+Enter)."
RUNNING = "↻ Waiting for the answer…"


def _entities_value(rendered: Rendered) -> Any:
    """Spans over the source text when offsets are known, else (word, label) pairs."""
    if isinstance(rendered.text, str) and all(e.start is not None and e.end is not None for e in rendered.entities):
        spans = [{"entity": e.label, "start": e.start, "end": e.end} for e in rendered.entities]
        return {"text": rendered.text, "entities": spans}
    return [(e.word, e.label) for e in rendered.entities]


def _boxes_value(rendered: Rendered, image: str) -> Any:
    boxes = [((int(b.xmin), int(b.ymin), int(b.xmax), int(b.ymax)), f"{b.label} {b.score:.2f}")
             for b in rendered.boxes]
    return (image, boxes)


def _masks_picture(view: RunView) -> str | None:
    """The file the masks are drawn over: the form's upload, else the image the request carried."""
    picture = view.rendered.source_image if view.rendered else None
    if view.source_image or not picture:
        return view.source_image
    try:
        return write_media(picture, sniff_image(picture))
    except ValueError:  # larger than the whole media folder may hold
        return None


def _masks_value(rendered: Rendered, image: str) -> Any:
    """Each segment's mask over the uploaded image (masks as 0-1 arrays of the image's size)."""
    with Image.open(image) as source:
        size = source.size
    annotations = []
    for label, score, png in rendered.masks:
        mask = Image.open(io.BytesIO(png)).convert("L")
        if mask.size != size:
            mask = mask.resize(size)
        shown = label if score is None else f"{label} {score:.2f}"
        annotations.append((np.asarray(mask, dtype=np.float32) / 255.0, shown))
    return (image, annotations)


def _cell(value: Any) -> Any:
    return round(value, 4) if isinstance(value, float) else value


def _table_value(rendered: Rendered) -> Any:
    if not rendered.table:
        return None
    headers, rows = rendered.table
    return {"headers": list(headers), "data": [[_cell(value) for value in row] for row in rows]}


def _primary_view(view: RunView) -> tuple[str, Any]:
    """Which view shows the answer, and its value."""
    rendered = view.rendered
    assert rendered is not None
    kind = rendered.kind
    if kind == "labels":
        return "label", dict(reversed(rendered.labels))  # keep the best score when labels repeat
    if kind == "entities":
        return "entities", _entities_value(rendered)
    if kind == "boxes" and view.source_image:
        return "boxes", _boxes_value(rendered, view.source_image)
    if kind == "masks" and (picture := _masks_picture(view)):
        try:
            return "masks", _masks_value(rendered, picture)
        except (OSError, ValueError, Image.DecompressionBombError):  # the labels and scores still show
            return "text", rendered.text
    if kind in ("image", "audio", "video") and view.media_path:
        return kind, view.media_path
    if kind == "table":
        return "table", _table_value(rendered)
    return "text", rendered.text


def _glance(value: Any) -> str | None:
    """A summary value as short text; None for lists (timestamps, token details) the raw view holds."""
    if isinstance(value, Mapping):
        return ", ".join(f"{k} {v}" for k, v in value.items() if not isinstance(v, (list, dict)))
    if isinstance(value, (list, tuple)):
        return None
    return f"{value:.4f}" if isinstance(value, float) else str(value)


def _summary(rendered: Rendered) -> str:
    """Scalars worth a glance (score, finish reason, token usage…) as one inert line."""
    parts = [f"**{inert(key.replace('_', ' '))}**: {inert(text)}" for key, value in rendered.summary.items()
             if (text := _glance(value)) is not None]
    return " · ".join(parts)


# The answer views the page builds only when an answer first needs them (issue 12: mounting every
# one of them, hidden, cost a fifth of the page's load). A view once shown stays built, and the
# container's class list hides it again (`showing.py`); the streamed text's box is built at once.
UNBUILT = ("label", "entities", "boxes", "masks", "image", "audio", "video", "table")


def _view(prefix: str, name: str) -> dict[str, Any]:
    """A view's constructor options: its id, its part's class, and whether it is built at once."""
    return {"elem_id": f"{prefix}output-{name}", "elem_classes": part(name), "visible": name not in UNBUILT}


def _held(name: str, value: Any) -> Any:
    """A view's value in an update; a value to show also builds the view (once: the update is small)."""
    return gr.update(visible=True, value=value) if value is not None and name in UNBUILT else value


@dataclass
class OutputPanel:
    """Handles of the answer area; `views` maps a view name (label, entities, boxes, image, audio,
    text, table) to its component. The container's class list says which parts show (`showing.py`).
    """

    container: gr.Column
    message: gr.Markdown
    views: dict[str, gr.components.Component]
    details: gr.Markdown
    raw: gr.JSON
    answered: gr.State  # whose answer is shown: {"of": [model, task], "parts": [...], "message": ...} or None

    @property
    def components(self) -> list[gr.components.Component]:
        return [self.container, self.message, *self.views.values(), self.details, self.raw, self.answered]

    def _show(self, shown: str | None, value: Any, message: str, details: str, raw: Any,
              table: Any = None, of: tuple[str, str] | None = None) -> dict[Any, Any]:
        """Every part of the answer area: `shown` view with `value`, the others emptied and hidden;
        `of` is the (model, task) the answer belongs to, when it is one."""
        values = {name: value if name == shown else None for name in self.views}
        if table is not None:
            values["table"] = table
        parts = [name for name, held in values.items() if held is not None]
        parts += [name for name, text in (("message", message), ("details", details)) if text]
        answered = {"of": list(of), "parts": parts, "message": message} if of else None
        return {self.container: showing(parts), self.message: message, self.details: details, self.raw: raw,
                self.answered: answered, **{self.views[name]: _held(name, held) for name, held in values.items()}}

    def show(self, view: RunView, of: tuple[str, str] | None = None) -> dict[Any, Any]:
        """Updates for one step of a run (progress steps only touch streamed text). A finished run's
        answer belongs to `of` (model, task), by default its history entry's."""
        if view.phase == "progress":
            if view.rendered is None:
                return {}
            return {self.container: showing(["text"]), self.views["text"]: view.rendered.text}
        if view.phase == "invalid":
            # Nothing was sent, so no earlier answer stays beside the explanation.
            return self._show(None, None, "✗ " + inert_with_links(view.error, already_html_escaped=True), "", None)
        if view.phase == "start" or view.rendered is None:
            return self._show(None, None, RUNNING, "", None)
        if of is None and view.entry is not None:
            of = (view.entry.model, view.entry.task)
        return self._done(view, of)

    def cancelled(self, message: str) -> dict[Any, Any]:
        return {self.container: showing(["message"]), self.message: message, self.answered: None}

    def marked(self, answered: Mapping[str, Any] | None, model: str, task: str) -> dict[Any, Any]:
        """The answer on the page, marked as the previous run's while the picker shows another model or
        task than the one it answered, and as its own again when the picker goes back to it."""
        if not answered or not isinstance(answered.get("of"), list) or len(answered["of"]) != 2:
            return {}
        parts, message = list(answered.get("parts") or []), str(answered.get("message") or "")
        was_model, was_task = answered["of"]
        if (was_model, was_task) == (model, task):
            return {self.container: showing(parts), self.message: message}
        notice = (f"↺ The answer below is the previous run's, from **{inert(was_model)}** ({inert(was_task)}). "
                  f"Press **Run** to ask **{inert(model)}**." if parts != ["message"] else PLACEHOLDER)
        return {self.container: gr.update(elem_classes=[*classes([*parts, "message"]), STALE]),
                self.message: notice}

    def _done(self, view: RunView, of: tuple[str, str] | None) -> dict[Any, Any]:
        rendered = view.rendered
        assert rendered is not None
        if view.error:
            message = "⚠ " + inert_with_links(view.error, already_html_escaped=True)
            return self._show(None, None, message, "", view.raw, of=of)
        shown, value = _primary_view(view)
        # An embedding's text already is its summary (dimensions, norm, first values).
        details = _summary(rendered) if rendered.kind != "embedding" else ""
        # Completed sentences, per-entity scores, box coordinates: the rows the chart cannot hold.
        table = _table_value(rendered) if shown != "table" else None
        return self._show(shown, value, "", details, view.raw, table=table, of=of)


def build_output_panel(prefix: str = "") -> OutputPanel:
    """Render the answer (left) and the raw response (right), side by side.

    `prefix` namespaces the elem_ids, so compare columns can hold panels of their own.
    """
    with gr.Row(equal_height=False):
        with gr.Column(scale=1, elem_id=f"{prefix}output", min_width=300,
                       elem_classes=classes(["message"])) as container:
            message = gr.Markdown(PLACEHOLDER, elem_id=f"{prefix}output-message", elem_classes=part("message"))
            views: dict[str, gr.components.Component] = {
                "label": gr.Label(label="Answer", num_top_classes=10, **_view(prefix, "label")),
                "entities": gr.HighlightedText(label="Entities", show_legend=True, **_view(prefix, "entities")),
                "boxes": gr.AnnotatedImage(label="Detected objects", **_view(prefix, "boxes")),
                "masks": gr.AnnotatedImage(label="Segments", **_view(prefix, "masks")),
                # No "share" buttons: they post to Hugging Face discussions, which is not this page's job.
                "image": gr.Image(label="Generated image", type="filepath", interactive=False,
                                  buttons=["download", "fullscreen"], **_view(prefix, "image")),
                "audio": gr.Audio(label="Audio", type="filepath", interactive=False, buttons=["download"],
                                  **_view(prefix, "audio")),
                "video": gr.Video(label="Generated video", interactive=False, buttons=["download"],
                                  **_view(prefix, "video")),
                "text": gr.Textbox(label="Answer", lines=6, max_lines=30, interactive=False, buttons=["copy"],
                                   **_view(prefix, "text")),
                "table": gr.Dataframe(label="Table", interactive=False, wrap=True, **_view(prefix, "table")),
            }
            details = gr.Markdown(elem_id=f"{prefix}output-details", elem_classes=part("details"))
        with gr.Column(scale=1, min_width=300):
            raw = gr.JSON(label="Raw response", open=True, elem_id=f"{prefix}raw-json", max_height=520)
    return OutputPanel(container, message, views, details, raw, gr.State(None))
