"""A cold model: the status counts down honestly while the playground retries, then the answer
appears; Cancel stops at once and nothing more reaches the server.
"""
from __future__ import annotations

import re
import time
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.actions import ANSWER_TIMEOUT, run_and_wait, type_model

pytestmark = pytest.mark.browser
LOADING = re.compile(r"Loading — attempt \d+, next try in \d+ s, about \d+ s left by the server's estimate")


def test_a_cold_model_shows_the_countdown_then_the_answer(page: Any, hf) -> None:
    type_model(page, "fake/cold-3")
    page.click("#run")

    expect(page.locator("#status")).to_contain_text(LOADING, timeout=ANSWER_TIMEOUT)
    expect(page.locator("#attempts")).to_contain_text("model loading")
    first = page.locator("#status").inner_text()
    expect(page.locator("#status")).not_to_have_text(first, timeout=2_500)  # it ticks every second

    expect(page.locator("#status")).to_contain_text("HTTP 200", timeout=ANSWER_TIMEOUT)
    expect(page.locator("#output-label")).to_be_visible()
    expect(page.locator("#attempts")).to_contain_text("200")
    assert len(hf.received) >= 2


def test_cancel_stops_a_cold_start_and_nothing_more_is_sent(page: Any, hf) -> None:
    type_model(page, "fake/cold-30")
    page.click("#run")
    expect(page.locator("#status")).to_contain_text(LOADING, timeout=ANSWER_TIMEOUT)

    page.click("#cancel")
    expect(page.locator("#status")).to_contain_text("Cancelled", timeout=3_000)
    sent = len(hf.received)
    time.sleep(3)

    assert len(hf.received) == sent, "no request after Cancel"
    expect(page.locator("#status")).to_contain_text("Cancelled")
    expect(page.get_by_text("Error", exact=True)).to_have_count(0)  # Cancel is no failure: no error badge


def test_ready_again_after_cancel(page: Any, hf) -> None:
    type_model(page, "fake/cold-30")
    page.click("#run")
    expect(page.locator("#status")).to_contain_text(LOADING, timeout=ANSWER_TIMEOUT)
    page.click("#cancel")

    type_model(page, "fake/echo")
    run_and_wait(page)


def test_esc_cancels_a_run_under_way(page: Any, hf) -> None:
    type_model(page, "fake/cold-30")
    page.click("#run")
    expect(page.locator("#status")).to_contain_text(LOADING, timeout=ANSWER_TIMEOUT)

    page.keyboard.press("Escape")

    expect(page.locator("#status")).to_contain_text("Cancelled", timeout=3_000)
    sent = len(hf.received)
    time.sleep(2)
    assert len(hf.received) == sent, "no request after Esc"
