"""The tasks added for huggingface_hub 2.4's full table: their forms become the requests the official
client builds (compared here with the client's own request, captured before it is sent; the wire
itself is compared in tests/http/test_provider_conformance.py), and their answers render, with odd
shapes falling back to the raw view instead of raising.
"""
from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any, Callable

import pytest
import requests
from huggingface_hub import InferenceClient
from huggingface_hub.inference import _client
from huggingface_hub.inference._common import RequestParameters
from huggingface_hub.inference._providers import hf_inference

from backend import Playground, load_settings
from backend.errors import InvalidParameters
from backend.result import InferenceRequest, InferenceResult
from backend.tasks import TASKS, build_payload, render
from components.handlers.forms import (FormValues, form_shape, inputs_for, stock_example, table_columns, table_value,
                                      upload_field, values_from_example)

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 24
ASSETS = Path(__file__).resolve().parents[2] / "components" / "assets"
IMAGE, SOUND = (ASSETS / "example.png").read_bytes(), (ASSETS / "example.wav").read_bytes()
MODEL = "org/model"
TEXT = "A calm lake at dawn."
WAV = b"RIFF\0\0\0\0WAVEfmt "
TABLE = {"Repository": ["Transformers", "Datasets"], "Stars": ["36542", "4512"]}
NEW = ("text-to-speech", "text-to-video", "image-to-video", "image-to-image", "image-segmentation", "image-to-text",
       "zero-shot-image-classification", "visual-question-answering", "document-question-answering",
       "table-question-answering", "tabular-classification", "audio-classification", "audio-to-audio")


def answer(task: str, body: Any, content_type: str = "application/json", *, status: int = 200,
           sent: InferenceRequest | None = None) -> InferenceResult:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return InferenceResult(sent or InferenceRequest("POST", "https://x", task=task), status=status,
                           content_type=content_type, body=raw)


def test_the_table_has_huggingface_hubs_28_tasks() -> None:
    from huggingface_hub.inference._providers import PROVIDERS

    theirs = {task for tasks in PROVIDERS.values() for task in tasks} - {"conversational"}
    assert theirs <= set(TASKS) and set(NEW) <= set(TASKS)
    assert len(theirs | {"conversational"}) == 28


class _Captured(Exception):
    """Raised in place of sending: the client's request has been built and kept."""


@pytest.fixture()
def official(monkeypatch: pytest.MonkeyPatch) -> Callable[..., RequestParameters]:
    """Calls `InferenceClient(provider="hf-inference").<method>(...)` and returns the request it would send.

    Nothing leaves the machine: the Hub lookup that checks the model's task is skipped and the send is
    replaced. The video tasks, which hf-inference does not serve, get hf-inference's own helpers (JSON
    for text, the upload for an image), as the task table builds them.
    """
    sent: list[RequestParameters] = []

    def keep(self: InferenceClient, request_parameters: RequestParameters, *, stream: bool = False) -> Any:
        sent.append(request_parameters)
        raise _Captured

    helpers = {"text-to-video": hf_inference.HFInferenceTask("text-to-video"),
               "image-to-video": hf_inference.HFInferenceBinaryInputTask("image-to-video")}
    real_helper = _client.get_provider_helper
    monkeypatch.setattr(_client, "get_provider_helper",
                        lambda provider, task, model: helpers.get(task) or real_helper(provider, task, model))
    monkeypatch.setattr(hf_inference, "_check_supported_task", lambda model, task: None)
    monkeypatch.setattr(InferenceClient, "_inner_post", keep)

    def call(method: str, *args: Any, **kwargs: Any) -> RequestParameters:
        client = InferenceClient(provider="hf-inference", api_key="hf_test")
        with pytest.raises(_Captured):
            getattr(client, method)(*args, model=MODEL, **kwargs)
        return sent[-1]
    return call


def ours(task: str, inputs: dict[str, Any], params: dict[str, Any]) -> InferenceRequest:
    playground = Playground(load_settings({}, None, read_token_file=False))
    return playground.build_request(task=task, model_id=MODEL, inputs=inputs, params=params, provider="hf-inference")


