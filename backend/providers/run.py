"""One provider run as a generator of events: submit (cold starts and 429s waited out as for any route),
follow the job if the answer started one, fetch the media it points to, and finish with one result.

Job polling backs off from 0.5 s to 3 s while the job is queued and stays at 1 s once it runs, so a
finished job is seen within a second; a status that answers 429 or 5xx is waited out. The run's total
deadline bounds it all. Closing the generator sends the provider's cancel call once, where one exists.
"""
from __future__ import annotations

import base64
import json
import secrets
import threading
import time
from dataclasses import dataclass, replace
from typing import Any, Callable, Iterator

from ..client import Transport
from ..errors import BadResponse, ModelLoading, PlaygroundError, RateLimited, Timeout, UpstreamError
from ..polling import Finished, PollEvent, poll
from ..result import InferenceRequest, InferenceResult
from .answers import MEDIA_TASKS, read_answer
from .jobs import CANCELLED, DONE, FAILED, QUEUED, Job, read_status, start_job
from .media import MediaFetcher, sniff_media_type

__all__ = ["JobUpdate", "CancelOutcome", "CancelLedger", "run_provider", "FIRST_POLL", "QUEUED_POLL_CAP",
           "RUNNING_POLL"]

FIRST_POLL, QUEUED_POLL_CAP, RUNNING_POLL = 0.5, 3.0, 1.0
CANCEL_TIMEOUT = 5.0
_TRANSIENT = (RateLimited, ModelLoading)


@dataclass(frozen=True)
class JobUpdate:
    """A provider job between polls: 'in fal-ai's queue, position 3 · 12 s', 'running · 41 s · step 18/30'."""

    provider: str
    state: str                   # queued | running | downloading
    elapsed: float               # since the job was submitted
    position: int | None = None
    progress: str = ""
    next_poll_in: float = 0.0
    deadline_left: float = 0.0
    polls: int = 0
    can_cancel: bool = False
    key: str = ""                # where the outcome of a Cancel of this job is posted (CancelLedger)


@dataclass(frozen=True)
class CancelOutcome:
    """What became of a job closed before it finished: whether a cancel call exists and went out, and
    the provider's answer to it (`status` None: no answer came)."""

    provider: str
    sent: bool                   # False: the provider has no cancel call; the job may finish and be billed
    status: int | None = None
    said: str = ""               # the provider's own words, when it gave any

    @property
    def confirmed(self) -> bool:
        return self.sent and self.status is not None and 200 <= self.status < 300


class CancelLedger:
    """Outcomes of cancelled jobs by job key, for whoever pressed Cancel to read (the run's worker sends
    the cancel as it closes; the page's Cancel handler waits here for its answer). Keys are random and
    only ever held by the session whose job it is; entries go after `ttl` seconds."""

    def __init__(self, ttl: float = 600.0, clock: Callable[[], float] = time.monotonic) -> None:
        self._ttl, self._clock = ttl, clock
        self._lock = threading.Lock()
        self._entries: dict[str, tuple[float, threading.Event, list[CancelOutcome]]] = {}

    def _entry(self, key: str) -> tuple[float, threading.Event, list[CancelOutcome]]:
        now = self._clock()
        with self._lock:
            for old in [k for k, (at, _, _) in self._entries.items() if now - at > self._ttl]:
                del self._entries[old]
            return self._entries.setdefault(key, (now, threading.Event(), []))

    def post(self, key: str, outcome: CancelOutcome) -> None:
        _, done, outcomes = self._entry(key)
        outcomes.append(outcome)
        done.set()

    def wait(self, key: str, timeout: float) -> CancelOutcome | None:
        """The outcome for `key`, waiting up to `timeout` seconds for it; None if none came."""
        _, done, outcomes = self._entry(key)
        done.wait(timeout)
        return outcomes[0] if outcomes else None


class _Clock:
    def __init__(self, clock: Callable[[], float], sleep: Callable[[float], None], deadline: float) -> None:
        self.now, self.sleep, self.start, self.deadline = clock, sleep, clock(), deadline

    @property
    def elapsed(self) -> float:
        return self.now() - self.start

    @property
    def left(self) -> float:
        return self.deadline - self.elapsed


def run_provider(transport: Transport, fetcher: MediaFetcher, request: InferenceRequest, token: str | None, *,
                 deadline: float | None = None, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep, tick: float = 1.0,
                 cancels: CancelLedger | None = None) -> Iterator[PollEvent | JobUpdate]:
    """Run `request` (built by `provider_request`) to its rendered-ready result; the outcome of a job
    closed mid-way is posted to `cancels` under its updates' `key`."""
    timer = _Clock(clock, sleep, transport.settings.poll_deadline if deadline is None else deadline)
    submitted = None
    events = poll(transport, request, token, deadline=timer.deadline, clock=clock, sleep=sleep, tick=tick)
    try:
        for event in events:
            if isinstance(event, Finished):
                submitted = event.result
            else:
                yield event
    finally:
        events.close()
    assert submitted is not None
    if not submitted.ok or request.stream or submitted.media_type != "json":
        yield Finished(submitted)  # errors, streams, and answers that already are the file (audio bytes)
        return
    answer_result = submitted
    job = start_job(request, submitted.json)
    if job is not None:
        answer_result = yield from _follow(transport, job, token, timer, tick, cancels)
        if not answer_result.ok:
            yield Finished(replace(answer_result, request=request, attempts=submitted.attempts,
                                   total=timer.elapsed))
            return
    yield from _finish(fetcher, request, submitted, answer_result, timer)


