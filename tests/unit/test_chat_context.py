"""The token estimate of a conversation and the warning shown before sending one over the provider's
context length. Pure.
"""
from __future__ import annotations

import pytest

from backend.chat import ChatTree, context_warning, estimate_tokens
from backend.chat.context import IMAGE_TOKENS, MESSAGE_TOKENS, ContextCheck, context_check
from backend.chat_providers import RouterModel, parse_router_models


@pytest.mark.parametrize("content, tokens", [
    ("", 0),
    ("abcd" * 10, 10),              # 4 ASCII characters a token
    ("abcde", 2),                   # rounded up
    ("日本語のテキスト", 4),          # other characters: 2 a token
    ("café", 2),                    # 3 ASCII -> 1, 1 other -> 1
])
def test_text_is_counted_by_characters(content: str, tokens: int) -> None:
    assert estimate_tokens([{"role": "user", "content": content}]) == MESSAGE_TOKENS + tokens


def test_an_image_counts_as_a_nominal_size_not_its_data_url() -> None:
    parts = [{"type": "text", "text": "abcd" * 2},
             {"type": "image_url", "image_url": {"url": "data:image/png;base64," + "A" * 400_000}}]
    assert estimate_tokens([{"role": "user", "content": parts}]) == MESSAGE_TOKENS + 2 + IMAGE_TOKENS


def test_reasoning_sent_back_counts_too() -> None:
    message = {"role": "assistant", "content": "abcd", "reasoning_content": "abcd" * 3}
    assert estimate_tokens([message]) == MESSAGE_TOKENS + 1 + 3


def test_a_conversation_over_the_context_is_warned_about_with_its_estimate() -> None:
    tree = ChatTree()
    for turn in range(41):
        tree = tree.append_user("x" * 2000).append_assistant("y" * 2000)  # ~1,004 tokens a turn
    messages = tree.messages_for_request("Be brief.")
    assert 41_000 <= estimate_tokens(messages) < 41_500
    assert context_warning(messages, 32_768, "together") == \
        "This conversation is about 41,000 tokens; together's context is 32,768."
    assert context_warning(messages, 32_768) == \
        "This conversation is about 41,000 tokens; the model's context is 32,768."


@pytest.mark.parametrize("context_length, max_tokens, expected", [
    (None, None, None),             # unknown: nothing to say
    (0, None, None),
    (2_000, None, None),            # fits
    (2_000, 500, None),             # fits with the answer
    (2_000, 1_500, "This conversation is about 1,200 tokens and the answer may take 1,500 more (max_tokens); "
                   "groq's context is 2,000."),
    (1_000, None, "This conversation is about 1,200 tokens; groq's context is 1,000."),
])
def test_the_warning_only_when_it_does_not_fit(context_length: int | None, max_tokens: int | None,
                                               expected: str | None) -> None:
    messages = [{"role": "user", "content": "x" * 4_784}]  # 4 + 1,196 = 1,200 tokens
    assert context_warning(messages, context_length, "groq", max_tokens=max_tokens) == expected


# -- against the router's /v1/models entry of the chosen provider -------------------------------------
def _model(**contexts: int | None) -> RouterModel:
    return parse_router_models({"data": [{"id": "org/model", "providers": [
        {"provider": name.replace("_", "-"), "status": "live", "context_length": length}
        for name, length in contexts.items()]}]})["org/model"]


LONG = [{"role": "user", "content": "x" * 40_000}]  # about 10,000 tokens


@pytest.mark.parametrize("provider, contexts, expected", [
    ("together", {"together": 8_192, "groq": 131_072},
     ContextCheck("This conversation is about 10,000 tokens; together's context is 8,192.", "together",
                  (("groq", 131_072),))),
    ("groq", {"together": 8_192, "groq": 131_072}, ContextCheck()),     # it fits the one chosen
    # a policy: only when no provider can hold it, measured against the longest
    ("auto", {"together": 8_192, "groq": 131_072}, ContextCheck()),
    ("", {"together": 8_192, "groq": 4_096},
     ContextCheck("This conversation is about 10,000 tokens; together's context, the longest among org/model's "
                  "providers, is 8,192.", "together")),
    ("cheapest", {"together": 8_192},
     ContextCheck("This conversation is about 10,000 tokens; together's context is 8,192.", "together")),
    ("together", {"together": None, "groq": 4_096}, ContextCheck()),   # its length unknown: nothing to say
    ("nscale", {"together": 4_096}, ContextCheck()),                   # not in the router's list
])
def test_the_chosen_providers_context_or_for_a_policy_the_longest(provider: str, contexts: dict[str, int | None],
                                                                  expected: ContextCheck) -> None:
    assert context_check(_model(**contexts), provider, LONG) == expected


def test_no_model_in_the_catalog_says_nothing() -> None:
    assert context_check(None, "together", LONG) == ContextCheck()


def test_max_tokens_counts_and_the_alternatives_are_said_longest_first() -> None:
    check = context_check(_model(together=10_500, groq=32_768, fireworks_ai=16_384), "together", LONG, 1_000)
    assert check.warning == ("This conversation is about 10,000 tokens and the answer may take 1,000 more "
                             "(max_tokens); together's context is 10,500.")
    assert check.alternatives == " Providers with a longer context: groq (32,768), fireworks-ai (16,384)."
