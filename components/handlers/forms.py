"""The input form as plain data: which fields a task shows, how an example fills them, and how the
filled form becomes the backend's `inputs` mapping.

One `FormValues` carries every field; `form_shape()` says which of them a task shows.
"""
from __future__ import annotations

import mimetypes
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Mapping

from backend.errors import InvalidParameters
from backend.tasks import TaskSpec

__all__ = ["FormValues", "FormShape", "form_shape", "values_from_example", "example_title", "stock_example",
           "inputs_for", "check_mask", "read_upload", "ASSETS", "table_value", "table_columns", "upload_field"]

ASSETS = Path(__file__).resolve().parent.parent / "assets"
EXAMPLE_MEDIA = {"image": ASSETS / "example.png", "audio": ASSETS / "example.wav"}
_MASKS = ("[MASK]", "<mask>")


@dataclass(frozen=True)
class FormValues:
    """Every input field of the page; a task reads the ones its shape shows."""

    prompt: str = ""
    context: str = ""
    labels: str = ""
    multi_label: bool = False
    sentences: str = ""
    negative_prompt: str = ""
    src_lang: str = ""
    tgt_lang: str = ""
    system: str = ""
    image: str | None = None   # a path Gradio wrote the upload to
    audio: str | None = None
    table: Any = None          # an editable table: {"headers": [...], "data": [[...], ...]} or a DataFrame


@dataclass(frozen=True)
class FormShape:
    """Which fields a task shows, and how the main text box (and the labels box) is labelled."""

    fields: frozenset[str]
    prompt_label: str = "Text"
    prompt_placeholder: str = ""
    labels_placeholder: str = "refund, legal, faq"
    negative_placeholder: str = "What the picture should avoid"


_KIND_SHAPES = {
    "text": FormShape(frozenset({"prompt"})),
    "qa": FormShape(frozenset({"prompt", "context"}), "Question", "What do you want to know from the context?"),
    "zero-shot": FormShape(frozenset({"prompt", "labels", "multi_label"}), "Text to classify"),
    "similarity": FormShape(frozenset({"prompt", "sentences"}), "Source sentence"),
    "image": FormShape(frozenset({"image"})),
    "audio": FormShape(frozenset({"audio"})),
    "text-to-image": FormShape(frozenset({"prompt", "negative_prompt"}), "Prompt", "Describe the picture"),
    # The image is optional: a vision model (image-text-to-text) gets it with the message.
    "chat": FormShape(frozenset({"prompt", "system", "image"}), "Your message", "Ctrl+Enter sends"),
    "image-prompt": FormShape(frozenset({"image", "prompt"}), "Prompt", "What to do with the image"),
    "image-labels": FormShape(frozenset({"image", "labels"}), labels_placeholder="a photo of a cat, a chart"),
    "image-question": FormShape(frozenset({"image", "prompt"}), "Question", "What do you want to know about it?"),
    "table-question": FormShape(frozenset({"table", "prompt"}), "Question", "What do you want to know from it?"),
    "table": FormShape(frozenset({"table"})),
}
_PROMPT_LABELS = {
    "fill-mask": ("Text with a mask token", "Put the model's mask token where a word is missing"),
    "summarization": ("Text to summarize", ""),
    "translation": ("Text to translate", ""),
    "text-generation": ("Prompt", "Start a text and let the model continue it"),
    "feature-extraction": ("Text to embed", ""),
    "text-to-speech": ("Text to speak", ""),
    "text-to-video": ("Prompt", "Describe the video"),
    "image-to-image": ("Prompt", "What to change in the image"),
    "image-to-video": ("Prompt", "How the picture should move"),
}
# Optional fields a task adds to its kind's: translation's language codes, an image edit's negative prompt.
_EXTRA_FIELDS = {"translation": frozenset({"src_lang", "tgt_lang"}),
                 "image-to-image": frozenset({"negative_prompt"})}


