"""Latest-wins bookkeeping for search-as-you-type: each new query takes a ticket per session, and
only the newest ticket's answer is shown. Keys are Gradio session hashes, never tokens.
"""
from __future__ import annotations

import itertools
import threading
from collections import OrderedDict

__all__ = ["LatestOnly"]


class LatestOnly:
    """The newest query for each key; thread-safe, forgets the oldest keys past `capacity`."""

    def __init__(self, capacity: int = 10_000) -> None:
        self._capacity = capacity
        self._lock = threading.Lock()
        self._counter = itertools.count(1)
        self._latest: OrderedDict[str, tuple[int, str]] = OrderedDict()

    def begin(self, key: str, query: str) -> int | None:
        """A ticket for `query`, superseding earlier ones; None when it repeats the newest query
        (arrow keys, Enter and the like fire key events without changing the text)."""
        with self._lock:
            if key in self._latest and self._latest[key][1] == query:
                return None
            ticket = next(self._counter)
            self._latest[key] = (ticket, query)
            self._latest.move_to_end(key)
            while len(self._latest) > self._capacity:
                self._latest.popitem(last=False)
            return ticket

    def is_latest(self, key: str, ticket: int) -> bool:
        with self._lock:
            return key in self._latest and self._latest[key][0] == ticket
