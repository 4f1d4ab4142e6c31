"""Cancel: the run stops at once and the server hears nothing more, even when the next retry was
due within a second; the worker-thread pump behind it hands over items and stops when closed.
"""
from __future__ import annotations

import threading
import time
from typing import Iterator

from gradio_client import Client

from components.handlers.background import in_background
from tests.ui.conftest import endpoint_defaults


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


def test_the_pump_yields_items_in_order_and_pulses_while_waiting() -> None:
    def slow() -> Iterator[str]:
        yield "a"
        time.sleep(0.3)
        yield "b"

    seen = list(in_background(slow(), pulse=0.05))

    assert [item for item in seen if item is not None] == ["a", "b"]
    assert None in seen, "the consumer got a chance to stop while the worker waited"


def test_closing_the_pump_stops_the_worker_and_closes_its_generator() -> None:
    pulled: list[int] = []
    stopped = threading.Event()
    pump = in_background(_counting(pulled, stopped), pulse=0.01)

    assert next(pump) == 1
    pump.close()

    assert stopped.wait(1), "the worker closed the generator"
    assert len(pulled) <= 2, "at most the item being made when Cancel came"


def test_the_pump_passes_errors_on() -> None:
    def failing() -> Iterator[int]:
        yield 1
        raise RuntimeError("boom")

    pump = in_background(failing())

    assert next(pump) == 1
    try:
        list(pump)
    except RuntimeError as error:
        assert str(error) == "boom"
    else:
        raise AssertionError("the error was swallowed")
