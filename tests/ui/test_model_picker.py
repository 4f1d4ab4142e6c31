"""Picking a model: the Hub's card sets the task, the examples and the mask token, and warns about
gated or unserved models. Search: served models first, and a typed full id always usable.
"""
from __future__ import annotations

from typing import Any

import gradio as gr
import pytest
from gradio_client import Client

from backend import Hub
from backend.errors import ConnectionFailed
from components.handlers.debounce import LatestOnly
from components.handlers.examples import is_untouched
from components.handlers.models import curated_choices, search_choices
from tests.ui.conftest import plain, value
from tests.ui.launch import fake_settings, output_ids


def pick(client: Client, demo: gr.Blocks, model: str, **values: Any) -> dict[str, Any]:
    outputs = client.predict(model_id=model, **{"task": "text-classification", "prompt": "", "image": None,
                                             "audio": None, "token": "", **values}, api_name="/pick_model")
    return dict(zip(output_ids(demo, "/pick_model"), outputs, strict=True))


def test_picking_a_model_detects_its_task_and_offers_its_examples(client, app, hf) -> None:
    out = pick(client, app[1], "FacebookAI/roberta-base")

    assert out["task"] == "fill-mask"
    assert out["examples"]["samples"] == [["Paris is the <mask> of France."], ["The goal of life is <mask>."]]
    assert out["prompt"] == "Paris is the <mask> of France."  # the empty form took the first example
    assert "Fill mask" in plain(out["model-info"]) and "hf-inference" in plain(out["model-info"])


def test_the_picked_models_mask_token_is_required_before_sending(client, app, run, hf) -> None:
    pick(client, app[1], "FacebookAI/roberta-base")
    hf.reset()

    out = run(model="FacebookAI/roberta-base", task="fill-mask", prompt="Paris is the [MASK] of France.")

    assert "mask token <mask>" in plain(value(out["output-message"])) and hf.received == []


def test_a_gated_model_says_so_before_running(client, app, hf) -> None:
    out = pick(client, app[1], "fake/gated-model")

    assert "Gated model" in plain(out["model-info"])
    assert "(https://huggingface.co/fake/gated-model)" in out["model-info"]


def test_an_unknown_model_is_reported_and_the_task_is_kept(client, app, hf) -> None:
    out = pick(client, app[1], "nobody/no-such-model-here")

    assert "not found on the Hub" in plain(out["model-info"])
    assert out["task"] == "text-classification"


def test_what_the_visitor_typed_is_kept_when_the_model_changes(client, app, hf) -> None:
    out = pick(client, app[1], "FacebookAI/roberta-base", prompt="My own sentence with <mask>.")

    assert out["prompt"] == {"__type__": "update"}, "an empty update leaves the text box alone"


@pytest.fixture(scope="module")
def hub(fake) -> Hub:
    return Hub(fake_settings(fake.url))


def test_search_lists_served_models_first_with_task_downloads_and_providers(hub) -> None:
    choices, problem = search_choices(hub, "roberta")

    assert problem == ""
    first_label, first_id = choices[0]
    assert first_id == "deepset/roberta-base-squad2"
    assert "question-answering" in first_label and "↓" in first_label and "hf-inference" in first_label


def test_a_typed_full_id_comes_first_even_when_search_does_not_list_it(hub) -> None:
    choices, _ = search_choices(hub, "my-org/brand-new-model")

    assert choices[0] == ("my-org/brand-new-model · use this id as typed", "my-org/brand-new-model")


@pytest.mark.parametrize("query", ["", "r", " "])
def test_short_queries_show_the_suggested_models_without_asking_the_hub(hub, hf, query: str) -> None:
    choices, _ = search_choices(hub, query, task="fill-mask")

    assert choices == curated_choices("fill-mask")
    assert choices[0][1] == "google-bert/bert-base-uncased"
    assert hf.received == []


class UnreachableHub:
    """A Hub whose every call fails the way an offline machine's does."""

    def search(self, *args: Any, **kwargs: Any) -> list[Any]:
        raise ConnectionFailed("the Hub could not be reached (ConnectError)")


def test_a_failed_search_keeps_the_suggestions_and_says_why() -> None:
    choices, problem = search_choices(UnreachableHub(), "bert")  # type: ignore[arg-type]

    assert choices == curated_choices()
    assert "Search failed" in problem and "could not be reached" in plain(problem)


@pytest.mark.parametrize("kind, current, filled, untouched", [
    ("text", {"prompt": ""}, "", True),
    ("text", {"prompt": "I like you. I love you."}, "", True),                    # a task's own example
    ("text", {"prompt": "The goal of life is <mask>."}, "", True),               # ...with the model's mask
    ("text", {"prompt": "My name is Sarah and I live in London"}, "My name is Sarah and I live in London", True),
    ("text", {"prompt": "My own words"}, "My name is Sarah and I live in London", False),
    ("image", {"prompt": "", "image": None}, "", True),
    ("image", {"prompt": "", "image": "/tmp/gradio/upload.png"}, "", False),
])
def test_an_example_only_replaces_what_the_page_put_there(kind: str, current: dict[str, Any], filled: str,
                                                          untouched: bool) -> None:
    assert is_untouched(kind, current, filled) is untouched


def test_only_the_newest_keystroke_is_searched_whatever_order_they_arrive_in() -> None:
    latest = LatestOnly()

    assert latest.begin("tab", 2, "fake/ech")
    assert latest.begin("tab", 3, "fake/echo")
    assert not latest.begin("tab", 1, "fake/ec"), "an older keystroke that arrives late is dropped"
    assert not latest.begin("tab", 4, "fake/echo"), "Enter or an arrow key repeats the query"
    assert latest.is_latest("tab", 3) and not latest.is_latest("tab", 2)
    assert latest.begin("other-tab", 1, "bert"), "each browser tab counts on its own"


def test_a_pick_drops_the_searches_in_flight_and_the_next_keystroke_searches_again() -> None:
    latest = LatestOnly()
    assert latest.begin("tab", 7, "facebook/bart-large-cnn")

    latest.settle("tab")  # the visitor picked a model while keystroke 7's search was pending

    assert not latest.is_latest("tab", 7), "its answer would relabel the box with a search label"
    assert not latest.begin("tab", 7, "facebook/bart-large-cnn"), "nor does a late copy of it start again"
    assert latest.begin("tab", 8, "facebook/bart-large-cnn"), "typing after the pick searches, same text or not"
    assert latest.is_latest("tab", 8)
    latest.settle("never-typed")  # a pick by API or on load, before any keystroke
    assert latest.begin("never-typed", 1, "bert")
