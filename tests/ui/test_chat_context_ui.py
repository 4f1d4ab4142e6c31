"""A conversation over the provider's context (issue 20 item 6), through the chat's run handler against
the fake: warned about with its token estimate before anything is sent, the message box kept; Run again
sends it (the answer then says it went over); a conversation that fits, a custom endpoint or a router
list that cannot be had says nothing and sends at once.
"""
from __future__ import annotations

from dataclasses import replace
from typing import Any, Iterator

import pytest

from backend import Playground
from backend.chat_providers import RouterCatalog, parse_router_models
from components.handlers.chat import Conversation, run_chat
from components.handlers.forms import FormValues
from components.handlers.run import RunSetup
from tests.fake_hf import FakeHF
from tests.ui.conftest import OPERATOR_TOKEN, plain
from tests.ui.launch import fake_settings

SMALL = "fake/small-context"  # the fake's hyperbolic: 2,048 tokens of context
PASTE = "The quick brown fox jumps over the lazy dog. " * 200  # 9,000 characters: about 2,300 tokens


def last(views: Iterator[Any]) -> Any:
    *_, final = views
    return final


def titles(conversation: Conversation) -> list[str]:
    return [plain(m["metadata"]["title"]) for m in conversation.transcript if m.get("metadata")]


@pytest.fixture
def playground(fake: FakeHF) -> Playground:
    fake.reset()
    return Playground(fake_settings(fake.url, OPERATOR_TOKEN))


@pytest.fixture
def catalog(playground: Playground) -> RouterCatalog:
    return RouterCatalog(playground.transport)


def chats(fake: FakeHF) -> list[Any]:
    return [r for r in fake.received if r.path.endswith("/chat/completions")]


def test_over_the_context_is_warned_about_with_its_estimate_and_run_again_sends(
        playground: Playground, catalog: RouterCatalog, fake: FakeHF) -> None:
    setup = RunSetup(SMALL, "chat-completion", FormValues(prompt=PASTE), provider="hyperbolic")
    first = last(run_chat(playground, catalog, setup, Conversation()))
    assert chats(fake) == [] and first.run.phase == "invalid"
    assert first.run.error.startswith("This conversation is about 2,300 tokens; hyperbolic's context is 2,048. ")
    assert "press Run again to send it to hyperbolic anyway; the provider may refuse it." in first.run.error
    assert first.message is None  # the message box keeps what was typed
    assert first.conversation.tree.path() == ()

    again = last(run_chat(playground, catalog, setup, first.conversation))
    assert [r.json["model"] for r in chats(fake)] == [f"{SMALL}:hyperbolic"]
    assert again.run.phase == "done" and again.conversation.tree.path()[-1].text
    assert "⚠ Sent as you asked, over the context: This conversation is about 2,300 tokens; hyperbolic's context " \
           "is 2,048." in titles(again.conversation)

    # The next turn of that conversation, with the same provider, is not asked about again.
    more = last(run_chat(playground, catalog, replace(setup, form=FormValues(prompt="And again")), again.conversation))
    assert len(chats(fake)) == 2 and more.run.phase == "done"


def test_auto_is_measured_against_the_longest_context_and_max_tokens_counts(
        playground: Playground, catalog: RouterCatalog, fake: FakeHF) -> None:
    setup = RunSetup(SMALL, "chat-completion", FormValues(prompt="x" * 6_000), params={"max_tokens": 1_000},
                     provider="auto")
    first = last(run_chat(playground, catalog, setup, Conversation()))
    assert chats(fake) == []
    assert first.run.error.startswith("This conversation is about 1,500 tokens and the answer may take 1,000 more "
                                      "(max_tokens); hyperbolic's context is 2,048. Shorten the conversation")
    assert "send it to auto anyway" in first.run.error


def test_retry_over_the_context_is_warned_about_and_run_again_retries(
        playground: Playground, catalog: RouterCatalog, fake: FakeHF) -> None:
    setup = RunSetup(SMALL, "chat-completion", FormValues(prompt="Hello"), provider="hyperbolic")
    answered = last(run_chat(playground, catalog, setup, Conversation()))
    tree = answered.conversation.tree.edit(answered.conversation.tree.path()[0].id, PASTE)
    edited = replace(answered.conversation.settled(tree), pending="answer")
    fake.reset()
    first = last(run_chat(playground, catalog, replace(setup, form=FormValues(prompt="")), edited))
    assert chats(fake) == [] and "hyperbolic's context is 2,048" in first.run.error
    assert first.conversation.pending == "answer"  # Run again answers the edited message, the box is not needed
    again = last(run_chat(playground, catalog, replace(setup, form=FormValues(prompt="")), first.conversation))
    assert len(chats(fake)) == 1 and again.run.phase == "done"


def test_a_conversation_that_fits_goes_at_once(playground: Playground, catalog: RouterCatalog,
                                               fake: FakeHF) -> None:
    setup = RunSetup(SMALL, "chat-completion", FormValues(prompt="Hello"), provider="hyperbolic")
    final = last(run_chat(playground, catalog, setup, Conversation()))
    assert len(chats(fake)) == 1 and final.run.phase == "done"
    assert not any(title.startswith("⚠") for title in titles(final.conversation))


class Broken:
    """A router list that cannot be had: no warning, and the turn is sent."""

    def models(self, token: str | None = None) -> dict[str, Any]:
        from backend.errors import UpstreamError
        raise UpstreamError(status=502)


class Listed:
    def __init__(self, context: int) -> None:
        self._models = parse_router_models({"data": [{"id": SMALL, "providers": [
            {"provider": "hyperbolic", "status": "live", "context_length": context}]}]})

    def models(self, token: str | None = None) -> dict[str, Any]:
        return self._models


@pytest.mark.parametrize("catalog, endpoint", [(Broken(), ""), (Listed(16), "http://127.0.0.1:{port}/v1")],
                         ids=["router list unavailable", "custom endpoint"])
def test_nobody_can_say_so_nothing_is_said_and_it_is_sent(playground: Playground, fake: FakeHF, catalog: Any,
                                                          endpoint: str) -> None:
    url = endpoint.format(port=fake.url.rsplit(":", 1)[1]) if endpoint else ""
    setup = RunSetup(SMALL if not url else "", "chat-completion", FormValues(prompt=PASTE), provider="hyperbolic",
                     endpoint_url=url)
    views = list(run_chat(playground, catalog, setup, Conversation()))
    assert not any(isinstance(v.run.error, str) and "context" in v.run.error for v in views)
    assert views[0].run.phase == "start"

