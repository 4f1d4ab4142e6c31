"""The page fits the screen it is on and everyone can read it: at 1400 px the pickers show their whole
value, a phone (390 px) never scrolls sideways, dark mode paints no light panel, and axe-core finds no
critical or serious accessibility violation in light or dark mode, as the page opens, after a run (its
request and code unfolded), in chat mode and on a phone.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator

import pytest
from axe_playwright_python.base import AXE_SCRIPT
from playwright.sync_api import expect

from tests.browser.actions import ANSWER_TIMEOUT, open_inspector, run_and_wait, type_model

pytestmark = pytest.mark.browser

WIDE = {"width": 1400, "height": 900}
PHONE = {"width": 390, "height": 844}
THEMES = {"light": "", "dark": "?__theme=dark"}
CHAT_MODEL = "meta-llama/Llama-3.1-8B-Instruct"  # served by four providers; auto resolves to fireworks-ai

# Violations inside Gradio's own markup that no CSS, label or component option of ours can change; each is
# skipped for that rule on elements matching that selector only.
GRADIO_OWN = [
    # An empty gr.JSON (the raw response before the first run) shows Gradio's placeholder, a plain
    # <div aria-label="Empty value">: aria-label is not allowed on a div without a role.
    ("aria-prohibited-attr", '.empty[aria-label="Empty value"]'),
    # A chat message with a metadata title (the figures under each answer, components/handlers/chat.py)
    # is drawn as a folding <div role="button"> holding the fold arrow, a <button> with an empty
    # aria-label: a control in a control, and a button without a name.
    ("nested-interactive", ".thought-group > .title[role=button]"),
    ("button-name", ".thought-group > .title button.icon-button"),
]


@pytest.fixture
def open_page(browser: Any, app_url: str, hf: Any) -> Iterator[Any]:
    """open_page(viewport, theme) -> a fresh tab on the loaded playground; closed after the test."""
    contexts: list[Any] = []

    def opener(viewport: dict[str, int], theme: str = "light") -> Any:
        context = browser.new_context(viewport=viewport)
        contexts.append(context)
        tab = context.new_page()
        tab.goto(app_url + "/" + THEMES[theme])
        tab.wait_for_selector("#run")
        expect(tab.locator("#whoami")).to_contain_text("signed in as", timeout=ANSWER_TIMEOUT)
        return tab

    yield opener
    for context in contexts:
        context.close()


def show_a_run(page: Any) -> None:
    """Run the stock example and unfold the request and code: every panel that holds long text shows."""
    run_and_wait(page)
    open_inspector(page)
    expect(page.locator("#history-table")).to_contain_text("POSITIVE", timeout=ANSWER_TIMEOUT)


def cut_values(page: Any, *elem_ids: str, value: str | None = None) -> dict[str, str]:
    """The dropdowns among `elem_ids` whose input is too narrow for its value (or for `value`, put in the
    box for the measure only, unseen by the page's script), with that value."""
    widths = page.evaluate("""([ids, value]) => ids.map(id => {
        const box = document.querySelector('#' + id + ' input'), shown = box.value;
        if (value !== null) box.value = value;
        const measured = [id, box.value, box.scrollWidth, box.clientWidth];
        box.value = shown;
        return measured;
    })""", [list(elem_ids), value])
    return {elem_id: f"{shown!r} needs {scroll} px, has {client}"
            for elem_id, shown, scroll, client in widths if scroll > client}


def page_width(page: Any) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def light_backgrounds(page: Any) -> list[str]:
    """The visible elements painted (mostly opaque) in a light colour: relative luminance over 0.4."""
    return page.evaluate("""() => {
        const luminance = rgb => rgb.map(v => v / 255)
            .map(c => c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4)
            .reduce((sum, c, i) => sum + c * [0.2126, 0.7152, 0.0722][i], 0);
        return [...document.querySelectorAll('.gradio-container *')].filter(e => e.getClientRects().length)
            .map(e => [e, getComputedStyle(e).backgroundColor.match(/[\\d.]+/g).map(Number)])
            .filter(([e, [r, g, b, a = 1]]) => a > 0.5 && luminance([r, g, b]) > 0.4)
            .map(([e, rgb]) => `${e.tagName}#${e.id}.${e.className} rgb(${rgb})`);
    }""")


def axe_violations(page: Any) -> list[str]:
    """axe-core's critical and serious violations on the page, minus GRADIO_OWN, one line per element."""
    # Colours caught mid-transition (a button fading in as it turns interactive) are not the page's.
    page.wait_for_function("document.getAnimations().every(a => a.playState !== 'running'"
                           " || a.effect.getComputedTiming().endTime === Infinity)", timeout=ANSWER_TIMEOUT)
    page.evaluate(AXE_SCRIPT)
    results = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    found = []
    for violation in results["violations"]:
        if violation["impact"] not in ("critical", "serious"):
            continue
        skipped = [selector for rule, selector in GRADIO_OWN if rule == violation["id"]]
        for node in violation["nodes"]:
            target = node["target"][0]
            if skipped and page.evaluate("([target, skipped]) => skipped.some(s => document.querySelector(target)"
                                         "?.matches(s))", [target, skipped]):
                continue
            found.append(f"{violation['id']} ({violation['impact']}) {target}: {node['failureSummary']}")
    return found


def test_at_1400px_the_pickers_show_a_long_model_label_and_provider_in_full(open_page: Any) -> None:
    page = open_page(WIDE)
    expect(page.locator("#model input")).to_have_value("BAAI/bge-reranker-v2-m3 · text-classification")
    assert not cut_values(page, "model", "task", "provider")

    type_model(page, CHAT_MODEL)
    expect(page.locator("#provider input")).to_have_value("auto (fastest) → fireworks-ai", timeout=ANSWER_TIMEOUT)
    assert page.locator("#model input").input_value().startswith(CHAT_MODEL)
    assert not cut_values(page, "model", "task", "provider")
    # The box shows the bare id once the pick is through, but the search result's label until then:
    # id · task · ↓ · ♥ · providers.
    label = f"{CHAT_MODEL} · chat-completion · ↓1.1M · ♥3.1k · fireworks-ai, sambanova, hf-inference"
    assert not cut_values(page, "model", value=label)


def test_a_phone_never_scrolls_sideways_even_after_a_run(open_page: Any, tmp_path: Path) -> None:
    page = open_page(PHONE)
    show_a_run(page)  # long URLs in the request JSON, long code lines, a wide history table

    page.screenshot(path=str(tmp_path / "phone.png"), full_page=True)
    assert page_width(page) <= PHONE["width"], f"the page scrolls sideways (screenshot in {tmp_path})"
    assert not cut_values(page, "task", "provider"), "task and provider stack, one full line each"


def test_a_chat_provider_picked_with_its_figures_shows_in_full_with_its_figures_above(open_page: Any) -> None:
    page = open_page(WIDE)
    type_model(page, CHAT_MODEL)
    provider = page.locator("#provider")
    expect(provider.locator("input")).to_have_value("auto (fastest) → fireworks-ai", timeout=ANSWER_TIMEOUT)

    provider.locator("input").click()
    page.get_by_role("option").filter(has_text="sambanova · live · 131k context").click()

    expect(provider.locator("input")).to_have_value("sambanova · live", timeout=ANSWER_TIMEOUT)
    expect(provider).to_contain_text("sambanova: 131k context · $0.1 / $0.2 per 1M in/out · 240 ms to first token")
    assert not cut_values(page, "provider")
    provider.locator("input").click()  # the list still tells the providers apart by their figures
    expect(page.get_by_role("option").filter(has_text="fireworks-ai · live · 131k context")).to_be_visible()
    page.get_by_role("option").filter(has_text="auto (fastest)").click()
    expect(provider).not_to_contain_text("sambanova:", timeout=ANSWER_TIMEOUT)


def test_dark_mode_on_a_phone_paints_no_light_panel_and_reads_well(open_page: Any, tmp_path: Path) -> None:
    page = open_page(PHONE, "dark")
    show_a_run(page)

    page.screenshot(path=str(tmp_path / "phone-dark.png"), full_page=True)
    assert page_width(page) <= PHONE["width"], f"the page scrolls sideways (screenshot in {tmp_path})"
    light = light_backgrounds(page)
    assert not light, f"light backgrounds in dark mode: {light[:5]}"
    # A narrow screen also shows the selected tab's name where axe can check its colour (at 1400 px the
    # tab's underline keeps axe from telling its background).
    assert axe_violations(page) == []


@pytest.mark.parametrize("theme", THEMES)
def test_axe_finds_no_serious_violation_before_and_after_a_run(open_page: Any, theme: str) -> None:
    page = open_page(WIDE, theme)
    assert axe_violations(page) == [], "as the page opens"

    show_a_run(page)  # the answer, the raw JSON, a history row, the request, its headers and code
    assert axe_violations(page) == [], "after a run, with its request and code"


def test_axe_finds_no_serious_violation_in_chat_mode(open_page: Any) -> None:
    page = open_page(WIDE)
    type_model(page, CHAT_MODEL)
    page.locator("#prompt textarea").fill("Hello")
    run_and_wait(page)
    expect(page.locator("#chat")).to_contain_text("served by", timeout=ANSWER_TIMEOUT)  # the figures
    open_inspector(page)  # the chat request's curl line is long: the code wraps rather than scrolls
    assert axe_violations(page) == []
