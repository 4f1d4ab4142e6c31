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


def test_tools_and_the_schema_travel_with_their_conversation(page: Any, hf) -> None:
    """The tools box, tool_choice, the response_format schema and strict are kept with the conversation:
    a new one keeps the boxes as they are, switching back (and a reload) brings each one's own."""
    type_model(page, "fake/json-answers")
    page.locator("#tools-box").get_by_text("Tools and structured output", exact=True).click()
    page.click("#tools-example")
    expect(page.locator("#tools")).to_contain_text("get_n_day_weather_forecast")
    page.locator("#schema-example input").click()
    page.get_by_role("option", name="person", exact=True).click()
    expect(page.locator("#response-format")).to_contain_text('"known_for"')
    page.locator("#strict input").check()
    send(page, "Who wrote the first program?")

    open_conversations(page)
    page.click("#conversation-new")
    for elem_id in ("tools", "response-format"):  # the editors: emptied as a person would
        page.locator(f"#{elem_id} .cm-content").click()
        page.keyboard.press("ControlOrMeta+a")
        page.keyboard.press("Delete")
        expect(page.locator(f"#{elem_id} .cm-content")).to_have_text("")
    page.locator("#strict input").uncheck()
    send(page, "Plain question")

    choose(page, "Who wrote the first program")
    expect(page.locator("#chat")).to_contain_text("Who wrote the first program?", timeout=ANSWER_TIMEOUT)
    expect(page.locator("#tools")).to_contain_text("get_n_day_weather_forecast")
    expect(page.locator("#response-format")).to_contain_text('"known_for"')
    expect(page.locator("#strict input")).to_be_checked()

    choose(page, "Plain question")
    expect(page.locator("#chat")).to_contain_text("Plain question", timeout=ANSWER_TIMEOUT)
    expect(page.locator("#tools .cm-content")).to_have_text("")
    expect(page.locator("#response-format .cm-content")).to_have_text("")
    expect(page.locator("#strict input")).not_to_be_checked()

    choose(page, "Who wrote the first program")
    expect(page.locator("#tools")).to_contain_text("get_n_day_weather_forecast", timeout=ANSWER_TIMEOUT)
    page.reload()
    page.wait_for_selector("#run")
    expect(page.locator("#chat")).to_contain_text("Who wrote the first program?", timeout=ANSWER_TIMEOUT)
    expect(page.locator("#response-format")).to_contain_text('"known_for"')
    expect(page.locator("#strict input")).to_be_checked()
