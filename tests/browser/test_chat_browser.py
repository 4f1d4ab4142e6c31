"""Chat as a person sees it: tokens appear while the stream is still coming, a stream that fails
midway keeps its partial answer with the error under it, Cancel stops the text and the upstream
connection, and markup in an answer never runs.
"""
from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.actions import ANSWER_TIMEOUT, type_model
from tests.fake_hf import FakeHF
from tests.http.test_chat_http import streams_being_written, wait_for

pytestmark = pytest.mark.browser

ALL_TOKENS = "".join(f"tok{i} " for i in range(20)).strip()


def send(page: Any, model: str, message: str) -> Any:
    """Pick a chat model, type a message and press Run; returns the chat transcript's locator."""
    type_model(page, model)
    chat = page.locator("#chat")
    expect(chat).to_be_visible(timeout=ANSWER_TIMEOUT)
    page.locator("#prompt textarea").fill(message)
    page.click("#run")
    return chat


def chat_posts(hf: FakeHF) -> int:
    return sum(1 for r in hf.received if r.path == "/v1/chat/completions")


def test_tokens_appear_while_the_stream_is_still_coming(page: Any, hf: FakeHF) -> None:
    chat = send(page, "fake/chat-pace-100", "Count to twenty")  # 20 tokens, one every 100 ms

    expect(chat).to_contain_text("tok2", timeout=ANSWER_TIMEOUT)
    assert "tok19" not in chat.inner_text(), "the first tokens show long before the last one comes"
    expect(page.locator("#prompt textarea")).to_have_value("")  # the box is free for the next message
    expect(chat).to_contain_text(ALL_TOKENS, timeout=ANSWER_TIMEOUT)
    expect(chat).to_contain_text("tok/s")  # the numbers under the answer
    expect(page.locator("#status")).to_contain_text("HTTP 200")

    page.click("#chat-clear")
    expect(chat).not_to_contain_text("tok19")


def test_a_stream_that_fails_midway_keeps_its_partial_answer_and_says_why(page: Any, hf: FakeHF) -> None:
    chat = send(page, "fake/chat-midstream-error", "Go on")

    expect(chat).to_contain_text("stopped part-way", timeout=ANSWER_TIMEOUT)
    expect(chat).to_contain_text("tok0 tok1 tok2")
    expect(chat).to_contain_text("Model overloaded")
    status = page.locator("#status")
    expect(status).to_contain_text("✗ Broke off after HTTP 200")  # not a bare "✗ HTTP 200"


def test_cancel_stops_the_text_and_the_upstream_stream(page: Any, hf: FakeHF) -> None:
    # 5 s of tokens: a Cancel pressed at tok3 lands long before the end, even on a busy machine.
    chat = send(page, "fake/chat-pace-250", "Count to twenty")
    expect(chat).to_contain_text("tok3", timeout=ANSWER_TIMEOUT)

    page.click("#cancel")
    expect(page.locator("#status")).to_contain_text("Cancelled")
    # The messages only: under load Gradio may race its cancel and badge the run's outputs "Error".
    messages = chat.get_by_role("log")
    expect(messages).to_contain_text("Stopped")  # the partial answer is marked as cut short
    shown = messages.inner_text()
    assert wait_for(lambda: streams_being_written() == 0, 2.0), "the fake saw the connection close"
    page.wait_for_timeout(1000)  # four more tokens' worth of time

    assert messages.inner_text() == shown and "tok3" in shown and "tok19" not in shown
    assert chat_posts(hf) == 1, "nothing more was sent"


def test_markup_in_a_chat_answer_is_shown_as_text_and_never_runs(page: Any, hf: FakeHF) -> None:
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    chat = send(page, "fake/xss", "Hi")

    expect(chat).to_contain_text('<img src=x onerror="window.__xss=1"><script>window.__xss=2</script> hello',
                                 timeout=ANSWER_TIMEOUT)
    page.wait_for_timeout(300)
    assert page.evaluate("window.__xss") is None
    assert page.locator("#chat img, #chat script").count() == 0
    assert dialogs == []
