"""Which history entries this playground vouches for: runs it finished itself, and nothing else.

When a run finishes the server marks its entry with an HMAC of the entry's content, keyed from the
deployment's link secret (`vouch`). The mark travels with the entry in the session's history and in
the browser's copy; anything else (a demo script, a browser copy whose mark does not match, a frozen
link) comes in unmarked and shows as "imported". Only a marked entry is signed into a frozen link.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
from dataclasses import replace
from typing import Any, Callable

from .history import HistoryEntry
from .settings import Settings
from .signing import link_secret

__all__ = ["Provenance"]

_CONTEXT = b"hf-playground run provenance v1\0"


class Provenance:
    """Makes and checks provenance marks; one per app, the key derived on first use."""

    def __init__(self, key: bytes | Callable[[], bytes]) -> None:
        self._key, self._lock = key, threading.Lock()

    @classmethod
    def for_settings(cls, settings: Settings) -> Provenance:
        return cls(lambda: cls._derived(link_secret(settings)))

    @classmethod
    def for_link_secret(cls, secret: bytes) -> Provenance:
        """The provenance of the deployment whose link secret is `secret` (links sign only its runs)."""
        return cls(cls._derived(secret))

    @staticmethod
    def _derived(secret: bytes) -> bytes:
        return hmac.new(secret, _CONTEXT, hashlib.sha256).digest()

    def __repr__(self) -> str:
        return "Provenance(<key hidden>)"

    @property
    def key(self) -> bytes:
        with self._lock:
            if callable(self._key):
                self._key = self._key()
            return self._key

    def mark_of(self, content: dict[str, Any]) -> str:
        """The mark of an entry's content (`HistoryEntry.to_dict()`, which never holds the mark)."""
        canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        digest = hmac.new(self.key, canonical.encode("utf-8", "surrogatepass"), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")

    def vouch(self, entry: HistoryEntry) -> HistoryEntry:
        """`entry` marked as a run this playground finished. Call it only for such a run."""
        return replace(entry, mark=self.mark_of(entry.to_dict()))

    def vouches_for(self, entry: HistoryEntry) -> bool:
        """Whether `entry` carries this deployment's mark over exactly its content."""
        return bool(entry.mark) and hmac.compare_digest(entry.mark, self.mark_of(entry.to_dict()))

    def checked(self, entry: HistoryEntry, mark: Any) -> HistoryEntry:
        """`entry` with `mark` kept when it is this deployment's mark of it, else unmarked (imported)."""
        candidate = replace(entry, mark=mark if isinstance(mark, str) else "")
        return candidate if self.vouches_for(candidate) else replace(entry, mark="")
