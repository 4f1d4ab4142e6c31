"""Run a generator in a worker thread so its consumer stays responsive.

Gradio cancels a generator only between two items, and waits for the item being computed; a run
blocked in a one-second poll tick or a slow HTTP read would keep the page "busy" that long after
Cancel. `in_background` hands items over through a queue and yields None every `pulse` seconds
in between, so the consumer can always be stopped at once. Closing it tells the worker to stop at
its next item: the backend yields before every send, so nothing more goes out.
"""
from __future__ import annotations

import queue
import threading
from dataclasses import dataclass
from typing import Iterator, TypeVar

__all__ = ["in_background"]

T = TypeVar("T")
_DONE = object()


@dataclass(frozen=True)
class _Failure:
    error: BaseException


def _work(items: Iterator[T], out: queue.Queue[object], stop: threading.Event) -> None:
    try:
        for item in items:
            if stop.is_set():
                break
            out.put(item)
    except BaseException as error:  # noqa: BLE001 - handed to the consumer, which re-raises it
        out.put(_Failure(error))
    finally:
        close = getattr(items, "close", None)
        if close is not None:
            close()  # in this thread, which owns the generator: it closes its connection now
        out.put(_DONE)


def in_background(items: Iterator[T], pulse: float = 0.2) -> Iterator[T | None]:
    """Yield `items` as a worker thread produces them, and None whenever `pulse` s pass without one."""
    out: queue.Queue[object] = queue.Queue()
    stop = threading.Event()
    threading.Thread(target=_work, args=(items, out, stop), daemon=True, name="playground-run").start()
    try:
        while True:
            try:
                item = out.get(timeout=pulse)
            except queue.Empty:
                yield None
                continue
            if item is _DONE:
                return
            if isinstance(item, _Failure):
                raise item.error
            yield item  # type: ignore[misc]
    finally:
        stop.set()
