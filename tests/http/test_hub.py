"""Model search, model info and whoami through huggingface_hub against the fake Hub API (T6)."""
from __future__ import annotations

import pytest

from backend import Hub, load_settings
from backend import errors as E
from tests.fake_hf import FakeHF


@pytest.fixture(scope="module")
def hf():
    with FakeHF() as server:
        yield server


@pytest.fixture()
def hub(hf) -> Hub:
    hf.reset()
    return Hub(load_settings({"HF_ENDPOINT": hf.url}, None, read_token_file=False))


def test_search_puts_served_models_first(hf, hub: Hub) -> None:
    cards = hub.search("bert")
    assert cards and all("bert" in card.id.lower() for card in cards)
    served = [card.served for card in cards]
    assert served == sorted(served, reverse=True)
    assert hf.received[-1].path == "/api/models"


def test_search_by_task(hub: Hub) -> None:
    cards = hub.search("", task="fill-mask")
    assert cards and {card.pipeline_tag for card in cards} == {"fill-mask"}


def test_model_info_from_the_recording(hub: Hub) -> None:
    card = hub.model_info("dbmdz/bert-large-cased-finetuned-conll03-english")
    assert card.pipeline_tag == "token-classification" and card.task == "token-classification"
    assert card.served


def test_model_info_is_fetched_once(hf, hub: Hub) -> None:
    hub.model_info("google-bert/bert-base-uncased")
    hub.model_info("google-bert/bert-base-uncased")
    assert len([r for r in hf.received if r.path.startswith("/api/models/")]) == 1
    assert hub.model_info("google-bert/bert-base-uncased").mask_token == "[MASK]"


def test_chat_models_are_detected(hub: Hub) -> None:
    card = hub.model_info("meta-llama/Llama-3.1-8B-Instruct")
    assert card.is_chat and card.task == "chat-completion"
    assert {p.provider for p in card.providers} >= {"hf-inference"}


def test_gated_models_say_so(hub: Hub) -> None:
    assert hub.model_info("fake/gated-model").gated == "manual"


def test_unknown_model(hub: Hub) -> None:
    with pytest.raises(E.NotFound):
        hub.model_info("nobody/nothing-here")


def test_invalid_id_sends_nothing(hf, hub: Hub) -> None:
    with pytest.raises(E.InvalidModelId):
        hub.model_info("../../api/whoami-v2")
    assert hf.received == []


def test_whoami(hub: Hub) -> None:
    assert hub.whoami("hf_visitor000000000000")["name"]
    with pytest.raises(E.AuthError):
        hub.whoami("bad-token")


def test_anonymous_calls_carry_no_token_even_with_one_in_the_environment(hf, hub: Hub, monkeypatch) -> None:
    monkeypatch.setenv("HF_TOKEN", "hf_machine000000000000000")
    hub.search("bert", token=None)
    hub.model_info("google-bert/bert-base-uncased")
    assert all("Authorization" not in r.headers for r in hf.received)


def test_search_fails_at_once_when_the_hub_is_unreachable() -> None:
    import time
    hub = Hub(load_settings({"HF_ENDPOINT": "http://127.0.0.1:9"}, None, read_token_file=False))
    started = time.monotonic()
    with pytest.raises(E.ConnectionFailed):
        hub.search("bert")
    assert time.monotonic() - started < 2, "a search box must not hang on a dead network"
