"""UI-agnostic renderers: turn an `InferenceResult` into a `Rendered` value for each answer shape.

Model output is data: `Rendered.text` is plain text, never markup we built, and escaping is the
UI's job. Renderers never raise: an error result or an unexpected shape gives the JSON fallback.
Nothing here fetches a URL, even when a provider answers with one.
"""
from __future__ import annotations

import base64
import functools
import json
import math
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Mapping

from .result import InferenceResult

__all__ = [
    "Entity", "Box", "Rendered", "Renderer", "tolerant", "fallback", "render_generic", "render_labels",
    "render_zero_shot", "render_fill_mask", "render_entities", "render_answer", "render_text_field",
    "render_transcript", "render_similarity", "render_embedding", "render_boxes", "render_image", "sniff_image",
]

MAX_JSON_TEXT = 20_000  # the raw-JSON panel shows everything; the text view only needs a readable start
EMBEDDING_PREVIEW = 8
_IMAGE_MAGIC = ((b"\x89PNG\r\n\x1a\n", "image/png"), (b"\xff\xd8\xff", "image/jpeg"), (b"GIF8", "image/gif"))


@dataclass(frozen=True)
class Entity:
    """One span found by token classification; `start`/`end` index the source text when given."""

    start: int | None
    end: int | None
    label: str
    score: float
    word: str


@dataclass(frozen=True)
class Box:
    """One detected object, in pixels of the uploaded image; the UI draws it."""

    label: str
    score: float
    xmin: float
    ymin: float
    xmax: float
    ymax: float


@dataclass(frozen=True)
class Rendered:
    """A rendering of one answer; `kind` says which of the other fields carry it."""

    # "labels" | "entities" | "text" | "table" | "image" | "audio" | "video" | "boxes" | "masks" | "embedding" | "json"
    kind: str
    text: str = ""
    labels: tuple[tuple[str, float], ...] = ()
    entities: tuple[Entity, ...] = ()
    table: tuple[tuple[str, ...], tuple[tuple[Any, ...], ...]] | None = None
    media: bytes | None = field(default=None, repr=False)
    media_type: str = ""
    boxes: tuple[Box, ...] = ()
    summary: Mapping[str, Any] = field(default_factory=dict)
    masks: tuple[tuple[str, float | None, bytes], ...] = field(default=(), repr=False)  # label, score, PNG
    source_image: bytes | None = field(default=None, repr=False)  # what the masks cover: the image sent


Renderer = Callable[[InferenceResult], Rendered]


def fallback(result: InferenceResult, note: str = "") -> Rendered:
    """The rendering for anything we cannot show better: a short note; the raw view has the rest."""
    return Rendered(kind="json", text=note or _default_note(result))


def _default_note(result: InferenceResult) -> str:
    if result.truncated:
        return "The answer was cut off at the size limit; see the raw response."
    if result.ok:
        return "The answer has an unexpected shape; see the raw response."
    if result.status:
        return f"No answer to show: the request failed (HTTP {result.status})."
    reason = type(result.error).__name__ if result.error else "no response"
    return f"No answer to show: the request failed ({reason})."


def tolerant(renderer: Renderer) -> Renderer:
    """Give failed results and shapes the renderer does not expect the fallback instead of raising."""
    @functools.wraps(renderer)
    def render(result: InferenceResult) -> Rendered:
        if not result.ok or result.truncated:
            return fallback(result)
        try:
            return renderer(result)
        except (LookupError, TypeError, ValueError, AttributeError, ArithmeticError, RecursionError):
            # The body is whatever the server sent (even JSON nested too deep to parse): any of
            # these means "not a shape we know".
            return fallback(result)
    return render


def media(kind: str, data: bytes, media_type: str) -> Rendered:
    """A file to play or show, with a one-line description."""
    return _media(kind, data, media_type)


def _media(kind: str, data: bytes, media_type: str) -> Rendered:
    return Rendered(kind=kind, text=f"{kind.capitalize()}: {len(data)} bytes, {media_type}", media=data,
                    media_type=media_type)


def _content_type(result: InferenceResult) -> str:
    return result.content_type.split(";")[0].strip().lower()


@tolerant
def render_generic(result: InferenceResult) -> Rendered:
    """Unknown tasks: images, audio and video as media, anything else as indented JSON text."""
    if result.media_type in ("image", "audio", "video") and result.body:
        return _media(result.media_type, result.body, _content_type(result))
    if result.media_type == "binary":
        return Rendered(kind="json", text=f"{len(result.body)} bytes of {_content_type(result) or 'binary data'}.")
    body = result.json
    if body is None:
        return Rendered(kind="text", text=result.text[:MAX_JSON_TEXT])
    return Rendered(kind="json", text=json.dumps(body, indent=2, ensure_ascii=False)[:MAX_JSON_TEXT])


