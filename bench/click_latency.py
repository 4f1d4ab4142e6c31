"""Click-to-rendered time of the playground over a trivial Gradio echo app's, in Chromium.

Both apps run in their own process; one headless Chromium holds a page of each. For every click a
fresh marker is typed in `#prompt`, then the page itself clicks `#run` and polls until `#output`
shows the marker, timing with `performance.now()` so Playwright's round trips are not counted.
The playground runs `fake/echo` under a task it does not know, so the echoed body is the rendered
answer. Clicks alternate between the two pages; the figure is the ratio of medians.
"""
from __future__ import annotations

import statistics
import uuid
from typing import Any

from bench.app_process import PLAYGROUND, TRIVIAL, served
from bench.fake_server import fake_hf_process
from bench.figures import ratio_line
from tests.browser.actions import type_model
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS

CLICKS = 21
WARM_UP = 2
# Milliseconds each page is left alone after its answer shows, as between a person's clicks: what an
# app does after the answer (the playground adds the run to its history) never lands in the next
# measurement, of either app.
SETTLE_MS = 300
# Resolves with the milliseconds from the click until #output shows the marker (as text or a field value).
CLICK_UNTIL_SHOWN = """marker => new Promise(resolve => {
  const output = document.querySelector('#output');
  const shown = () => output.innerText.includes(marker)
    || [...output.querySelectorAll('textarea, input')].some(field => field.value.includes(marker));
  const started = performance.now();
  const poll = () => shown() ? resolve(performance.now() - started) : setTimeout(poll, 1);
  document.querySelector('#run').click();
  poll();
})"""


def _click_ms(page: Any) -> float:
    marker = f"click-{uuid.uuid4().hex[:10]}"
    page.locator("#prompt textarea").fill(marker)
    elapsed = page.evaluate(CLICK_UNTIL_SHOWN, marker)
    page.wait_for_timeout(SETTLE_MS)
    return elapsed


def _open(browser: Any, url: str) -> Any:
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.goto(url)
    page.wait_for_selector("#run")
    return page


def _set_up_playground(page: Any) -> None:
    type_model(page, "fake/echo")
    task = page.locator("#task input")
    task.fill("echo")      # not a known task: the answer is shown as the echoed JSON
    task.press("Enter")
    page.wait_for_timeout(500)


def measure(clicks: int = CLICKS) -> dict[str, float]:
    """Median milliseconds from click to rendered answer for each app."""
    from playwright.sync_api import sync_playwright

    env = {"HF_TOKEN": "hf_benchOPERATOR0000000000"}
    with fake_hf_process() as base, served(PLAYGROUND, {**env, "HF_ROUTER_URL": base, "HF_ENDPOINT": base}) as app, \
            served(TRIVIAL) as trivial, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        pages = {"playground": _open(browser, app.url), "trivial": _open(browser, trivial.url)}
        _set_up_playground(pages["playground"])
        times: dict[str, list[float]] = {name: [] for name in pages}
        for n in range(WARM_UP + clicks):
            for name, page in pages.items():
                ms = _click_ms(page)
                if n >= WARM_UP:
                    times[name].append(ms)
        browser.close()
    return {name: statistics.median(values) for name, values in times.items()}


def report(clicks: int = CLICKS) -> list[str]:
    if not CHROMIUM.exists():
        return [f"skipped: no Chromium at {CHROMIUM}"]
    figures = measure(clicks)
    ratio = figures["playground"] / figures["trivial"]
    return [
        f"click to rendered answer, median of {clicks}: playground {figures['playground']:.0f} ms "
        f"(fake/echo over HTTP), trivial echo app {figures['trivial']:.0f} ms",
        ratio_line("playground / trivial", ratio, 1.3),
    ]


if __name__ == "__main__":
    print("\n".join(report()))
