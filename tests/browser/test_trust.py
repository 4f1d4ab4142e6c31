"""Issue 19 as a person meets it: a link never chooses where a credential goes, and only runs this
playground finished are vouched for.

The app runs with an operator token and reaches https hosts through a stand-in (a local CONNECT proxy
with a throwaway CA) that logs the credential each request to an Inference Endpoint carried.
"""
from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Any, Iterator
from urllib.parse import quote

import pytest
from playwright.sync_api import expect

from backend.history import FORMAT, FORMAT_VERSION, HistoryEntry
from backend.links import freeze
from backend.provenance import Provenance
from tests.browser.actions import ANSWER_TIMEOUT
from tests.fake_hf import FakeHF
from tests.fake_hf.standin_endpoint import StandInEndpoint
from tests.ui.launch import fake_settings, launched

pytestmark = pytest.mark.browser
ATTACKER = "attacker.us-east-1.aws.endpoints.huggingface.cloud"
OPERATOR, VISITOR = "hf_operatorTrustTestToken000000", "hf_visitorTrustTestToken0000000"
SECRET = "trust-test-link-secret-" + "x" * 40
SST2 = "distilbert/distilbert-base-uncased-finetuned-sst-2-english"


@pytest.fixture(scope="module")
def standin() -> Iterator[StandInEndpoint]:
    with StandInEndpoint([ATTACKER]) as server:
        yield server


@pytest.fixture(scope="module")
def app_url(fake: FakeHF) -> Iterator[str]:
    with launched(fake_settings(fake.url, OPERATOR, PLAYGROUND_LINK_SECRET=SECRET)) as (url, _demo):
        yield url


@pytest.fixture
def open_page(open_page: Any, standin: StandInEndpoint, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The shared `open_page`, with the app (in this process) reaching https hosts through the stand-in;
    set per test, after the autouse fixture that clears every proxy variable."""
    for name, value in standin.environ().items():
        monkeypatch.setenv(name, value)
    standin.reset()
    return open_page


def recorded_against(endpoint: str, answer: str = "POSITIVE") -> HistoryEntry:
    return HistoryEntry(when=time.time() - 60, model="", task="text-classification", endpoint_url=endpoint,
                        inputs={"text": "I love this"}, status=200, latency=0.2,
                        response=[[{"label": answer, "score": 0.99}]], content_type="application/json")


def test_a_signed_frozen_link_offers_its_endpoint_and_only_the_visitors_own_token_goes_there(
        open_page: Any, standin: StandInEndpoint) -> None:
    # Signed by this very deployment, so it opens as verified: still it never fills the endpoint field.
    entry = Provenance.for_link_secret(SECRET.encode()).vouch(recorded_against(f"https://{ATTACKER}"))
    page = open_page("/?frozen=" + freeze(entry, SECRET.encode()))

    expect(page.locator("#link-note")).to_contain_text("recorded by this playground", timeout=ANSWER_TIMEOUT)
    offer = page.locator("#endpoint-offer-row")
    expect(offer).to_contain_text(ATTACKER)
    expect(offer).to_contain_text("never chooses where your credentials go")
    page.locator("#endpoint").get_by_text("Custom endpoint", exact=True).click()
    expect(page.locator("#endpoint-url textarea, #endpoint-url input").first).to_have_value("")

    page.click("#endpoint-offer")  # the visitor's own choice; they have no token of their own yet
    expect(offer).to_contain_text("Paste your own Hugging Face token", timeout=ANSWER_TIMEOUT)
    expect(page.locator("#endpoint-url textarea, #endpoint-url input").first).to_have_value(f"https://{ATTACKER}")
    page.click("#run")
    expect(page.locator("#status")).to_contain_text("Not sent", timeout=ANSWER_TIMEOUT)
    expect(page.locator("#output")).to_contain_text("Paste your own Hugging Face token")
    assert standin.seen == [], "the server's token never left for the link's endpoint"

    page.locator("#token input, #token textarea").first.fill(VISITOR)
    page.click("#run")
    expect(page.locator("#status")).to_contain_text("HTTP 200", timeout=ANSWER_TIMEOUT)
    assert standin.credentials(ATTACKER) == [f"Bearer {VISITOR}"]


def test_a_plain_links_endpoint_is_named_in_the_link_note_and_not_filled(open_page: Any,
                                                                          standin: StandInEndpoint) -> None:
    page = open_page(f"/?model={quote(SST2)}&endpoint=" + quote(f"https://{ATTACKER}", safe=""))

    note = page.locator("#link-note")
    expect(note).to_contain_text("Ignored 'endpoint' from the link", timeout=ANSWER_TIMEOUT)
    expect(note).to_contain_text(ATTACKER)
    page.locator("#endpoint").get_by_text("Custom endpoint", exact=True).click()
    expect(page.locator("#endpoint-url textarea, #endpoint-url input").first).to_have_value("")
    page.click("#run")
    expect(page.locator("#status")).to_contain_text("HTTP 200", timeout=ANSWER_TIMEOUT)
    assert standin.seen == []


def test_an_imported_run_is_marked_and_its_frozen_link_opens_as_not_verified(open_page: Any,
                                                                            tmp_path: Path) -> None:
    forged = recorded_against("", answer="MADE-UP-ANSWER")
    forged = HistoryEntry(**{**forged.to_dict(), "model": SST2})
    script = tmp_path / "crafted.json"
    script.write_text(json.dumps({"format": FORMAT, "version": FORMAT_VERSION, "entries": [forged.to_dict()]}))
    page = open_page()

    with page.expect_file_chooser() as chooser:
        page.click("#history-import")
    chooser.value.set_files(str(script))
    table = page.locator("#history-table")
    expect(table).to_contain_text("imported", timeout=ANSWER_TIMEOUT)
    table.get_by_text("text-classification").filter(visible=True).first.click()
    expect(page.locator("#status")).to_contain_text("From history, not re-run", timeout=ANSWER_TIMEOUT)
    page.click("#freeze-link")
    expect(page.locator("#share-note")).to_contain_text("not verified", timeout=ANSWER_TIMEOUT)
    link = page.locator("#share-link textarea").input_value()

    shared = open_page(link[link.index("/?"):])

    note = shared.locator("#link-note")
    expect(note).to_contain_text("Not verified", timeout=ANSWER_TIMEOUT)
    expect(note).to_contain_text("imported")
    expect(note).not_to_contain_text("recorded by this playground")
    expect(shared.locator("#raw-json")).to_contain_text("MADE-UP-ANSWER")  # shown, but as unchecked


def test_a_run_made_here_is_vouched_for_and_its_frozen_link_verifies(open_page: Any) -> None:
    page = open_page()
    page.locator("#model input").fill(SST2)
    page.locator("#model input").press("Enter")
    page.locator("#prompt textarea").fill("What a lovely demo")
    page.click("#run")
    expect(page.locator("#status")).to_contain_text("HTTP 200", timeout=ANSWER_TIMEOUT)
    table = page.locator("#history-table")
    expect(table).to_contain_text("200 OK", timeout=ANSWER_TIMEOUT)
    expect(table).not_to_contain_text("imported")
    table.get_by_text("text-classification").filter(visible=True).first.click()
    page.click("#freeze-link")
    link = page.locator("#share-link textarea")
    expect(link).to_have_value(re.compile(r"\?frozen="), timeout=ANSWER_TIMEOUT)
    expect(page.locator("#share-note")).not_to_contain_text("not verified")

    shared = open_page(link.input_value()[link.input_value().index("/?"):])
    expect(shared.locator("#link-note")).to_contain_text("recorded by this playground", timeout=ANSWER_TIMEOUT)
