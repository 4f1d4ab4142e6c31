"""The Side by side page as a person sees it: one message answered in every column, each with its own
answer and figures; a column sent to alone keeps its own history, and a cleared one starts afresh;
Stop in one column stops that one while the other finishes; "Continue with this one" puts the column
in the browser's kept conversations (and no token with it); four columns; a column whose credential
may not go stops the message before anything is sent; the Playground's page links here, and the page
reads well (axe, a phone, dark mode).
"""
from __future__ import annotations

import base64
import hashlib
import json
from typing import Any, Iterator

import httpx
import pytest
from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from playwright.sync_api import expect

from backend.chat.library import library_from_stored
from components.side_by_side import CONVERSATIONS_KEY
from tests.browser.actions import ANSWER_TIMEOUT
from tests.browser.conftest import VIEWPORT
from tests.browser.test_page_fit import PHONE, axe_violations, light_backgrounds, page_width
from tests.fake_hf import FakeHF
from tests.http.test_chat_http import streams_being_written, wait_for

pytestmark = pytest.mark.browser

VISITOR_TOKEN = "hf_visitorSIDEbySIDE00000000000"
ALL_TOKENS = "".join(f"tok{i} " for i in range(20)).strip()


@pytest.fixture
def side(browser: Any, app_url: str, hf: FakeHF) -> Iterator[Any]:
    """A fresh browser context on the Side by side page."""
    context = browser.new_context(viewport=VIEWPORT)
    tab = context.new_page()
    tab.goto(f"{app_url}/side-by-side")
    tab.wait_for_selector("#side-send")
    yield tab
    context.close()


def column(page: Any, n: int) -> Any:
    return page.locator(f"#side-column-{n}-chat")


def figures(page: Any, n: int) -> Any:
    return page.locator(f"#side-column-{n}-figures")


def set_models(page: Any, *models: str) -> None:
    """Show as many columns as models and type one model in each box."""
    if len(models) > 2:
        page.locator("#side-columns").get_by_text(str(len(models)), exact=True).click()
    for n, model in enumerate(models, 1):
        page.locator(f"#side-column-{n}-model textarea").fill(model)


def send(page: Any, message: str, to: str = "All", goes: bool = True) -> None:
    """Type a message, pick where it goes ("All" or "Column 2") and press Send once the last turn is over;
    when it `goes`, Send stays greyed out while the answers come (every fake here takes a second or more)."""
    wait_until_answered(page)
    page.locator("#side-target").get_by_text(to, exact=True).click()
    page.locator("#side-message textarea").fill(message)
    page.click("#side-send")
    if goes:
        expect(page.locator("#side-send")).to_be_disabled(timeout=ANSWER_TIMEOUT)


def wait_until_answered(page: Any) -> None:
    """Send is pressable again: every column of the last turn has answered, stopped or failed."""
    expect(page.locator("#side-send")).to_be_enabled(timeout=ANSWER_TIMEOUT)


def chat_posts(hf: FakeHF) -> list[dict[str, Any]]:
    return [json.loads(r.body) for r in hf.received if r.path == "/v1/chat/completions"]


def test_a_message_sent_to_all_is_answered_in_each_column_with_its_own_answer_and_figures(side: Any) -> None:
    set_models(side, "fake/slow-chat", "fake/reasoning-tags")
    send(side, "What is 2 + 2?")

    expect(column(side, 1)).to_contain_text("I received 1 user message. The last one was: 'What is 2 + 2?'.",
                                            timeout=ANSWER_TIMEOUT)
    expect(column(side, 2)).to_contain_text("2 + 2 = 4. Four is the answer.", timeout=ANSWER_TIMEOUT)
    for n, provider in ((1, "hf-inference"), (2, "hf-inference")):
        expect(figures(side, n)).to_contain_text("✓ first token", timeout=ANSWER_TIMEOUT)
        expect(figures(side, n)).to_contain_text("tok/s")
        expect(figures(side, n)).to_contain_text("completion tokens")
        expect(figures(side, n)).to_contain_text(f"served by {provider}")
    assert "Four is the answer" not in column(side, 1).inner_text()
    assert "I received" not in column(side, 2).inner_text()
    # The thinking is folded apart from the answer, under how long it took; a click unfolds it.
    thought = column(side, 2).get_by_text("Thought for")
    expect(thought).to_be_visible()
    expect(column(side, 2).get_by_text("The user asks what 2 + 2 is.")).to_be_hidden()
    thought.click()
    expect(column(side, 2).get_by_text("The user asks what 2 + 2 is.")).to_be_visible()
    assert "<think>" not in column(side, 2).inner_text()


