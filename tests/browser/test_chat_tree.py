"""Chat as people use it in 2026 (issue 20), in Chromium against the fake: the thinking folded apart from
the answer, Retry keeping the old answer as an alternative (‹ 2/2 ›, switchable), an edited message
answered again, Undo, Delete, the reasoning effort, and a stream that breaks inside the thinking.
What is sent is checked in the fake's log: always exactly the path on screen.
"""
from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.actions import ANSWER_TIMEOUT, type_model

pytestmark = pytest.mark.browser


def chat_requests(hf: Any) -> list[dict[str, Any]]:
    return [seen.json for seen in hf.received if seen.path.endswith("/chat/completions") and seen.json]


def runs(page: Any) -> int:
    """How many runs the history says this session made (each answer joins it once it is on the page)."""
    found = re.match(r"(\d+) runs? in this session", page.locator("#history-note").inner_text())
    return int(found.group(1)) if found else 0


def answered_again(page: Any, before: int) -> None:
    """Wait for the answer of a run that began after `before` runs had joined the history."""
    expect(page.locator("#history-note")).to_contain_text(
        f"{before + 1} run{'s' if before else ''} in this session", timeout=ANSWER_TIMEOUT)


def send(page: Any, text: str) -> None:
    """Send a message and wait for its answer."""
    before = runs(page)
    page.locator("#prompt textarea").fill(text)
    page.click("#run")
    answered_again(page, before)
    expect(page.locator("#status")).to_contain_text("HTTP 200", timeout=ANSWER_TIMEOUT)


def said(hf: Any) -> list[tuple[str, str]]:
    """The messages of the last chat request, as (role, text)."""
    return [(m["role"], m["content"]) for m in chat_requests(hf)[-1]["messages"]]


def test_the_thinking_is_folded_apart_from_the_answer(page: Any, hf) -> None:
    type_model(page, "fake/reasoning-tags")
    send(page, "What is 2 + 2?")

    chat = page.locator("#chat")
    expect(chat).to_contain_text("Thought for")
    expect(chat).to_contain_text("2 + 2 = 4. Four is the answer.")
    expect(chat).not_to_contain_text("<think>")
    expect(chat).not_to_contain_text("</think>")
    # The raw stream keeps everything, tags included; the history's answer column holds the answer only.
    page.locator("#raw-stream-box").get_by_text("Raw stream (SSE, as received)").click()
    expect(page.locator("#raw-stream")).to_contain_text('"content":"nk>"')
    expect(page.locator("#history-table")).to_contain_text("Four is the answer.")
    expect(page.locator("#history-table")).not_to_contain_text("think>")


def test_reasoning_content_is_folded_too_and_effort_is_sent_only_when_set(page: Any, hf) -> None:
    type_model(page, "fake/reasoning-content")
    send(page, "What is 2 + 2?")
    expect(page.locator("#chat")).to_contain_text("Thought for")
    assert "reasoning_effort" not in chat_requests(hf)[-1], "default sends nothing"

    page.locator("#reasoning-effort input").click()
    page.get_by_role("option", name="low", exact=True).click()
    send(page, "And 3 + 3?")
    assert chat_requests(hf)[-1]["reasoning_effort"] == "low"


def test_retry_keeps_the_old_answer_as_an_alternative_and_the_path_on_screen_is_sent(page: Any, hf) -> None:
    type_model(page, "fake/slow-chat")
    send(page, "First question")
    send(page, "Second question")
    chat = page.locator("#chat")

    before = runs(page)
    chat.get_by_role("button", name="Retry").last.click()
    expect(chat).to_contain_text("‹ 2/2 ›", timeout=ANSWER_TIMEOUT)
    answered_again(page, before)
    assert said(hf)[-1] == ("user", "Second question") and len(said(hf)) == 3, "regenerated from the same path"

    chat.get_by_text("I received 2 user messages").last.click()  # the answer's actions
    actions = page.locator("#chat-actions")
    expect(actions).to_contain_text("‹ 2/2 ›")
    page.click("#chat-previous")
    expect(chat).to_contain_text("‹ 1/2 ›")
    expect(actions).to_contain_text("‹ 1/2 ›")

    send(page, "Third question")  # goes after the alternative on screen
    expect(chat).to_contain_text("I received 3 user messages")
    assert [role for role, _ in said(hf)] == ["user", "assistant", "user", "assistant", "user"]


def test_an_edited_message_is_answered_again_and_the_original_kept(page: Any, hf) -> None:
    type_model(page, "fake/slow-chat")
    send(page, "Hello there")
    chat = page.locator("#chat")

    before = runs(page)
    chat.get_by_role("button", name="Edit").first.click()
    editor = chat.locator("textarea").first
    editor.fill("Hello again, edited")
    chat.get_by_role("button", name="Submit").click()

    expect(chat).to_contain_text("The last one was: 'Hello again, edited'", timeout=ANSWER_TIMEOUT)
    expect(chat).to_contain_text("‹ 2/2 ›")
    answered_again(page, before)
    assert said(hf) == [("user", "Hello again, edited")]


def test_undo_takes_back_the_last_turn_and_gives_its_message_back(page: Any, hf) -> None:
    type_model(page, "fake/slow-chat")
    send(page, "Keep this one")
    send(page, "Take this back")
    chat = page.locator("#chat")

    chat.get_by_role("button", name="Undo").last.click()
    expect(chat).not_to_contain_text("Take this back")
    expect(page.locator("#prompt textarea")).to_have_value("Take this back")
    send(page, "Instead this")
    assert said(hf) == [("user", "Keep this one"), ("assistant", "I received 1 user message. The last one was: "
                                                                 "'Keep this one'."), ("user", "Instead this")]


def test_delete_removes_a_message_and_what_follows(page: Any, hf) -> None:
    type_model(page, "fake/slow-chat")
    send(page, "Keep me")
    send(page, "Delete me")
    chat = page.locator("#chat")

    chat.get_by_text("Delete me").first.click()
    expect(page.locator("#chat-actions")).to_contain_text("Your message")
    page.click("#chat-delete")
    expect(chat).not_to_contain_text("Delete me")
    expect(chat).to_contain_text("Keep me")
    send(page, "Next")
    assert [text for _, text in said(hf)][-1] == "Next" and len(said(hf)) == 3


def test_a_stream_that_breaks_inside_the_thinking_keeps_what_came_and_says_where(page: Any, hf) -> None:
    type_model(page, "fake/reasoning-breaks")
    page.locator("#prompt textarea").fill("Think hard")
    page.click("#run")
    chat = page.locator("#chat")
    expect(chat).to_contain_text("still thinking", timeout=ANSWER_TIMEOUT)
    expect(chat).to_contain_text("what came is kept")
    chat.get_by_text("Thought for").click()  # unfold the thinking: what came before the break is there
    expect(chat).to_contain_text("Let me work this out")