def _follow(transport: Transport, job: Job, token: str | None, timer: _Clock, tick: float,
            cancels: CancelLedger | None = None
            ) -> Iterator[JobUpdate]:  # generator returning the last status (or result) InferenceResult
    wait, polls, state, key = FIRST_POLL, 0, QUEUED, secrets.token_urlsafe(12)
    position, progress = None, ""
    finished = False
    try:
        while True:
            if wait > timer.left:
                finished = True
                if job.cancel is not None:
                    _cancel(transport, job, token)  # nobody will collect it: stop the provider's billing
                return InferenceResult(job.status, error=Timeout(
                    f"the job was still {state} when the {timer.deadline:.0f} s limit came", job_id=job.job_id))
            until = timer.now() + wait
            while (left := until - timer.now()) > 0:
                yield JobUpdate(job.provider, state, timer.elapsed, position, progress, left, timer.left, polls,
                                job.cancel is not None, key)
                timer.sleep(min(tick, left))
            result = transport.send(job.status, token)
            polls += 1
            if isinstance(result.error, _TRANSIENT) or isinstance(result.error, UpstreamError) \
                    and (result.status or 0) >= 500:
                wait = min(max(wait * 2, getattr(result.error, "retry_after", None) or 0), 10.0)
                continue
            if not result.ok:
                finished = True
                return result
            status = read_status(job, result.json)
            state, position, progress = status.state, status.position, status.progress or progress
            if state == DONE:
                finished = True
                return transport.send(job.result, token) if job.result is not None else result
            if state in (FAILED, CANCELLED):
                finished = True
                return replace(result, error=UpstreamError(
                    f"{job.provider}'s job {'failed' if state == FAILED else 'was cancelled'}", status=200,
                    server_message=status.reason), provider_answer=result.json)
            wait = min(wait * 1.5, QUEUED_POLL_CAP) if state == QUEUED else RUNNING_POLL
    finally:
        if not finished:
            # Closed mid-job (Cancel, or the deadline of whoever follows us): stop the provider's billing
            # where it has a cancel call, and say what came of it.
            outcome = _cancel(transport, job, token) if job.cancel is not None else CancelOutcome(job.provider, False)
            if cancels is not None:
                cancels.post(key, outcome)


def _cancel(transport: Transport, job: Job, token: str | None) -> CancelOutcome:
    assert job.cancel is not None
    try:
        result = transport.send(job.cancel, token, read_timeout=CANCEL_TIMEOUT)
    except Exception:  # noqa: BLE001 - a failed cancel must not turn a Cancel into a crash
        return CancelOutcome(job.provider, True)
    said = getattr(result.error, "server_message", "") if result.error is not None else ""
    if not said and isinstance(result.json, dict):
        said = str(result.json.get("status") or result.json.get("detail") or "")[:200]
    return CancelOutcome(job.provider, True, result.status, said)


def _finish(fetcher: MediaFetcher, request: InferenceRequest, submitted: InferenceResult,
            answer_result: InferenceResult, timer: _Clock) -> Iterator[PollEvent | JobUpdate]:
    body = answer_result.json
    answer = read_answer(request.provider, request.task, body)
    done = replace(answer_result, request=request, attempts=submitted.attempts, provider_answer=body,
                   status=answer_result.status or submitted.status)
    if request.task not in MEDIA_TASKS:
        encoded = json.dumps(answer.json, ensure_ascii=False).encode()
        yield Finished(replace(done, body=encoded, content_type="application/json", total=timer.elapsed))
        return
    if not answer.url:
        yield Finished(replace(done, total=timer.elapsed, error=BadResponse(
            f"{request.provider}'s answer holds no {MEDIA_TASKS[request.task]} link; see the raw response")))
        return
    yield JobUpdate(request.provider, "downloading", timer.elapsed, deadline_left=timer.left)
    shown_url = answer.url if not answer.url.startswith("data:") else answer.url[:40] + "…"
    try:
        media = fetcher.fetch(answer.url, MEDIA_TASKS[request.task])
    except PlaygroundError as err:
        err.details.setdefault("media_url", shown_url[:300])
        yield Finished(replace(done, total=timer.elapsed, media_url=shown_url, error=err))
        return
    media_type = sniff_media_type(media.data) or media.media_type
    data, content_type = media.data, media_type
    if request.task == "image-segmentation":  # fal answers one mask image: shape it as hf-inference's list
        data = json.dumps([{"label": "mask", "score": None,
                            "mask": base64.b64encode(media.data).decode()}]).encode()
        content_type = "application/json"
    yield Finished(replace(done, body=data, content_type=content_type, media_url=shown_url,
                           total=timer.elapsed))
