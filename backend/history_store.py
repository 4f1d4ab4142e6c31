"""The copy of a visitor's history kept in their own browser, so a reload or a server restart brings
the last runs back. The page encrypts it, but with a key anyone can read in the page's config: what
keeps it safe is what goes in, decided here.

`to_stored` keeps the newest `MAX_STORED_RUNS` runs within `MAX_STORED_BYTES`, oldest out. On the
way in every string is redacted again (the visitor's own token and endpoint key by value too), values
under credential-like keys become `***`, endpoint URLs lose any user, query and fragment, uploads and
media keep their descriptor without the bytes, base64 blobs and `data:` URLs become a short note, a
streamed answer is kept assembled, and an answer longer than `MAX_STORED_ANSWER` keeps its start as
text. `from_stored` trusts nothing: a value of another shape or version gives an empty history, an
entry that fails the import schema is dropped; it never raises.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
from typing import Any, Iterable
from urllib.parse import urlsplit, urlunsplit

from .chat import ChatStream
from .history import History, HistoryEntry
from .plain_json import BYTES_KEY, is_bytes_descriptor, json_size
from .provenance import Provenance
from .redact import redact
from .settings import Settings
from .signing import link_secret
from .tasks import get_task, render

__all__ = ["to_stored", "from_stored", "is_stored_copy", "storage_secret", "STORED_FORMAT", "STORED_VERSION",
           "MAX_STORED_RUNS", "MAX_STORED_BYTES", "MAX_STORED_ENTRY", "MAX_STORED_ANSWER", "MAX_STORED_STRING"]

STORED_FORMAT, STORED_VERSION = "hf-playground-browser-history", 1
MAX_STORED_RUNS = 20
MAX_STORED_BYTES = 256 * 1024   # the whole copy as compact JSON (the page sends it on each load)
MAX_STORED_ENTRY = 64 * 1024    # one run; a larger one (a very long chat) is not kept in the browser
MAX_STORED_ANSWER = 24 * 1024   # one answer; a longer one keeps its first characters as text
MAX_STORED_STRING = 16 * 1024   # one input string
_BLOB_MIN = 1024                # base64 this long or longer is media, not text someone typed
_SECRET_CONTEXT = b"hf-playground browser history key v1\0"
MARK_KEY = "mark"  # a stored run's provenance mark, beside its fields
_DATA_URL = re.compile(r"data:([\w.+-]+/[\w.+-]+)?(?:;[\w.+-]+=[\w.+-]+)*;base64,", re.IGNORECASE)
_BASE64 = re.compile(r"[A-Za-z0-9+/_-]+={0,2}")
_SECRET_KEY = re.compile(r"(?:x-)?(?:authorization|proxy-authorization|cookie|set-cookie|api-?key|secret|"
                         r"client-secret|password|endpoint-key|(?:hf-|access-|auth-|bearer-|id-|refresh-)?token)")


def storage_secret(settings: Settings) -> str:
    """The page's encryption key for the copy: derived one-way from the link secret, so it is the same
    after a restart and showing it in the page's config reveals nothing that signs links."""
    try:
        base = link_secret(settings)
    except OSError:  # nowhere to keep a secret: the copy then lasts until the next restart
        base = secrets.token_bytes(32)
    return hmac.new(base, _SECRET_CONTEXT, hashlib.sha256).hexdigest()


def to_stored(history: History, known_secrets: Iterable[str | None] = (),
              provenance: Provenance | None = None) -> dict[str, Any]:
    """The browser's copy of `history`: a small versioned JSON object (see the module docstring). A run
    `provenance` vouches for keeps a mark over what is stored, so it comes back as this playground's."""
    hidden = tuple(secret for secret in known_secrets if secret)
    kept: list[dict[str, Any]] = []
    used = json_size(_document([]))
    for entry in history.entries[:MAX_STORED_RUNS]:
        item = _storable(entry, hidden)
        if provenance is not None and provenance.vouches_for(entry):
            item[MARK_KEY] = provenance.mark_of(HistoryEntry.from_dict(item).to_dict())
        size = json_size(item) + 1
        if size > MAX_STORED_ENTRY:
            continue
        if used + size > MAX_STORED_BYTES:
            break
        kept.append(item)
        used += size
    return _document(kept)


def from_stored(value: Any, max_entries: int = 50, max_bytes: int = 8 * 1024 * 1024,
                provenance: Provenance | None = None) -> History:
    """The history a stored copy holds; anything that is not a copy this version wrote gives none. A run
    comes back vouched for only when its mark is `provenance`'s over what was stored; else it is imported."""
    empty = History(max_entries=max_entries, max_bytes=max_bytes)
    if not is_stored_copy(value):
        return empty
    try:
        if json_size(value) > 2 * MAX_STORED_BYTES:
            return empty
    except (TypeError, ValueError, RecursionError):
        return empty
    entries = []
    for item in value["entries"][:MAX_STORED_RUNS]:
        try:
            fields = {name: field for name, field in item.items() if name != MARK_KEY}
            stored = HistoryEntry.from_dict(fields, "stored run")
            vouched = provenance is not None and provenance.checked(stored, item.get(MARK_KEY)).mark
            entry = HistoryEntry(**_storable(stored, ()))
            entries.append(provenance.vouch(entry) if vouched and provenance is not None else entry)
        except Exception:  # noqa: BLE001 - a damaged entry from the browser is dropped, never shown as a crash
            continue
    history = empty
    for entry in reversed(entries):  # oldest first, so the newest ends on top and the caps drop the oldest
        history = history.add(entry)
    return history


