"""Run: build the request from the form, then follow `Playground.run()` and describe each step.

`run_inference` is a generator of `RunView`s: one when the request is sent, one per second while a
model loads (so the countdown moves), partial text while a stream arrives, and a last one with the
answer. Closing the generator stops the run; nothing more is sent after that.
"""
from __future__ import annotations

import json
import time
from dataclasses import dataclass, field, replace
from typing import Any, Iterator, Mapping

from backend import (Finished, InferenceRequest, InferenceResult, Playground, Sending,
                     Streaming, Waiting, user_message)
from backend.errors import InvalidInput
from backend.history import HistoryEntry, entry_from_run
from backend.polling import PollEvent
from backend.providers import JobUpdate, parse_mapping
from backend.redact import mask_token
from backend.snippets import build_all
from backend.tasks import Rendered, get_task, render

from .forms import FormValues, check_mask, inputs_for
from .media import write_media
from .status import (NOT_SENT, attempt_rows, finished_line, job_line, sending_line, streaming_line,
                     waiting_line)

__all__ = ["RunSetup", "RunView", "RunSteps", "run_inference", "build_request", "finished_view", "raw_view",
           "start_view", "polling_view", "sent_credential", "invalid_view", "STREAM_REFRESH"]

MAX_RAW_CHARS = 200_000   # a bigger body would make the JSON tree unusable in the browser
STREAM_REFRESH = 0.2      # seconds between partial-text updates while streaming


@dataclass(frozen=True)
class RunSetup:
    """Everything the visitor set up for one run, as plain values."""

    model_id: str
    task: str
    form: FormValues
    params: Mapping[str, Any] = field(default_factory=dict)
    extra_params: str = ""
    provider: str = ""
    mask_token: str = ""
    endpoint_url: str = ""   # a custom endpoint instead of the router
    providers: Any = None    # the model's provider mapping as the Hub gave it, when the page knows it
    reasoning_effort: str = ""  # chat: "" or "default" sends none; none, low, medium or high is sent


@dataclass(frozen=True)
class RunView:
    """One step of a run, for the page. `phase`: start | progress | done | invalid.

    `progress` views only move the status (and partial text); the others replace every panel.
    """

    phase: str
    status: str
    attempts: tuple[tuple[Any, ...], ...] = ()
    rendered: Rendered | None = None
    error: str = ""                 # user_message() text, already HTML-escaped
    raw: Any = None                 # the raw-JSON panel's value
    request: Mapping[str, Any] | None = None
    response_headers: Mapping[str, str] = field(default_factory=dict)
    snippets: Mapping[str, str] = field(default_factory=dict)
    media_path: str | None = None   # a generated image or audio file
    source_image: str | None = None  # the uploaded image, for drawing boxes on
    entry: HistoryEntry | None = None  # a finished run, as the session's history keeps it
    job: str = ""                   # the key of the provider job being followed (its Cancel's outcome)


def build_request(playground: Playground, setup: RunSetup) -> InferenceRequest:
    """The checked request for `setup`; raises InvalidInput before anything is sent."""
    spec = get_task(setup.task)
    check_mask(spec, setup.form, setup.mask_token)
    return playground.build_request(task=spec.name, model_id=setup.model_id, inputs=inputs_for(spec, setup.form),
                                    params=setup.params, extra_params=setup.extra_params, provider=setup.provider,
                                    endpoint_url=setup.endpoint_url,
                                    providers=None if setup.providers is None else parse_mapping(setup.providers,
                                                                                                 setup.model_id))


def sent_credential(playground: Playground, request: InferenceRequest, visitor_token: str | None,
                    endpoint_key: str | None) -> str | None:
    """The credential `Playground.run` sends with `request`; raises InvalidInput when none may go."""
    return playground.credential(request, visitor_token, endpoint_key).value


def _request_display(request: InferenceRequest, credential: str | None) -> dict[str, Any]:
    display = request.as_display(mask_token(credential))
    if not credential:
        display["headers"].pop("Authorization", None)  # nothing is sent, so show nothing
    return display


def start_view(request: InferenceRequest, credential: str | None, source_image: str | None = None) -> RunView:
    """The view as `request` goes out: shown as sent (credential masked), with its code."""
    return RunView(phase="start", status=sending_line(1), request=_request_display(request, credential),
                   snippets=build_all(request), source_image=source_image)


