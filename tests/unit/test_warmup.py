"""Warm-up: which targets are accepted, the cheap ping each gets, and the ready lights a run produces
(scripted runs; the real-socket version with a cold model is in tests/http).
"""
from __future__ import annotations

import threading
from typing import Iterator

import pytest

from backend import Playground, Settings
from backend.errors import AuthError, InvalidInput, user_message
from backend.polling import Finished, PollEvent, Sending, Streaming, Waiting
from backend.result import Attempt, InferenceRequest, InferenceResult
from backend.sse import SSEEvent
from backend.warmup import MAX_TARGETS, WarmupTarget, warm_up
from tests.unit.scripted_playground import ScriptedPlayground, answered, warm

ENDPOINT = "https://xyz.us-east-1.aws.endpoints.huggingface.cloud"
LOG = (Attempt(1, 0.2, 503, "model loading", 10.0),)


def texts(statuses: Iterator) -> list[tuple[str, str]]:
    return [(status.target.label, status.text) for status in statuses]


def cold(request: InferenceRequest) -> Iterator[PollEvent]:
    yield Sending(1, 0.0)
    yield Waiting(1, 10.0, "model loading", 20.0, 100.0, LOG)
    yield Waiting(1, 1.6, "model loading", 20.0, 91.0, LOG)  # 8.4 s later: ~11.6 s left
    yield Waiting(1, 1.55, "model loading", 20.0, 90.0, LOG)  # rounds the same: not shown again
    yield Streaming(SSEEvent(data="x"))
    yield Sending(2, 10.2)
    yield answered(request, at=10.45)


def unauthorized(request: InferenceRequest) -> Iterator[PollEvent]:
    yield Sending(1, 0.0)
    error = AuthError(status=401, server_message="<b>Invalid credentials</b>")
    yield Finished(InferenceResult(request, status=401, error=error, attempts=(Attempt(1, 0.1, 401, "error"),)))


@pytest.mark.parametrize("raw, expected", [
    (("gpt2", "fill-mask"), WarmupTarget("gpt2", "fill-mask")),
    (["org/m", "text-classification"], WarmupTarget("org/m", "text-classification")),
    ((ENDPOINT, "text-generation"), WarmupTarget(task="text-generation", endpoint_url=ENDPOINT)),
    (ENDPOINT, WarmupTarget(endpoint_url=ENDPOINT)),
    (WarmupTarget("gpt2", "fill-mask"), WarmupTarget("gpt2", "fill-mask")),
])
def test_targets_are_model_task_pairs_or_endpoint_urls(raw: object, expected: WarmupTarget) -> None:
    playground = ScriptedPlayground({})
    statuses = warm_up(playground, [raw])  # type: ignore[list-item]
    assert next(statuses).target == expected
    statuses.close()


@pytest.mark.parametrize("targets", [[], [("gpt2", "fill-mask")] * (MAX_TARGETS + 1), ["gpt2"],
                                     [("a",)], [("a", "b", "c")], [5], [(1, 2)]])
def test_malformed_target_lists_are_refused_at_once(targets: list) -> None:
    with pytest.raises(InvalidInput):
        warm_up(ScriptedPlayground({}), targets)


@pytest.mark.parametrize("target, body", [
    (("org/gen", "text-generation"), {"inputs": "Please answer the following question: complete one two and "
                                                "____.", "parameters": {"max_new_tokens": 1}}),
    (("org/chat", "chat-completion"), {"max_tokens": 1}),
    (("org/fm", "fill-mask"), {"inputs": "The goal of life is [MASK]."}),
    (ENDPOINT, {"inputs": "Hello"}),
])
def test_each_target_gets_its_tasks_example_kept_cheap(target: object, body: dict) -> None:
    sent: list[InferenceRequest] = []

    class Recording(Playground):
        def run(self, request: InferenceRequest, *args: object, **kwargs: object) -> Iterator[PollEvent]:
            sent.append(request)
            yield answered(request)

    list(warm_up(Recording(Settings()), [target], token="hf_visitor0123456789"))  # type: ignore[list-item]
    assert body.items() <= sent[0].json_body.items()


def test_an_endpoint_the_visitor_named_is_not_warmed_with_the_servers_token() -> None:
    sent: list[InferenceRequest] = []

    class Recording(Playground):
        def run(self, request: InferenceRequest, *args: object, **kwargs: object) -> Iterator[PollEvent]:
            sent.append(request)
            yield answered(request)

    lights = list(warm_up(Recording(Settings(hf_token="hf_operator0123456789")), [ENDPOINT]))  # type: ignore[list-item]
    assert not sent
    assert lights[-1].state == "error" and "Paste your own Hugging Face token" in lights[-1].text


def test_lights_go_cold_warming_ready_and_error() -> None:
    playground = ScriptedPlayground({"org/cold": cold, "org/warm": warm, "org/private": unauthorized})
    shown = texts(warm_up(playground, [("org/cold", "text-classification"), ("org/warm", "text-classification"),
                                       ("org/private", "text-classification")]))
    assert shown[:3] == [("org/cold", "cold"), ("org/warm", "cold"), ("org/private", "cold")]
    assert [text for label, text in shown if label == "org/cold"] == [
        "cold", "warming (attempt 2, ~20 s left)", "warming (attempt 2, ~12 s left)", "warming (attempt 2)",
        "ready in 10.4 s"]
    assert ("org/warm", "ready in 0.1 s") in shown
    error = AuthError(status=401, server_message="<b>Invalid credentials</b>")
    assert ("org/private", f"error: {user_message(error)}") in shown
    assert all("<b>" not in text for _, text in shown), "lights are escaped text"


def test_targets_that_cannot_be_pinged_fail_without_sending() -> None:
    playground = ScriptedPlayground({"org/warm": warm})
    shown = texts(warm_up(playground, [("bad id!", "fill-mask"), ("org/img", "image-classification"),
                                       ("org/warm", "text-classification")]))
    assert shown[0][0] == "bad id!" and shown[0][1].startswith("error: 'bad id!' is not a valid model id")
    assert shown[1] == ("org/img", "error: Image classification needs an upload, so there is no example input "
                                   "to warm it up with.")
    assert shown[-1] == ("org/warm", "ready in 0.1 s") and playground.started == ["org/warm"]


def test_closing_stops_every_target() -> None:
    tick = threading.Event()

    def stays_cold(request: InferenceRequest) -> Iterator[PollEvent]:
        yield Sending(1, 0.0)
        yield Waiting(1, 5.0, "model loading", 30.0, 100.0, LOG)
        tick.wait(5)
        yield Sending(2, 5.0)
        yield answered(request)

    playground = ScriptedPlayground({"org/cold": stays_cold})
    statuses = warm_up(playground, [("org/cold", "text-classification")])
    assert [s.state for s in (next(statuses), next(statuses))] == ["cold", "warming"]
    statuses.close()
    tick.set()
    assert playground.closed["org/cold"].wait(2) and playground.sent["org/cold"] == [1]
