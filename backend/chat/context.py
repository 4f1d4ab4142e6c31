"""Whether a conversation fits the provider's context: a token estimate and the warning shown before sending.

The estimate is a heuristic, not a tokenizer (each model has its own): about 4 characters per token for
ASCII text, 2 for other characters (accented and CJK text tokenize denser), a nominal 1,000 tokens per
image and 4 per message for the chat template's role markers. It aims at the middle, not at a bound:
it is meant for "about 41,000 tokens", never for billing.
"""
from __future__ import annotations

from typing import Any, Iterable, Mapping

__all__ = ["estimate_tokens", "context_warning", "IMAGE_TOKENS", "MESSAGE_TOKENS"]

ASCII_CHARS_PER_TOKEN = 4
OTHER_CHARS_PER_TOKEN = 2
IMAGE_TOKENS = 1_000  # a data: URL runs to megabytes while the image costs the model ~1k tokens
MESSAGE_TOKENS = 4


def estimate_tokens(messages: Iterable[Mapping[str, Any]]) -> int:
    """About how many tokens chat-completions `messages` take (see the module docstring)."""
    total = 0
    for message in messages:
        total += MESSAGE_TOKENS + _text_tokens(message.get("reasoning_content"))
        content = message.get("content")
        if isinstance(content, str):
            total += _text_tokens(content)
        elif isinstance(content, list):
            for part in content:
                if not isinstance(part, Mapping):
                    continue
                total += IMAGE_TOKENS if part.get("type") == "image_url" else _text_tokens(part.get("text"))
    return total


def context_warning(messages: Iterable[Mapping[str, Any]], context_length: int | None, provider: str = "",
                    max_tokens: int | None = None) -> str | None:
    """Plain text to show before sending when the conversation (plus `max_tokens` for the answer, if
    given) is over the context length; None when it fits or the length is unknown.

    "This conversation is about 41,000 tokens; together's context is 32,768."
    """
    if not context_length or context_length <= 0:
        return None
    estimate = estimate_tokens(messages)
    answer = max_tokens if max_tokens and max_tokens > 0 else 0
    if estimate + answer <= context_length:
        return None
    whose = f"{provider}'s context" if provider else "the model's context"
    if estimate <= context_length:
        return (f"This conversation is about {_rounded(estimate):,} tokens and the answer may take {answer:,} more "
                f"(max_tokens); {whose} is {context_length:,}.")
    return f"This conversation is about {_rounded(estimate):,} tokens; {whose} is {context_length:,}."


def _text_tokens(text: Any) -> int:
    if not isinstance(text, str) or not text:
        return 0
    if text.isascii():
        return -(-len(text) // ASCII_CHARS_PER_TOKEN)
    ascii_chars = len(text.encode("ascii", "ignore"))
    other = len(text) - ascii_chars
    return -(-ascii_chars // ASCII_CHARS_PER_TOKEN) + -(-other // OTHER_CHARS_PER_TOKEN)


def _rounded(tokens: int) -> int:
    """An estimate said as precisely as it is: to the thousand from 10,000, the hundred from 1,000."""
    step = 1000 if tokens >= 10_000 else 100 if tokens >= 1000 else 10
    return max(round(tokens / step) * step, step)