def is_stored_copy(value: Any) -> bool:
    """Whether `value` has the shape `to_stored` writes (its entries not yet checked)."""
    return isinstance(value, dict) and value.get("format") == STORED_FORMAT \
        and type(value.get("version")) is int and value["version"] == STORED_VERSION \
        and isinstance(value.get("entries"), list)


def _document(entries: list[dict[str, Any]]) -> dict[str, Any]:
    return {"format": STORED_FORMAT, "version": STORED_VERSION, "entries": entries}


def _storable(entry: HistoryEntry, hidden: tuple[str, ...]) -> dict[str, Any]:
    scrub = _Scrub(hidden)
    response, content_type = _assembled(entry)
    response = _capped_answer(scrub, scrub(response))
    return {**entry.to_dict(), "endpoint_url": _bare_url(entry.endpoint_url, hidden),
            "inputs": scrub(dict(entry.inputs)), "params": scrub(dict(entry.params)),
            "extra_params": scrub(entry.extra_params), "error": redact(entry.error, *hidden)[:2_000],
            "response": response, "content_type": content_type, "truncated": entry.truncated or scrub.cut}


def _assembled(entry: HistoryEntry) -> tuple[Any, str]:
    """A streamed answer as one answer (chunks repeat their envelope: a stream is mostly overhead)."""
    if not (entry.content_type.startswith("text/event-stream") and isinstance(entry.response, list)):
        return entry.response, entry.content_type
    result = entry.as_result()
    if get_task(entry.task).input_kind == "chat":
        return ChatStream.from_result(result).to_openai(), "application/json"
    return [{"generated_text": render(entry.task, result).text}], "application/json"


def _capped_answer(scrub: _Scrub, response: Any) -> Any:
    text = response if isinstance(response, str) else None
    if text is None and json_size(response) <= MAX_STORED_ANSWER:
        return response
    text = text if text is not None else json.dumps(response, ensure_ascii=False)
    if len(text) > MAX_STORED_ANSWER:
        scrub.cut, text = True, text[:MAX_STORED_ANSWER]
    return text


def _bare_url(url: str, hidden: tuple[str, ...]) -> str:
    if not url:
        return ""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        netloc = f"[{host}]" if ":" in host else host
        netloc += f":{parts.port}" if parts.port else ""
    except ValueError:
        return ""
    return redact(urlunsplit((parts.scheme, netloc, parts.path, "", "")), *hidden)[:2048]


class _Scrub:
    """One pass over plain JSON that keeps nothing secret or bulky; remembers whether it cut anything."""

    def __init__(self, hidden: tuple[str, ...]) -> None:
        self.hidden, self.cut = hidden, False

    def __call__(self, value: Any, key: str = "") -> Any:
        if is_bytes_descriptor(value):  # the digest, size and type stay; the bytes never go to the browser
            return {BYTES_KEY: {name: item for name, item in value[BYTES_KEY].items() if name != "base64"}}
        if isinstance(value, dict):
            return {self._text(str(name)): self(item, str(name)) for name, item in value.items()}
        if isinstance(value, list):
            return [self(item, key) for item in value]
        if not isinstance(value, str):
            return value
        if value and _SECRET_KEY.fullmatch(key.lower().replace("_", "-")):
            return "***"
        return self._text(value)

    def _text(self, text: str) -> str:
        if len(text) >= _BLOB_MIN:
            blob = _blob_note(text)
            if blob:
                self.cut = True
                return blob
        if len(text) > MAX_STORED_STRING:
            self.cut, text = True, text[:MAX_STORED_STRING]
        return redact(text, *self.hidden)


def _blob_note(text: str) -> str:
    """A note in place of base64 data (a `data:` URL or a bare blob); '' for anything else."""
    data_url = _DATA_URL.match(text)
    body = text[data_url.end():] if data_url else text
    if not _BASE64.fullmatch(body) or not (data_url or _looks_random(body)):
        return ""
    what = (data_url.group(1) or "file") if data_url else "data"
    return f"({what} of about {len(body) * 3 // 4:,} bytes as base64, not kept in this browser)"


def _looks_random(text: str) -> bool:
    # Base64 of media mixes cases and digits; a long typed word or a DNA sequence does not.
    return any(c.islower() for c in text) and any(c.isupper() for c in text) and any(c.isdigit() for c in text)
