"""What a person does on the page, as small helpers: pick a task or model, type, upload, run."""
from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

# ms: how long a person would wait for an answer on a busy machine (two test workers beside two CPU hogs
# took over 15 s for a 2 s stream); a limit, never a timing the tests assert.
ANSWER_TIMEOUT = 45_000


def choose_task(page: Any, label: str) -> None:
    """Pick a task from the task dropdown by its label; the suggested model and example follow."""
    page.locator("#task input").click()
    page.get_by_role("option", name=label, exact=True).click()
    expect(page.locator("#model-info")).to_contain_text(label, timeout=ANSWER_TIMEOUT)


def type_model(page: Any, model_id: str) -> None:
    """Type a full model id into the picker and press Enter, as a visitor would."""
    box = page.locator("#model input")
    box.click()
    box.fill("")
    box.press_sequentially(model_id, delay=20)  # key by key: the Hub search follows key-up events
    expect(page.get_by_role("option").first).to_contain_text(model_id, timeout=ANSWER_TIMEOUT)
    box.press("Enter")
    expect(page.locator("#model-info")).to_contain_text(model_id, timeout=ANSWER_TIMEOUT)


def run_and_wait(page: Any, expected_status: str = "HTTP 200") -> None:
    page.click("#run")
    expect(page.locator("#status")).to_contain_text(expected_status, timeout=ANSWER_TIMEOUT)


def open_inspector(page: Any) -> None:
    """Unfold "Request and code" (folded at first, so the answer renders sooner)."""
    page.locator("#inspector").get_by_text("Request and code", exact=True).click()
    expect(page.locator("#code")).to_be_visible()
