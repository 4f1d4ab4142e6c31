"""One assistant turn assembled from polling events: `ChatStream` and `StreamError` (`Usage`: usage.py).

`ChatStream` is fed the events of `Playground.run()` (or a finished result) and keeps what the chat
panel shows: the raw text so far and, split from it by `reasoning.py`, the answer and the thinking
with its duration; timing (time to first token, tokens per second of the answer), finish reason,
usage, the serving provider, the raw SSE, mid-stream errors, and the turn's function calls
(`tool_calls`, assembled by `tool_calls.py`). Pure: no I/O.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Callable, Mapping

from ..errors import PlaygroundError
from ..polling import Finished, PollEvent, Sending, Streaming
from ..redact import scrub
from ..result import InferenceRequest, InferenceResult
from ..sse import SSEEvent
from ..targets import PROVIDER_POLICIES
from .reasoning import ThinkingSplitter, thinking_note
from .tool_calls import ToolCall, ToolCallAssembler, tool_names
from .usage import Usage, answer_tokens, usage_from

__all__ = ["ChatStream", "Usage", "StreamError"]

_REASONING_KEYS = ("reasoning_content", "reasoning")


@dataclass(frozen=True)
class StreamError:
    """An error the server reported inside a 200 stream: `data: {"error": ..., "error_type": ...}`."""

    message: str
    error_type: str = ""


MIN_RATE_SPAN = 0.25  # seconds of output a tokens/s figure needs before it means anything


class ChatStream:
    """One assistant turn as it arrives. Create it right before running: its clock starts then.

        chat = ChatStream.for_request(request)
        for event in playground.run(request, token):
            if chat.feed(event):
                show(chat.text)
    """

    def __init__(self, requested_model: str = "", clock: Callable[[], float] = time.monotonic) -> None:
        self.requested_model = requested_model  # the body's "id[:provider]"
        self._clock = clock
        self.started = clock()
        self._request: InferenceRequest | None = None  # its `tools` say which calls are to defined functions
        self._secret: str | None = None  # the credential sent: scrubbed from the assembled text too
        self._clear()

    def _clear(self) -> None:
        self._content: list[str] = []
        self._reasoning: list[str] = []
        self._thinking = ThinkingSplitter()
        self._tool_calls = ToolCallAssembler()
        self._meta: dict[str, Any] = {}
        self._usage: Mapping[str, Any] | None = None
        self.chunks: list[Mapping[str, Any]] = []
        self.raw_events: list[str] = []
        self.stream_errors: list[StreamError] = []
        self.malformed = 0
        self.output_chunks = 0  # chunks that carried content or reasoning
        self.finish_reason: str | None = None
        self.first_token_at: float | None = None  # first non-empty content
        self._first_output_at: float | None = None  # first content or reasoning
        self._last_output_at: float | None = None
        self.finished_at: float | None = None
        self.result: InferenceResult | None = None

    def __repr__(self) -> str:
        return (f"ChatStream(model={self.requested_model!r}, chars={len(self.text)}, "
                f"finish_reason={self.finish_reason!r}, done={self.done})")

    @classmethod
    def for_request(cls, request: InferenceRequest, clock: Callable[[], float] = time.monotonic,
                    secret: str | None = None) -> ChatStream:
        """A stream for `request`; `secret`, the credential it carries, never shows in the assembled text
        (each event is scrubbed as it arrives, but a token the server split across chunks only meets again here)."""
        stream = cls(_requested_model(request), clock)
        stream._request, stream._secret = request, secret
        return stream

    @classmethod
    def from_result(cls, result: InferenceResult) -> ChatStream:
        """Assemble a finished result, streamed or not (history, tests); there is no timing to show."""
        stream = cls(_requested_model(result.request))
        stream.feed(Finished(result))
        return stream

    # -- feeding -------------------------------------------------------------------------------
    def feed(self, event: PollEvent) -> bool:
        """Take one polling event; True when the text or reasoning shown changed."""
        if isinstance(event, Sending) and event.attempt > 1:
            self._clear()  # a retried attempt starts its answer afresh
        elif isinstance(event, Streaming):
            return self._take_sse(event.event)
        elif isinstance(event, Finished):
            return self._finish(event.result)
        return False

    def _take_sse(self, event: SSEEvent) -> bool:
        self.raw_events.append(event.data)
        return False if event.done else self._take_json(event.json, self._clock())

    def _take_json(self, data: Any, now: float) -> bool:
        if isinstance(data, Mapping) and data.get("error"):
            self.stream_errors.append(StreamError(_error_text(data["error"]), str(data.get("error_type") or "")))
            return False
        if not isinstance(data, Mapping):
            self.malformed += 1  # not JSON, or JSON that is no chunk; the stream goes on
            return False
        self.chunks.append(data)
        return self._take_answer(data, "delta", now)

    def _take_answer(self, data: Mapping[str, Any], part: str, now: float) -> bool:
        """A chunk (`part` "delta") or a whole `chat.completion` (`part` "message")."""
        self._take_meta(data)
        choice = _first_choice(data) or {}
        if choice.get("finish_reason"):
            self.finish_reason = str(choice["finish_reason"])
        output = choice.get(part)
        return self._take_output(output if isinstance(output, Mapping) else {}, now)

    def _take_meta(self, data: Mapping[str, Any]) -> None:
        for key in ("id", "created", "model"):
            if data.get(key) and key not in self._meta:
                self._meta[key] = data[key]
        if isinstance(data.get("usage"), Mapping):
            self._usage = data["usage"]

    def _take_output(self, part: Mapping[str, Any], now: float) -> bool:
        content = part.get("content") if isinstance(part.get("content"), str) else ""
        reasoning = next((part[k] for k in _REASONING_KEYS if isinstance(part.get(k), str) and part[k]), "")
        calls_grew = self._tool_calls.feed(part.get("tool_calls"))
        if not (content or reasoning):
            return calls_grew
        if reasoning:
            self._reasoning.append(reasoning)
            self._thinking.feed_reasoning(reasoning, now)
        if content:
            self._content.append(content)
            self._thinking.feed_content(content, now)
            if self.first_token_at is None:
                self.first_token_at = now
        self.output_chunks += 1
        if self._first_output_at is None:
            self._first_output_at = now
        self._last_output_at = now
        return True

    def _finish(self, result: InferenceResult) -> bool:
        now = self._clock()
        self.result, self.finished_at = result, now
        changed = self._take_unstreamed(result, now)
        self._thinking.close(now)
        return changed

    def _take_unstreamed(self, result: InferenceResult, now: float) -> bool:
        if self.chunks or self.stream_errors or self.malformed:
            return False  # streamed: every chunk came through Streaming already
        if result.events:
            changed = False
            for event in result.events:
                changed |= self._take_json(event, now)
            return changed
        body = result.json if result.ok else None
        return self._take_answer(body, "message", now) if isinstance(body, Mapping) else False

    # -- what the panel shows ---------------------------------------------------------------------
    @property
    def text(self) -> str:
        """The content exactly as it came, inline `<think>` blocks and all."""
        return scrub("".join(self._content), self._secret)

    @property
    def answer(self) -> str:
        """The content without its thinking: what the answer, its copy button and the history show."""
        return scrub(self._thinking.answer, self._secret)

    @property
    def reasoning(self) -> str:
        """The thinking of both kinds: `reasoning_content`/`reasoning` deltas, then inline blocks."""
        return scrub(self._thinking.thinking, self._secret)

    @property
    def is_thinking(self) -> bool:
        """Still inside the thinking (for a live "Thinking…" label)."""
        return self._thinking.is_thinking

    @property
    def thinking_seconds(self) -> float | None:
        """How long it thought ("Thought for 4.2 s"); None without thinking or when not streamed live."""
        return self._thinking.thinking_seconds if self.raw_events else None

    @property
    def broke_while_thinking(self) -> bool:
        """The run failed (network, mid-stream error) before the thinking ended; what came is kept."""
        return self._thinking.ended_while_thinking and (self.error is not None or bool(self.stream_errors))

    @property
    def thinking_note(self) -> str | None:
        """Plain text (not escaped) saying the turn ended inside its thinking, and how; else None."""
        if not self._thinking.ended_while_thinking:
            return None
        return thinking_note(self.thinking_seconds, self.broke_while_thinking, self.finish_reason)

    @property
    def tool_calls(self) -> tuple[ToolCall, ...]:
        """The turn's function calls so far, assembled from their fragments, in index order."""
        request = self.result.request if self.result is not None else self._request
        body = request.json_body if request is not None else None
        return self._tool_calls.calls(tool_names(body.get("tools")) if isinstance(body, Mapping) else None)

    @property
    def done(self) -> bool:
        return self.result is not None

    @property
    def error(self) -> PlaygroundError | None:
        """The run's error once finished (HTTP status, network, or a mid-stream error); else None."""
        return self.result.error if self.result is not None else None

    @property
    def ttft(self) -> float | None:
        """Seconds from the start to the first non-empty content (the whole answer, when not streamed)."""
        return None if self.first_token_at is None else self.first_token_at - self.started

    @property
    def total_time(self) -> float | None:
        return None if self.finished_at is None else self.finished_at - self.started

    @property
    def tokens_per_second(self) -> float | None:
        """Generation speed after the first token: N tokens arriving at a steady pace span N - 1 gaps.

        (vLLM's time-per-output-token, inverted.) After thinking, only the answer that followed it
        counts. None for one chunk, or a whole answer at once.
        """
        thinking = self._thinking
        if thinking.has_thinking:
            tokens, first, last = answer_tokens(self._usage, thinking.answer_chunks), thinking.answer_started, \
                thinking.answer_last
        else:
            tokens, first, last = self.usage.completion_tokens, self._first_output_at, self._last_output_at
        if tokens is None or tokens < 2 or first is None or last is None:
            return None
        span = last - first
        # A span of a few milliseconds is one read of a buffered answer, not a generation speed.
        return (tokens - 1) / span if span >= MIN_RATE_SPAN else None

    @property
    def arrived_at_once(self) -> bool:
        """The output came in chunks, but all within one short moment (a buffered answer): no rate to show."""
        if self.output_chunks < 2 or self._first_output_at is None or self._last_output_at is None:
            return False
        return self._last_output_at - self._first_output_at < MIN_RATE_SPAN

    @property
    def usage(self) -> Usage:
        """The server's usage (last chunk or the answer), else TGI's token headers, else an estimate."""
        streamed = bool(self.chunks) or (self.result is not None and bool(self.result.events))
        return usage_from(self._usage, self.result.headers if self.result is not None else {},
                          self.output_chunks if streamed else None)

    @property
    def server_usage(self) -> Mapping[str, Any] | None:
        """The `usage` object exactly as the server sent it, if it sent one."""
        return self._usage

    @property
    def provider(self) -> str:
        """Who served it: the router's `x-inference-provider`, else the provider named in the model suffix."""
        if self.result is not None and self.result.provider:
            return self.result.provider
        suffix = self.requested_model.partition(":")[2]
        return "" if suffix in PROVIDER_POLICIES or suffix == "auto" else suffix

    @property
    def raw_sse(self) -> str:
        """The stream as received (for 'show raw SSE'); a non-streamed answer's body as is."""
        if self.raw_events:
            return "".join(f"data: {data}\n\n" for data in self.raw_events)
        return self.result.text if self.result is not None else ""

    def as_message(self) -> dict[str, Any]:
        """The assistant turn to append to the conversation for the next request: the answer, no thinking,
        and its `tool_calls` when it made some (then each needs a `tool` message after it: tools.py)."""
        message: dict[str, Any] = {"role": "assistant", "content": self.answer}
        if self._tool_calls:
            message["tool_calls"] = [call.as_openai() for call in self.tool_calls]
        return message

    def to_openai(self) -> dict[str, Any]:
        """The assembled answer in OpenAI `chat.completion` shape, streamed or not, as it came (tags kept)."""
        message: dict[str, Any] = {"role": "assistant", "content": self.text}
        if self._reasoning:
            message["reasoning_content"] = "".join(self._reasoning)
        if self._tool_calls:
            message["tool_calls"] = [call.as_openai() for call in self.tool_calls]
        return {
            "id": str(self._meta.get("id") or ""), "object": "chat.completion",
            "created": int(self._meta.get("created") or 0),
            "model": str(self._meta.get("model") or self.requested_model),
            "choices": [{"index": 0, "message": message, "finish_reason": self.finish_reason}],
            "usage": self.usage.as_dict(),
        }


def _requested_model(request: InferenceRequest) -> str:
    body = request.json_body
    return str(body.get("model") or "") if isinstance(body, Mapping) else request.model_id


def _error_text(error: Any) -> str:
    return str(error.get("message", error)) if isinstance(error, Mapping) else str(error)


def _first_choice(data: Mapping[str, Any]) -> Mapping[str, Any] | None:
    choices = data.get("choices")
    if not isinstance(choices, list):
        return None
    return next((c for c in choices if isinstance(c, Mapping) and c.get("index", 0) == 0), None)
