"""Token counts of one chat turn: the server's `usage`, else TGI's token headers, else counted chunks.

`Usage` is the frozen result; `usage_from` picks the best source; `answer_tokens` is what a
reasoning model's answer cost after its thinking, for a tokens/s of the answer alone.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

__all__ = ["Usage", "usage_from", "answer_tokens", "token_count"]

_FIELDS = ("prompt_tokens", "completion_tokens", "total_tokens")


@dataclass(frozen=True)
class Usage:
    """Token counts; `estimated` when the server sent none and content chunks were counted instead."""

    prompt_tokens: int | None
    completion_tokens: int | None
    total_tokens: int | None
    estimated: bool = False

    def as_dict(self) -> dict[str, int | None]:
        return {"prompt_tokens": self.prompt_tokens, "completion_tokens": self.completion_tokens,
                "total_tokens": self.total_tokens}


def usage_from(server_usage: Mapping[str, Any] | None, headers: Mapping[str, str],
               streamed_chunks: int | None) -> Usage:
    """The server's usage, else TGI's `x-generated-tokens` headers, else the chunks counted (None: unstreamed)."""
    if server_usage is not None:
        return Usage(*(token_count(server_usage.get(key)) for key in _FIELDS))
    generated = token_count(headers.get("x-generated-tokens"))
    if generated is not None:
        prompt = token_count(headers.get("x-prompt-tokens"))
        return Usage(prompt, generated, None if prompt is None else prompt + generated)
    return Usage(None, streamed_chunks, None, estimated=True)


def answer_tokens(server_usage: Mapping[str, Any] | None, answer_chunks: int) -> int:
    """The answer's tokens after thinking: completion minus `completion_tokens_details.reasoning_tokens`
    when the server splits them, else the answer's chunks (about one token each)."""
    usage = server_usage or {}
    details = usage.get("completion_tokens_details")
    completion = token_count(usage.get("completion_tokens"))
    reasoning = token_count(details.get("reasoning_tokens")) if isinstance(details, Mapping) else None
    if completion is not None and reasoning and completion > reasoning:
        return completion - reasoning
    return answer_chunks


def token_count(value: Any) -> int | None:
    """A token count from JSON or a header: a non-negative whole number, else None."""
    if isinstance(value, bool):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if number >= 0 else None
