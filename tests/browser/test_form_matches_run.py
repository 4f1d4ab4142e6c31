"""What is sent is what the page shows, and what the page shows belongs to it (issue 14, items 2, 4 and 8):
Run pressed the instant a model is pasted runs that model with its own task and form, an answer left
on the page after switching model or task is marked as the previous run's, and a picked model shows
its bare id, not a search label.
"""
from __future__ import annotations

import re
import time
from typing import Any

import pytest
from playwright.sync_api import expect

from backend.tasks import TASKS
from tests.browser.actions import ANSWER_TIMEOUT, choose_task, run_and_wait, type_model
from tests.fake_hf.hub import WIDGET_DATA

pytestmark = pytest.mark.browser
SUMMARY_EXAMPLE = WIDGET_DATA["summarization"][0]["text"]
_STALE = re.compile(r"\bstale\b")  # the answer area's mark: it shows the previous run's answer


def _posts(hf: Any, path_part: str) -> list[Any]:
    return [seen for seen in hf.received if seen.method == "POST" and path_part in seen.path]


def _wait_for_post(page: Any, hf: Any, path_part: str) -> Any:
    deadline = time.monotonic() + ANSWER_TIMEOUT / 1000
    while not _posts(hf, path_part) and time.monotonic() < deadline:
        page.wait_for_timeout(50)
    sent = _posts(hf, path_part)
    assert sent, f"nothing was sent to {path_part}"
    return sent[-1]


def _paste_model(page: Any, model_id: str) -> Any:
    box = page.locator("#model input")
    box.click()
    box.fill(model_id)  # a paste: the whole id at once, no search pause
    return box


@pytest.mark.parametrize("how", ["click", "ctrl+enter"])
def test_run_the_instant_a_model_is_pasted_runs_it_with_its_own_task_and_form(page: Any, hf, how: str) -> None:
    hf.app.hub_delay = 0.6  # the pick's Hub answer is still on its way when Run is pressed
    expect(page.locator("#whoami")).to_contain_text("Runs use", timeout=ANSWER_TIMEOUT)  # the page has loaded
    box = _paste_model(page, "facebook/bart-large-cnn")
    if how == "click":
        page.mouse.click(5, 5)  # leaves the box (its list of suggestions would cover Run)...
        page.click("#run")  # ...and runs before the model's details are back from the Hub
    else:
        box.press("Control+Enter")

    sent = _wait_for_post(page, hf, "facebook/bart-large-cnn")
    assert sent.json["inputs"] == SUMMARY_EXAMPLE, "the summarization example the pick fills, not the old text"
    assert not _posts(hf, "bge-reranker"), "the previous model was not run"
    expect(page.locator("#status")).to_contain_text("HTTP 200", timeout=ANSWER_TIMEOUT)
    expect(page.locator("#task input")).to_have_value("Summarization")
    expect(page.locator("#prompt textarea")).to_have_value(SUMMARY_EXAMPLE)
    expect(page.locator("#output-text textarea")).not_to_have_value("")
    expect(page.locator("#output")).not_to_have_class(_STALE)



def test_an_answer_left_after_switching_model_is_marked_as_the_previous_runs(page: Any, hf) -> None:
    run_and_wait(page)
    expect(page.locator("#output-label")).to_be_visible()
    expect(page.locator("#output")).not_to_have_class(_STALE)

    choose_task(page, "Speech recognition")
    output = page.locator("#output")
    expect(output).to_have_class(_STALE, timeout=ANSWER_TIMEOUT)
    expect(page.locator("#output-message")).to_contain_text("previous run", timeout=ANSWER_TIMEOUT)
    expect(page.locator("#output-message")).to_contain_text("text-classification")

    run_and_wait(page)  # the new run's answer is its own again
    expect(output).not_to_have_class(_STALE)
    expect(page.locator("#output-message")).not_to_contain_text("previous run")


def test_going_back_to_the_answered_model_unmarks_its_answer(page: Any, hf) -> None:
    run_and_wait(page)
    model = TASKS["text-classification"].default_model
    _paste_model(page, "facebook/bart-large-cnn")
    page.locator("#model input").press("Enter")
    expect(page.locator("#output")).to_have_class(_STALE, timeout=ANSWER_TIMEOUT)

    _paste_model(page, model)
    page.locator("#model input").press("Enter")
    expect(page.locator("#output")).not_to_have_class(_STALE, timeout=ANSWER_TIMEOUT)
    expect(page.locator("#output-label")).to_be_visible()


def test_a_model_picked_while_its_search_is_pending_shows_its_bare_id(page: Any, hf) -> None:
    # The suggestions already list bart as the id is typed, so Enter picks it before the Hub search for
    # the last keystroke answers; that late answer relabelled the box "… · summarization · ↓899.4k · …".
    # On a busy machine a search begun before the pick may still reach the Hub; what matters is the box.
    type_model(page, "facebook/bart-large-cnn")
    page.wait_for_timeout(1000)  # longer than the search pause and the fake Hub's answer
    expect(page.locator("#model input")).to_have_value("facebook/bart-large-cnn")
    page.wait_for_timeout(1000)  # a search still under way has answered by now: the box still shows the id
    expect(page.locator("#model input")).to_have_value("facebook/bart-large-cnn")


def test_a_model_clicked_in_the_search_list_shows_its_bare_id_and_typing_searches_again(page: Any, hf) -> None:
    box = page.locator("#model input")
    box.click()
    box.fill("")
    box.press_sequentially("mbart", delay=20)
    option = page.get_by_role("option").filter(has_text="facebook/mbart-large-50-many-to-many-mmt")
    expect(option).to_contain_text("translation", timeout=ANSWER_TIMEOUT)  # the Hub's search label
    option.click()
    expect(page.locator("#model-info")).to_contain_text("mbart-large-50", timeout=ANSWER_TIMEOUT)
    page.wait_for_timeout(1000)
    expect(box).to_have_value("facebook/mbart-large-50-many-to-many-mmt")

    box.click()
    box.fill("")
    box.press_sequentially("segfor", delay=20)  # a pick does not stop the next search
    expect(page.get_by_role("option").first).to_contain_text("nvidia/segformer-b0-finetuned-ade-512-512 · "
                                                             "image-segmentation", timeout=ANSWER_TIMEOUT)


def test_on_a_phone_run_brings_the_answer_into_view(browser: Any, app_url: str, hf) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    try:
        phone = context.new_page()
        phone.goto(app_url)
        expect(phone.locator("#whoami")).to_contain_text("Runs use", timeout=ANSWER_TIMEOUT)  # the page has loaded
        expect(phone.locator("#status")).not_to_be_in_viewport()  # far below Run on a phone
        phone.locator("#run").tap()
        expect(phone.locator("#status")).to_contain_text("HTTP 200", timeout=ANSWER_TIMEOUT)
        expect(phone.locator("#status")).to_be_in_viewport(timeout=ANSWER_TIMEOUT)
    finally:
        context.close()
