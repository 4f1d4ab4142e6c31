"""Run a generator in a worker thread and hand its items to an async consumer.

Gradio cancels an async generator at the `await` it is waiting on, at once; a sync generator only
between two items, so a run blocked in a one-second poll tick or a slow HTTP read would keep the
page busy after Cancel, and waking it up with heartbeat yields costs every waiting session CPU and
an update to its browser several times a second. `in_background` awaits the worker's items instead.
When the consumer stops (finished, failed or cancelled), the worker stops at its next item and
closes the generator in its own thread: the backend yields before every send, so nothing more goes out.

`in_batches` hands over everything that is ready at once, and gathers the first `first_wait`
seconds into one batch: a run that is over by then reaches the page in one update, not two.
"""
from __future__ import annotations

import asyncio
import threading
from dataclasses import dataclass
from typing import AsyncIterator, Callable, Iterator, TypeVar

__all__ = ["in_background", "in_batches"]

T = TypeVar("T")
_DONE = object()   # the worker has finished
_TICK = object()   # `first_wait` is over


@dataclass(frozen=True)
class _Failure:
    error: BaseException


def _work(items: Iterator[T], put: Callable[[object], None], stop: threading.Event) -> None:
    try:
        for item in items:
            if stop.is_set():
                break
            put(item)
    except BaseException as error:  # noqa: BLE001 - handed to the consumer, which re-raises it
        put(_Failure(error))
    finally:
        close = getattr(items, "close", None)
        if close is not None:
            close()  # in this thread, which owns the generator: it closes its connection now
        put(_DONE)


def _start(items: Iterator[T], stop: threading.Event) -> asyncio.Queue[object]:
    """Start the worker; its items, failure and end arrive in the returned queue."""
    loop = asyncio.get_running_loop()
    out: asyncio.Queue[object] = asyncio.Queue()

    def put(item: object) -> None:
        if not loop.is_closed():  # the consumer may be long gone when a cancelled worker finishes
            loop.call_soon_threadsafe(out.put_nowait, item)

    threading.Thread(target=_work, args=(items, put, stop), daemon=True, name="playground-run").start()
    return out


async def in_batches(items: Iterator[T], *, first_wait: float = 0.0) -> AsyncIterator[list[T]]:
    """Yield lists of `items` as a worker thread produces them: each list holds every item ready when
    the consumer asks, and the first one everything made within `first_wait` seconds (or until the
    worker ends, if sooner). A failure is raised after the items before it were yielded."""
    stop = threading.Event()
    out = _start(items, stop)
    timer = asyncio.get_running_loop().call_later(first_wait, out.put_nowait, _TICK)
    try:
        batch: list[T] = []
        gathering, ended, failure = first_wait > 0, False, None
        while not (ended or failure):
            item = await out.get()  # the one wait: Cancel interrupts it at once
            while True:
                if item is _DONE:
                    ended = True
                elif isinstance(item, _Failure):
                    failure = item.error
                elif item is _TICK:
                    gathering = False
                else:
                    batch.append(item)  # type: ignore[arg-type]
                if ended or failure or out.empty():
                    break
                item = out.get_nowait()
            if batch and (ended or failure or not gathering):
                yield batch
                batch = []
        if failure is not None:
            raise failure
    finally:
        timer.cancel()
        stop.set()


async def in_background(items: Iterator[T]) -> AsyncIterator[T]:
    """Yield `items` as a worker thread produces them; the waiting is an await Cancel can interrupt."""
    async for batch in in_batches(items):
        for item in batch:
            yield item