def test_a_column_sent_to_alone_keeps_its_own_history(side: Any, hf: FakeHF) -> None:
    set_models(side, "fake/slow-chat", "fake/slow-chat")
    send(side, "first")
    wait_until_answered(side)
    send(side, "second", to="Column 2")
    expect(column(side, 2)).to_contain_text("I received 2 user messages. The last one was: 'second'.",
                                            timeout=ANSWER_TIMEOUT)
    wait_until_answered(side)
    assert "second" not in column(side, 1).inner_text(), "column 1 was not sent the message"

    send(side, "third")

    expect(column(side, 1)).to_contain_text("I received 2 user messages. The last one was: 'third'.",
                                            timeout=ANSWER_TIMEOUT)
    expect(column(side, 2)).to_contain_text("I received 3 user messages. The last one was: 'third'.",
                                            timeout=ANSWER_TIMEOUT)
    # Each column's own answers went back to it, and only its own.
    last_two = chat_posts(hf)[-2:]
    sent_back = sorted(len([m for m in body["messages"] if m["role"] == "assistant"]) for body in last_two)
    assert sent_back == [1, 2]
    for body in last_two:
        answers = [m["content"] for m in body["messages"] if m["role"] == "assistant"]
        assert all(answer.startswith("I received") for answer in answers)


def test_clearing_a_column_starts_its_conversation_afresh_and_leaves_the_other(side: Any) -> None:
    set_models(side, "fake/slow-chat", "fake/slow-chat")
    send(side, "first")
    wait_until_answered(side)

    column(side, 1).get_by_role("button", name="Clear").click()

    expect(column(side, 1)).not_to_contain_text("first")
    expect(figures(side, 1)).to_have_text("")
    send(side, "again")
    expect(column(side, 1)).to_contain_text("I received 1 user message. The last one was: 'again'.",
                                            timeout=ANSWER_TIMEOUT)
    expect(column(side, 2)).to_contain_text("I received 2 user messages. The last one was: 'again'.",
                                            timeout=ANSWER_TIMEOUT)


def test_stop_in_one_column_stops_that_one_while_the_other_finishes(side: Any, hf: FakeHF) -> None:
    # 20 tokens 250 ms apart in column 1 (5 s), 150 ms apart in column 2 (3 s).
    set_models(side, "fake/chat-pace-250", "fake/chat-pace-150")
    send(side, "Count to twenty")
    expect(column(side, 1)).to_contain_text("tok2", timeout=ANSWER_TIMEOUT)

    side.click("#side-column-1-stop")

    expect(figures(side, 1)).to_contain_text("Stopped", timeout=ANSWER_TIMEOUT)
    stopped = column(side, 1).inner_text()
    assert wait_for(lambda: streams_being_written() <= 1, 3.0), "column 1's stream was closed"
    expect(column(side, 2)).to_contain_text(ALL_TOKENS, timeout=ANSWER_TIMEOUT)
    expect(figures(side, 2)).to_contain_text("✓ first token", timeout=ANSWER_TIMEOUT)
    wait_until_answered(side)
    assert column(side, 1).inner_text() == stopped and "tok19" not in stopped
    assert len(chat_posts(hf)) == 2, "nothing more was sent"


def _decrypted(stored: str, secret: str) -> Any:
    """What Gradio's BrowserState keeps in localStorage: CryptoJS AES with a passphrase (OpenSSL's
    EVP_BytesToKey over MD5, "Salted__" + salt + ciphertext), the passphrase being sha256(secret) in hex."""
    blob = base64.b64decode(stored.split(":", 1)[1])
    assert blob[:8] == b"Salted__"
    passphrase, salt, derived, block = hashlib.sha256(secret.encode()).hexdigest().encode(), blob[8:16], b"", b""
    while len(derived) < 48:
        block = hashlib.md5(block + passphrase + salt).digest()
        derived += block
    decryptor = Cipher(algorithms.AES(derived[:32]), modes.CBC(derived[32:48])).decryptor()
    unpadder = padding.PKCS7(128).unpadder()
    plain = unpadder.update(decryptor.update(blob[16:]) + decryptor.finalize()) + unpadder.finalize()
    return json.loads(plain)


def _library_secret(app_url: str) -> str:
    config = httpx.get(f"{app_url}/config", params={"page": "side-by-side"}).json()
    return next(c["props"]["secret"] for c in config["components"]
                if c["type"] == "browserstate" and c["props"]["storage_key"] == CONVERSATIONS_KEY)


