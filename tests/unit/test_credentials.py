"""Whose credential each request carries (backend/credentials.py): the operator's token only to Hugging
Face's router and Hub and the endpoints the operator lists; a visitor-named endpoint gets the visitor's."""
from __future__ import annotations

import pytest

from backend import Playground
from backend.credentials import ENDPOINT_KEY, NONE, OPERATOR, VISITOR, MissingCredential, choose_credential
from backend.errors import ConfigError
from backend.settings import Settings, load_settings

OPERATOR_TOKEN, VISITOR_TOKEN, KEY = "hf_operatorAAAA1111", "hf_visitorBBBB2222", "endpoint-key-3333"
HF_ENDPOINT = "https://abc.us-east-1.aws.endpoints.huggingface.cloud"
LISTED = "https://ours.us-east-1.aws.endpoints.huggingface.cloud"
OWN_HOST = "https://tgi.example.org"


def playground(**settings: object) -> Playground:
    # tgi.example.org is a host visitors may call (no DNS here), not one that gets the server's token.
    chosen = {"hf_token": OPERATOR_TOKEN, "endpoints": (LISTED,), "endpoint_hosts": ("tgi.example.org",), **settings}
    return Playground(Settings(**chosen))  # type: ignore[arg-type]


def request_to(url: str, pg: Playground) -> object:
    if not url:
        return pg.build_request(task="fill-mask", model_id="google-bert/bert-base-uncased",
                                inputs={"text": "Paris is the [MASK] of France."})
    return pg.build_request(task="text-classification", inputs={"text": "hi"}, endpoint_url=url)


@pytest.mark.parametrize("url, visitor, key, whose, value", [
    ("", None, None, OPERATOR, OPERATOR_TOKEN),                    # the router: the server's token
    ("", VISITOR_TOKEN, None, VISITOR, VISITOR_TOKEN),             # ... unless the visitor pasted theirs
    (LISTED, None, None, OPERATOR, OPERATOR_TOKEN),                # an endpoint the operator lists
    (LISTED + "/v1", None, None, OPERATOR, OPERATOR_TOKEN),        # under a listed URL, at a path boundary
    (LISTED, VISITOR_TOKEN, None, VISITOR, VISITOR_TOKEN),
    (HF_ENDPOINT, VISITOR_TOKEN, None, VISITOR, VISITOR_TOKEN),    # a visitor-named Inference Endpoint
    (HF_ENDPOINT, None, KEY, ENDPOINT_KEY, KEY),
    (HF_ENDPOINT, VISITOR_TOKEN, KEY, ENDPOINT_KEY, KEY),          # the key typed for it wins
    (OWN_HOST, None, KEY, ENDPOINT_KEY, KEY),                      # a host of its own: its key ...
    (OWN_HOST, VISITOR_TOKEN, None, NONE, None),                   # ... never an HF token
    (OWN_HOST, None, None, NONE, None),
])
def test_each_request_carries_the_credential_of_the_rule(url: str, visitor: str | None, key: str | None,
                                                        whose: str, value: str | None) -> None:
    pg = playground()
    chosen = pg.credential(request_to(url, pg), visitor, key)  # type: ignore[arg-type]
    assert (chosen.whose, chosen.value) == (whose, value)
    assert OPERATOR_TOKEN not in repr(chosen) and VISITOR_TOKEN not in repr(chosen)


@pytest.mark.parametrize("url", [HF_ENDPOINT, HF_ENDPOINT + "/v1", "https://ours.us-east-1.aws.endpoints.huggingface.cloud.evil.example",
                                 "https://other.endpoints.huggingface.cloud"])
def test_an_inference_endpoint_the_visitor_named_never_gets_the_servers_token(url: str) -> None:
    pg = playground()
    try:
        request = request_to(url, pg)
    except Exception:  # noqa: BLE001 - a host that fails the URL checks is refused even earlier
        return
    try:
        chosen = pg.credential(request)  # type: ignore[arg-type]
    except MissingCredential as err:
        assert "Paste your own Hugging Face token" in err.message
        return
    assert chosen.value != OPERATOR_TOKEN


def test_a_refused_run_sends_nothing() -> None:
    pg = playground()
    request = request_to(HF_ENDPOINT, pg)
    with pytest.raises(MissingCredential):
        next(pg.run(request))  # type: ignore[arg-type]


def test_a_listed_prefix_does_not_cover_a_longer_host_or_a_sibling_path() -> None:
    pg = playground(endpoints=(LISTED + "/v1",))
    for url in (LISTED + "/v10", LISTED, LISTED.replace("ours", "ours2") + "/v1"):
        with pytest.raises(MissingCredential):
            pg.credential(request_to(url, pg))  # type: ignore[arg-type]
    assert pg.credential(request_to(LISTED + "/v1/chat", pg)).whose == OPERATOR  # type: ignore[arg-type]


@pytest.mark.parametrize("value, listed", [
    ("https://a.endpoints.huggingface.cloud/, tgi.lan:8443", ("https://a.endpoints.huggingface.cloud", "tgi.lan:8443")),
    ("", ()),
])
def test_playground_endpoints_is_read_from_the_environment(value: str, listed: tuple[str, ...]) -> None:
    assert load_settings({"PLAYGROUND_ENDPOINTS": value}, env_file=None, read_token_file=False).endpoints == listed


@pytest.mark.parametrize("value", ["ftp://x", "https://user@x.example", "x.example/path", "https://x?q=1"])
def test_a_malformed_playground_endpoints_entry_stops_the_app_saying_which(value: str) -> None:
    with pytest.raises(ConfigError, match="PLAYGROUND_ENDPOINTS"):
        load_settings({"PLAYGROUND_ENDPOINTS": value}, env_file=None, read_token_file=False)


@pytest.mark.parametrize("environ, shown", [
    ({}, True),
    ({"GRADIO_SERVER_NAME": "0.0.0.0"}, False),
    ({"SPACE_ID": "org/space"}, False),
    ({"GRADIO_SERVER_NAME": "0.0.0.0", "PLAYGROUND_SHOW_SERVER_ACCOUNT": "1"}, True),
    ({"PLAYGROUND_SHOW_SERVER_ACCOUNT": "0"}, False),
])
def test_the_server_account_is_shown_by_default_only_on_a_local_run(environ: dict[str, str], shown: bool) -> None:
    assert load_settings(environ, env_file=None, read_token_file=False).show_server_account is shown


def test_choose_credential_is_usable_without_a_playground() -> None:
    pg = Playground(Settings())
    chosen = choose_credential(request_to("", pg), None, None, Settings())  # type: ignore[arg-type]
    assert (chosen.whose, chosen.value) == (NONE, None)
