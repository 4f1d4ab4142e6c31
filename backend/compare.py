"""Side by side: the same input on 2 to 4 models or providers, each run polling in its own column.

`run_columns` runs any number of requests in parallel, one thread per column feeding one queue,
and yields each column's polling events as they come, so a cold model waits in its column while
the others already show their answers. Closing the generator cancels every column: each thread
closes its own polling generator at its next event (within a polling tick), so nothing more is
sent; an attempt already on the wire finishes unseen. `compare` is the checked entry point.
"""
from __future__ import annotations

import queue
import threading
from dataclasses import dataclass
from typing import Generator, Iterator, Sequence, cast

from .errors import InvalidInput
from .inference import Playground
from .polling import Finished, PollEvent
from .result import InferenceRequest

__all__ = ["CompareUpdate", "compare", "run_columns", "MIN_COLUMNS", "MAX_COLUMNS"]

MIN_COLUMNS, MAX_COLUMNS = 2, 4


@dataclass(frozen=True)
class CompareUpdate:
    """Column `column` (0-based, in request order) has a new latest event."""

    column: int
    event: PollEvent

    @property
    def finished(self) -> bool:
        return isinstance(self.event, Finished)


@dataclass(frozen=True)
class _ColumnEnded:
    column: int
    crash: BaseException | None = None


def compare(playground: Playground, requests: Sequence[InferenceRequest], token: str | None = None, *,
            endpoint_key: str | None = None, deadline: float | None = None) -> Iterator[CompareUpdate]:
    """Run 2-4 requests of one task side by side; raises InvalidInput at once, before sending, otherwise."""
    if not MIN_COLUMNS <= len(requests) <= MAX_COLUMNS:
        raise InvalidInput(f"Compare needs {MIN_COLUMNS} to {MAX_COLUMNS} models or providers, "
                           f"not {len(requests)}.")
    if not all(isinstance(request, InferenceRequest) for request in requests):
        raise InvalidInput("Every compare column needs a request built by Playground.build_request.")
    if len({request.task for request in requests}) > 1:
        raise InvalidInput("Compare runs one task on every column; pick models of the same task.")
    for request in requests:  # a column whose endpoint may get no credential stops them all, unsent
        playground.credential(request, token, endpoint_key)
    return run_columns(playground, requests, token, endpoint_key=endpoint_key, deadline=deadline)


def run_columns(playground: Playground, requests: Sequence[InferenceRequest], token: str | None = None, *,
                endpoint_key: str | None = None, deadline: float | None = None
                ) -> Generator[CompareUpdate, None, None]:
    """Yield every column's polling events as they arrive, until each column has Finished.

    Threads start on the first `next()`. A bug in one column (not an HTTP failure: those are
    Finished results) cancels the others and is raised here.
    """
    updates: queue.Queue[CompareUpdate | _ColumnEnded] = queue.Queue()
    stop = threading.Event()
    for column, request in enumerate(requests):
        threading.Thread(target=_run_column, name=f"compare-column-{column}", daemon=True,
                         args=(playground, column, request, token, endpoint_key, deadline, updates, stop)).start()
    try:
        running = len(requests)
        while running:
            item = updates.get()
            if isinstance(item, CompareUpdate):
                yield item
                continue
            running -= 1
            if item.crash is not None:
                raise item.crash
    finally:
        stop.set()


def _run_column(playground: Playground, column: int, request: InferenceRequest, token: str | None,
                endpoint_key: str | None, deadline: float | None,
                updates: queue.Queue[CompareUpdate | _ColumnEnded], stop: threading.Event) -> None:
    events = cast(Generator[PollEvent, None, None], playground.run(request, token, endpoint_key, deadline))
    crash: BaseException | None = None
    try:
        for event in events:
            # Checked before asking for the next event: polling announces Sending before it sends.
            if stop.is_set():
                break
            updates.put(CompareUpdate(column, event))
    except Exception as exc:  # noqa: BLE001 - handed to the consumer, which raises it
        crash = exc
    finally:
        events.close()
        updates.put(_ColumnEnded(column, crash))
