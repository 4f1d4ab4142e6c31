"""Whether a conversation fits the provider's context: a token estimate and the warning shown before sending.

The estimate is a heuristic, not a tokenizer (each model has its own): about 4 characters per token for
ASCII text, 2 for other characters (accented and CJK text tokenize denser), a nominal 1,000 tokens per
image and 4 per message for the chat template's role markers. It aims at the middle, not at a bound:
it is meant for "about 41,000 tokens", never for billing.

`context_check` measures a request's messages against the router's `/v1/models` entry of the chosen
provider; for a policy (auto, fastest, cheapest, preferred), against the longest context among the
model's live providers, since only then can no provider hold it. Duck-typed on `RouterModel`, as
`capabilities` is.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Iterable, Mapping

from ..targets import PROVIDER_POLICIES

if TYPE_CHECKING:
    from ..chat_providers import RouterModel, RouterProvider

__all__ = ["estimate_tokens", "context_warning", "context_check", "ContextCheck", "IMAGE_TOKENS",
           "MESSAGE_TOKENS"]

ASCII_CHARS_PER_TOKEN = 4
OTHER_CHARS_PER_TOKEN = 2
IMAGE_TOKENS = 1_000  # a data: URL runs to megabytes while the image costs the model ~1k tokens
MESSAGE_TOKENS = 4
_POLICIES = ("", "auto", *PROVIDER_POLICIES)  # auto and the router's policies: no one provider


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
    whose = f"{provider}'s context" if provider else "the model's context"
    return _warning(estimate_tokens(messages), _answer(max_tokens), context_length, whose)


@dataclass(frozen=True)
class ContextCheck:
    """`warning` is plain text (None: it fits, or nobody can say); `provider` is whose context it was
    measured against, `longer` the live providers whose context would hold it (with their length)."""

    warning: str | None = None
    provider: str = ""
    longer: tuple[tuple[str, int], ...] = ()

    @property
    def alternatives(self) -> str:
        """" Providers with a longer context: together (131,072)." or ""."""
        named = ", ".join(f"{name} ({length:,})" for name, length in self.longer)
        return f" Providers with a longer context: {named}." if named else ""


def context_check(model: RouterModel | None, provider: str, messages: Iterable[Mapping[str, Any]],
                  max_tokens: int | None = None) -> ContextCheck:
    """Whether `messages` (and `max_tokens` for the answer) fit `provider`'s context for `model` ("" or
    a policy: the longest context among its live providers). No model, no entry or no length: nothing."""
    if model is None:
        return ContextCheck()
    live = [p for p in model.providers.values() if p.status in ("", "live") and p.context_length]
    policy = (provider or "").strip().lower()
    if policy in _POLICIES:
        entry = max(live, key=lambda p: p.context_length or 0, default=None)
        whose = f"{entry.provider}'s context" if entry is not None else ""
        if entry is not None and len(live) > 1:
            whose += f", the longest among {model.id}'s providers,"
    else:
        entry = model.providers.get(policy)
        whose = f"{policy}'s context"
    if entry is None or not entry.context_length:
        return ContextCheck()
    estimate, answer = estimate_tokens(messages), _answer(max_tokens)
    warning = _warning(estimate, answer, entry.context_length, whose)
    if warning is None:
        return ContextCheck()
    longer = tuple((p.provider, int(p.context_length or 0)) for p in _by_length(live)
                   if p.provider != entry.provider and (p.context_length or 0) >= estimate + answer)
    return ContextCheck(warning, entry.provider, longer)


def _by_length(providers: list[RouterProvider]) -> list[RouterProvider]:
    return sorted(providers, key=lambda p: -(p.context_length or 0))


def _answer(max_tokens: Any) -> int:
    ok = isinstance(max_tokens, int) and not isinstance(max_tokens, bool) and max_tokens > 0
    return max_tokens if ok else 0


def _warning(estimate: int, answer: int, context_length: int | None, whose: str) -> str | None:
    if not context_length or context_length <= 0 or estimate + answer <= context_length:
        return None
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