def _as_list(value: Any) -> list[Any]:
    """The body as a list, or TypeError: iterating a dict would walk its keys and look plausible."""
    if not isinstance(value, list):
        raise TypeError(f"expected a list, got {type(value).__name__}")
    return value


def _sorted_labels(pairs: Iterable[tuple[Any, Any]]) -> tuple[tuple[str, float], ...]:
    return tuple(sorted(((str(label), float(score)) for label, score in pairs), key=lambda p: -p[1]))


def _label_lines(labels: Iterable[tuple[str, float]]) -> str:
    return "\n".join(f"{label}: {score:.4f}" for label, score in labels) or "No labels returned."


@tolerant
def render_labels(result: InferenceResult) -> Rendered:
    """`[{label, score}]`, or nested one level per input as text-classification answers."""
    body = _as_list(result.json)
    items = body[0] if body and isinstance(body[0], list) else body
    labels = _sorted_labels((item["label"], item["score"]) for item in items)
    return Rendered(kind="labels", text=_label_lines(labels), labels=labels)


def _zero_shot_groups(body: Any) -> list[tuple[str, tuple[tuple[str, float], ...]]]:
    """(sequence, labels) per input from the legacy `{sequence, labels, scores}` or the spec's list."""
    if isinstance(body, dict):
        body = [body]
    if body and all("label" in item for item in body):
        return [("", _sorted_labels((item["label"], item["score"]) for item in body))]
    return [(str(item.get("sequence", "")), _sorted_labels(zip(item["labels"], item["scores"], strict=True)))
            for item in body]


@tolerant
def render_zero_shot(result: InferenceResult) -> Rendered:
    groups = _zero_shot_groups(result.json)
    if len(groups) == 1:
        return Rendered(kind="labels", text=_label_lines(groups[0][1]), labels=groups[0][1])
    rows = tuple((sequence, label, score) for sequence, labels in groups for label, score in labels)
    text = "\n\n".join(f"{sequence}\n{_label_lines(labels)}" for sequence, labels in groups)
    return Rendered(kind="labels", text=text, labels=groups[0][1], table=(("sequence", "label", "score"), rows))


@tolerant
def render_fill_mask(result: InferenceResult) -> Rendered:
    """One list of candidates per mask token (nested when the input has several masks)."""
    body = _as_list(result.json)
    groups = body if body and isinstance(body[0], list) else [body]
    labels = _sorted_labels((item["token_str"], item["score"]) for item in groups[0])
    rows = tuple((mask, str(item["token_str"]), float(item["score"]), str(item.get("sequence", "")))
                 for mask, group in enumerate(groups, 1) for item in group)
    text = "\n".join(f"{sequence} ({score:.4f})" for _, _, score, sequence in rows)
    return Rendered(kind="labels", text=text, labels=labels, table=(("mask", "token", "score", "sequence"), rows))


def _request_inputs(result: InferenceResult) -> Any:
    body = result.request.json_body
    return body.get("inputs") if isinstance(body, Mapping) else None


@tolerant
def render_entities(result: InferenceResult) -> Rendered:
    """Spans over the source text; `entity` replaces `entity_group` when the model did not aggregate."""
    entities = tuple(Entity(start=item.get("start"), end=item.get("end"),
                            label=str(item.get("entity_group") or item["entity"]),
                            score=float(item["score"]), word=str(item.get("word", "")))
                     for item in _as_list(result.json))
    source = _request_inputs(result)
    rows = tuple((e.word, e.label, e.score, e.start, e.end) for e in entities)
    text = source if isinstance(source, str) else "\n".join(f"{e.word}: {e.label}" for e in entities)
    return Rendered(kind="entities", text=text, entities=entities,
                    table=(("word", "label", "score", "start", "end"), rows))


@tolerant
def render_answer(result: InferenceResult) -> Rendered:
    """Question answering: one `{answer, score, start, end}`, or a list of them when top_k > 1."""
    body = result.json
    answers = body if isinstance(body, list) else [body]
    rows = tuple((str(a["answer"]), float(a["score"]), a.get("start"), a.get("end")) for a in answers)
    best = rows[0]
    summary = {"score": best[1], "start": best[2], "end": best[3]}
    if len(rows) == 1:
        return Rendered(kind="text", text=best[0], summary=summary)
    return Rendered(kind="table", text=best[0], table=(("answer", "score", "start", "end"), rows), summary=summary)


