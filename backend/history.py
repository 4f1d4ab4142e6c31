"""Per-session run history, and its export/import as a JSON "demo script".

A `HistoryEntry` records one run as plain JSON (see `plain_json`): what was asked, what came back
(capped at `MAX_RESPONSE` with a `truncated` flag) and how long it took. There is no token field,
and every string is redacted on the way in. `History` is immutable: `add()` returns a new one,
newest first, within `max_entries` and `max_bytes`. `History.from_json` and
`HistoryEntry.from_dict` trust nothing: strict types, caps and versions, `InvalidInput` otherwise.
"""
from __future__ import annotations

import html
import http
import json
import time
from dataclasses import dataclass, field, fields, replace
from functools import cached_property
from typing import Any, Mapping, Sequence

from .entry_schema import MAX_RESPONSE, check_entry
from .errors import InvalidInput, PlaygroundError, user_message
from .plain_json import BYTES_KEY, bytes_from, describe_bytes, is_bytes_descriptor, json_size, loads_checked, plain
from .render import Rendered
from .result import InferenceRequest, InferenceResult
from .tasks import render

__all__ = ["HistoryEntry", "History", "entry_from_run", "answer_summary", "FORMAT", "FORMAT_VERSION",
           "ROW_HEADERS", "MAX_RESPONSE", "MAX_IMPORT_BYTES"]

FORMAT, FORMAT_VERSION = "hf-playground-demo-script", 1
MAX_IMPORT_BYTES = 5 * 1024 * 1024
ROW_HEADERS = ("time", "model", "task", "status", "latency")


@dataclass(frozen=True)
class HistoryEntry:
    """One run as stored: plain JSON values only, strings are plain text (escape them to show them).

    `inputs` holds the form's fields; an upload is a `{"$bytes": {sha256, size, type[, base64]}}`
    descriptor. `response` is the parsed JSON answer, a descriptor for media, or (when
    `truncated`) the first `MAX_RESPONSE` characters of the answer as text.
    """

    when: float
    model: str
    task: str
    provider: str = ""
    endpoint_url: str = ""
    inputs: Mapping[str, Any] = field(default_factory=dict)
    params: Mapping[str, Any] = field(default_factory=dict)
    extra_params: str = ""
    status: int | None = None
    error: str = ""
    latency: float | None = None       # the answering request's round trip, in seconds
    total_time: float | None = None    # including cold-start and rate-limit waits
    compute_time: float | None = None  # the server's x-compute-time
    response: Any = None
    content_type: str = ""
    truncated: bool = False
    # This deployment's provenance mark (`backend.provenance`): set only on runs this playground
    # finished; never part of the content (`to_dict`), so exports, links and imports never carry it.
    mark: str = field(default="", repr=False, compare=False)

    @property
    def imported(self) -> bool:
        """Not vouched for as a run of this playground (a demo script, a browser copy, a link)."""
        return not self.mark

    @property
    def ok(self) -> bool:
        return not self.error and self.status is not None and 200 <= self.status < 300

    @cached_property
    def summary(self) -> str:
        """The answer in a few words of plain text (worked out once: a history lists it on every change)."""
        return answer_summary(self)

    @cached_property
    def size(self) -> int:
        """Bytes this entry takes in an export; what the history's byte budget counts."""
        return json_size(self.to_dict())

    def to_dict(self) -> dict[str, Any]:
        """The entry's content as plain JSON (its provenance mark is not content)."""
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name != "mark"}

    @classmethod
    def from_dict(cls, data: Any, where: str = "entry") -> HistoryEntry:
        """Build an entry from stored JSON, checking every field; raises InvalidInput naming `where`."""
        return cls(**check_entry(data, where))

    def build_arguments(self) -> dict[str, Any]:
        """Keyword arguments for `Playground.build_request` that rerun this entry (a demo script's step).

        Raises InvalidInput when an upload was too large to keep and has to be chosen again.
        """
        return {"task": self.task, "inputs": {name: _replayable(name, value) for name, value in self.inputs.items()},
                "model_id": self.model, "params": dict(self.params), "extra_params": self.extra_params,
                "provider": self.provider, "endpoint_url": self.endpoint_url}

    def row(self) -> tuple[str, str, str, str, str]:
        """This entry as a table row, in `ROW_HEADERS` order."""
        status = _status_text(self) + (" · imported" if self.imported else "")
        return (time.strftime("%H:%M:%S", time.localtime(self.when)), self.model or self.endpoint_url,
                self.task, status, _wall_clock(self))

    def as_result(self) -> InferenceResult:
        """The stored answer as a result the renderers can show, without calling the API."""
        request = InferenceRequest("POST", self.endpoint_url, token_kind="none", model_id=self.model,
                                   task=self.task, is_endpoint=bool(self.endpoint_url))
        streamed = self.content_type.startswith("text/event-stream") and isinstance(self.response, list)
        return InferenceResult(request, status=self.status, elapsed=self.latency or 0.0,
                               content_type=self.content_type or "application/json", body=_body_of(self),
                               truncated=self.truncated, error=PlaygroundError(self.error) if self.error else None,
                               events=tuple(self.response) if streamed else ())


