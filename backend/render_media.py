"""Renderers for the tasks that answer with files or with structured answers about an input: video,
speech and separated audio, segmentation masks, answers about an image, a document or a table, and
tabular predictions. Like `render.py`, they never raise and never fetch anything.
"""
from __future__ import annotations

import base64
import binascii
from typing import Any, Mapping

from .render import Rendered, fallback, media, sniff_image, tolerant
from .result import InferenceResult

__all__ = ["render_video", "render_audio", "render_masks", "render_answers", "render_table_answer",
           "render_tabular", "render_caption"]


def _type(result: InferenceResult) -> str:
    return result.content_type.split(";")[0].strip().lower()


@tolerant
def render_video(result: InferenceResult) -> Rendered:
    if result.media_type == "video" and result.body:
        return media("video", result.body, _type(result))
    return fallback(result, "The answer is not a video; see the raw response.")


@tolerant
def render_audio(result: InferenceResult) -> Rendered:
    """Speech as the file sent, or audio-to-audio's `[{label, blob (base64), content-type}]` (the first)."""
    if result.media_type == "audio" and result.body:
        return media("audio", result.body, _type(result))
    items = result.json
    first = items[0] if isinstance(items, list) else items
    data = base64.b64decode(first["blob"], validate=True)
    if not data:
        raise ValueError("an empty blob")
    kind = str(first.get("content-type") or first.get("content_type") or "audio/flac")
    labels = ", ".join(str(item.get("label", "")) for item in items) if isinstance(items, list) else ""
    rendered = media("audio", data, kind)
    return Rendered(kind="audio", text=rendered.text + (f" · {labels}" if labels else ""), media=data,
                    media_type=kind)


def _mask(item: Mapping[str, Any]) -> tuple[str, float | None, bytes]:
    picture = base64.b64decode(item["mask"], validate=True)
    if not sniff_image(picture):
        raise ValueError("a mask that is not an image")
    score = item.get("score")
    return str(item["label"]), None if score is None else float(score), picture


def _sent_image(result: InferenceResult) -> bytes | None:
    """The image the request carried: the raw upload, or the base64 `inputs` sent beside parameters."""
    request = result.request
    if request.data is not None:
        return request.data if sniff_image(request.data) else None
    inputs = request.json_body.get("inputs") if isinstance(request.json_body, Mapping) else None
    try:
        picture = base64.b64decode(inputs, validate=True) if isinstance(inputs, str) else b""
    except (binascii.Error, ValueError):
        return None
    return picture if sniff_image(picture) else None


@tolerant
def render_masks(result: InferenceResult) -> Rendered:
    """`[{label, score, mask (base64 PNG)}]`: each mask over the image sent, with its label."""
    if not isinstance(result.json, list):
        raise TypeError("not a list of segments")
    segments = tuple(_mask(item) for item in result.json)
    rows = tuple((label, score) for label, score, _ in segments)
    text = f"{len(segments)} segment(s): " + ", ".join(r[0] for r in rows) if segments else "No segments found."
    return Rendered(kind="masks", text=text, masks=segments, table=(("label", "score"), rows),
                    source_image=_sent_image(result))


@tolerant
def render_answers(result: InferenceResult) -> Rendered:
    """Answers about an image or a document: `[{answer, score, ...}]`, best first, as a chart."""
    body = result.json
    items = body if isinstance(body, list) else [body]
    labels = tuple(sorted(((str(item["answer"]), float(item.get("score") or 0.0)) for item in items),
                          key=lambda pair: -pair[1]))
    return Rendered(kind="labels", text=labels[0][0], labels=labels)


@tolerant
def render_table_answer(result: InferenceResult) -> Rendered:
    """`{answer, coordinates, cells, aggregator}`: the answer, and how the model read the table."""
    body = result.json
    summary: dict[str, Any] = {"aggregator": body.get("aggregator") or "NONE", "cells": ", ".join(
        str(cell) for cell in body.get("cells") or [])}
    return Rendered(kind="text", text=str(body["answer"]), summary=summary)


def _sent_table(result: InferenceResult, length: int) -> dict[str, list[Any]]:
    """The table the request sent, when it has one row per prediction (else none: the rows are numbered)."""
    body = result.request.json_body
    table = body.get("table") if isinstance(body, Mapping) else None
    if not isinstance(table, Mapping) or not all(isinstance(cells, list) and len(cells) == length
                                                 for cells in table.values()):
        return {}
    return {str(name): cells for name, cells in table.items()}


@tolerant
def render_tabular(result: InferenceResult) -> Rendered:
    """One prediction per row of the table sent, shown beside that row."""
    predictions = result.json
    if not isinstance(predictions, list) or not all(isinstance(p, (str, int, float)) for p in predictions):
        raise TypeError("not a list of predictions")
    sent = _sent_table(result, len(predictions))
    rows = tuple((n + 1, *(cells[n] for cells in sent.values()), prediction)
                 for n, prediction in enumerate(predictions))
    text = "\n".join(f"row {row[0]}: {row[-1]}" for row in rows) or "No predictions returned."
    return Rendered(kind="table", text=text, table=(("row", *sent, "prediction"), rows))


@tolerant
def render_caption(result: InferenceResult) -> Rendered:
    """Image to text: `[{generated_text}]` or `{generated_text}`."""
    body = result.json
    first = body[0] if isinstance(body, list) else body
    return Rendered(kind="text", text=str(first["generated_text"]))
