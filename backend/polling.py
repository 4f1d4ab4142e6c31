"""Cold starts and retries, as a generator of events the UI can show and Cancel can close.

    503 + estimated_time      wait clamp(estimated_time, 1, 10) s, retry
    503 from an endpoint      back off once, then hold one request with `X-Scale-Up-Timeout`
    429                       honour Retry-After / RateLimit up to the cap; past it, stop and say when
    refused (endpoint)        back off 1, 2, 4, 8, 10 s
A total deadline bounds everything; waits tick once a second so the countdown is honest, and
closing the generator sends nothing more. Clock and sleep are injected so tests never wait.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, replace
from typing import Callable, Iterator, Union

from .client import Transport
from .errors import ConnectionFailed, ModelLoading, PlaygroundError, RateLimited
from .result import Attempt, InferenceRequest, InferenceResult
from .sse import SSEEvent

__all__ = ["Sending", "Waiting", "Streaming", "Finished", "PollEvent", "poll", "plan_retry", "Plan"]

MIN_WAIT, MAX_WAIT = 1.0, 10.0
MAX_RATE_LIMIT_RETRIES = 2   # each retry of an inference POST spends quota
SCALE_UP_HOLD = 60.0         # how long one held request may wait for an endpoint to wake


@dataclass(frozen=True)
class Sending:
    attempt: int
    elapsed: float


@dataclass(frozen=True)
class Waiting:
    """Between attempts: shown as 'attempt N, next try in X s, about Y s left by the server's estimate'."""

    attempt: int
    next_try_in: float
    reason: str
    estimated_time: float | None
    deadline_left: float
    log: tuple[Attempt, ...]


@dataclass(frozen=True)
class Streaming:
    event: SSEEvent


@dataclass(frozen=True)
class Finished:
    result: InferenceResult


PollEvent = Union[Sending, Waiting, Streaming, Finished]


@dataclass(frozen=True)
class Plan:
    """What to do after an attempt: wait `wait` s and retry (holding the next request `hold` s), or stop."""

    wait: float | None
    reason: str
    hold: float | None = None


def plan_retry(result: InferenceResult, attempt: int, rate_limited_so_far: int, is_endpoint: bool,
               retry_cap: float) -> Plan:
    """Decide the next step from one attempt's result. Pure: no clock, no I/O."""
    err = result.error
    if result.ok or err is None:
        return Plan(None, "done")
    if isinstance(err, ModelLoading):
        if err.estimated_time is not None:
            return Plan(_clamp(err.estimated_time), f"model loading (server estimates {err.estimated_time:.0f} s)")
        if is_endpoint:
            return Plan(_backoff(attempt), "endpoint scaling up from zero", hold=SCALE_UP_HOLD)
        return Plan(_backoff(attempt), "service unavailable (503)")
    if isinstance(err, RateLimited):
        wait = err.retry_after if err.retry_after is not None else _backoff(attempt)
        if wait > retry_cap or rate_limited_so_far >= MAX_RATE_LIMIT_RETRIES:
            return Plan(None, f"rate limited; retry in {wait:.0f} s")
        return Plan(max(wait, MIN_WAIT), "rate limited (429)")
    if isinstance(err, ConnectionFailed) and err.details.get("refused") and is_endpoint:
        return Plan(_backoff(attempt), "endpoint not accepting connections yet")
    return Plan(None, "error")


def _clamp(seconds: float) -> float:
    return min(max(seconds, MIN_WAIT), MAX_WAIT)


def _backoff(attempt: int) -> float:
    return min(MIN_WAIT * 2 ** (attempt - 1), MAX_WAIT)


def poll(transport: Transport, request: InferenceRequest, token: str | None, *,
         deadline: float | None = None, clock: Callable[[], float] = time.monotonic,
         sleep: Callable[[float], None] = time.sleep, tick: float = 1.0) -> Iterator[PollEvent]:
    """Send `request`, retrying cold starts and rate limits until an answer or the deadline.

    Yields Sending before each attempt, Streaming for each SSE event, Waiting about once a
    second between attempts, and exactly one Finished whose result carries the attempt log.
    """
    settings = transport.settings
    deadline = settings.poll_deadline if deadline is None else deadline
    start = clock()
    log: list[Attempt] = []
    rate_limited, hold = 0, None
    while True:
        attempt = len(log) + 1
        yield Sending(attempt, clock() - start)
        result = yield from _attempt(transport, request, token, hold)
        plan = plan_retry(result, attempt, rate_limited, request.is_endpoint, settings.retry_cap)
        left = deadline - (clock() - start)
        if plan.wait is not None and plan.wait > left:
            plan = Plan(None, f"gave up: the {deadline:.0f} s limit would pass")
        log.append(Attempt(attempt, round(clock() - start, 3), result.status, plan.reason, plan.wait))
        if plan.wait is None:
            yield Finished(replace(result, attempts=tuple(log), total=clock() - start,
                                   error=_final_error(result.error, plan, deadline)))
            return
        rate_limited += isinstance(result.error, RateLimited)
        hold = min(plan.hold, left - plan.wait) if plan.hold else None
        yield from _wait(plan, attempt, result, deadline, start, tuple(log), clock, sleep, tick)


def _attempt(transport: Transport, request: InferenceRequest, token: str | None, hold: float | None
             ) -> Iterator[Streaming]:
    if hold:
        request = replace(request, headers={**request.headers, "X-Scale-Up-Timeout": str(int(hold))})
    read_timeout = hold + transport.settings.connect_timeout if hold else None
    for item in transport.send_iter(request, token, read_timeout):
        if isinstance(item, SSEEvent):
            yield Streaming(item)
        else:
            return item
    raise AssertionError("send_iter ended without a result")  # pragma: no cover


def _wait(plan: Plan, attempt: int, result: InferenceResult, deadline: float, start: float,
          log: tuple[Attempt, ...], clock: Callable[[], float], sleep: Callable[[float], None],
          tick: float) -> Iterator[Waiting]:
    estimated = getattr(result.error, "estimated_time", None)
    until = clock() + plan.wait
    while (left := until - clock()) > 0:
        yield Waiting(attempt, left, plan.reason, estimated, deadline - (clock() - start), log)
        sleep(min(tick, left))


def _final_error(error: PlaygroundError | None, plan: Plan, deadline: float) -> PlaygroundError | None:
    if error is not None and plan.reason.startswith("gave up"):
        error.details["gave_up_after"] = deadline
    return error
