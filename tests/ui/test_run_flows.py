"""Pressing Run through the Gradio API: each task shows its answer in the right view, beside the
raw JSON, the masked request and the status line; bad input is stopped before anything is sent.
"""
from __future__ import annotations

from dataclasses import asdict
from typing import Any

import pytest
from gradio_client import handle_file

from backend.tasks import TASKS
from components.handlers.forms import stock_example, values_from_example
from tests.ui.conftest import OPERATOR_TOKEN, shown, value

# task → the view (elem_id) its answer appears in.
ANSWER_VIEW = {
    "text-classification": "output-label", "token-classification": "output-entities",
    "zero-shot-classification": "output-label", "fill-mask": "output-label",
    "question-answering": "output-text", "summarization": "output-text", "translation": "output-text",
    "text-generation": "output-text", "sentence-similarity": "output-table", "feature-extraction": "output-text",
    "image-classification": "output-label", "object-detection": "output-boxes",
    "automatic-speech-recognition": "output-text", "text-to-image": "output-image",
}  # chat-completion answers in the chat transcript instead: tests/ui/test_chat_ui.py
VIEWS = {"output-label", "output-entities", "output-boxes", "output-image", "output-audio", "output-text"}


def example_form(task: str) -> dict[str, Any]:
    """The form as the page fills it for `task`'s own example (media uploaded like a browser would)."""
    spec = TASKS[task]
    form = asdict(values_from_example(spec, stock_example(spec)))
    for media in ("image", "audio"):
        form[media] = handle_file(form[media]) if form[media] else None
    if form["table"] is None:  # a table is never "nothing" in the page: the page's own empty one stands
        del form["table"]
    return {**form, "model": spec.default_model, "task": task}


@pytest.mark.parametrize("task", sorted(ANSWER_VIEW))
def test_each_task_answers_in_its_own_view(run, hf, task: str) -> None:
    out = run(**example_form(task))

    assert "HTTP 200" in out["status"]
    view = ANSWER_VIEW[task]
    assert shown(out[view]) and value(out[view]), f"{task} should answer in #{view}"
    assert not [other for other in VIEWS - {view} if shown(out[other])], "one answer view at a time"
    assert out["raw-json"] is not None
    assert len(hf.received) == 1


def test_request_panel_shows_the_request_with_the_token_masked(run, hf) -> None:
    out = run(**example_form("text-classification"))

    request = out["request"]
    assert request["method"] == "POST"
    assert request["url"].endswith("/hf-inference/models/" + TASKS["text-classification"].default_model)
    assert request["headers"]["Authorization"] == "Bearer hf_****" + OPERATOR_TOKEN[-4:]
    assert request["body"] == {"inputs": "I like you. I love you.", "parameters": {}}
    assert hf.received[0].headers["Authorization"] == f"Bearer {OPERATOR_TOKEN}"
    assert "x-compute-time" in out["response-headers"]


def test_labels_render_as_a_chart_and_status_tells_timings(run, hf) -> None:
    out = run(**example_form("text-classification"))

    label = value(out["output-label"])
    assert label["label"] == "POSITIVE"
    assert "first byte" in out["status"] and "compute" in out["status"] and "request id" in out["status"]


def test_code_panel_holds_a_snippet_that_reads_the_token_from_the_environment(run, hf) -> None:
    out = run(**example_form("text-classification"))

    code = value(out["code"])
    assert "$HF_TOKEN" in code and OPERATOR_TOKEN not in code


def test_parameters_from_the_accordion_reach_the_body(run, hf) -> None:
    run(**example_form("text-classification"), text_classification__top_k=2,
        text_classification__function_to_apply="softmax")

    assert hf.received[0].json["parameters"] == {"top_k": 2, "function_to_apply": "softmax"}


def test_extra_parameters_json_is_merged_into_the_body(run, hf) -> None:
    run(**example_form("fill-mask"), extra_params='{"top_k": 3}')

    assert hf.received[0].json["parameters"] == {"top_k": 3}


@pytest.mark.parametrize("values, says", [
    ({"model": "../../api/whoami-v2"}, "not a valid model id"),
    ({"model": "https://evil.example/m"}, "That is a URL"),
    ({"extra_params": '{"top_k": 3'}, "not valid JSON"),
    ({"extra_params": "[1, 2]"}, "must be a JSON object"),
    ({"prompt": "   "}, "Fill in the text input"),
    ({"text_classification__top_k": 0}, "must be at least 1"),
])
def test_bad_input_is_explained_and_nothing_is_sent(run, hf, values: dict[str, Any], says: str) -> None:
    out = run(**{**example_form("text-classification"), **values})

    assert "Not sent" in out["status"]
    assert says in value(out["output-message"])
    assert hf.received == []


def test_fill_mask_without_the_models_mask_token_is_stopped(run, hf) -> None:
    # The picker stores the model's mask token; a /run call without a pick has none, so use the API's
    # own check: the stock text with its mask removed must still reach the server unchanged.
    run(**{**example_form("fill-mask"), "prompt": "Paris is the capital of France."})

    assert hf.received[0].json == {"inputs": "Paris is the capital of France.", "parameters": {}}


def test_an_error_answer_shows_the_explanation_and_keeps_the_raw_body(run, hf) -> None:
    out = run(**{**example_form("text-classification"), "model": "fake/html-502"})

    assert "HTTP 502" in out["status"]
    assert "HTML error page" in value(out["output-message"])
    assert value(out["raw-json"])["content_type"].startswith("text/html")


def test_a_gated_model_links_to_its_licence(run, hf) -> None:
    out = run(**{**example_form("text-classification"), "model": "fake/gated-model"})

    assert "HTTP 403" in out["status"]
    assert "(https://huggingface.co/fake/gated-model)" in value(out["output-message"])


def test_a_rate_limited_model_is_retried_and_the_attempts_are_listed(run, hf) -> None:
    out = run(**{**example_form("text-classification"), "model": "fake/rate-limited-1"})

    assert "HTTP 200" in out["status"] and "2 attempts" in out["status"]
    rows = value(out["attempts"])["data"]
    assert [row[2] for row in rows] == [429, 200]
    assert len(hf.received) == 2


def test_the_visitors_token_overrides_the_operators(run, hf) -> None:
    visitor = "hf_visitorOWNtoken1234567890"
    out = run(**{**example_form("text-classification"), "model": "fake/echo", "token": visitor})

    assert hf.received[0].headers["Authorization"] == f"Bearer {visitor}"
    assert visitor not in repr(out)
    assert out["request"]["headers"]["Authorization"] == "Bearer hf_****7890"