def test_continue_with_this_one_keeps_the_column_as_the_current_conversation(side: Any, app_url: str) -> None:
    side.locator("#side-token input").fill(VISITOR_TOKEN)
    side.locator("#side-system textarea").fill("Be brief.")
    set_models(side, "fake/slow-chat", "fake/reasoning-tags")
    send(side, "What is 2 + 2?")
    wait_until_answered(side)

    side.click("#side-column-2-continue")

    expect(side.locator("#side-note")).to_contain_text("is now your current conversation")
    expect(side.locator("#side-note").get_by_role("link", name="Playground")).to_be_visible()
    stored = side.evaluate(f"localStorage.getItem({json.dumps(CONVERSATIONS_KEY)})")
    assert stored and VISITOR_TOKEN not in stored
    value = _decrypted(stored, _library_secret(app_url))
    assert VISITOR_TOKEN not in json.dumps(value)
    library, note = library_from_stored(value)
    assert note == "" and library.shown is not None
    kept = library.shown
    assert dict(kept.settings) == {"model": "fake/reasoning-tags", "system": "Be brief."}
    question, answer = kept.tree.path()
    assert (question.role, question.text) == ("user", "What is 2 + 2?")
    assert (answer.role, answer.text, answer.reasoning) == ("assistant", "2 + 2 = 4. Four is the answer.",
                                                            "The user asks what 2 + 2 is.")
    assert answer.figures["provider"] == "hf-inference" and answer.figures["completion_tokens"] == 15

    side.click("#side-column-1-continue")  # another column joins the library in front; the first stays
    expect(side.locator("#side-note")).to_contain_text("Column 1's conversation")
    later, _ = library_from_stored(_decrypted(side.evaluate(f"localStorage.getItem({json.dumps(CONVERSATIONS_KEY)})"),
                                              _library_secret(app_url)))
    assert [c.settings["model"] for c in later.conversations] == ["fake/slow-chat", "fake/reasoning-tags"]
    assert later.current == later.conversations[0].id


def test_four_columns_each_answer_with_their_own_figures(side: Any) -> None:
    models = ["fake/slow-chat", "fake/reasoning-tags", "fake/reasoning-content",
              "meta-llama/Meta-Llama-3-8B-Instruct:together"]
    set_models(side, *models)
    send(side, "Hello")

    expect(column(side, 1)).to_contain_text("I received 1 user message", timeout=ANSWER_TIMEOUT)
    for n in (2, 3):
        expect(column(side, n)).to_contain_text("Four is the answer.", timeout=ANSWER_TIMEOUT)
        expect(column(side, n).get_by_text("Thought for")).to_be_visible()
    expect(column(side, 4)).to_contain_text("Deep learning", timeout=ANSWER_TIMEOUT)
    for n in range(1, 5):
        expect(figures(side, n)).to_contain_text("✓ first token", timeout=ANSWER_TIMEOUT)
    expect(figures(side, 4)).to_contain_text("served by together")
    expect(figures(side, 4)).to_contain_text("≈ $")  # its price, from the router's list


def test_a_column_whose_credential_may_not_go_stops_the_message_before_anything_is_sent(side: Any,
                                                                                      hf: FakeHF) -> None:
    set_models(side, "fake/slow-chat", "https://my-endpoint.endpoints.huggingface.cloud")
    send(side, "Hello", goes=False)

    note = side.locator("#side-note")
    expect(note).to_contain_text("Not sent", timeout=ANSWER_TIMEOUT)
    expect(note).to_contain_text("Column 2: my-endpoint.endpoints.huggingface.cloud is an endpoint you named")
    expect(side.locator("#side-message textarea")).to_have_value("Hello")  # kept, to send once fixed
    assert chat_posts(hf) == [] and "Hello" not in column(side, 1).inner_text()


@pytest.mark.parametrize("viewport, theme", [(VIEWPORT, ""), (PHONE, "?__theme=dark")], ids=["wide", "phone-dark"])
def test_the_playground_links_to_the_page_which_reads_well(browser: Any, app_url: str, hf: FakeHF,
                                                           viewport: dict[str, int], theme: str) -> None:
    context = browser.new_context(viewport=viewport)
    try:
        page = context.new_page()
        page.goto(f"{app_url}/{theme}")
        page.get_by_role("link", name="Side by side").click()
        expect(page.locator("#side-send")).to_be_visible(timeout=ANSWER_TIMEOUT)
        assert page.locator("#run").count() == 0, "the Playground's components are not on this page"
        if theme:
            page.goto(f"{app_url}/side-by-side{theme}")  # the nav link drops the query
            page.wait_for_selector("#side-send")
        set_models(page, "fake/slow-chat", "fake/reasoning-tags")
        send(page, "Hi")
        wait_until_answered(page)
        assert axe_violations(page) == []
        assert page_width(page) <= viewport["width"], "the page does not scroll sideways"
        if theme:
            assert light_backgrounds(page) == [], "no light panel in dark mode"
    finally:
        context.close()