def answer_summary(entry: HistoryEntry) -> str:
    """What a run answered, as a person would say it: the assistant's text, the top label and its
    score, the generated text, "image (png, 1,234 bytes)"; the error when it failed. Plain text, one line."""
    if entry.error:
        return _one_line(entry.error)
    if is_bytes_descriptor(entry.response):
        about = entry.response[BYTES_KEY]
        return _media_words(str(about.get("type") or ""), about.get("size"))
    rendered = render(entry.task, entry.as_result())
    said = _RENDERED_WORDS.get(rendered.kind, _text_words)(rendered)
    if said:
        return _one_line(said)
    if entry.truncated and isinstance(entry.response, str):
        return "an answer too long to keep whole"
    return _one_line(entry.response if isinstance(entry.response, str)
                     else json.dumps(entry.response, ensure_ascii=False)[:2_000])


def _one_line(text: str, limit: int = 500) -> str:
    return " ".join(text[:limit * 4].split())[:limit]


def _media_words(media_type: str, size: Any) -> str:
    kind, _, subtype = media_type.partition("/")
    word = kind if kind in ("image", "audio", "video") else "file"
    about = [subtype.split(";")[0]] if subtype else []
    if type(size) is int and size > 0:
        about.append(f"{size:,} bytes")
    return f"{word} ({', '.join(about)})" if about else word


def _text_words(rendered: Rendered) -> str:
    return rendered.text if rendered.kind != "json" else ""  # a fallback's text is a note about the answer


_RENDERED_WORDS = {
    "labels": lambda r: f"{r.labels[0][0]} {r.labels[0][1]:.4f}" if r.labels else "",  # the top label
    "entities": lambda r: ", ".join(f"{e.word} ({e.label})" for e in r.entities) or "no entities found",
    "boxes": lambda r: ", ".join(f"{b.label} {b.score:.2f}" for b in r.boxes) or "no objects detected",
    "masks": lambda r: "masks: " + ", ".join(label for label, _score, _png in r.masks) if r.masks else "",
    "embedding": lambda r: f"embedding of {r.summary.get('dimensions')} dimensions, shape {r.summary.get('shape')}",
    "table": lambda r: r.text.split("\n", 1)[0],
    **dict.fromkeys(("image", "audio", "video"),
                    lambda r: _media_words(r.media_type or f"{r.kind}/", len(r.media or b""))),
}


def _replayable(name: str, value: Any) -> Any:
    if not is_bytes_descriptor(value):
        return value
    data = bytes_from(value)
    if data is None:
        raise InvalidInput(f"The {name} was too large to keep in the history; upload it again to rerun.")
    return data


def _status_text(entry: HistoryEntry) -> str:
    if entry.status is None:
        return "no answer"
    try:
        return f"{entry.status} {http.HTTPStatus(entry.status).phrase}"
    except ValueError:
        return str(entry.status)


def _body_of(entry: HistoryEntry) -> bytes:
    if is_bytes_descriptor(entry.response):
        return bytes_from(entry.response) or b""
    if isinstance(entry.response, str) and (entry.truncated or not entry.content_type.endswith("json")):
        return entry.response.encode("utf-8")
    return json.dumps(entry.response).encode("utf-8")


def _stored_response(result: InferenceResult) -> tuple[Any, bool]:
    """The answer to keep and whether it was cut; media keeps a descriptor, oversized JSON its start."""
    if result.media_type in ("image", "audio", "video", "binary"):
        return describe_bytes(result.body, result.content_type), result.truncated
    value = result.json if result.media_type in ("json", "sse") else None
    if value is None:
        value = result.text
    kept, cut = plain(value)  # strings come back within MAX_RESPONSE already
    if isinstance(kept, str) or json_size(kept) <= MAX_RESPONSE:
        return kept, cut or result.truncated
    return json.dumps(kept)[:MAX_RESPONSE], True


