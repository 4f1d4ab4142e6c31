"""Long conversations in Chromium (issue 20 item 6): a paste over the provider's context is warned about
with its token estimate before anything is sent, the message box keeping it, and Run again sends it; a
200-turn, ~1 MB conversation imported from a file still takes a typed message and answers it.
"""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from backend.chat import ChatTree
from backend.chat.library import KeptConversation, conversation_to_json
from tests.browser.actions import ANSWER_TIMEOUT, type_model

pytestmark = pytest.mark.browser

PASTE = "The quick brown fox jumps over the lazy dog. " * 200  # 9,000 characters: about 2,300 tokens
TURNS = 200


def last_row(page: Any, who: str = "bot") -> Any:
    """The transcript's last message of `who` (bot or user): what a person reads at its foot. (Matching
    the whole transcript's text would read a megabyte at every poll.)"""
    return page.locator(f"#chat .message-row.{who}-row").last


def chats(hf: Any) -> list[Any]:
    return [r for r in hf.received if r.path.endswith("/chat/completions")]


def test_a_paste_over_the_context_is_warned_about_and_run_again_sends_it(page: Any, hf: Any) -> None:
    type_model(page, "fake/small-context")  # its one provider, hyperbolic, has 2,048 tokens of context
    page.locator("#prompt textarea").fill(PASTE)
    page.click("#run")
    chat = page.locator("#chat")
    expect(chat).to_contain_text("This conversation is about 2,300 tokens; hyperbolic's context is 2,048.",
                                 timeout=ANSWER_TIMEOUT)
    expect(chat).to_contain_text("press Run again to send it to auto anyway")
    expect(page.locator("#status")).to_contain_text("Not sent")
    expect(page.locator("#prompt textarea")).to_have_value(PASTE)  # nothing typed is lost
    assert chats(hf) == []

    page.click("#run")
    expect(last_row(page)).to_contain_text("Sent as you asked, over the context", timeout=ANSWER_TIMEOUT)
    expect(last_row(page, "user")).to_contain_text(PASTE.strip())
    assert len(chats(hf)) == 1 and chats(hf)[0].json["messages"][-1]["content"] == PASTE


def long_conversation(folder: Path) -> Path:
    """A conversation file of 200 turns and about 1 MB, as the Conversations panel exports one."""
    tree = ChatTree()
    for turn in range(TURNS):
        tree = tree.append_user(f"Question {turn}: " + "tell me more about it " * 68) \
            .append_assistant(f"Answer {turn}: " + "here is a long and careful answer " * 100)
    kept = replace(KeptConversation.new("A long talk", model="fake/slow-chat"), tree=tree)
    path = folder / "long-talk.json"
    path.write_text(conversation_to_json(kept), encoding="utf-8")
    return path


@pytest.mark.slow
def test_a_200_turn_1_mb_conversation_takes_one_more_typed_message(page: Any, hf: Any, tmp_path: Path) -> None:
    path = long_conversation(tmp_path)
    assert path.stat().st_size > 1_000_000
    type_model(page, "fake/slow-chat")  # chat mode shows the Conversations panel
    box = page.locator("#conversations-box")
    if not page.locator("#conversations").is_visible():
        box.get_by_text("Conversations (kept in this browser)").click()
    with page.expect_file_chooser() as chooser:
        page.click("#conversation-import")
    chooser.value.set_files(str(path))
    expect(page.locator("#conversations-note")).to_contain_text("Imported", timeout=ANSWER_TIMEOUT)
    expect(last_row(page)).to_contain_text(f"Answer {TURNS - 1}:", timeout=ANSWER_TIMEOUT)
    expect(page.locator("#model input")).to_have_value("fake/slow-chat")

    typed = "One more question after 200 turns: café & naïve ✓"
    message = page.locator("#prompt textarea")
    message.fill("")  # the example the model's pick put there
    message.press_sequentially(typed, delay=15)  # key by key, as a person types
    expect(message).to_have_value(typed)
    page.click("#run")
    # ~248,000 tokens: over the context of any provider, so the page says so first; Run again sends.
    expect(last_row(page)).to_contain_text(
        "This conversation is about 248,000 tokens; hf-inference's context is 8,192.", timeout=ANSWER_TIMEOUT)
    expect(message).to_have_value(typed)
    page.click("#run")
    expect(last_row(page)).to_contain_text(f"I received {TURNS + 1} user messages.", timeout=ANSWER_TIMEOUT)
    expect(last_row(page, "user")).to_have_text(typed)
    expect(last_row(page)).to_contain_text(typed)  # quoted back by the model: it arrived intact
    sent = chats(hf)[-1].json["messages"]
    assert len(sent) == 2 * TURNS + 1 and sent[-1] == {"role": "user", "content": typed}
