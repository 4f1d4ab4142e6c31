"""A stored run shown again without calling the API: the form it came from and the view of its answer.

Used when a history row is clicked and when a frozen link is opened. The answer goes through the
same `finished_view` as a live run, so a replayed answer looks exactly like the original; the
request panel and its code are rebuilt from the stored arguments, so nothing is sent to show them.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, replace
from typing import Any, Mapping

from backend import InferenceRequest, Playground, PlaygroundError
from backend.history import HistoryEntry
from backend.plain_json import BYTES_KEY, bytes_from, is_bytes_descriptor
from backend.snippets import build_all
from backend.tasks import get_task

from ..markup import inert
from .forms import EXAMPLE_MEDIA, FormValues, values_from_example
from .media import write_media
from .run import RunView, finished_view

__all__ = ["Replay", "replay", "form_of", "stored_line", "describe_inputs", "shorten", "FROM_HISTORY", "FROZEN"]

FROM_HISTORY = "↺ **From history, not re-run**"
FROZEN = "❄ **Frozen result, not re-run**"


@dataclass(frozen=True)
class Replay:
    """What the page shows for a stored run: its form values and the view of its answer."""

    form: FormValues
    view: RunView


def shorten(text: str, limit: int = 80) -> str:
    """`text` on one line, cut to `limit` characters with an ellipsis."""
    line = " ".join(text.split())
    return line if len(line) <= limit else line[:limit - 1] + "…"


def describe_inputs(inputs: Mapping[str, Any], limit: int = 80) -> str:
    """The gist of a run's inputs as plain text: the text it asked about, or what was uploaded."""
    for key in ("text", "question", "source_sentence"):
        if isinstance(inputs.get(key), str) and inputs[key].strip():
            return shorten(inputs[key], limit)
    messages = inputs.get("messages")
    if isinstance(messages, list):
        said = [m.get("content") for m in messages if isinstance(m, dict) and m.get("role") == "user"]
        if said and isinstance(said[-1], str):
            return shorten(said[-1], limit)
    for kind in EXAMPLE_MEDIA:
        if is_bytes_descriptor(inputs.get(kind)):
            return f"{kind} upload, {inputs[kind][BYTES_KEY].get('size', 0):,} bytes"
    return ""


def _upload(inputs: Mapping[str, Any], kind: str) -> str | None:
    """A stored upload written back to a file for the form, or None when only its digest was kept."""
    value = inputs.get(kind)
    data = bytes_from(value) if is_bytes_descriptor(value) else None
    if not data:
        return None
    media_type = str(inputs.get(f"{kind}_type") or value[BYTES_KEY].get("type") or "")
    return write_media(data, media_type)


def form_of(entry: HistoryEntry) -> FormValues:
    """The form as it was when `entry` ran; stored inputs use the same names as task examples."""
    spec = get_task(entry.task)
    values = values_from_example(spec, entry.inputs)
    if spec.input_kind in EXAMPLE_MEDIA:  # not the bundled sample: the run's own upload, if kept
        values = replace(values, **{spec.input_kind: _upload(entry.inputs, spec.input_kind)})
    return values


def stored_line(entry: HistoryEntry, label: str) -> str:
    """`❄ Frozen result, not re-run · org/model · 200 OK · 0.42 s · compute 0.016 s · recorded …`."""
    _time, model, _task, status, latency = entry.row()
    facts = [label, f"**{inert(model)}**", inert(status)]
    if latency:
        facts.append(inert(latency))
    if entry.compute_time is not None:
        facts.append(f"compute {entry.compute_time:g} s")
    if entry.provider:
        facts.append("provider " + inert(entry.provider))
    facts.append("recorded " + time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(entry.when)))
    return " · ".join(facts)


def _request_of(playground: Playground, entry: HistoryEntry) -> InferenceRequest | None:
    """The request `entry` sent, rebuilt for the request panel and its code; None when it cannot be
    (an upload too large to keep) or should not be: checking a custom endpoint may resolve its host,
    and a link must never make the server look anything up."""
    if entry.endpoint_url:
        return None
    try:
        return playground.build_request(**entry.build_arguments())
    except PlaygroundError:
        return None


def replay(playground: Playground, entry: HistoryEntry, label: str) -> Replay:
    """The form and answer view of a stored run, with `label` leading its status line."""
    form = form_of(entry)
    request = _request_of(playground, entry)
    base = RunView("start", "", request=request.as_display() if request else None,
                   snippets=build_all(request) if request else {}, source_image=form.image)
    view = finished_view(entry.task, entry.as_result(), base)
    return Replay(form, replace(view, status=stored_line(entry, label)))
