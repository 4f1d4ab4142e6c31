"""The fake server's two value types: `Received` (one request as read off the socket) and `Reply`
(what to send back, including the deliberately broken ways of sending it), plus small builders.
"""
from __future__ import annotations

import json
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from requests.structures import CaseInsensitiveDict

JSON = "application/json"
TEXT = "text/plain; charset=utf-8"
SSE = "text/event-stream"

Headers = list[tuple[str, str]]
HeaderPairs = Iterable[tuple[str, str]]


@dataclass(frozen=True)
class Received:
    """One request: `headers` keep their original case and also answer case-insensitively."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: CaseInsensitiveDict
    body: bytes
    at: float  # time.time() when the request was read

    @cached_property
    def json(self) -> Any:
        """The body parsed as JSON, or None when it is empty or not JSON."""
        try:
            return json.loads(self.body) if self.body else None
        except ValueError:
            return None

    @property
    def wants_stream(self) -> bool:
        return isinstance(self.json, dict) and self.json.get("stream") is True

    @property
    def bearer(self) -> str | None:
        scheme, _, token = self.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer":
            return None
        return token.strip() or None

    def first(self, name: str) -> str | None:
        """The first value of query parameter `name`."""
        values = self.query.get(name)
        return values[0] if values else None


@dataclass
class Reply:
    """A response. The server adds Date, Content-Length or chunked framing, and Connection itself."""

    status: int
    headers: Headers = field(default_factory=list)
    body: bytes | Iterable[bytes] = b""
    content_length: int | None = None  # announce this length for an iterable body instead of chunking
    close: bool = False  # close the connection after sending
    drop: bool = False  # send nothing at all, just close


def json_reply(status: int, payload: Any, headers: HeaderPairs = ()) -> Reply:
    return Reply(status, [("Content-Type", JSON), *headers], encode_json(payload))


def text_reply(status: int, text: str, headers: HeaderPairs = (), content_type: str = TEXT) -> Reply:
    return Reply(status, [("Content-Type", content_type), *headers], text.encode())


def sse_reply(events: Iterable[str | bytes], pace: float, headers: HeaderPairs = (), status: int = 200) -> Reply:
    """Stream server-sent events one by one (one write each), `pace` seconds apart."""
    headers = list(headers)
    if not any(name.lower() == "content-type" for name, _ in headers):
        headers.insert(0, ("Content-Type", SSE))
    return Reply(status, headers, paced(events, pace))


def encode_json(payload: Any) -> bytes:
    """Compact UTF-8 JSON, as HF's servers send it."""
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


def sse_event(payload: Any) -> str:
    return f"data: {payload if isinstance(payload, str) else encode_json(payload).decode()}\n\n"


def paced(events: Iterable[str | bytes], pace: float) -> Iterator[bytes]:
    """Yield `events` as bytes, sleeping `pace` seconds between them (not before the first)."""
    for index, event in enumerate(events):
        if index and pace > 0:
            time.sleep(pace)
        yield event.encode() if isinstance(event, str) else event
