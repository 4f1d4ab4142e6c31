"""The Parameters accordion holds one row of field slots that the task reshapes (issue 12: the page
builds 14 parameter components, not 86). Each task shows its own fields in its spec's order, what a
visitor set for a task is kept for it while another task is shown, and a field that keeps its place
between two tasks does not carry its value over.
"""
from __future__ import annotations

import time
from typing import Any

import pytest
from playwright.sync_api import expect

from backend.tasks import TASKS
from components.parameters import SLOTS
from tests.browser.actions import ANSWER_TIMEOUT, choose_task

pytestmark = pytest.mark.browser

SHOWN_IDS = """() => [...document.querySelectorAll('#parameters [id^="param-"]')]
    .filter(field => field.checkVisibility()).map(field => field.id)"""


def _unfold(page: Any) -> None:
    page.get_by_text("Parameters", exact=True).click()
    expect(page.locator("#extra-params")).to_be_visible()


def _run_sent(page: Any, hf: Any) -> Any:
    page.wait_for_timeout(300)  # a person's pause between a field and Run
    before = len([seen for seen in hf.received if seen.method == "POST"])
    page.click("#run")
    deadline = time.monotonic() + ANSWER_TIMEOUT / 1000
    while len(posts := [seen for seen in hf.received if seen.method == "POST"]) == before \
            and time.monotonic() < deadline:
        page.wait_for_timeout(50)
    assert len(posts) == before + 1, "one request per Run"
    return posts[-1]


@pytest.mark.parametrize("task", ["text-generation", "document-question-answering", "text-to-image",
                                  "chat-completion"])
def test_each_task_shows_its_own_fields_in_its_own_order(page: Any, hf, task: str) -> None:
    spec = TASKS[task]
    _unfold(page)
    choose_task(page, spec.label)

    expected = [f"param-{task}-{param.name}" for param in spec.parameters]
    expect(page.locator(f"#{expected[-1]}")).to_be_visible(timeout=ANSWER_TIMEOUT)
    assert page.evaluate(SHOWN_IDS) == expected
    for param in spec.parameters:  # each labelled by its name, as the API calls it
        expect(page.locator(f"#param-{task}-{param.name}")).to_contain_text(param.name)


def test_the_page_holds_one_row_of_slots_not_every_tasks_fields(page: Any) -> None:
    config = page.evaluate("() => window.gradio_config")
    ids = [component.get("props", {}).get("elem_id") or "" for component in config["components"]]

    assert len([i for i in ids if i.startswith("param-")]) == len(SLOTS) < sum(
        len(spec.parameters) for spec in TASKS.values())


def test_what_was_set_for_a_task_stays_with_it_and_does_not_follow_into_another(page: Any, hf) -> None:
    _unfold(page)
    top_k = page.locator("#param-text-classification-top_k textarea")
    top_k.fill("1")

    choose_task(page, "Image classification")  # its top_k field takes the same slot
    expect(page.locator("#param-image-classification-top_k textarea")).to_have_value("", timeout=ANSWER_TIMEOUT)
    sent = _run_sent(page, hf).json  # None: the picture alone, as raw bytes, as huggingface_hub sends it
    assert sent is None or "top_k" not in sent.get("parameters", {}), "1 was set for text classification"

    choose_task(page, "Text classification")
    expect(top_k).to_have_value("1", timeout=ANSWER_TIMEOUT)
    assert _run_sent(page, hf).json["parameters"] == {"top_k": 1}
