"""Conversations kept in the browser (issue 20 item 4), in Chromium: named after their first message,
new, switched with their model and transcript, renamed, deleted, exported and imported, and back after
a reload. Storage is the visitor's own (a fresh browser context per test)."""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.actions import ANSWER_TIMEOUT, type_model

pytestmark = pytest.mark.browser


def runs(page: Any) -> int:
    found = re.match(r"(\d+) runs? in this session", page.locator("#history-note").inner_text())
    return int(found.group(1)) if found else 0


def send(page: Any, text: str) -> None:
    before = runs(page)
    page.locator("#prompt textarea").fill(text)
    page.click("#run")
    expect(page.locator("#history-note")).to_contain_text(f"{before + 1} run", timeout=ANSWER_TIMEOUT)


def open_conversations(page: Any) -> Any:
    box = page.locator("#conversations-box")
    if not page.locator("#conversations").is_visible():
        box.get_by_text("Conversations (kept in this browser)").click()
    return box


def choose(page: Any, label_part: str) -> None:
    """Type part of a conversation's name in the list and press Enter, as a person picking one would."""
    box = page.locator("#conversations input")
    box.click()
    box.fill("")
    box.press_sequentially(label_part, delay=20)
    expect(page.get_by_role("option")).to_have_count(1)  # filtered down to the one meant
    box.press("Enter")
    expect(box).to_have_value(re.compile("^" + re.escape(label_part)))


def test_conversations_are_kept_switched_and_back_after_a_reload(page: Any, hf) -> None:
    type_model(page, "fake/slow-chat")
    send(page, "About refunds")
    box = open_conversations(page)
    expect(page.locator("#conversations input")).to_have_value(re.compile("About refunds · fake/slow-chat · 1 turn"))

    page.click("#conversation-new")
    expect(page.locator("#chat")).not_to_contain_text("About refunds")
    send(page, "About shipping")
    # Saved once the answer is in: the new conversation takes its first message's name.
    expect(page.locator("#conversations input")).to_have_value(re.compile("^About shipping · fake/slow-chat · 1 turn"))

    choose(page, "About refunds")
    expect(page.locator("#chat")).to_contain_text("About refunds", timeout=ANSWER_TIMEOUT)
    expect(page.locator("#chat")).not_to_contain_text("About shipping")
    send(page, "And a follow-up")
    expect(page.locator("#chat")).to_contain_text("I received 2 user messages")

    page.reload()
    page.wait_for_selector("#run")
    expect(page.locator("#chat")).to_contain_text("And a follow-up", timeout=ANSWER_TIMEOUT)
    expect(page.locator("#model input")).to_have_value("fake/slow-chat")
    open_conversations(page)
    expect(box.locator("#conversations input")).to_have_value(re.compile("About refunds · fake/slow-chat · 2 turns"))


def test_rename_delete_export_and_import(page: Any, hf, tmp_path: Path) -> None:
    type_model(page, "fake/slow-chat")
    send(page, "Keep this talk")
    open_conversations(page)

    page.locator("#conversation-name textarea, #conversation-name input").first.fill("Demo for Alice")
    page.click("#conversation-rename")
    expect(page.locator("#conversations-note")).to_contain_text("Renamed")
    expect(page.locator("#conversations input")).to_have_value(re.compile("^Demo for Alice"))

    with page.expect_download() as download:
        page.click("#conversation-export")
    exported = tmp_path / "talk.json"
    download.value.save_as(exported)
    assert "Keep this talk" in exported.read_text() and "Demo for Alice" in exported.read_text()

    page.click("#conversation-delete")
    expect(page.locator("#conversations-note")).to_contain_text("Deleted")
    expect(page.locator("#chat")).not_to_contain_text("Keep this talk")

    with page.expect_file_chooser() as chooser:
        page.click("#conversation-import")
    chooser.value.set_files(str(exported))
    expect(page.locator("#conversations-note")).to_contain_text("Imported", timeout=ANSWER_TIMEOUT)
    expect(page.locator("#chat")).to_contain_text("Keep this talk")

    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "something else"}')
    with page.expect_file_chooser() as chooser:
        page.click("#conversation-import")
    chooser.value.set_files(str(bad))
    expect(page.locator("#conversations-note")).to_contain_text("Not imported", timeout=ANSWER_TIMEOUT)
    expect(page.locator("#chat")).to_contain_text("Keep this talk"), "nothing is lost"
