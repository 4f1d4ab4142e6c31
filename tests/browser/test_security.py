"""What the browser sees: model output never runs as code, the token never reaches the page (DOM,
/config, localStorage, API answers), nothing is fetched from other hosts, and two visitors with
their own tokens never see or spend each other's.
"""
from __future__ import annotations

import json
from typing import Any, Iterator
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from tests.browser.actions import ANSWER_TIMEOUT, open_inspector, run_and_wait, type_model
from tests.conftest import SENTINEL

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def operator_token() -> str:
    """The sentinel is this module's server token: it must never show up anywhere in the browser."""
    return SENTINEL


@pytest.fixture
def answers(page: Any) -> Iterator[list[str]]:
    """Every Gradio API answer the page receives (queue streams included), as text."""
    bodies: list[str] = []

    def keep(request: Any) -> None:
        response = request.response()
        if response is not None and "/gradio_api/" in request.url:
            bodies.append(response.text())

    page.on("requestfinished", keep)
    yield bodies


def assert_absent(text: str, secret: str = SENTINEL) -> None:
    assert secret not in text and secret[3:] not in text


def test_model_output_is_shown_as_text_and_never_runs(page: Any, hf) -> None:
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    type_model(page, "fake/xss")
    # The model is conversational; its chat transcript gets the same check in test_chat_browser.py.
    page.locator("#task input").click()
    page.get_by_role("option", name="Text generation", exact=True).click()
    run_and_wait(page)

    expect(page.locator("#output-text textarea")).to_have_value(
        '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script> hello', timeout=ANSWER_TIMEOUT)
    page.wait_for_timeout(300)
    assert page.evaluate("window.__xss") is None
    assert page.locator("img[onerror]").count() == 0
    assert page.locator("#output img, #raw-json img, #status img").count() == 0
    assert dialogs == []


def test_the_page_fetches_nothing_from_other_hosts(browser: Any, app_url: str, hf) -> None:
    context = browser.new_context()
    page = context.new_page()
    hosts: set[str] = set()
    page.on("request", lambda request: hosts.add(urlsplit(request.url).hostname or ""))
    page.goto(app_url)
    page.wait_for_selector("#run")
    run_and_wait(page)
    context.close()

    assert hosts <= {"127.0.0.1", "localhost"}


def test_the_servers_token_never_reaches_the_browser(page: Any, answers: list[str], hf) -> None:
    open_inspector(page)  # so the request as sent is in the page too
    run_and_wait(page)
    expect(page.locator("#request")).to_contain_text("Bearer hf_****cdef")

    assert hf.received[-1].headers["Authorization"] == f"Bearer {SENTINEL}", "it was really used"
    assert_absent(page.content())
    assert_absent(page.evaluate("JSON.stringify(Object.assign({}, localStorage, sessionStorage))"))
    assert_absent(page.request.get(page.url.rstrip("/") + "/config").text())
    assert answers and all(SENTINEL not in body for body in answers)


def test_a_typed_token_is_used_but_never_stored_or_returned(page: Any, answers: list[str], hf) -> None:
    visitor = "hf_visitorTYPEDtoken123456789"
    settled(page)
    page.locator("#token input").fill(visitor)
    page.locator("#token input").press("Enter")
    expect(page.locator("#whoami")).to_contain_text("your token", timeout=ANSWER_TIMEOUT)
    type_model(page, "fake/echo")
    open_inspector(page)
    run_and_wait(page)

    assert hf.received[-1].headers["Authorization"] == f"Bearer {visitor}"
    expect(page.locator("#raw-json")).to_contain_text("Bearer ***")
    for secret in (visitor, SENTINEL):
        assert_absent(page.content(), secret)
        assert_absent(page.evaluate("JSON.stringify(Object.assign({}, localStorage))"), secret)
        assert all(secret not in body for body in answers)


def settled(page: Any) -> None:
    """The page's own identity check has answered, as a person sees before typing a token."""
    expect(page.locator("#whoami")).to_contain_text("Runs use", timeout=ANSWER_TIMEOUT)


def _visit_with_token(browser: Any, app_url: str, token: str) -> tuple[Any, Any]:
    context = browser.new_context()
    page = context.new_page()
    page.goto(app_url)
    page.wait_for_selector("#run")
    settled(page)
    page.locator("#token input").fill(token)
    page.locator("#token input").press("Enter")
    expect(page.locator("#whoami")).to_contain_text(f"hf_****{token[-4:]}", timeout=ANSWER_TIMEOUT)
    type_model(page, "fake/echo")
    open_inspector(page)
    return context, page


def test_two_visitors_each_see_and_spend_only_their_own_token(browser: Any, app_url: str, hf) -> None:
    tokens = ("hf_aliceOWNtoken000000000AAAA", "hf_bobOWNtoken00000000000BBBB")
    visits = [_visit_with_token(browser, app_url, token) for token in tokens]
    for _context, page in visits:
        page.click("#run")  # both runs in flight at once
    for (_context, page), token in zip(visits, tokens, strict=True):
        expect(page.locator("#status")).to_contain_text("HTTP 200", timeout=ANSWER_TIMEOUT)
        expect(page.locator("#request")).to_contain_text(f"Bearer hf_****{token[-4:]}")
        other = tokens[1 - tokens.index(token)]
        assert other[-4:] not in page.locator("#request").inner_text()

    echoed = [r.headers["Authorization"] for r in hf.received if r.path.endswith("/fake/echo")]
    assert sorted(echoed) == sorted(f"Bearer {token}" for token in tokens)
    whoami = {r.headers.get("Authorization") for r in hf.received if r.path.startswith("/api/whoami")}
    assert {f"Bearer {token}" for token in tokens} <= whoami
    for context, _page in visits:
        context.close()


def test_config_lists_no_component_holding_a_token(page: Any) -> None:
    config = json.loads(page.request.get(page.url.rstrip("/") + "/config").text())
    token_box = next(c for c in config["components"] if c.get("props", {}).get("elem_id") == "token")

    assert token_box["props"].get("value") in ("", None)
    assert token_box["props"].get("type") == "password"


def test_the_page_refuses_pictures_from_other_hosts_even_if_one_slipped_through(page: Any) -> None:
    """Model text is escaped everywhere (T10); the page's Content-Security-Policy is the second line."""
    verdict = page.evaluate("""() => new Promise(done => {
        document.addEventListener('securitypolicyviolation', event => done('blocked by ' + event.violatedDirective));
        const picture = new Image();
        picture.onload = () => done('loaded');
        picture.src = 'http://tracker.example/pixel.png';
        document.body.appendChild(picture);
    })""")

    assert verdict == "blocked by img-src"
