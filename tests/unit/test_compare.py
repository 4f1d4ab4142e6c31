"""Compare: 2-4 columns in parallel, a slow column never holds back the others, and closing cancels
every column before it sends again (scripted runs; the real-socket version is in tests/http).
"""
from __future__ import annotations

import threading
from typing import Iterator

import pytest

from backend.compare import CompareUpdate, compare, run_columns
from backend.errors import InvalidInput
from backend.polling import PollEvent, Sending, Waiting
from backend.result import InferenceRequest
from tests.unit.scripted_playground import Script, ScriptedPlayground, answered, warm


def request(model: str, task: str = "text-classification") -> InferenceRequest:
    return InferenceRequest("POST", f"https://router.huggingface.co/hf-inference/models/{model}", model_id=model,
                            task=task, json_body={"inputs": "I like you"})


def held(gate: threading.Event) -> Script:
    def script(req: InferenceRequest) -> Iterator[PollEvent]:
        yield Sending(1, 0.0)
        assert gate.wait(5), "the test never opened the gate"
        yield answered(req, at=3.0)
    return script


def ticking(tick: threading.Event) -> Script:
    """A model that stays cold: each attempt waits for the test's tick before the next one."""
    def script(req: InferenceRequest) -> Iterator[PollEvent]:
        for attempt in range(1, 100):
            yield Sending(attempt, 0.0)
            yield Waiting(attempt, 1.0, "model loading", 20.0, 60.0, ())
            assert tick.wait(5), "the test never ticked"
            tick.clear()
    return script


@pytest.mark.parametrize("columns, tasks, reason", [
    (1, ["text-classification"], "2 to 4"), (5, ["text-classification"] * 5, "2 to 4"),
    (2, ["text-classification", "fill-mask"], "one task"),
])
def test_column_counts_and_tasks_are_checked_before_anything_runs(columns: int, tasks: list, reason: str) -> None:
    playground = ScriptedPlayground({})
    with pytest.raises(InvalidInput, match=reason):
        compare(playground, [request(f"org/m{n}", task) for n, task in enumerate(tasks[:columns])])
    assert playground.started == []


def test_only_built_requests_are_compared() -> None:
    with pytest.raises(InvalidInput, match="build_request"):
        compare(ScriptedPlayground({}), [request("org/a"), {"url": "https://evil.example"}])  # type: ignore[list-item]


def test_nothing_starts_until_the_first_update_is_asked_for() -> None:
    playground = ScriptedPlayground({"org/a": warm, "org/b": warm})
    updates = compare(playground, [request("org/a"), request("org/b")])
    assert playground.started == []
    assert isinstance(next(updates), CompareUpdate)
    updates.close()


def test_warm_columns_finish_while_a_cold_one_still_polls() -> None:
    gate = threading.Event()
    playground = ScriptedPlayground({"org/warm-a": warm, "org/cold": held(gate), "org/warm-b": warm})
    finished: list[int] = []
    for update in compare(playground, [request("org/warm-a"), request("org/cold"), request("org/warm-b")]):
        if update.finished:
            finished.append(update.column)
        if sorted(finished) == [0, 2]:
            gate.set()  # only now may the cold column answer
    assert sorted(finished[:2]) == [0, 2] and finished[2] == 1


def test_closing_cancels_every_column_before_it_sends_again() -> None:
    tick = threading.Event()
    playground = ScriptedPlayground({"org/warm": warm, "org/cold": ticking(tick)})
    updates = compare(playground, [request("org/warm"), request("org/cold")])
    seen = set()
    for update in updates:
        seen.add((update.column, type(update.event).__name__))
        if {(0, "Finished"), (1, "Waiting")} <= seen:
            break
    updates.close()
    tick.set()  # the cold column wakes up to send attempt 2, and must not
    assert playground.closed["org/cold"].wait(2), "the cold column's polling generator was closed"
    assert playground.sent["org/cold"] == [1]


def test_a_bug_in_one_column_is_raised_and_cancels_the_others() -> None:
    tick = threading.Event()

    def broken(req: InferenceRequest) -> Iterator[PollEvent]:
        yield Sending(1, 0.0)
        raise RuntimeError("renderer bug")

    playground = ScriptedPlayground({"org/cold": ticking(tick), "org/broken": broken})
    with pytest.raises(RuntimeError, match="renderer bug"):
        list(run_columns(playground, [request("org/cold"), request("org/broken")]))
    tick.set()
    assert playground.closed["org/cold"].wait(2)
    assert playground.sent["org/cold"] in ([], [1]), "no attempt after the failure"
