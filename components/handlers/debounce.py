"""Latest-wins bookkeeping for search-as-you-type: each keystroke carries the browser's own
sequence number, and only the newest one's answer is shown, whatever order the server happens to
process them in; a pick settles the box, so a search still in flight then is not shown over it.
Keys are Gradio session hashes, never tokens.
"""
from __future__ import annotations

import threading
from collections import OrderedDict

__all__ = ["LatestOnly"]


class LatestOnly:
    """The newest query for each key; thread-safe, forgets the oldest keys past `capacity`."""

    def __init__(self, capacity: int = 10_000) -> None:
        self._capacity = capacity
        self._lock = threading.Lock()
        # key -> (newest keystroke, its query, or None once a pick has settled the box)
        self._latest: OrderedDict[str, tuple[int, str | None]] = OrderedDict()

    def begin(self, key: str, sequence: int, query: str) -> bool:
        """Register keystroke `sequence` typing `query`; False when it is older than one already
        seen, or repeats the newest query (arrow keys and Enter fire key events too)."""
        with self._lock:
            newest = self._latest.get(key)
            if newest is not None and (sequence <= newest[0] or query == newest[1]):
                return False
            self._latest[key] = (sequence, query)
            self._latest.move_to_end(key)
            while len(self._latest) > self._capacity:
                self._latest.popitem(last=False)
            return True

    def settle(self, key: str) -> None:
        """A model was picked: the searches begun so far are stale (their answer would relabel the
        box with a search label); the next keystroke searches again."""
        with self._lock:
            if key in self._latest:
                self._latest[key] = (self._latest[key][0], None)

    def is_latest(self, key: str, sequence: int) -> bool:
        with self._lock:
            newest = self._latest.get(key)
            return newest is not None and newest[0] == sequence and newest[1] is not None
