"""Demo tools over real sockets against the fake HF server: compare with a cold column, cancelling a
compare, warming up a cold model, and the token never reaching history, exports or frozen links.
"""
from __future__ import annotations

import threading
import time

import pytest

from backend import Playground, load_settings
from backend.compare import compare
from backend.history import History, entry_from_run
from backend.links import freeze, thaw
from backend.tasks import render
from backend.warmup import warm_up
from tests.conftest import SENTINEL, assert_no_secret
from tests.fake_hf import FakeHF

pytest_plugins = ["tests.fake_hf.pytest_plugin"]

SST2 = "distilbert/distilbert-base-uncased-finetuned-sst-2-english"
RERANKER = "BAAI/bge-reranker-v2-m3"
TASK = "text-classification"


@pytest.fixture()
def playground(fake_hf: FakeHF) -> Playground:
    env = {"HF_ROUTER_URL": fake_hf.url, "HF_ENDPOINT": fake_hf.url, "PLAYGROUND_POLL_DEADLINE": "15"}
    return Playground(load_settings(env, None, read_token_file=False))


def requests_to(hf: FakeHF, model: str) -> int:
    return sum(1 for received in hf.received if received.path.endswith(f"/models/{model}"))


def test_a_cold_column_polls_while_the_warm_ones_already_answer(fake_hf: FakeHF, playground: Playground) -> None:
    models = [SST2, "fake/cold-3", RERANKER]
    requests = [playground.build_request(task=TASK, inputs={"text": "I like you"}, model_id=m) for m in models]
    start, finished_at, waiting_after_warm = time.monotonic(), {}, False
    for update in compare(playground, requests, "hf_demo"):
        if update.finished:
            assert update.event.result.ok, update.event.result.error
            finished_at[models[update.column]] = time.monotonic() - start
        elif update.column == 1 and {SST2, RERANKER} <= set(finished_at):
            waiting_after_warm = True
    assert waiting_after_warm, "the cold column was still polling after both warm answers were in"
    assert max(finished_at[SST2], finished_at[RERANKER]) < 1.0 <= 2.5 < finished_at["fake/cold-3"]
    assert requests_to(fake_hf, "fake/cold-3") >= 2


def test_closing_a_compare_sends_nothing_more(fake_hf: FakeHF, playground: Playground) -> None:
    requests = [playground.build_request(task=TASK, inputs={"text": "hi"}, model_id=m) for m in (SST2, "fake/cold-2")]
    start, seen = time.monotonic(), set()
    updates = compare(playground, requests, "hf_demo")
    for update in updates:
        seen.add((update.column, type(update.event).__name__))
        if {(0, "Finished"), (1, "Waiting")} <= seen:
            break
    updates.close()
    sent_at_close = requests_to(fake_hf, "fake/cold-2")
    time.sleep(max(0.0, 2.6 - (time.monotonic() - start)))  # past the moment the cold column would retry
    assert requests_to(fake_hf, "fake/cold-2") == sent_at_close == 1
    assert not [t for t in threading.enumerate() if t.name.startswith("compare-column")], "every column ended"


def test_warm_up_shows_the_warm_model_ready_while_the_cold_one_warms(playground: Playground) -> None:
    start, lights = time.monotonic(), []
    for status in warm_up(playground, [("fake/cold-2", TASK), (SST2, TASK)], "hf_demo"):
        lights.append((status, time.monotonic() - start))
    cold = [status for status, _ in lights if status.target.model_id == "fake/cold-2"]
    assert (cold[0].text, cold[1].state) == ("cold", "warming") and cold[1].text.endswith("s left)")
    assert cold[-1].state == "ready" and 1.5 <= cold[-1].ready_in < 4
    ready = {status.target.model_id: at for status, at in lights if status.state == "ready"}
    assert ready[SST2] < 1.0 < ready["fake/cold-2"]


def test_a_token_passed_through_a_run_never_reaches_history_exports_or_links(fake_hf: FakeHF,
                                                                             playground: Playground) -> None:
    inputs = {"text": "echo me"}
    request = playground.build_request(task=TASK, inputs=inputs, model_id="fake/echo")
    result = playground.run_to_end(request, token=SENTINEL)
    assert fake_hf.received[-1].bearer == SENTINEL, "the token really went out with the run"
    entry = entry_from_run(request, result, inputs)
    exported = History().add(entry).to_json()
    assert_no_secret(exported)
    assert_no_secret(freeze(entry))
    assert_no_secret(thaw(freeze(entry)))


def test_a_demo_script_replays_the_same_request_and_answer(fake_hf: FakeHF, playground: Playground) -> None:
    inputs = {"text": "Paris is the [MASK] of France."}
    request = playground.build_request(task="fill-mask", inputs=inputs, model_id="google-bert/bert-base-uncased",
                                       params={"top_k": 2})
    first = playground.run_to_end(request, "hf_demo")
    imported = History.from_json(History().add(entry_from_run(request, first, inputs, {"top_k": 2})).to_json())
    replayed = playground.build_request(**imported.entries[0].build_arguments())
    assert replayed == request
    again = playground.run_to_end(replayed, "hf_demo")
    assert isinstance(again.json, list) and again.json == first.json == imported.entries[0].response


FROZEN_RUNS = [
    ("text-classification", SST2, {"text": "I like you"}, {}),
    ("zero-shot-classification", "facebook/bart-large-mnli", {"text": "I want my money back", "labels": "refund, faq"},
     {}),
    ("fill-mask", "google-bert/bert-base-uncased", {"text": "Paris is the [MASK] of France."}, {}),
    ("chat-completion", "fake/chat-pace-1", {"messages": [{"role": "user", "content": "Hi"}]}, {"stream": True}),
]


@pytest.mark.parametrize("task, model, inputs, params", FROZEN_RUNS, ids=[run[0] for run in FROZEN_RUNS])
def test_a_frozen_result_renders_like_the_live_one(playground: Playground, task: str, model: str, inputs: dict,
                                                   params: dict) -> None:
    request = playground.build_request(task=task, inputs=inputs, model_id=model, params=params)
    live = playground.run_to_end(request, "hf_demo")
    frozen = thaw(freeze(entry_from_run(request, live, inputs, params))).as_result()
    assert live.ok and frozen.ok
    assert render(task, frozen) == render(task, live)