def sent_bytes(request: InferenceRequest) -> bytes:
    """The body exactly as our HTTP client (requests) writes it."""
    prepared = requests.Request("POST", request.url, json=request.json_body, data=request.data).prepare()
    body = prepared.body
    return body.encode() if isinstance(body, str) else body


IMAGE_IN = {"image": IMAGE, "image_type": "image/png"}
AUDIO_IN = {"audio": SOUND, "audio_type": "audio/wav"}
TABLE_IN = {"Repository": ["Transformers", "Datasets"], "Stars": ["36542", "4512"]}

# (our task, the form's inputs, the parameters as the page sends them, what the client is asked)
CLIENT_CASES: list[tuple[str, dict[str, Any], dict[str, Any], str, tuple[Any, ...], dict[str, Any]]] = [
    ("text-to-video", {"text": TEXT, "negative_prompt": ""}, {}, "text_to_video", (TEXT,), {}),
    ("text-to-video", {"text": TEXT, "negative_prompt": "blurry"},
     {"seed": 3, "num_frames": 16, "guidance_scale": 5.0, "num_inference_steps": 20},
     "text_to_video", (TEXT,), {"negative_prompt": "blurry", "num_frames": 16, "num_inference_steps": 20,
                                "guidance_scale": 5.0, "seed": 3}),
    ("image-to-video", {**IMAGE_IN, "text": "waves roll in"}, {},
     "image_to_video", (IMAGE,), {"prompt": "waves roll in"}),
    ("image-to-video", {**IMAGE_IN, "text": ""}, {}, "image_to_video", (IMAGE,), {}),
    ("image-to-video", {**IMAGE_IN, "text": "waves"}, {"height": 480, "width": 640, "seed": 1, "num_frames": 16},
     "image_to_video", (IMAGE,), {"prompt": "waves", "num_frames": 16, "seed": 1,
                                  "target_size": {"width": 640, "height": 480}}),
    ("image-to-image", {**IMAGE_IN, "text": "make it winter", "negative_prompt": ""}, {},
     "image_to_image", (IMAGE, "make it winter"), {}),
    ("image-to-image", {**IMAGE_IN, "text": "", "negative_prompt": ""}, {}, "image_to_image", (IMAGE,), {}),
    ("image-to-image", {**IMAGE_IN, "text": "winter", "negative_prompt": "people"},
     {"seed": 7, "guidance_scale": 7.5, "num_inference_steps": 30, "width": 512, "height": 768},
     "image_to_image", (IMAGE, "winter"), {"negative_prompt": "people", "num_inference_steps": 30,
                                           "guidance_scale": 7.5, "target_size": {"width": 512, "height": 768},
                                           "seed": 7}),
    ("text-to-speech", {"text": TEXT}, {}, "text_to_speech", (TEXT,), {}),
    ("text-to-speech", {"text": TEXT}, {"top_p": 0.9, "temperature": 0.7, "max_new_tokens": 50, "do_sample": True,
                                        "top_k": 40},
     "text_to_speech", (TEXT,), {"do_sample": True, "max_new_tokens": 50, "temperature": 0.7, "top_k": 40,
                                 "top_p": 0.9}),
    ("image-segmentation", dict(IMAGE_IN), {}, "image_segmentation", (IMAGE,), {}),
    ("image-segmentation", dict(IMAGE_IN),
     {"threshold": 0.5, "subtask": "semantic", "overlap_mask_area_threshold": 0.3, "mask_threshold": 0.4},
     "image_segmentation", (IMAGE,), {"mask_threshold": 0.4, "overlap_mask_area_threshold": 0.3,
                                      "subtask": "semantic", "threshold": 0.5}),
    ("table-question-answering", {"table": TABLE_IN, "question": "How many stars?"}, {},
     "table_question_answering", (TABLE_IN, "How many stars?"), {}),
    ("table-question-answering", {"table": TABLE_IN, "question": "How many stars?"},
     {"truncation": True, "sequential": False, "padding": "longest"},
     "table_question_answering", (TABLE_IN, "How many stars?"),
     {"padding": "longest", "sequential": False, "truncation": True}),
    ("document-question-answering", {**IMAGE_IN, "question": "What is the title?"}, {},
     "document_question_answering", (IMAGE, "What is the title?"), {}),
    ("document-question-answering", {**IMAGE_IN, "question": "Total?"},
     {"top_k": 2, "max_seq_len": 384, "lang": "en", "doc_stride": 128, "handle_impossible_answer": True,
      "max_question_len": 64, "max_answer_len": 15},
     "document_question_answering", (IMAGE, "Total?"),
     {"doc_stride": 128, "handle_impossible_answer": True, "lang": "en", "max_answer_len": 15,
      "max_question_len": 64, "max_seq_len": 384, "top_k": 2}),
    ("visual-question-answering", {**IMAGE_IN, "question": "What is it?"}, {},
     "visual_question_answering", (IMAGE, "What is it?"), {}),
    ("visual-question-answering", {**IMAGE_IN, "question": "What is it?"}, {"top_k": 3},
     "visual_question_answering", (IMAGE, "What is it?"), {"top_k": 3}),
    ("zero-shot-image-classification", {**IMAGE_IN, "labels": "a chart, a cat"}, {},
     "zero_shot_image_classification", (IMAGE, ["a chart", "a cat"]), {}),
    ("zero-shot-image-classification", {**IMAGE_IN, "labels": "a chart, a cat"},
     {"hypothesis_template": "This is {}."},
     "zero_shot_image_classification", (IMAGE, ["a chart", "a cat"]), {"hypothesis_template": "This is {}."}),
    ("image-to-text", dict(IMAGE_IN), {}, "image_to_text", (IMAGE,), {}),
    ("audio-classification", dict(AUDIO_IN), {}, "audio_classification", (SOUND,), {}),
    ("audio-classification", dict(AUDIO_IN), {"top_k": 2, "function_to_apply": "softmax"},
     "audio_classification", (SOUND,), {"function_to_apply": "softmax", "top_k": 2}),
    ("audio-to-audio", dict(AUDIO_IN), {}, "audio_to_audio", (SOUND,), {}),
    ("tabular-classification", {"table": TABLE_IN}, {}, "tabular_classification", (TABLE_IN,), {}),
]


