"""The history outlives a reload, in the visitor's own browser: the runs come back and restore into
the form, the copy the browser keeps holds no token (read back decrypted, with the key the page's
config publishes), Clear empties it for good, and a copy of another shape is ignored.

This module's app has no operator token: the visitor types one, as a token that must not be kept.
"""
from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import time
from typing import Any

import pytest
from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from playwright.sync_api import expect

from components.history import STORAGE_KEY
from tests.browser.actions import ANSWER_TIMEOUT, run_and_wait

pytestmark = pytest.mark.browser
VISITOR = "hf_historyVISITORtoken00000"
FIRST, SECOND = "I like you. I love you.", "The waiting was awful."


@pytest.fixture(scope="module")
def operator_token() -> None:
    return None


def _key_and_iv(secret: str, salt: bytes) -> tuple[bytes, bytes]:
    """CryptoJS's passphrase mode, as the page uses it: OpenSSL's EVP_BytesToKey (MD5) of SHA256(secret)."""
    passphrase, derived, block = hashlib.sha256(secret.encode()).hexdigest().encode(), b"", b""
    while len(derived) < 48:
        block = hashlib.md5(block + passphrase + salt).digest()
        derived += block
    return derived[:32], derived[32:48]


def _secret(page: Any) -> str:
    config = json.loads(page.request.get(page.url.split("?")[0].rstrip("/") + "/config").text())
    return next(c["props"]["secret"] for c in config["components"] if c["props"].get("storage_key") == STORAGE_KEY)


def stored_copy(page: Any) -> Any:
    """The browser's copy of the history, decrypted; None when there is none."""
    raw = page.evaluate("key => localStorage.getItem(key)", STORAGE_KEY)
    if not raw:
        return None
    sealed = base64.b64decode(raw.split(":", 1)[1])
    assert sealed[:8] == b"Salted__"
    key, iv = _key_and_iv(_secret(page), sealed[8:16])
    decryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).decryptor()
    unpadder = padding.PKCS7(128).unpadder()
    plain = unpadder.update(decryptor.update(sealed[16:]) + decryptor.finalize()) + unpadder.finalize()
    return json.loads(plain)


def store(page: Any, value: Any) -> None:
    """Put `value` in the browser's copy as the page itself would write it."""
    salt = os.urandom(8)
    key, iv = _key_and_iv(_secret(page), salt)
    padder = padding.PKCS7(128).padder()
    encryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).encryptor()
    sealed = encryptor.update(padder.update(json.dumps(value).encode()) + padder.finalize()) + encryptor.finalize()
    raw = base64.b64encode(iv).decode() + ":" + base64.b64encode(b"Salted__" + salt + sealed).decode()
    page.evaluate("([key, value]) => localStorage.setItem(key, value)", [STORAGE_KEY, raw])


def wait_for_stored_runs(page: Any, count: int) -> dict[str, Any]:
    """The copy once it holds `count` runs (it is written just after the history shows them)."""
    deadline = time.monotonic() + ANSWER_TIMEOUT / 1000
    while True:
        copy = stored_copy(page)
        runs = copy.get("entries") if isinstance(copy, dict) else None
        if isinstance(runs, list) and len(runs) == count or time.monotonic() > deadline:
            assert isinstance(runs, list) and len(runs) == count, copy
            return copy
        page.wait_for_timeout(100)


def reload(page: Any) -> None:
    page.reload()
    page.wait_for_selector("#run")


def run_text(page: Any, text: str) -> None:
    page.locator("#prompt textarea").fill(text)
    run_and_wait(page)


def test_two_runs_come_back_after_a_reload_restore_into_the_form_and_no_secret_is_kept(page: Any, hf) -> None:
    page.locator("#token input").fill(VISITOR)
    run_text(page, FIRST)
    run_text(page, f"{SECOND} My token is {VISITOR}")
    expect(page.locator("#history-note")).to_contain_text("2 runs in this session", timeout=ANSWER_TIMEOUT)
    assert hf.received[-1].headers["Authorization"] == f"Bearer {VISITOR}", "the token was really used"

    copy = json.dumps(wait_for_stored_runs(page, 2))
    assert FIRST in copy and SECOND in copy and "hf_***" in copy
    everything = page.evaluate("JSON.stringify(Object.assign({}, localStorage, sessionStorage))")
    for text in (copy, everything):
        assert VISITOR not in text and VISITOR[3:] not in text and "authorization" not in text.lower()

    sent = len(hf.received)
    reload(page)
    table = page.locator("#history-table")
    expect(page.locator("#history-note")).to_contain_text("2 runs in this session", timeout=ANSWER_TIMEOUT)
    expect(table).to_contain_text(FIRST)
    expect(table).to_contain_text(SECOND)
    expect(table).to_contain_text(re.compile(r"POSITIVE 0\.\d{4}"))  # the answer column says what came back
    expect(page.locator("#token input")).to_have_value("")  # the token itself is not brought back

    table.get_by_text(FIRST).filter(visible=True).first.click()
    expect(page.locator("#status")).to_contain_text("From history, not re-run", timeout=ANSWER_TIMEOUT)
    expect(page.locator("#prompt textarea")).to_have_value(FIRST)
    expect(page.locator("#output-label")).to_contain_text("POSITIVE")
    page.click("#freeze-link")  # a restored run still travels as a frozen link
    expect(page.locator("#share-link textarea")).to_have_value(re.compile(r"\?frozen="), timeout=ANSWER_TIMEOUT)
    with page.expect_download() as download:  # and the export still holds both runs
        page.click("#history-export")
    exported = json.loads(open(download.value.path(), encoding="utf-8").read())
    assert {entry["inputs"]["text"] for entry in exported["entries"]} == {FIRST, f"{SECOND} My token is hf_***"}
    assert len(hf.received) == sent or all(r.method != "POST" for r in hf.received[sent:]), "nothing re-ran"


def test_clear_history_empties_the_page_and_the_browser_for_good(page: Any, hf) -> None:
    page.locator("#token input").fill(VISITOR)
    run_and_wait(page)
    wait_for_stored_runs(page, 1)

    page.click("#history-clear")
    expect(page.locator("#history-note")).to_contain_text("History cleared", timeout=ANSWER_TIMEOUT)
    expect(page.locator("#history-table")).to_be_hidden()
    wait_for_stored_runs(page, 0)

    reload(page)
    page.wait_for_timeout(1_000)  # room for the restore, were there anything to restore
    expect(page.locator("#history-note")).to_contain_text("No runs yet")
    expect(page.locator("#history-table")).to_be_hidden()


@pytest.mark.parametrize("kept", [
    {"format": "hf-playground-browser-history", "version": 0, "entries": [{"model": "old"}]},
    {"entries": "not a list"},
    ["a", "list"],
])
def test_a_copy_of_another_shape_is_ignored_and_replaced(page: Any, kept: Any) -> None:
    store(page, kept)
    reload(page)

    expect(page.locator("#history-note")).to_contain_text("No runs yet")
    expect(page.locator("#run")).to_be_enabled()
    wait_for_stored_runs(page, 0)  # replaced by an empty copy of the current shape