def form_shape(spec: TaskSpec) -> FormShape:
    """The fields `spec` shows: its input kind's, and any the task adds."""
    shape = _KIND_SHAPES.get(spec.input_kind, _KIND_SHAPES["text"])
    if spec.name in _EXTRA_FIELDS:
        shape = replace(shape, fields=shape.fields | _EXTRA_FIELDS[spec.name])
    if spec.name in _PROMPT_LABELS:
        label, placeholder = _PROMPT_LABELS[spec.name]
        shape = replace(shape, prompt_label=label, prompt_placeholder=placeholder)
    if "video" in spec.name:
        shape = replace(shape, negative_placeholder="What the video should avoid")
    return shape


def _joined(value: Any, separator: str) -> str:
    return separator.join(str(item) for item in value) if isinstance(value, (list, tuple)) else str(value or "")


def _with_mask(text: str, mask_token: str) -> str:
    """Swap a stock mask token for the model's own (BERT says [MASK], RoBERTa says <mask>)."""
    if not mask_token:
        return text
    for mask in _MASKS:
        text = text.replace(mask, mask_token)
    return text


def _chat_fields(messages: Any) -> dict[str, str]:
    items = [m for m in messages or () if isinstance(m, Mapping)]
    system = next((str(m.get("content", "")) for m in items if m.get("role") == "system"), "")
    user = next((str(m.get("content", "")) for m in reversed(items) if m.get("role") == "user"), "")
    return {"system": system, "prompt": user}


def values_from_example(spec: TaskSpec, example: Mapping[str, Any], mask_token: str = "") -> FormValues:
    """Fill the form from a task's stock example or a model card's widget example.

    Widget examples say `text` / `context` / `candidate_labels` / `multi_class`; the task table
    says `question` / `labels` / `multi_label`; both spellings are read.
    """
    fields: dict[str, Any] = {
        "prompt": str(example.get("text") or example.get("question") or example.get("source_sentence") or ""),
        "context": str(example.get("context") or ""),
        "labels": _joined(example.get("labels") or example.get("candidate_labels"), ", "),
        "multi_label": bool(example.get("multi_label") or example.get("multi_class")),
        "sentences": _joined(example.get("sentences"), "\n"),
        "negative_prompt": str(example.get("negative_prompt") or ""),
        "src_lang": str(example.get("src_lang") or ""),
        "tgt_lang": str(example.get("tgt_lang") or ""),
    }
    if "messages" in example:
        fields.update(_chat_fields(example["messages"]))
    if isinstance(example.get("table"), Mapping):
        fields["table"] = table_value(example["table"])
    media = upload_field(spec)
    if media:
        fields[media] = str(EXAMPLE_MEDIA[media])
    if spec.name == "fill-mask":
        fields["prompt"] = _with_mask(fields["prompt"], mask_token)
    return FormValues(**fields)


# Input kinds that take an upload beside their text fields, and which one.
_MEDIA_OF = {"image-prompt": "image", "image-labels": "image", "image-question": "image"}


def upload_field(spec: TaskSpec) -> str:
    """The form field holding the task's upload ("image" or "audio"), or "" for a task without one.
    (Chat's image is optional and its own: a chat is never refilled or replayed through this.)"""
    media = _MEDIA_OF.get(spec.input_kind, spec.input_kind)
    return media if media in EXAMPLE_MEDIA else ""


def table_value(table: Mapping[str, Any]) -> dict[str, Any]:
    """`{column: [cells]}` as an editable table's value (headers, then rows)."""
    headers = [str(name) for name in table]
    columns = [list(cells) for cells in table.values()]
    rows = [list(row) for row in zip(*columns)] if columns else []
    return {"headers": headers, "data": rows}


def _cell_text(cell: Any) -> str:
    return "" if cell is None or cell != cell else str(cell)  # cell != cell: a NaN the table put in a new row


