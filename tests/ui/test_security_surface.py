"""SECURITY.md checks the other suites left open, through the running page:

- T5  every listener, the private ones a browser calls by index included, returns nothing holding
      the token (tests/ui/test_secrets.py covers the public endpoints through gradio_client);
- T7  with no token anywhere a run sends no Authorization header and says how to add a token;
- T11 a run never queues behind another visitor's cold start (the run event has no concurrency cap);
- T13 generated images land in fresh, randomly named temp files that neither prompt nor model can steer;
- T15 ~/.netrc credentials never ride along on inference or Hub calls.
T1 and T3 on every error path (the token in no output and no log line) are in tests/ui/test_fault_matrix.py,
T9 (which hosts a typed endpoint URL may hand the token to) in tests/ui/test_security_endpoints.py.
"""
from __future__ import annotations

import re
import tempfile
import time
from pathlib import Path
from typing import Any, Callable, Iterator

import gradio as gr
import pytest
import requests
from gradio_client import Client

from backend import Hub, Playground, Settings
from components.handlers.forms import FormValues
from components.handlers.run import RunSetup, run_inference
from tests.conftest import SENTINEL
from tests.fake_hf import FakeHF
from tests.ui.conftest import Runner, endpoint_defaults, plain, value
from tests.ui.launch import fake_settings, launched
from tests.ui.listeners import Listeners

OK_MODEL = "distilbert/distilbert-base-uncased-finetuned-sst-2-english"
IMAGE_MODEL = "stabilityai/stable-diffusion-3-medium-diffusers"


@pytest.fixture(scope="module")
def app(fake: FakeHF) -> Iterator[tuple[str, gr.Blocks]]:
    """This module's playground runs with the sentinel as the operator's own token."""
    with launched(fake_settings(fake.url, SENTINEL)) as served:
        yield served


# --- T5: every listener, as the browser calls it -------------------------------------------------

RUN_PATH, SEARCH_PATH = "/hf-inference/models/fake/echo", "/api/models"


# Search (a private listener) sends only a token the visitor typed; run falls back to the operator's.
@pytest.mark.parametrize("typed, users", [("", {RUN_PATH}), (SENTINEL, {RUN_PATH, SEARCH_PATH})],
                         ids=["operator-token", "typed-token"])
def test_no_listener_private_or_public_returns_the_token(app: tuple[str, gr.Blocks], hf, typed: str,
                                                         users: set[str]) -> None:
    page = Listeners(app[0])
    search = page.named("on_search")
    # What a visitor would have typed: the token, a model, and a search query in the model box.
    values: dict[str | int, Any] = {"token": typed, "model": "fake/echo", search["inputs"][2]: "bert"}

    answers = {listener["id"]: page.call(listener, page.page_values(listener, values)) for listener in page.all}

    assert len(answers) >= 10 and any(listener.get("api_visibility") == "private" for listener in page.all)
    for fn_index, answer in answers.items():
        assert SENTINEL not in answer.text and SENTINEL[3:] not in answer.text, f"listener {fn_index} returned it"
    used = {r.path for r in hf.received if r.headers.get("Authorization") == f"Bearer {SENTINEL}"}
    assert users <= used, "the listeners really had the token in hand"


# --- T7: no token anywhere -------------------------------------------------------------------------

@pytest.fixture(scope="module")
def tokenless(fake: FakeHF) -> Iterator[Runner]:
    """A playground whose operator set no HF_TOKEN."""
    with launched(fake_settings(fake.url)) as (url, demo):
        yield Runner(Client(url, verbose=False, download_files=False), demo)


def test_without_any_token_a_run_sends_no_credentials_and_says_how_to_add_one(tokenless: Runner, hf) -> None:
    out = tokenless(model="fake/echo", token="")

    assert "Authorization" not in hf.received[-1].headers
    assert "HTTP 401" in out["status"]
    message = plain(value(out["output-message"]))
    assert "https://huggingface.co/settings/tokens" in message and "HF_TOKEN" in message


# --- T11: one visitor's cold start never queues another's run --------------------------------------

def test_the_run_event_has_no_concurrency_cap(app: tuple[str, gr.Blocks]) -> None:
    run_fn: Any = next(fn for fn in app[1].fns.values() if fn.api_name == "run")

    assert run_fn.concurrency_limit is None, "Gradio's default of 1 would queue every visitor behind one"


