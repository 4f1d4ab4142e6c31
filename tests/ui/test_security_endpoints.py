"""SECURITY.md T9 through the page's custom endpoint field: which hosts may receive the HF token.

The playground under test sends its HTTPS calls to a capturing adapter instead of the network, so
each test sees exactly which Authorization header would have left for which host. An Inference
Endpoint (`*.endpoints.huggingface.cloud`) the visitor names gets the visitor's own HF token, and the
operator's only when the operator lists it (PLAYGROUND_ENDPOINTS, issue 19); anyone can create one, so
with no token of the visitor's the run is refused. A Space (`*.hf.space`, anyone's code) or the Hub
API itself (`huggingface.co/api/...`) gets no HF token at all.
"""
from __future__ import annotations

import io
from typing import Any, Iterator
from urllib.parse import urlsplit

import pytest
import requests
from gradio_client import Client

from app import build_demo, launch_kwargs
from backend import Playground, Settings, load_settings
from backend.errors import InvalidInput
from backend.links import form_from_query
from tests.conftest import SENTINEL
from tests.fake_hf import FakeHF
from tests.ui.conftest import Runner, plain
from tests.ui.launch import fake_settings

INFERENCE_ENDPOINT = "https://xyz.us-east-1.aws.endpoints.huggingface.cloud"
LISTED_ENDPOINT = "https://ours.us-east-1.aws.endpoints.huggingface.cloud"
VISITOR_TOKEN = "hf_visitorOwnToken0123456789"
NOT_INFERENCE = ["https://attacker.hf.space", "https://huggingface.co/api/repos/create",
                 "https://hf.co/api/repos/create"]


class CapturingAdapter(requests.adapters.BaseAdapter):
    """Records every request instead of sending it, and answers each with 200 and an empty JSON list."""

    def __init__(self) -> None:
        super().__init__()
        self.sent: list[requests.PreparedRequest] = []

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        self.sent.append(request)
        response = requests.Response()
        response.status_code, response.url, response.request = 200, request.url or "", request
        response.headers["Content-Type"] = "application/json"
        response.raw = io.BytesIO(b"[]")
        return response

    def close(self) -> None:
        pass

    def credentials_sent_to(self, url: str) -> list[str]:
        host = urlsplit(url).hostname
        return [r.headers.get("Authorization", "") for r in self.sent if urlsplit(r.url or "").hostname == host]


def capturing_playground(settings: Settings) -> tuple[Playground, CapturingAdapter]:
    adapter = CapturingAdapter()
    session = requests.Session()
    session.mount("https://", adapter)
    return Playground(settings, session=session), adapter


@pytest.fixture(scope="module")
def page(fake: FakeHF) -> Iterator[tuple[Runner, CapturingAdapter]]:
    """The page, with the sentinel as the operator's token and every HTTPS call captured."""
    settings = fake_settings(fake.url, SENTINEL, PLAYGROUND_ENDPOINTS=LISTED_ENDPOINT)
    playground, adapter = capturing_playground(settings)
    demo = build_demo(settings, playground=playground)
    # As tests/ui/launch.launched() starts the app, with this playground in it.
    _app, url, _share = demo.launch(prevent_thread_lock=True, quiet=True,
                                    **{**launch_kwargs(settings), "server_name": "127.0.0.1", "server_port": None})
    try:
        yield Runner(Client(url, verbose=False, download_files=False), demo), adapter
    finally:
        demo.close()


def test_an_endpoint_the_operator_lists_gets_the_servers_token(page: tuple[Runner, CapturingAdapter]) -> None:
    """The control: the capture sees the token where it belongs."""
    run, adapter = page

    out = run(endpoint_url=LISTED_ENDPOINT, token="")

    assert "HTTP 200" in out["status"]
    assert adapter.credentials_sent_to(LISTED_ENDPOINT) == [f"Bearer {SENTINEL}"]


def test_an_inference_endpoint_a_visitor_names_gets_their_token_never_the_servers(
        page: tuple[Runner, CapturingAdapter]) -> None:
    run, adapter = page

    refused = run(endpoint_url=INFERENCE_ENDPOINT, token="")
    assert adapter.credentials_sent_to(INFERENCE_ENDPOINT) == [], "refused before anything was sent"
    assert "Paste your own Hugging Face token" in plain(str(refused)), "the page says why and what to paste"

    out = run(endpoint_url=INFERENCE_ENDPOINT, token=VISITOR_TOKEN)
    assert "HTTP 200" in out["status"]
    assert adapter.credentials_sent_to(INFERENCE_ENDPOINT) == [f"Bearer {VISITOR_TOKEN}"]
    assert VISITOR_TOKEN not in str(out) and SENTINEL not in str(out)


@pytest.mark.parametrize("url", NOT_INFERENCE)
def test_the_operators_token_never_goes_to_a_space_or_the_hub_api(page: tuple[Runner, CapturingAdapter],
                                                                  url: str) -> None:
    run, adapter = page

    run(endpoint_url=url, token="")

    assert not any(SENTINEL in sent for sent in adapter.credentials_sent_to(url))


def sent_by_a_public_app(url: str) -> list[str]:
    """What a password-protected public app sends to `url` for a visitor with no token ([] if refused)."""
    settings = load_settings({"HF_TOKEN": SENTINEL, "GRADIO_SERVER_NAME": "0.0.0.0", "GRADIO_AUTH": "alice:long-pw",
                              "PLAYGROUND_ENDPOINTS": LISTED_ENDPOINT}, env_file=None, read_token_file=False)
    playground, adapter = capturing_playground(settings)
    try:
        request = playground.build_request(task="text-classification", inputs={"text": "hi"}, endpoint_url=url)
    except InvalidInput:
        return []
    try:
        playground.run_to_end(request, token=None)
    except InvalidInput:  # no credential may go there: refused before sending
        return adapter.credentials_sent_to(url)
    return adapter.credentials_sent_to(url)


def test_a_public_app_gives_only_a_listed_endpoint_the_token() -> None:
    assert sent_by_a_public_app(LISTED_ENDPOINT) == [f"Bearer {SENTINEL}"]
    assert sent_by_a_public_app(INFERENCE_ENDPOINT) == []


@pytest.mark.parametrize("url", NOT_INFERENCE)
def test_a_public_app_never_hands_the_operators_token_elsewhere(url: str) -> None:
    assert not any(SENTINEL in sent for sent in sent_by_a_public_app(url))


@pytest.mark.parametrize("url", [*NOT_INFERENCE, INFERENCE_ENDPOINT, LISTED_ENDPOINT])
def test_a_link_never_names_an_endpoint(url: str) -> None:
    form = form_from_query({"endpoint": url})

    assert not hasattr(form, "endpoint") and "never chooses where your credentials go" in form.warnings[0]