def table_columns(value: Any) -> dict[str, list[str]] | None:
    """An editable table's value (a DataFrame, or headers and rows) as `{column: [cells]}`, rows left all
    blank (one added and never filled) dropped; None when empty."""
    if value is None:
        return None
    if hasattr(value, "to_dict"):  # a pandas DataFrame, as gr.Dataframe hands it over
        headers, rows = [str(name) for name in value.columns], value.values.tolist()
    elif isinstance(value, Mapping) and "headers" in value:
        headers, rows = [str(name) for name in value.get("headers") or []], list(value.get("data") or [])
    else:
        return dict(value) if isinstance(value, Mapping) else None
    if len(set(headers)) < len(headers):
        twice = next(name for name in headers if headers.count(name) > 1)
        raise InvalidParameters(f"Two columns of the table are named {twice!r}: give each its own name.",
                                field="table")
    cells = [[_cell_text(row[n]) if n < len(row) else "" for n in range(len(headers))] for row in rows]
    kept = [row for row in cells if any(cell.strip() for cell in row)]
    return {name: [row[n] for row in kept] for n, name in enumerate(headers)} or None


def stock_example(spec: TaskSpec) -> dict[str, Any]:
    """The task table's example; media tasks get our bundled sample file."""
    example = dict(spec.example)
    media = upload_field(spec)
    if media:
        asked = example.get("text") or example.get("question") or ""
        example.setdefault("example_title", f"Sample {media} (bundled)" + (f": {asked}" if asked else ""))
    return example


def example_title(example: Mapping[str, Any], mask_token: str = "", limit: int = 90) -> str:
    """What an example button shows: its title, else the start of its text (with the model's mask)."""
    title = _with_mask(str(example.get("example_title") or example.get("text") or example.get("question")
                           or example.get("source_sentence") or "example"), mask_token)
    return title if len(title) <= limit else title[: limit - 1] + "…"


def read_upload(path: str | None) -> tuple[bytes | None, str]:
    """An upload's bytes and MIME type (guessed from its name); (None, "") when there is none."""
    if not path:
        return None, ""
    media_type = mimetypes.guess_type(path)[0] or "application/octet-stream"
    return Path(path).read_bytes(), media_type


def _messages(form: FormValues) -> list[dict[str, str]]:
    system = [{"role": "system", "content": form.system.strip()}] if form.system.strip() else []
    user = [{"role": "user", "content": form.prompt}] if form.prompt.strip() else []
    return system + user


def inputs_for(spec: TaskSpec, form: FormValues) -> dict[str, Any]:
    """The backend's `inputs` mapping for `spec`, read from the fields its shape shows."""
    kind = spec.input_kind
    if kind in ("image", "audio"):
        data, media_type = read_upload(getattr(form, kind))
        return {kind: data, f"{kind}_type": media_type}
    if kind == "qa":
        return {"question": form.prompt, "context": form.context}
    if kind == "zero-shot":
        return {"text": form.prompt, "labels": form.labels, "multi_label": form.multi_label}
    if kind == "similarity":
        return {"source_sentence": form.prompt, "sentences": form.sentences}
    if kind == "text-to-image":
        return {"text": form.prompt, "negative_prompt": form.negative_prompt}
    if kind == "chat":
        return {"messages": _messages(form)}
    if kind in _MEDIA_OF:
        data, media_type = read_upload(form.image)
        upload = {"image": data, "image_type": media_type}
        if kind == "image-labels":
            return {**upload, "labels": form.labels}
        if kind == "image-question":
            return {**upload, "question": form.prompt}
        # A hidden box keeps what another task put there; only a task that shows it sends it.
        shown = {"negative_prompt": form.negative_prompt} if "negative_prompt" in form_shape(spec).fields else {}
        return {**upload, "text": form.prompt, **shown}
    if kind == "table-question":
        return {"table": table_columns(form.table), "question": form.prompt}
    if kind == "table":
        return {"table": table_columns(form.table)}
    codes = {"src_lang": form.src_lang, "tgt_lang": form.tgt_lang} if "src_lang" in form_shape(spec).fields else {}
    return {"text": form.prompt, **codes}


def check_mask(spec: TaskSpec, form: FormValues, mask_token: str) -> None:
    """Fill-mask needs the model's own mask token in the text; say so before anything is sent."""
    if spec.name == "fill-mask" and mask_token and form.prompt.strip() and mask_token not in form.prompt:
        raise InvalidParameters(f"Put this model's mask token {mask_token} where the missing word goes.",
                                field="text")