def test_every_new_task_is_compared_with_the_official_client() -> None:
    assert {case[0] for case in CLIENT_CASES} == set(NEW)


@pytest.mark.parametrize("task,inputs,params,method,args,kwargs", CLIENT_CASES,
                         ids=[f"{case[0]}-{n}" for n, case in enumerate(CLIENT_CASES)])
def test_the_request_is_the_one_huggingface_hub_builds(official: Callable[..., RequestParameters], task: str,
                                                        inputs: dict[str, Any], params: dict[str, Any], method: str,
                                                        args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    theirs = official(method, *args, **kwargs)
    request = ours(task, inputs, params)
    assert request.url == theirs.url
    if theirs.data is not None:
        # The client sends raw bytes, or JSON it dumped itself: ours must be those very bytes.
        assert sent_bytes(request) == bytes(theirs.data)
    else:
        # The client hands a dict to its HTTP library: the same JSON, keys in the same order.
        assert request.data is None and json.dumps(request.json_body) == json.dumps(theirs.json)
    if "accept" in theirs.headers:
        assert request.headers.get("Accept") == theirs.headers["accept"]


def test_a_video_task_sends_a_text_task_body_on_hf_inference() -> None:
    payload = build_payload("text-to-video", {"text": TEXT, "negative_prompt": "blurry"}, {"num_frames": 8})
    assert payload.json_body == {"inputs": TEXT, "parameters": {"negative_prompt": "blurry", "num_frames": 8}}


def test_a_lone_width_is_sent_as_is_and_both_make_a_target_size() -> None:
    lone = build_payload("image-to-image", {**IMAGE_IN, "text": "x"}, {"width": 512}).json_body
    assert lone["parameters"] == {"prompt": "x", "width": 512}
    both = build_payload("image-to-video", {**IMAGE_IN, "text": "x"}, {"width": 512, "height": 256}).json_body
    assert both["parameters"] == {"prompt": "x", "target_size": {"width": 512, "height": 256}}


@pytest.mark.parametrize("task,inputs,params,body", [
    ("visual-question-answering", {"image": PNG, "question": "What is it?"}, {},
     {"inputs": base64.b64encode(PNG).decode(), "parameters": {}, "question": "What is it?",
      "image": base64.b64encode(PNG).decode()}),
    ("document-question-answering", {"image": PNG, "question": "Total?"}, {"top_k": 2},
     {"inputs": {"question": "Total?", "image": base64.b64encode(PNG).decode()}, "parameters": {"top_k": 2}}),
    ("table-question-answering", {"table": TABLE, "question": "Stars?"}, {},
     {"inputs": {"query": "Stars?", "table": TABLE}, "parameters": {}}),
    ("tabular-classification", {"table": TABLE}, {}, {"parameters": {}, "table": TABLE}),
    ("zero-shot-image-classification", {"image": PNG, "labels": "cat, dog"}, {},
     {"inputs": base64.b64encode(PNG).decode(), "parameters": {"candidate_labels": ["cat", "dog"]}}),
    ("image-to-image", {"image": PNG, "text": "snow"}, {},
     {"inputs": base64.b64encode(PNG).decode(), "parameters": {"prompt": "snow"}}),
    ("text-to-speech", {"text": "hello"}, {}, {"inputs": "hello", "parameters": {}}),
])
def test_json_bodies_are_laid_out_as_huggingface_hub_lays_them(task: str, inputs: dict[str, Any],
                                                                params: dict[str, Any], body: dict[str, Any]) -> None:
    assert build_payload(task, inputs, params).json_body == body


def test_an_image_task_without_its_prompt_or_parameters_sends_the_raw_file() -> None:
    payload = build_payload("image-to-image", {"image": PNG, "image_type": "image/png", "text": ""}, {})
    assert payload.data == PNG and payload.headers == {"Accept": "image/png", "Content-Type": "image/png"}


@pytest.mark.parametrize("task,inputs,words", [
    ("visual-question-answering", {"image": PNG, "question": " "}, "question"),
    ("visual-question-answering", {"image": b"not an image", "question": "q"}, "not an image"),
    ("table-question-answering", {"table": {}, "question": "q"}, "table"),
    ("table-question-answering", {"table": {"a": ["1"], "b": ["1", "2"]}, "question": "q"}, "as many cells"),
    ("zero-shot-image-classification", {"image": PNG, "labels": " , "}, "candidate labels"),
    ("zero-shot-image-classification", {"image": PNG, "labels": "cat"}, "at least two"),
    ("tabular-classification", {"table": None}, "table"),
    ("image-to-image", {"image": None, "text": "snow"}, "image"),
    ("text-to-video", {"text": "  "}, "text"),
    ("text-to-speech", {"text": ""}, "text"),
    ("document-question-answering", {"image": PNG, "question": ""}, "question"),
    ("audio-to-audio", {"audio": PNG}, "not audio"),
])
def test_bad_inputs_are_explained_before_anything_is_sent(task: str, inputs: dict[str, Any], words: str) -> None:
    with pytest.raises(InvalidParameters, match=words):
        build_payload(task, inputs, {})


@pytest.mark.parametrize("task,result,kind", [
    ("text-to-speech", answer("text-to-speech", WAV, "audio/wav"), "audio"),
    ("audio-to-audio", answer("audio-to-audio", [{"label": "speech", "blob": base64.b64encode(WAV).decode(),
                                                   "content-type": "audio/wav"}]), "audio"),
    ("text-to-video", answer("text-to-video", b"\0\0\0\x18ftypmp42", "video/mp4"), "video"),
    ("image-segmentation", answer("image-segmentation", [{"label": "sky", "score": 0.9,
                                                           "mask": base64.b64encode(PNG).decode()}]), "masks"),
    ("image-to-text", answer("image-to-text", [{"generated_text": "a cat"}]), "text"),
    ("visual-question-answering", answer("visual-question-answering", [{"answer": "blue", "score": 0.8}]),
     "labels"),
    ("table-question-answering", answer("table-question-answering", {"answer": "AVERAGE > 5", "cells": ["5"],
                                                                       "aggregator": "AVERAGE"}), "text"),
    ("tabular-classification", answer("tabular-classification", [5, 6]), "table"),
    ("audio-classification", answer("audio-classification", [{"label": "neu", "score": 0.7}]), "labels"),
    ("image-to-image", answer("image-to-image", PNG, "image/png"), "image"),
])
def test_each_new_answer_renders(task: str, result: InferenceResult, kind: str) -> None:
    assert render(task, result).kind == kind


@pytest.mark.parametrize("task", NEW)
def test_odd_answers_fall_back_to_the_raw_view(task: str) -> None:
    for body in ({"unexpected": True}, "text", [None]):
        assert render(task, answer(task, body)).kind == "json"


def test_the_masks_keep_label_score_and_picture() -> None:
    rendered = render("image-segmentation", answer("image-segmentation", [
        {"label": "sky", "score": 0.9, "mask": base64.b64encode(PNG).decode()}]))
    assert rendered.masks == (("sky", 0.9, PNG),)


MASKS = [{"label": "sky", "score": None, "mask": base64.b64encode(PNG).decode()},
         {"label": "tree", "score": 0.5, "mask": base64.b64encode(PNG).decode()}]


@pytest.mark.parametrize("sent", [
    InferenceRequest("POST", "https://x", data=IMAGE, task="image-segmentation"),
    InferenceRequest("POST", "https://x", task="image-segmentation",
                     json_body={"inputs": base64.b64encode(IMAGE).decode(), "parameters": {"threshold": 0.5}}),
], ids=["raw upload", "base64 beside parameters"])
def test_the_masks_carry_the_image_they_cover(sent: InferenceRequest) -> None:
    rendered = render("image-segmentation", answer("image-segmentation", MASKS, sent=sent))
    assert rendered.source_image == IMAGE
    assert rendered.masks == (("sky", None, PNG), ("tree", 0.5, PNG))
    assert rendered.table == (("label", "score"), (("sky", None), ("tree", 0.5)))


def test_segments_without_a_picture_or_with_none_are_said_so() -> None:
    none = render("image-segmentation", answer("image-segmentation", []))
    assert none.kind == "masks" and none.text == "No segments found." and none.source_image is None
    not_a_picture = [{"label": "sky", "score": 0.9, "mask": base64.b64encode(b"not a png").decode()}]
    assert render("image-segmentation", answer("image-segmentation", not_a_picture)).kind == "json"


@pytest.mark.parametrize("task,body,content_type,kind", [
    # Providers' answers arrive as the file they pointed to, with its type.
    ("text-to-video", b"\0\0\0\x18ftypisom", "video/mp4", "video"),
    ("image-to-video", b"\x1aE\xdf\xa3webm", "video/webm", "video"),
    ("text-to-speech", b"ID3\x04", "audio/mpeg", "audio"),
    ("text-to-speech", b"fLaC\0", "audio/flac", "audio"),
    ("image-to-image", b"RIFF\0\0\0\0WEBPVP8 ", "image/webp", "image"),
    ("image-to-image", PNG, "image/png", "image"),
])
def test_media_answers_play_as_sent(task: str, body: bytes, content_type: str, kind: str) -> None:
    rendered = render(task, answer(task, body, content_type))
    assert (rendered.kind, rendered.media, rendered.media_type) == (kind, body, content_type)


def test_separated_audio_plays_the_first_blob_with_its_own_type() -> None:
    blobs = [{"label": "speaker 1", "blob": base64.b64encode(b"fLaC1").decode(), "content-type": "audio/flac"},
             {"label": "speaker 2", "blob": base64.b64encode(b"fLaC2").decode(), "content-type": "audio/flac"}]
    rendered = render("audio-to-audio", answer("audio-to-audio", blobs))
    assert (rendered.media, rendered.media_type) == (b"fLaC1", "audio/flac")
    assert "speaker 1, speaker 2" in rendered.text


def test_a_table_answer_says_how_the_model_read_the_table() -> None:
    rendered = render("table-question-answering", answer("table-question-answering", {
        "answer": "SUM > 36542, 4512", "coordinates": [[0, 1], [1, 1]], "cells": ["36542", "4512"],
        "aggregator": "SUM"}))
    assert rendered.text == "SUM > 36542, 4512"
    assert rendered.summary == {"aggregator": "SUM", "cells": "36542, 4512"}


def test_document_answers_are_ranked_by_score() -> None:
    rendered = render("document-question-answering", answer("document-question-answering", [
        {"answer": "us-001", "score": 0.4, "start": 16, "end": 16}, {"answer": "INV-7", "score": 0.9}]))
    assert rendered.text == "INV-7" and rendered.labels == (("INV-7", 0.9), ("us-001", 0.4))


def test_a_caption_may_come_alone_or_in_a_list() -> None:
    assert render("image-to-text", answer("image-to-text", {"generated_text": "a chart"})).text == "a chart"


def test_tabular_predictions_stand_beside_the_rows_sent() -> None:
    sent = InferenceRequest("POST", "https://x", json_body={"parameters": {}, "table": TABLE}, task="t")
    rendered = render("tabular-classification", answer("tabular-classification", [1, "good"], sent=sent))
    assert rendered.table == (("row", "Repository", "Stars", "prediction"),
                              ((1, "Transformers", "36542", 1), (2, "Datasets", "4512", "good")))
    unmatched = render("tabular-classification", answer("tabular-classification", [1], sent=sent))
    assert unmatched.table == (("row", "prediction"), ((1, 1),))


ODD_BODIES: list[tuple[Any, str]] = [
    ({"unexpected": True}, "application/json"), ("text", "application/json"), ([None], "application/json"),
    ([], "application/json"), ([{}], "application/json"), (None, "application/json"), (3.5, "application/json"),
    ([{"answer": None, "score": "high"}], "application/json"), ([{"blob": "%%%", "label": 1}], "application/json"),
    ([{"label": "x", "score": 1, "mask": 7}], "application/json"), ({"generated_text": ["x"]}, "application/json"),
    (b"\xff\xfe\x00garbage", "application/octet-stream"), (b"<html>502</html>", "text/html"), (b"", "video/mp4"),
    (b"{" * 5000 + b"}" * 5000, "application/json"),
]


@pytest.mark.parametrize("task", NEW)
def test_no_answer_makes_a_renderer_raise(task: str) -> None:
    kinds = {"labels", "text", "table", "image", "audio", "video", "masks", "json"}
    for body, content_type in ODD_BODIES:
        assert render(task, answer(task, body, content_type)).kind in kinds
    failed = render(task, answer(task, {"error": "Model is overloaded"}, status=503))
    assert failed.kind == "json" and "HTTP 503" in failed.text


def test_an_editable_table_reads_back_as_columns() -> None:
    shown = table_value(TABLE)
    assert shown == {"headers": ["Repository", "Stars"], "data": [["Transformers", "36542"], ["Datasets", "4512"]]}
    assert table_columns(shown) == TABLE
    assert table_columns(None) is None


def test_the_page_s_table_drops_rows_left_blank_and_writes_every_cell_as_text() -> None:
    import pandas as pd

    frame = pd.DataFrame({"Repository": ["Transformers", "", None], "Stars": [36542, " ", float("nan")]})
    assert table_columns(frame) == {"Repository": ["Transformers"], "Stars": ["36542"]}
    short_row = {"headers": ["a", "b"], "data": [["1"], ["", ""]]}
    assert table_columns(short_row) == {"a": ["1"], "b": [""]}


def test_two_columns_of_one_name_are_refused() -> None:
    with pytest.raises(InvalidParameters, match="named 'a'"):
        table_columns({"headers": ["a", "a"], "data": [["1", "2"]]})


@pytest.mark.parametrize("table,words", [
    ({"a": []}, "at least one row"), ({"a": "1"}, "list of cells"), ({" ": ["1"]}, "needs a name"),
])
def test_a_table_the_model_cannot_read_is_refused(table: dict[str, Any], words: str) -> None:
    with pytest.raises(InvalidParameters, match=words):
        build_payload("tabular-classification", {"table": table}, {})


def test_the_forms_of_the_new_kinds_give_the_backends_inputs(tmp_path) -> None:
    image = tmp_path / "photo.png"
    image.write_bytes(PNG)
    asked = inputs_for(TASKS["visual-question-answering"], FormValues(prompt="What is it?", image=str(image)))
    assert asked == {"image": PNG, "image_type": "image/png", "question": "What is it?"}
    table = inputs_for(TASKS["table-question-answering"], FormValues(prompt="Stars?", table=table_value(TABLE)))
    assert table == {"table": TABLE, "question": "Stars?"}
    example = values_from_example(TASKS["table-question-answering"], TASKS["table-question-answering"].example)
    assert example.table["headers"][0] == "Repository" and example.prompt.startswith("How many stars")


def test_only_an_image_edit_sends_the_negative_prompt_box(tmp_path) -> None:
    image = tmp_path / "photo.png"
    image.write_bytes(PNG)
    form = FormValues(prompt="snow", negative_prompt="people", image=str(image))
    assert "negative_prompt" in form_shape(TASKS["image-to-image"]).fields
    assert inputs_for(TASKS["image-to-image"], form)["negative_prompt"] == "people"
    assert "negative_prompt" not in form_shape(TASKS["image-to-video"]).fields
    assert inputs_for(TASKS["image-to-video"], form) == {"image": PNG, "image_type": "image/png", "text": "snow"}


# The `inputs` keys each new task's form hands the backend (the contract with the provider code).
INPUT_KEYS = {
    "text-to-video": {"text", "negative_prompt"}, "image-to-video": {"image", "image_type", "text"},
    "image-to-image": {"image", "image_type", "text", "negative_prompt"}, "text-to-speech": {"text"},
    "image-segmentation": {"image", "image_type"}, "visual-question-answering": {"image", "image_type", "question"},
    "document-question-answering": {"image", "image_type", "question"},
    "zero-shot-image-classification": {"image", "image_type", "labels"},
    "table-question-answering": {"table", "question"}, "tabular-classification": {"table"},
    "audio-classification": {"audio", "audio_type"}, "audio-to-audio": {"audio", "audio_type"},
    "image-to-text": {"image", "image_type"},
}


@pytest.mark.parametrize("task", NEW)
def test_each_new_task_s_stock_example_fills_its_form_and_builds_a_request(task: str) -> None:
    spec = TASKS[task]
    form = values_from_example(spec, stock_example(spec))
    inputs = inputs_for(spec, form)
    assert set(inputs) == INPUT_KEYS[task]
    assert all(inputs[key] not in (None, "") for key in INPUT_KEYS[task] - {"negative_prompt"})
    build_payload(task, inputs, {})  # nothing left to fill in


@pytest.mark.parametrize("task,field", [
    ("visual-question-answering", "image"), ("image-to-image", "image"), ("zero-shot-image-classification", "image"),
    ("image-segmentation", "image"), ("audio-to-audio", "audio"), ("table-question-answering", ""),
    ("text-to-video", ""), ("text-to-speech", ""),
])
def test_each_task_names_the_field_its_upload_is_in(task: str, field: str) -> None:
    assert upload_field(TASKS[task]) == field


def test_the_labels_box_asks_for_what_an_image_could_be() -> None:
    assert "cat" in form_shape(TASKS["zero-shot-image-classification"]).labels_placeholder
    assert "refund" in form_shape(TASKS["zero-shot-classification"]).labels_placeholder


@pytest.mark.parametrize("task, avoided", [("text-to-image", "picture"), ("image-to-image", "picture"),
                                           ("text-to-video", "video")])
def test_the_negative_prompt_says_what_the_task_makes(task: str, avoided: str) -> None:
    shape = form_shape(TASKS[task])
    assert "negative_prompt" in shape.fields
    assert shape.negative_placeholder == f"What the {avoided} should avoid"
