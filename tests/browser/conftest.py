"""Browser-test fixtures: Debian's Chromium driven by Playwright (never `playwright install`), one
browser per session, one fake HF server and one playground per module, a fresh page per test.
Everything is skipped cleanly when /usr/bin/chromium is missing.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Iterator

import pytest

from tests.fake_hf import FakeHF
from tests.ui.launch import fake_settings, launched

try:
    import playwright  # noqa: F401
except ImportError:  # without Playwright there is nothing to drive; skip the whole directory
    collect_ignore_glob = ["test_*.py"]

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
OPERATOR_TOKEN = "hf_operatorTOKENforBrowser0000"
VIEWPORT = {"width": 1280, "height": 900}
# What a person would wait for on a busy machine (CI may share its cores): generous limits on loading the
# page, on each action and on each `expect`, never a timing the tests assert. Playwright's defaults are
# 30 s, 30 s and 5 s; two test workers beside two CPU hogs took longer than that to draw the page.
PAGE_TIMEOUT = 120_000
ACTION_TIMEOUT = 60_000
EXPECT_TIMEOUT = 15_000


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip("Chromium is not installed at /usr/bin/chromium (apt-get install -y chromium)")
    from playwright.sync_api import expect, sync_playwright

    os.environ.setdefault("NO_PROXY", "127.0.0.1,localhost")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        expect.set_options(timeout=EXPECT_TIMEOUT)
        new_context = chromium.new_context

        def patient_context(**options: Any) -> Any:  # every test's contexts, their own included
            context = new_context(**options)
            context.set_default_timeout(ACTION_TIMEOUT)
            context.set_default_navigation_timeout(PAGE_TIMEOUT)
            return context

        chromium.new_context = patient_context
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeHF]:
    with FakeHF() as server:
        yield server


@pytest.fixture(scope="module")
def operator_token() -> str:
    """The operator's HF_TOKEN for this module's app; a module may override it."""
    return OPERATOR_TOKEN


@pytest.fixture(scope="module")
def app_url(fake: FakeHF, operator_token: str) -> Iterator[str]:
    with launched(fake_settings(fake.url, operator_token, PLAYGROUND_MEDIA_HOSTS=fake.cdn.host)) as (url, _demo):
        yield url


@pytest.fixture
def hf(fake: FakeHF) -> FakeHF:
    fake.reset()
    return fake


@pytest.fixture
def page(browser: Any, app_url: str, hf: FakeHF) -> Iterator[Any]:
    """A fresh browser context on the loaded playground (no state shared between tests)."""
    context = browser.new_context(viewport=VIEWPORT)
    tab = context.new_page()
    tab.goto(app_url)
    tab.wait_for_selector("#run", timeout=PAGE_TIMEOUT)
    yield tab
    context.close()


@pytest.fixture
def open_page(browser: Any, app_url: str) -> Iterator[Any]:
    """Open the playground at a path of our choosing (a link), each in a browser context of its own."""
    contexts = []

    def open_at(path: str = "/") -> Any:
        contexts.append(browser.new_context(viewport=VIEWPORT))
        tab = contexts[-1].new_page()
        tab.goto(app_url + path)
        tab.wait_for_selector("#run", timeout=PAGE_TIMEOUT)
        return tab

    yield open_at
    for context in contexts:
        context.close()
