"""Run a generator in a worker thread and hand its items to an async consumer.

Gradio cancels an async generator at the `await` it is waiting on, at once; a sync generator only
between two items, so a run blocked in a one-second poll tick or a slow HTTP read would keep the
page busy after Cancel, and waking it up with heartbeat yields costs every waiting session CPU and
an update to its browser several times a second. `in_background` awaits the worker's items instead.
When the consumer stops (finished, failed or cancelled), the worker stops at its next item and
closes the generator in its own thread: the backend yields before every send, so nothing more goes out.
"""
from __future__ import annotations

import asyncio
import threading
from dataclasses import dataclass
from typing import AsyncIterator, Callable, Iterator, TypeVar

__all__ = ["in_background"]

T = TypeVar("T")
_DONE = object()


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


async def in_background(items: Iterator[T]) -> AsyncIterator[T]:
    """Yield `items` as a worker thread produces them; the waiting is an await Cancel can interrupt."""
    loop = asyncio.get_running_loop()
    out: asyncio.Queue[object] = asyncio.Queue()
    stop = threading.Event()

    def put(item: object) -> None:
        if not loop.is_closed():  # the consumer may be long gone when a cancelled worker finishes
            loop.call_soon_threadsafe(out.put_nowait, item)

    threading.Thread(target=_work, args=(items, put, stop), daemon=True, name="playground-run").start()
    try:
        while (item := await out.get()) is not _DONE:
            if isinstance(item, _Failure):
                raise item.error
            yield item  # type: ignore[misc]
    finally:
        stop.set()
