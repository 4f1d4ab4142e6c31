"""Server-sent events: an incremental parser for `text/event-stream` bodies.

Tolerates what real servers send: `data:` with or without a space (TGI omits it), keep-alive
comments, blank `data:` lines, non-JSON lines, CRLF, and `[DONE]`.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

__all__ = ["SSEEvent", "SSEParser"]


@dataclass(frozen=True)
class SSEEvent:
    """One `data:` event. `json` is the parsed payload (None if not JSON); `done` marks `[DONE]`."""

    data: str
    json: Any = None
    done: bool = False

    @property
    def malformed(self) -> bool:
        return not self.done and self.json is None

    @property
    def error(self) -> str:
        """The in-stream error message, if this event is one (`{"error": ...}`)."""
        if isinstance(self.json, dict) and self.json.get("error"):
            err = self.json["error"]
            return err.get("message", str(err)) if isinstance(err, dict) else str(err)
        return ""


class SSEParser:
    """Feed bytes as they arrive; get back the events completed so far."""

    def __init__(self) -> None:
        self._buffer = b""
        self._data: list[str] = []

    def feed(self, chunk: bytes) -> list[SSEEvent]:
        self._buffer += chunk
        events: list[SSEEvent] = []
        while True:
            line, sep, rest = self._buffer.partition(b"\n")
            if not sep:
                return events
            self._buffer = rest
            event = self._line(line.rstrip(b"\r").decode("utf-8", "replace"))
            if event is not None:
                events.append(event)

    def close(self) -> list[SSEEvent]:
        """Flush an event left without its closing blank line."""
        events = self.feed(b"\n") if self._buffer else []
        event = self._dispatch()
        return events + ([event] if event else [])

    def _line(self, line: str) -> SSEEvent | None:
        if not line:
            return self._dispatch()
        if line.startswith(":"):
            return None  # keep-alive comment
        field, _, value = line.partition(":")
        if field == "data":
            self._data.append(value[1:] if value.startswith(" ") else value)
        return None

    def _dispatch(self) -> SSEEvent | None:
        data, self._data = "\n".join(self._data), []
        if not data.strip():
            return None
        if data.strip() == "[DONE]":
            return SSEEvent(data, done=True)
        try:
            return SSEEvent(data, json.loads(data))
        except ValueError:
            return SSEEvent(data)