def render_text_field(key: str) -> Renderer:
    """Renderer for `[{key: str}]` answers (summary_text, translation_text); batches join by line."""
    @tolerant
    def render(result: InferenceResult) -> Rendered:
        body = result.json
        items = body if isinstance(body, list) else [body]
        return Rendered(kind="text", text="\n".join(str(item[key]) for item in items))
    render.__name__ = render.__qualname__ = f"render_{key}"
    return render


@tolerant
def render_transcript(result: InferenceResult) -> Rendered:
    body = result.json
    summary: dict[str, Any] = {"chunks": body["chunks"]} if body.get("chunks") else {}
    if result.headers.get("x-compute-audio-length"):
        summary["audio_seconds"] = result.headers["x-compute-audio-length"]
    return Rendered(kind="text", text=str(body["text"]), summary=summary)


@tolerant
def render_similarity(result: InferenceResult) -> Rendered:
    """One score per compared sentence, named by the sentences the request sent."""
    scores = [float(score) for score in _as_list(result.json)]
    inputs = _request_inputs(result)
    sentences = list(inputs.get("sentences") or ()) if isinstance(inputs, Mapping) else []
    names = [sentences[i] if i < len(sentences) else f"#{i + 1}" for i in range(len(scores))]
    rows = tuple(zip(names, scores))
    return Rendered(kind="table", text="\n".join(f"{score:.4f}  {name}" for name, score in rows),
                    table=(("sentence", "score"), rows))


def _shape(value: Any) -> list[int]:
    """Dimensions along the first element of each level (servers send rectangular arrays)."""
    shape = []
    while isinstance(value, list):
        shape.append(len(value))
        value = value[0] if value else None
    return shape


@tolerant
def render_embedding(result: InferenceResult) -> Rendered:
    """1-D (one sentence), 2-D (list input) or 3-D (per-token) vectors: describe the first vector."""
    body = result.json
    shape = _shape(body)
    if not shape:
        raise ValueError("not an array")
    first = body
    while first and isinstance(first[0], list):
        first = first[0]
    vector = [float(x) for x in first]
    norm = math.sqrt(sum(x * x for x in vector))
    summary = {"shape": shape, "dimensions": shape[-1], "norm": norm, "first_values": vector[:EMBEDDING_PREVIEW]}
    preview = ", ".join(f"{x:.4f}" for x in summary["first_values"])
    text = (f"Shape {shape}: {shape[-1]} dimensions. L2 norm of the first vector: {norm:.4f}.\n"
            f"First values: {preview}")
    return Rendered(kind="embedding", text=text, summary=summary)


@tolerant
def render_boxes(result: InferenceResult) -> Rendered:
    boxes = tuple(sorted((Box(label=str(item["label"]), score=float(item["score"]),
                              **{k: float(item["box"][k]) for k in ("xmin", "ymin", "xmax", "ymax")})
                          for item in _as_list(result.json)), key=lambda box: -box.score))
    rows = tuple((b.label, b.score, b.xmin, b.ymin, b.xmax, b.ymax) for b in boxes)
    text = "\n".join(f"{b.label}: {b.score:.4f} at ({b.xmin:g}, {b.ymin:g}) to ({b.xmax:g}, {b.ymax:g})"
                     for b in boxes) or "No objects detected."
    return Rendered(kind="boxes", text=text, boxes=boxes,
                    table=(("label", "score", "xmin", "ymin", "xmax", "ymax"), rows))


def sniff_image(data: bytes) -> str:
    """The image type the bytes show ('' when none we know)."""
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return next((kind for magic, kind in _IMAGE_MAGIC if data.startswith(magic)), "")


@tolerant
def render_image(result: InferenceResult) -> Rendered:
    """Image bytes as sent (hf-inference), or `data[0].b64_json` from OpenAI-style providers."""
    if result.media_type == "image" and result.body:
        return _media("image", result.body, _content_type(result))
    item = result.json["data"][0]
    if "b64_json" not in item:
        return fallback(result, "The provider answered with a link, which is never fetched; see the raw response.")
    data = base64.b64decode(item["b64_json"], validate=True)
    media_type = sniff_image(data)
    if not media_type:
        return fallback(result, "The provider's base64 data is not a known image format; see the raw response.")
    return _media("image", data, media_type)
