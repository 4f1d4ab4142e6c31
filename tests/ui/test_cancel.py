"""Cancel: the run stops at once and the server hears nothing more, even when the next retry was
due within a second; the worker-thread pump behind it hands over items and stops when closed.
"""
from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from typing import Iterator

from gradio_client import Client

from components.handlers.background import in_background, in_batches
from tests.ui.conftest import endpoint_defaults, run_async


def test_cancelling_a_retrying_run_sends_nothing_more(client: Client, hf) -> None:
    # Retry-After: 1 on every answer: without Cancel a second request would follow within a second.
    job = client.submit(**{**endpoint_defaults(client, "/run"), "model": "fake/rate-limited-5"}, api_name="/run")
    deadline = time.monotonic() + 10
    while not hf.received and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.3)

    job.cancel()
    time.sleep(2.5)

    assert len(hf.received) == 1


def _counting(pulled: list[int], stopped: threading.Event) -> Iterator[int]:
    try:
        for number in range(1, 100):
            pulled.append(number)
            yield number
            time.sleep(0.05)
    finally:
        stopped.set()


async def _collect(pump, limit: int | None = None) -> list:
    seen = []
    async for item in pump:
        seen.append(item)
        if limit is not None and len(seen) >= limit:
            break
    return seen


def test_the_pump_yields_items_in_order() -> None:
    def slow() -> Iterator[str]:
        yield "a"
        time.sleep(0.3)
        yield "b"

    assert run_async(_collect(in_background(slow()))) == ["a", "b"]


def test_cancelling_the_wait_stops_the_worker_and_closes_its_generator() -> None:
    pulled: list[int] = []
    stopped = threading.Event()

    async def cancel_while_waiting() -> list[int]:
        pump = in_background(_counting(pulled, stopped))
        first = await pump.__anext__()
        waiting = asyncio.ensure_future(pump.__anext__())
        await asyncio.sleep(0.01)
        started = time.monotonic()
        waiting.cancel()  # what Gradio does on Cancel: the pending await ends at once
        with contextlib.suppress(asyncio.CancelledError):
            await waiting
        assert time.monotonic() - started < 0.05
        await pump.aclose()
        return [first]

    assert run_async(cancel_while_waiting()) == [1]
    assert stopped.wait(1), "the worker closed the generator"
    assert len(pulled) <= 3, "at most the items being made when Cancel came"


def test_the_pump_passes_errors_on() -> None:
    def failing() -> Iterator[int]:
        yield 1
        raise RuntimeError("boom")

    seen: list[int] = []

    async def consume() -> None:
        async for item in in_background(failing()):
            seen.append(item)

    try:
        run_async(consume())
    except RuntimeError as error:
        assert str(error) == "boom" and seen == [1]
    else:
        raise AssertionError("the error was swallowed")


def test_a_quick_run_reaches_the_page_in_one_batch() -> None:
    def quick() -> Iterator[str]:
        yield "sending"
        time.sleep(0.01)
        yield "answer"

    batches = run_async(_collect(in_batches(quick(), first_wait=0.5)))

    assert batches == [["sending", "answer"]]


def test_a_slow_run_shows_its_first_step_once_the_wait_is_over() -> None:
    def slow() -> Iterator[str]:
        yield "sending"
        time.sleep(0.4)
        yield "answer"

    async def timed() -> list[tuple[float, list[str]]]:
        started, seen = time.monotonic(), []
        async for batch in in_batches(slow(), first_wait=0.1):
            seen.append((time.monotonic() - started, batch))
        return seen

    (first_at, first), (last_at, last) = run_async(timed())

    assert first == ["sending"] and 0.08 < first_at < 0.3, "shown when the wait is over, not at the answer"
    assert last == ["answer"] and last_at >= 0.4