def raw_view(result: InferenceResult) -> Any:
    """The raw-JSON panel's value: the parsed body, or a description of a body that is not JSON."""
    body = result.provider_answer if result.provider_answer is not None else result.json
    if body is not None:
        text = json.dumps(body, ensure_ascii=False)
        if len(text) <= MAX_RAW_CHARS:
            return body
        return {"note": f"The body is {len(text):,} characters; only the start is shown.",
                "start": text[:MAX_RAW_CHARS // 10]}
    described: dict[str, Any] = {"content_type": result.content_type or "(none)", "bytes": len(result.body)}
    if result.media_type in ("text", "html"):
        described["text"] = result.text[:MAX_RAW_CHARS // 10]
    if result.truncated:
        described["truncated"] = True
    return described


def finished_view(task: str, result: InferenceResult, base: RunView) -> RunView:
    """The last view of a run (or of a stored answer): rendered answer or error, raw body, attempt log."""
    rendered = render(task, result)
    try:
        media = write_media(rendered.media, rendered.media_type) if rendered.media else None
    except ValueError as err:  # larger than the whole media folder may hold
        media, rendered = None, replace(rendered, kind="text", text=f"The answer is not shown: {err}.")
    return replace(base, phase="done", status=finished_line(result),
                   # One attempt needs no table; the log matters once there were retries.
                   attempts=_rows(result.attempts) if len(result.attempts) > 1 else (),
                   rendered=rendered, error=user_message(result.error) if result.error else "",
                   raw=raw_view(result), response_headers=dict(result.headers), media_path=media)


def _rows(log: tuple[Any, ...]) -> tuple[tuple[Any, ...], ...]:
    return tuple(tuple(row) for row in attempt_rows(log))


@dataclass
class _Stream:
    """Chunks received so far, and when the page was last shown them."""

    started: float = field(default_factory=time.monotonic)
    chunks: list[Any] = field(default_factory=list)
    first_after: float | None = None
    shown_at: float = 0.0

    def add(self, chunk: Any) -> bool:
        """Keep `chunk`; True when it is time to refresh the page."""
        now = time.monotonic()
        self.chunks.append(chunk)
        if self.first_after is None:
            self.first_after = now - self.started
        if now - self.shown_at < STREAM_REFRESH:
            return False
        self.shown_at = now
        return True


def polling_view(event: PollEvent) -> RunView | None:
    """The view for a Waiting or a retried Sending event (countdown, attempt log); None for others."""
    if isinstance(event, Waiting):
        return RunView("progress", waiting_line(event), attempts=_rows(event.log))
    if isinstance(event, Sending) and event.attempt > 1:
        return RunView("progress", sending_line(event.attempt))
    if isinstance(event, JobUpdate):
        return RunView("progress", job_line(event), job=event.key)
    return None


def _progress(setup: RunSetup, request: InferenceRequest, event: Any, stream: _Stream) -> RunView | None:
    """The view for a Waiting, Sending (retry) or Streaming event, or None when there is nothing new."""
    if (view := polling_view(event)) is not None:
        return view
    if isinstance(event, Streaming) and event.event.json is not None and stream.add(event.event.json):
        # The task's own renderer reads the chunks so far, so partial text matches the final text.
        partial = InferenceResult(request, status=200, content_type="text/event-stream", events=tuple(stream.chunks))
        return RunView("progress", streaming_line(len(stream.chunks), stream.first_after),
                       rendered=render(setup.task, partial))
    return None


@dataclass
class RunSteps:
    """Turns the polling events of one request into views; one per run, or per compare column."""

    setup: RunSetup
    request: InferenceRequest
    base: RunView
    stream: _Stream = field(default_factory=_Stream)

    def view(self, event: PollEvent) -> RunView | None:
        """The view for `event`, or None when it shows nothing new."""
        if not isinstance(event, Finished):
            return _progress(self.setup, self.request, event, self.stream)
        result, setup = event.result, self.setup
        entry = entry_from_run(self.request, result, inputs_for(get_task(setup.task), setup.form), setup.params,
                               extra_params=setup.extra_params, provider=setup.provider)
        return replace(finished_view(setup.task, result, self.base), entry=entry)


def invalid_view(error: InvalidInput) -> RunView:
    """The view of a run stopped before anything was sent: why, in the answer's place."""
    return RunView(phase="invalid", status=NOT_SENT, error=user_message(error))


def run_inference(playground: Playground, setup: RunSetup, visitor_token: str | None = None,
                  endpoint_key: str | None = None) -> Iterator[RunView]:
    """Run `setup` with the visitor's token (else the operator's), or with `endpoint_key` for a
    custom endpoint that is not Hugging Face's, yielding a view per step."""
    try:
        request = build_request(playground, setup)
        credential = sent_credential(playground, request, visitor_token, endpoint_key)
    except InvalidInput as err:
        yield invalid_view(err)
        return
    base = start_view(request, credential, setup.form.image)
    yield base
    steps = RunSteps(setup, request, base)
    for event in playground.run(request, token=visitor_token, endpoint_key=endpoint_key):
        if (view := steps.view(event)) is not None:
            yield view
