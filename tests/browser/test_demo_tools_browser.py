"""The demo tools as a person sees them: three models compared side by side while one of them is
cold, a link that opens the form filled in, and a frozen result that renders with no request
reaching the server at all.

This module's app has no operator token, so opening a page calls nothing (not even "who am I");
the visitor pastes a token before running.
"""
from __future__ import annotations

import re
import time
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.actions import ANSWER_TIMEOUT, open_inspector, run_and_wait

pytestmark = pytest.mark.browser
VISITOR = "hf_browserVISITORtoken000000"
COLD, SST2, RERANKER = "fake/cold-4", "distilbert/distilbert-base-uncased-finetuned-sst-2-english", \
    "BAAI/bge-reranker-v2-m3"
LOADING = re.compile(r"Loading — attempt \d+, next try in \d+ s")


@pytest.fixture(scope="module")
def operator_token() -> None:
    return None


def paste_token(page: Any) -> None:
    page.locator("#token input").fill(VISITOR)


def test_compare_shows_the_warm_answers_while_the_cold_column_counts_down(page: Any, hf) -> None:
    paste_token(page)
    page.get_by_role("tab", name="Compare").click()
    page.locator("#compare-models textarea").fill(f"{COLD}\n{SST2}\n{RERANKER}")
    page.click("#compare-run")

    expect(page.locator("#compare-1-output-label")).to_be_visible(timeout=ANSWER_TIMEOUT)
    expect(page.locator("#compare-2-output-label")).to_be_visible(timeout=ANSWER_TIMEOUT)
    cold = page.locator("#compare-0-status")
    expect(cold).to_contain_text(LOADING)  # the warm answers are in; the cold column still waits
    expect(page.locator("#compare-0-output-label")).to_be_hidden()
    expect(cold).not_to_have_text(cold.inner_text(), timeout=2_500)  # its countdown ticks
    expect(page.locator("#compare-1-status")).to_contain_text("HTTP 200")
    expect(page.locator("#compare-1-status")).to_contain_text("compute")

    expect(cold).to_contain_text("HTTP 200", timeout=ANSWER_TIMEOUT)
    expect(page.locator("#compare-0-output-label")).to_be_visible()
    expect(page.locator("#compare-0-attempts")).to_contain_text("model loading")

    page.get_by_role("tab", name="Playground").click()  # the three answers joined the history
    expect(page.locator("#history-note")).to_contain_text("3 runs in this session", timeout=ANSWER_TIMEOUT)
    for model in (COLD, SST2, RERANKER):
        expect(page.locator("#history-table")).to_contain_text(model)


def test_a_link_opens_the_form_filled_in_and_sends_nothing(open_page: Any, hf) -> None:
    page = open_page("/?model=google-bert/bert-base-uncased&task=fill-mask&text=Paris+is+the+[MASK]+of+France.")

    expect(page.locator("#prompt textarea")).to_have_value("Paris is the [MASK] of France.", timeout=ANSWER_TIMEOUT)
    expect(page.locator("#model input")).to_have_value("google-bert/bert-base-uncased")
    expect(page.locator("#task input")).to_have_value("Fill mask")
    expect(page.locator("#link-note")).to_contain_text("Filled from the link")
    expect(page.locator("#model-info")).to_contain_text("Fill mask", timeout=ANSWER_TIMEOUT)  # the Hub was asked
    expect(page.locator("#prompt textarea")).to_have_value("Paris is the [MASK] of France.")  # and kept the text
    assert not [r for r in hf.received if r.method == "POST"], "opening a link runs nothing"


def test_a_frozen_link_from_the_history_renders_with_no_request_at_all(page: Any, open_page: Any, hf) -> None:
    paste_token(page)
    run_and_wait(page)
    page.locator("#history-table").get_by_text("text-classification").filter(visible=True).first.click()
    expect(page.locator("#status")).to_contain_text("From history, not re-run")
    page.click("#freeze-link")
    link = page.locator("#share-link textarea")
    expect(link).to_have_value(re.compile(r"\?frozen="), timeout=ANSWER_TIMEOUT)
    frozen = link.input_value()
    hf.reset()

    shared = open_page(frozen[frozen.index("/?"):])

    expect(shared.locator("#status")).to_contain_text("Frozen result, not re-run", timeout=ANSWER_TIMEOUT)
    expect(shared.locator("#output-label")).to_contain_text("POSITIVE")
    expect(shared.locator("#raw-json")).to_contain_text("POSITIVE")
    expect(shared.locator("#link-note")).to_contain_text("recorded by this playground on")
    open_inspector(shared)
    expect(shared.locator("#code")).to_contain_text("HF_TOKEN")
    time.sleep(0.5)  # room for a stray request to arrive, were there one
    assert hf.received == [], "no request reached the server"
