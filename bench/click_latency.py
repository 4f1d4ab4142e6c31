"""Click-to-rendered time of the playground over a trivial Gradio echo app's, in Chromium.

Each app runs in its own process; one headless Chromium holds a page of each. For every click a
fresh marker is typed in `#prompt`, then the page itself clicks `#run` and polls until `#output`
shows the marker, timing with `performance.now()` so Playwright's round trips are not counted.
The playground runs `fake/echo` under a task it does not know, so the echoed body is the rendered
answer. Clicks alternate between the pages; the figure is the ratio of medians. A third app, the
same echo given as many inputs and outputs as the playground's Run (read from its /config) and made
a generator, shows what Gradio itself costs for an event of that shape with no work in it.
"""
from __future__ import annotations

import contextlib
import statistics
import uuid
from typing import Any

import httpx

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


def run_shape(url: str) -> tuple[int, int]:
    """How many inputs and outputs the app's Run event has, from its /config as the browser gets it."""
    config = httpx.get(url + "/config", timeout=10).json()
    run = next(d for d in config["dependencies"] if d.get("api_name") == "run")
    return len(run["inputs"]), len(run["outputs"])


def measure(clicks: int = CLICKS) -> tuple[dict[str, float], tuple[int, int]]:
    """Median milliseconds from click to rendered answer for each app, and the shape of Run."""
    from playwright.sync_api import sync_playwright

    env = {"HF_TOKEN": "hf_benchOPERATOR0000000000"}
    with contextlib.ExitStack() as stack:
        base = stack.enter_context(fake_hf_process())
        app = stack.enter_context(served(PLAYGROUND, {**env, "HF_ROUTER_URL": base, "HF_ENDPOINT": base}))
        shape = run_shape(app.url)
        urls = {"playground": app.url, "trivial": stack.enter_context(served(TRIVIAL)).url,
                "shaped": stack.enter_context(served(TRIVIAL, {"BENCH_INPUTS": str(shape[0]),
                                                                "BENCH_OUTPUTS": str(shape[1]),
                                                                "BENCH_GENERATOR": "1"})).url}
        playwright = stack.enter_context(sync_playwright())
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        pages = {name: _open(browser, url) for name, url in urls.items()}
        _set_up_playground(pages["playground"])
        times: dict[str, list[float]] = {name: [] for name in pages}
        for n in range(WARM_UP + clicks):
            for name, page in pages.items():
                ms = _click_ms(page)
                if n >= WARM_UP:
                    times[name].append(ms)
        browser.close()
    return {name: statistics.median(values) for name, values in times.items()}, shape


def report(clicks: int = CLICKS) -> list[str]:
    if not CHROMIUM.exists():
        return [f"skipped: no Chromium at {CHROMIUM}"]
    figures, (inputs, outputs) = measure(clicks)
    return [
        f"click to rendered answer, median of {clicks}: playground {figures['playground']:.0f} ms "
        f"(fake/echo over HTTP), trivial echo app {figures['trivial']:.0f} ms, the same echo shaped like "
        f"Run ({inputs} inputs, {outputs} outputs, a generator) {figures['shaped']:.0f} ms",
        ratio_line("playground / trivial", figures["playground"] / figures["trivial"], 1.3),
        f"playground / echo shaped like Run: {figures['playground'] / figures['shaped']:.2f}x "
        "(what Gradio itself costs for an event of Run's shape, with no work in it)",
    ]


if __name__ == "__main__":
    print("\n".join(report()))
