"""Answers in recorded shapes for models that were never recorded: recording 01's text-classification
reply, 20's chat completion and 21's stream chunk, with the model id and content swapped in.
"""
from __future__ import annotations

import copy
import json
import re
from collections.abc import Sequence
from typing import Any

from .recordings import Recordings
from .replies import Received, Reply, json_reply, sse_event, sse_reply


class Templates:
    def __init__(self, recordings: Recordings) -> None:
        self._classification = recordings.case(1)
        chat, stream = recordings.case(20), recordings.case(21)
        self._chat_body: dict[str, Any] = chat.json_body()
        self._chat_headers = chat.headers
        self._chunk: dict[str, Any] = json.loads(stream.events[0].removeprefix("data:"))
        self._stream_headers = stream.headers

    @property
    def classification_body(self) -> bytes:
        return self._classification.body

    def classification(self) -> Reply:
        return self._classification.reply()

    @property
    def chat_text(self) -> str:
        return self._chat_body["choices"][0]["message"]["content"]

    def chat(self, model_id: str, pieces: Sequence[str], request: Received, pace: float = 0.0,
             finish: str = "stop") -> Reply:
        """A chat completion of `pieces`: streamed one chunk per piece when the request asks for it."""
        usage = _usage(request, len(pieces))
        if request.wants_stream:
            events = [self.chunk_event(model_id, piece) for piece in pieces]
            return self.stream([*events, self.chunk_event(model_id, "", finish, usage), sse_event("[DONE]")], pace)
        body = copy.deepcopy(self._chat_body)
        body.update(model=model_id, usage=usage)
        body["choices"][0]["message"]["content"] = "".join(pieces)
        body["choices"][0]["finish_reason"] = finish
        return json_reply(200, body, [h for h in self._chat_headers if h[0].lower() != "content-type"])

    def chunk_event(self, model_id: str, content: str, finish: str | None = None,
                    usage: dict[str, int] | None = None) -> str:
        chunk = copy.deepcopy(self._chunk)
        chunk.update(model=model_id, usage=usage)
        chunk["choices"][0]["delta"]["content"] = content
        chunk["choices"][0]["finish_reason"] = finish
        return sse_event(chunk)

    def stream(self, events: Sequence[str], pace: float = 0.0) -> Reply:
        return sse_reply(events, pace, self._stream_headers)


def words(text: str) -> list[str]:
    """`text` cut into word-plus-space pieces, the way a tokenizer streams it."""
    return re.findall(r"\S+\s*", text)


def _usage(request: Received, completion_tokens: int) -> dict[str, int]:
    messages = request.json.get("messages") if isinstance(request.json, dict) else None
    prompt = sum(len(str(m.get("content", "")).split()) for m in messages or () if isinstance(m, dict))
    return {"prompt_tokens": prompt, "completion_tokens": completion_tokens,
            "total_tokens": prompt + completion_tokens}