def test_a_run_answers_at_once_while_other_visitors_wait_on_cold_models(app: tuple[str, gr.Blocks], hf) -> None:
    url = app[0]
    waiting = []
    for _ in range(3):
        client = Client(url, verbose=False, download_files=False)
        waiting.append(client.submit(**{**endpoint_defaults(client, "/run"), "model": "fake/cold-30"}, api_name="/run"))
    deadline = time.monotonic() + 10
    while sum(r.path.endswith("/fake/cold-30") for r in hf.received) < len(waiting) and time.monotonic() < deadline:
        time.sleep(0.05)

    visitor = Runner(Client(url, verbose=False, download_files=False), app[1])
    started = time.monotonic()
    out = visitor(model=OK_MODEL)
    elapsed = time.monotonic() - started
    still_waiting = not any(job.done() for job in waiting)
    for job in waiting:
        job.cancel()

    assert still_waiting, "the cold starts were in progress the whole time"
    assert "HTTP 200" in out["status"]
    # Queued behind them it would wait out their 30 s cold start; alone it takes well under a second.
    assert elapsed < 5.0, f"the run waited {elapsed:.1f} s behind the cold starts"


# --- T13: binary answers become fresh temp files ---------------------------------------------------

def test_generated_images_land_in_fresh_random_temp_files(fake: FakeHF, hf) -> None:
    playground = Playground(fake_settings(fake.url, SENTINEL))
    hostile = FormValues(prompt="../../../../tmp/owned.png\x00<script>")

    paths = []
    for _ in range(2):
        *_, done = run_inference(playground, RunSetup(model_id=IMAGE_MODEL, task="text-to-image", form=hostile))
        paths.append(Path(done.media_path))
    sent = hf.received[-1]
    served = requests.post(fake.url + sent.path, json=sent.json, timeout=10,
                           headers={"Accept": sent.headers["Accept"], "Authorization": f"Bearer {SENTINEL}"}).content

    assert paths[0] != paths[1], "each answer gets its own file"
    for path in paths:
        assert path.read_bytes() == served
        assert path.parent == paths[0].parent and path.parent.parent == Path(tempfile.gettempdir())
        assert re.fullmatch(r"tmp\w+\.(png|jpg|gif|webp)", path.name), path.name
        assert "owned" not in str(path) and "stable" not in str(path)


# --- T15: ~/.netrc is never consulted --------------------------------------------------------------

@pytest.fixture
def netrc(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A ~/.netrc holding a password for the fake's host, which requests would add by default."""
    path = tmp_path / ".netrc"
    path.write_text("machine 127.0.0.1 login netrc-user password netrc-secret-0000\n")
    path.chmod(0o600)
    monkeypatch.setenv("NETRC", str(path))
    monkeypatch.setenv("HOME", str(tmp_path))
    return "netrc-secret-0000"


def test_a_plain_requests_call_would_pick_up_the_netrc_password(fake: FakeHF, hf, netrc: str) -> None:
    """The control: without the backend's guard, requests adds `Authorization: Basic ...` from ~/.netrc."""
    requests.post(f"{fake.url}/hf-inference/models/fake/echo", json={"inputs": "x"}, timeout=10)

    assert hf.received[-1].headers["Authorization"].startswith("Basic ")


def _inference(settings: Settings) -> object:
    playground = Playground(settings)
    return playground.run_to_end(playground.build_request(task="text-classification", model_id="fake/echo",
                                                          inputs={"text": "x"}))


ANONYMOUS_CALLS: dict[str, Callable[[Settings], object]] = {
    "inference": _inference,
    "hub-search": lambda settings: Hub(settings).search("bert", token=None),
    "hub-model-info": lambda settings: Hub(settings).model_info("google-bert/bert-base-uncased", token=None),
}


@pytest.mark.parametrize("call", ANONYMOUS_CALLS.values(), ids=ANONYMOUS_CALLS.keys())
def test_anonymous_calls_never_carry_netrc_credentials(fake: FakeHF, hf, netrc: str,
                                                       call: Callable[[Settings], object]) -> None:
    call(fake_settings(fake.url))

    assert hf.received, "the call reached the fake"
    assert all("Authorization" not in r.headers for r in hf.received)
