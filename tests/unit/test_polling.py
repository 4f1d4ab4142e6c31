"""The cold-start / rate-limit loop with an injected clock: bounds, waits, cancellation (T11, T12)."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Callable, Iterator

import pytest

from backend.errors import ConnectionFailed, ModelLoading, RateLimited, error_for_status
from backend.polling import Finished, Sending, Waiting, plan_retry, poll
from backend.result import InferenceRequest, InferenceResult
from backend.settings import Settings

ROUTER = "https://router.huggingface.co"
MODEL_REQUEST = InferenceRequest("POST", f"{ROUTER}/hf-inference/models/org/m", json_body={"inputs": "x"})
ENDPOINT_REQUEST = InferenceRequest("POST", "https://x.endpoints.huggingface.cloud", json_body={"inputs": "x"},
                                    is_endpoint=True)


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        assert seconds > 0, "never a tight loop"
        self.sleeps.append(seconds)
        self.now += seconds


def answer(request: InferenceRequest, status: int, body: object = None, headers: dict | None = None) -> InferenceResult:
    raw = json.dumps(body if body is not None else [[{"label": "POSITIVE", "score": 0.99}]]).encode()
    error = None if status < 400 else error_for_status(
        status, body=raw, content_type="application/json", headers=headers or {},
        retry_after=float(headers["Retry-After"]) if headers and "Retry-After" in headers else None)
    return InferenceResult(request, status=status, content_type="application/json", body=raw, error=error)


@dataclass
class FakeTransport:
    """Answers from a script: a function of (request, clock) → result; records each send."""

    script: Callable[[InferenceRequest, float], InferenceResult]
    clock: FakeClock
    settings: Settings = field(default_factory=Settings)
    sent: list[InferenceRequest] = field(default_factory=list)

    def send_iter(self, request: InferenceRequest, token: str | None, read_timeout: float | None = None
                  ) -> Iterator[InferenceResult]:
        self.sent.append(request)
        result = self.script(request, self.clock.now)
        held = request.headers.get("X-Scale-Up-Timeout")
        if held and result.status == 503:
            self.clock.now += float(held)
        yield result


def cold_model(ready_at: float) -> Callable[[InferenceRequest, float], InferenceResult]:
    def script(request: InferenceRequest, now: float) -> InferenceResult:
        if now < ready_at:
            return answer(request, 503, {"error": "Model org/m is currently loading", "estimated_time": ready_at - now})
        return answer(request, 200)
    return script


def run(script, request=MODEL_REQUEST, deadline: float = 300.0, settings: Settings | None = None):
    clock = FakeClock()
    transport = FakeTransport(script, clock, settings or Settings())
    events = list(poll(transport, request, "hf_x", deadline=deadline, clock=clock, sleep=clock.sleep))
    return events, transport, clock


def final(events) -> InferenceResult:
    assert isinstance(events[-1], Finished) and sum(isinstance(e, Finished) for e in events) == 1
    return events[-1].result


def test_thirty_second_cold_start_costs_at_most_six_requests_and_lands_within_a_second() -> None:
    events, transport, clock = run(cold_model(ready_at=30.0))
    result = final(events)
    assert result.ok and len(transport.sent) <= 6
    assert clock.now - 30.0 <= 1.0
    assert [a.status for a in result.attempts] == [503] * (len(transport.sent) - 1) + [200]


def test_three_loading_answers_then_success() -> None:
    answers = iter([503, 503, 503, 200])
    events, transport, _ = run(lambda r, now: answer(r, s := next(answers),
                                                     {"error": "loading", "estimated_time": 2.0} if s == 503 else None))
    assert final(events).ok and len(final(events).attempts) == 4


@pytest.mark.parametrize("estimate, expected_sleep", [(979.8, 10.0), (1e9, 10.0), (0.01, 1.0), (4.0, 4.0)])
def test_estimated_time_is_clamped(estimate: float, expected_sleep: float) -> None:
    plan = plan_retry(answer(MODEL_REQUEST, 503, {"error": "loading", "estimated_time": estimate}), 1, 0, False, 30)
    assert plan.wait == expected_sleep


@pytest.mark.parametrize("body", [{"error": "loading", "estimated_time": "abc"},
                                  {"error": "loading", "estimated_time": -3}, {"error": "loading"}])
def test_malformed_estimates_fall_back_to_backoff(body: dict) -> None:
    plans = [plan_retry(answer(MODEL_REQUEST, 503, body), n, 0, False, 30).wait for n in (1, 2, 3, 4, 5, 6)]
    assert plans == [1, 2, 4, 8, 10, 10]


def test_a_503_that_never_ends_stops_at_the_deadline() -> None:
    events, transport, clock = run(cold_model(ready_at=1e9), deadline=45)
    result = final(events)
    assert isinstance(result.error, ModelLoading) and result.error.details["gave_up_after"] == 45
    assert clock.now <= 45 and max(clock.sleeps) <= 10 and sum(clock.sleeps) <= 45
    assert result.attempts[-1].reason.startswith("gave up")


def test_waiting_ticks_every_second_with_an_honest_countdown() -> None:
    events, _, _ = run(cold_model(ready_at=5.0))
    waits = [e for e in events if isinstance(e, Waiting)]
    assert [round(w.next_try_in) for w in waits] == [5, 4, 3, 2, 1]
    assert waits[0].estimated_time == 5.0 and waits[0].attempt == 1 and len(waits[0].log) == 1
    assert all(w.deadline_left <= 300 for w in waits)


def test_closing_the_generator_sends_nothing_more() -> None:
    clock = FakeClock()
    transport = FakeTransport(cold_model(ready_at=100.0), clock)
    events = poll(transport, MODEL_REQUEST, "hf_x", clock=clock, sleep=clock.sleep)
    assert isinstance(next(events), Sending)
    assert isinstance(next(events), Waiting)
    events.close()
    assert len(transport.sent) == 1
    with pytest.raises(StopIteration):
        next(events)


def test_rate_limit_honours_retry_after_within_the_cap() -> None:
    answers = iter([(429, {"error": "slow"}, {"Retry-After": "3"}), (200, None, None)])
    events, transport, clock = run(lambda r, now: answer(r, *next(answers)))
    assert final(events).ok and clock.sleeps and sum(clock.sleeps) == 3 and len(transport.sent) == 2


def test_rate_limit_beyond_the_cap_stops_and_says_when() -> None:
    events, transport, clock = run(lambda r, now: answer(r, 429, {"error": "slow down"}, {"Retry-After": "3600"}))
    result = final(events)
    assert isinstance(result.error, RateLimited) and result.error.retry_after == 3600
    assert len(transport.sent) == 1 and clock.sleeps == []


def test_rate_limit_retries_at_most_twice() -> None:
    events, transport, _ = run(lambda r, now: answer(r, 429, {"error": "slow"}, {"Retry-After": "1"}))
    assert isinstance(final(events).error, RateLimited) and len(transport.sent) == 3


def test_scaled_to_zero_endpoint_backs_off_then_holds_one_request() -> None:
    def endpoint(request: InferenceRequest, now: float) -> InferenceResult:
        return answer(request, 200) if now >= 20 else InferenceResult(
            request, status=503, content_type="text/plain", body=b"503 Service Unavailable",
            error=error_for_status(503, body=b"503 Service Unavailable", content_type="text/plain"))
    events, transport, clock = run(endpoint, request=ENDPOINT_REQUEST)
    assert final(events).ok
    assert "X-Scale-Up-Timeout" not in transport.sent[0].headers
    assert all("X-Scale-Up-Timeout" in r.headers for r in transport.sent[1:])
    assert len(transport.sent) <= 3


def test_refused_connection_to_an_endpoint_backs_off_but_not_on_the_router() -> None:
    refused = lambda r, now: InferenceResult(r, error=ConnectionFailed("refused", refused=True)) if now < 3 \
        else answer(r, 200)
    endpoint_events, endpoint_transport, _ = run(refused, request=ENDPOINT_REQUEST)
    assert final(endpoint_events).ok and len(endpoint_transport.sent) == 3
    router_events, router_transport, _ = run(refused)
    assert isinstance(final(router_events).error, ConnectionFailed) and len(router_transport.sent) == 1


@pytest.mark.parametrize("status", [400, 401, 402, 403, 404, 410, 422, 500])
def test_other_errors_are_not_retried(status: int) -> None:
    events, transport, _ = run(lambda r, now: answer(r, status, {"error": "no"}))
    assert final(events).error is not None and len(transport.sent) == 1


def test_the_finished_result_carries_the_whole_wait_and_the_status_line_says_so() -> None:
    from components.handlers.status import finished_line

    result = final(run(cold_model(ready_at=8.0))[0])
    assert result.ok and result.total is not None and result.total >= 8.0
    assert result.elapsed < 1.0, "the answering request alone was quick"
    line = finished_line(result)
    assert f"{result.total:.2f} s total" in line or f"{result.total:.0f} s total" in line
    assert "waited" in line and "last request" in line
