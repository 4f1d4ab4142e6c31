"""The token never comes back: not from any public endpoint, not in /config, not echoed by a server;
one visitor's token is never used for another; the page makes no call at build or launch time.
"""
from __future__ import annotations

import hashlib
from typing import Any, Iterator

import gradio as gr
import httpx
import pytest
from gradio_client import Client

from backend import Hub
from components.handlers.tokens import WhoAmICache
from tests.conftest import SENTINEL, assert_no_secret
from tests.fake_hf import FakeHF
from tests.ui.conftest import Runner, endpoint_defaults, plain
from tests.ui.launch import fake_settings, launched

VISITOR = "hf_visitorTOKENabcdefghijklmn"


@pytest.fixture(scope="module")
def app(fake: FakeHF) -> Iterator[tuple[str, gr.Blocks]]:
    """This module's playground runs with the sentinel as the operator's own token."""
    with launched(fake_settings(fake.url, SENTINEL)) as served:
        yield served


def public_endpoints(client: Client) -> list[str]:
    return list(client.view_api(return_format="dict", print_info=False)["named_endpoints"])


def test_the_public_api_is_exactly_run_pick_model_whoami_and_side_by_side_send(client) -> None:
    # The Side by side page's send is a script's way to ask several models at once, as /run asks one.
    assert sorted(public_endpoints(client)) == ["/pick_model", "/run", "/side_by_side_send", "/whoami"]


@pytest.mark.parametrize("token", ["", SENTINEL], ids=["operator-token", "visitor-token"])
def test_no_public_endpoint_returns_the_token(client, hf, token: str) -> None:
    for api_name in public_endpoints(client):
        values: dict[str, Any] = {**endpoint_defaults(client, api_name), "token": token}
        if "model_id" in values:
            values["model_id"] = "fake/echo"
        answer = client.predict(**values, api_name=api_name)
        assert_no_secret(answer)
    assert any(r.headers.get("Authorization") == f"Bearer {SENTINEL}" for r in hf.received), \
        "the token was really used"


def test_an_echoing_server_does_not_bring_the_token_back(run: Runner, hf) -> None:
    out = run(model="fake/echo", token=SENTINEL)

    assert hf.received[-1].headers["Authorization"] == f"Bearer {SENTINEL}"
    assert_no_secret(out)


@pytest.mark.parametrize("path", ["/", "/config", "/gradio_api/info", "/gradio_api/openapi.json"])
def test_the_page_and_its_config_do_not_hold_the_operators_token(app, path: str) -> None:
    response = httpx.get(app[0] + path, timeout=10)

    assert response.status_code in (200, 404)
    assert SENTINEL not in response.text and SENTINEL[3:] not in response.text


def test_whoami_names_the_account_without_the_token(client, hf) -> None:
    answer = client.predict(token=VISITOR, api_name="/whoami")

    assert "your token" in plain(answer) and "signed in as" in plain(answer)
    assert VISITOR not in answer and VISITOR[3:] not in answer


def test_whoami_answers_are_cached_by_hash_only(fake) -> None:
    cache = WhoAmICache(Hub(fake_settings(fake.url)))

    cache.identity(VISITOR)

    assert list(cache._answers) == [hashlib.sha256(VISITOR.encode()).hexdigest()]
    assert_no_secret(vars(cache), VISITOR)


def test_two_visitors_each_use_their_own_token(app, hf) -> None:
    first, second = "hf_firstVISITORtoken00000001", "hf_secondVISITORtoken0000002"
    for token in (first, second):
        Runner(Client(app[0], verbose=False, download_files=False), app[1])(model="fake/echo", token=token)

    assert [r.headers["Authorization"] for r in hf.received] == [f"Bearer {first}", f"Bearer {second}"]


def test_building_and_launching_the_page_makes_no_outbound_call(fake: FakeHF) -> None:
    fake.reset()
    with launched(fake_settings(fake.url, token=None)) as (url, _demo):
        httpx.get(url + "/config", timeout=10)

    assert fake.received == [], "no Hub or router call before a visitor acts"
