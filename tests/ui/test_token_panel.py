"""The token panel says whose token runs use, or how to add one; a typed token beats a login, and
Gradio's local stand-in login is never taken for a token.
"""
from __future__ import annotations

import gradio as gr
import pytest

from app import build_demo
from backend import Hub
from components.handlers.tokens import WhoAmICache, describe_identity, visitor_token
from components.token_panel import can_sign_in
from tests.ui.conftest import plain
from tests.ui.launch import fake_settings


@pytest.mark.parametrize("typed, oauth, expected", [
    ("hf_typed00000000", "hf_login00000000", "hf_typed00000000"),
    ("  ", "hf_login00000000", "hf_login00000000"),
    ("", "mock-oauth-token-for-local-dev", None),
    (None, None, None),
])
def test_whose_token_a_run_uses(typed: str | None, oauth: str | None, expected: str | None) -> None:
    assert visitor_token(typed, oauth) == expected


def test_without_any_token_the_page_says_how_to_add_one(fake, hf) -> None:
    settings = fake_settings(fake.url)

    text = describe_identity(WhoAmICache(Hub(settings)), settings, None)

    assert "No token yet" in text and "(https://huggingface.co/settings/tokens)" in text
    assert "HF_TOKEN" in text
    assert hf.received == [], "nothing to check, so nothing is asked"


def test_a_rejected_token_is_reported_not_hidden(fake, hf) -> None:
    settings = fake_settings(fake.url)

    text = plain(describe_identity(WhoAmICache(Hub(settings)), settings, "not-a-hf-token-at-all"))

    assert "could not be checked" in text and "HTTP 401" in text
    assert "not-a-hf-token-at-all" not in text


def test_the_operators_token_is_named_as_such(fake, hf) -> None:
    settings = fake_settings(fake.url, "hf_operator000000000000wxyz")

    text = plain(describe_identity(WhoAmICache(Hub(settings)), settings, None))

    assert "the server's token" in text and "hf_****wxyz" in text and "Paste your own" in text


def test_sign_in_appears_only_on_a_space_with_oauth(fake) -> None:
    without_oauth = build_demo(fake_settings(fake.url, SPACE_ID="someone/playground"))
    assert not any(isinstance(block, gr.LoginButton) for block in without_oauth.blocks.values())

    # Building with OAuth needs a real Space (Gradio reads its OAuth config at import), so check the rule.
    assert can_sign_in(fake_settings(fake.url, SPACE_ID="someone/playground", OAUTH_CLIENT_ID="abc"))
    assert not can_sign_in(fake_settings(fake.url, OAUTH_CLIENT_ID="abc"))


@pytest.mark.parametrize("where", [{"GRADIO_SERVER_NAME": "0.0.0.0", "GRADIO_AUTH": "demo:a-long-password"},
                                   {"SPACE_ID": "someone/playground"},
                                   {"PLAYGROUND_SHOW_SERVER_ACCOUNT": "0"}])
def test_a_shared_app_does_not_say_whose_account_the_servers_token_is(fake, hf, where: dict[str, str]) -> None:
    settings = fake_settings(fake.url, "hf_operator000000000000wxyz", **where)

    text = plain(describe_identity(WhoAmICache(Hub(settings)), settings, None))

    assert "the server's token" in text, "anonymous visitors still learn that runs use the server's token"
    assert "wxyz" not in text and "signed in as" not in text
    assert not [r for r in hf.received if "whoami" in r.path], "nobody asked, so the Hub is not asked either"


def test_a_local_run_says_whose_account_the_servers_token_is(fake, hf) -> None:
    settings = fake_settings(fake.url, "hf_operator000000000000wxyz")

    text = plain(describe_identity(WhoAmICache(Hub(settings)), settings, None))

    assert "signed in as" in text and "hf_****wxyz" in text
