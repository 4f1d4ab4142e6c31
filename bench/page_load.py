"""Page load: navigation start until Run can be pressed, the playground over a trivial Gradio app's, in Chromium.

Both apps run in their own process, started as an operator does (`python app.py` against the fake HF
server, and `bench.trivial_app`: one box, one button). One headless Chromium loads each page in turn,
interleaved, every load in a fresh browser context: an empty HTTP cache each time (cold cache per
load, as a first visit), though the browser process itself stays up. A script installed before the
page's own notes `performance.now()` (milliseconds since navigation start) the first time the `#run`
button is visible (laid out, not hidden by CSS) and enabled, so Playwright's round trips are not
counted. One load of each first is not counted (the servers' first requests, the OS file cache).

A third app, `bench.unwired_app`, is the playground's page with none of its listeners: what Gradio
itself costs to build these components with this theme, CSS and script, the floor under the ratio.

Also printed, each a median over the counted loads: the page's main-thread CPU time from navigation
until Run was ready (CDP `Performance.getMetrics` ThreadTime, which a busy machine inflates far less
than wall time); and, a second after Run was ready, the page's HTML (Gradio 6 inlines the config and
the API info in it), `GET /config`, the number of elements (`document.getElementsByTagName('*').length`)
and the JS heap used after a garbage collection (CDP `Performance.getMetrics` JSHeapUsedSize).
"""
from __future__ import annotations

import contextlib
import statistics
from typing import Any

import httpx

from bench.app_process import PLAYGROUND, TRIVIAL, UNWIRED, served
from bench.fake_server import fake_hf_process
from bench.figures import ratio_line
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, VIEWPORT

LOADS = 7
WARM_UP = 1
# Milliseconds left after Run is ready before counting elements and heap: the load events settle.
SETTLE_MS = 1000
READY_TIMEOUT_MS = 60_000
# Installed before any of the page's scripts: notes when #run is first visible and enabled.
WATCH_RUN = """(() => {
  const ready = () => {
    const found = document.getElementById('run');
    const button = found && (found.matches('button') ? found : found.querySelector('button'));
    if (!button || button.disabled) return false;
    const box = button.getBoundingClientRect();
    return box.width > 0 && box.height > 0
      && button.checkVisibility({opacityProperty: true, visibilityProperty: true});
  };
  const check = () => {
    if (window.__runReadyAt !== undefined || !ready()) return;
    window.__runReadyAt = performance.now();
    observer.disconnect();
    clearInterval(timer);
  };
  const observer = new MutationObserver(check);
  observer.observe(document, {childList: true, subtree: true, attributes: true});
  const timer = setInterval(check, 2);  // what no mutation tells: a stylesheet arriving, a layout change
})()"""
AFTER_LOAD = """() => ({
  ready: window.__runReadyAt,
  html: performance.getEntriesByType('navigation')[0].responseEnd,
  elements: document.getElementsByTagName('*').length,
})"""


def _load(browser: Any, url: str) -> dict[str, float]:
    """One cold load of `url` in a fresh context: ms to Run ready and to the HTML, the page's main-thread
    CPU ms until then, elements, heap MiB."""
    context = browser.new_context(viewport=VIEWPORT)
    try:
        context.add_init_script(WATCH_RUN)
        page = context.new_page()
        cdp = context.new_cdp_session(page)
        cdp.send("Performance.enable", {"timeDomain": "threadTicks"})

        def metrics() -> dict[str, float]:
            return {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}

        before = metrics()["ThreadTime"]
        page.goto(url, wait_until="commit")
        page.wait_for_function("window.__runReadyAt !== undefined", timeout=READY_TIMEOUT_MS, polling=20)
        cpu = (metrics()["ThreadTime"] - before) * 1000  # polled until shortly after ready: a few ms over
        page.wait_for_timeout(SETTLE_MS)
        figures = page.evaluate(AFTER_LOAD)
        cdp.send("HeapProfiler.collectGarbage")
        return {**figures, "cpu": cpu, "heap": metrics()["JSHeapUsedSize"] / 2**20}
    finally:
        context.close()


def _kib(url: str) -> float:
    return len(httpx.get(url, timeout=30).content) / 1024


def measure(loads: int = LOADS) -> dict[str, dict[str, float]]:
    """Per app: median ms to Run ready and to the HTML, main-thread CPU ms, elements and heap MiB; and KiB
    of / and /config."""
    from playwright.sync_api import sync_playwright

    env = {"HF_TOKEN": "hf_benchOPERATOR0000000000"}
    with contextlib.ExitStack() as stack:
        base = stack.enter_context(fake_hf_process())
        hf = {**env, "HF_ROUTER_URL": base, "HF_ENDPOINT": base}
        urls = {"playground": stack.enter_context(served(PLAYGROUND, hf)).url,
                "trivial": stack.enter_context(served(TRIVIAL)).url,
                "unwired": stack.enter_context(served(UNWIRED, hf)).url}
        playwright = stack.enter_context(sync_playwright())
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        stack.callback(browser.close)
        samples: dict[str, list[dict[str, float]]] = {name: [] for name in urls}
        for n in range(WARM_UP + loads):
            for name, url in urls.items():
                figures = _load(browser, url)
                if n >= WARM_UP:
                    samples[name].append(figures)
        results = {name: {key: statistics.median(s[key] for s in runs) for key in runs[0]}
                   for name, runs in samples.items()}
        for name, url in urls.items():
            results[name]["html_kib"] = _kib(url + "/")
            results[name]["config_kib"] = _kib(url + "/config")
    return results


def report(loads: int = LOADS) -> list[str]:
    if not CHROMIUM.exists():
        return [f"skipped: no Chromium at {CHROMIUM}"]
    r = measure(loads)
    pg, tr, bare = r["playground"], r["trivial"], r["unwired"]
    return [
        f"navigation start to Run visible and enabled, median of {loads} cold loads (a fresh browser context "
        f"each): playground {pg['ready']:.0f} ms, trivial Gradio app {tr['ready']:.0f} ms",
        ratio_line("playground / trivial", pg["ready"] / tr["ready"], 1.3),
        f"the page's main-thread CPU until then: playground {pg['cpu']:.0f} ms, trivial {tr['cpu']:.0f} ms "
        f"({pg['cpu'] / tr['cpu']:.2f}x; steadier than wall time on a busy machine, where both wait for a core)",
        f"HTML in hand at: playground {pg['html']:.0f} ms, trivial {tr['html']:.0f} ms (the page, config and "
        f"API info inline: {pg['html_kib']:.0f} KiB, {tr['html_kib']:.1f} KiB)",
        f"GET /config: playground {pg['config_kib']:.0f} KiB, trivial {tr['config_kib']:.1f} KiB "
        f"({pg['config_kib'] / tr['config_kib']:.0f}x)",
        f"after load: elements in the DOM playground {pg['elements']:.0f}, trivial {tr['elements']:.0f}; "
        f"JS heap used after a GC playground {pg['heap']:.1f} MiB, trivial {tr['heap']:.1f} MiB",
        f"Gradio's floor for this page (bench.unwired_app: the same page, theme, CSS and script, no listeners): "
        f"{bare['ready']:.0f} ms, {bare['ready'] / tr['ready']:.2f}x the trivial app ({bare['cpu'] / tr['cpu']:.2f}x "
        f"its CPU); the playground is {pg['ready'] / bare['ready']:.2f}x of it ({pg['cpu'] / bare['cpu']:.2f}x CPU)",
    ]


if __name__ == "__main__":
    print("\n".join(report()))