def entry_from_run(request: InferenceRequest, result: InferenceResult, inputs: Mapping[str, Any],
                   params: Mapping[str, Any] | None = None, *, extra_params: str = "", provider: str = "",
                   when: float | None = None) -> HistoryEntry:
    """Record one finished run of `request`; `inputs`/`params` as the form sent them (bytes are fine)."""
    kept_inputs, inputs_cut = plain(dict(inputs))
    kept_params, params_cut = plain(dict(params or {}))
    extra, extra_cut = plain(extra_params)
    response, response_cut = _stored_response(result)
    attempts = result.attempts
    return HistoryEntry(
        when=time.time() if when is None else when, model=request.model_id, task=request.task,
        provider=request.provider or provider or result.provider,
        endpoint_url=request.url if request.is_endpoint else "",
        inputs=kept_inputs, params=kept_params, extra_params=extra, status=result.status,
        error=html.unescape(user_message(result.error)) if result.error else "",
        latency=round(result.elapsed, 3),
        total_time=round(result.total, 3) if result.total is not None else attempts[-1].at if attempts
        else round(result.elapsed, 3),
        compute_time=_seconds(result.compute_time), response=response, content_type=result.content_type,
        truncated=inputs_cut or params_cut or extra_cut or response_cut)


def _wall_clock(entry: HistoryEntry) -> str:
    """The run's time from send to answer, waits and jobs included (the answering request's alone when unknown)."""
    seconds = entry.total_time if entry.total_time is not None else entry.latency
    return "" if seconds is None else f"{seconds:.2f} s"


def _seconds(header: str) -> float | None:
    try:
        value = float(header)
    except ValueError:
        return None
    return value if 0 <= value < 1e6 else None


@dataclass(frozen=True)
class History:
    """A session's runs, newest first; never mutated (store it in `gr.State`, replace it on each run)."""

    entries: tuple[HistoryEntry, ...] = ()
    max_entries: int = 50
    max_bytes: int = 8 * 1024 * 1024

    def __len__(self) -> int:
        return len(self.entries)

    def add(self, entry: HistoryEntry) -> History:
        """A new history with `entry` first; the oldest entries go once a cap is reached."""
        return replace(self, entries=self._within_caps((entry, *self.entries)))

    def _within_caps(self, entries: Sequence[HistoryEntry]) -> tuple[HistoryEntry, ...]:
        kept, used = [], 0
        for entry in entries[:self.max_entries]:
            used += entry.size
            if used > self.max_bytes:
                break
            kept.append(entry)
        return tuple(kept)

    def rows(self) -> list[tuple[str, str, str, str, str]]:
        """One row per entry for the history table, columns as in `ROW_HEADERS`."""
        return [entry.row() for entry in self.entries]

    def to_json(self) -> str:
        """The history as a demo script: a versioned JSON document `from_json` reads back."""
        document = {"format": FORMAT, "version": FORMAT_VERSION, "entries": [e.to_dict() for e in self.entries]}
        return json.dumps(document, indent=1)

    @classmethod
    def from_json(cls, text: str | bytes, max_entries: int = 50, max_bytes: int = 8 * 1024 * 1024) -> History:
        """Read a demo script; raises InvalidInput with the reason for anything that is not one."""
        document = loads_checked(text, MAX_IMPORT_BYTES, "demo script")
        if not isinstance(document, dict) or document.get("format") != FORMAT:
            raise InvalidInput("This file is not a playground demo script (its 'format' field is missing or wrong).")
        version = document.get("version")
        if version != FORMAT_VERSION or isinstance(version, bool):
            raise InvalidInput(f"This demo script has version {json.dumps(version)[:20]}; "
                               f"this playground reads version {FORMAT_VERSION}.")
        entries = document.get("entries")
        if not isinstance(entries, list) or len(entries) > max_entries:
            raise InvalidInput(f"A demo script holds a list of at most {max_entries} entries.")
        history = cls((), max_entries, max_bytes)
        return replace(history, entries=history._within_caps(
            [HistoryEntry.from_dict(item, f"entry {n}") for n, item in enumerate(entries, 1)]))
