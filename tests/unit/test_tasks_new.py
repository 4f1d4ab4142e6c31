"""The tasks added for huggingface_hub 2.4's full table: their forms become the bodies the official
client sends (the wire itself is compared in tests/http/test_provider_conformance.py), and their
answers render, with odd shapes falling back to the raw view instead of raising.
"""
from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from backend.errors import InvalidParameters
from backend.result import InferenceRequest, InferenceResult
from backend.tasks import TASKS, build_payload, render
from components.handlers.forms import FormValues, inputs_for, table_columns, table_value, values_from_example

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 24
WAV = b"RIFF\0\0\0\0WAVEfmt "
TABLE = {"Repository": ["Transformers", "Datasets"], "Stars": ["36542", "4512"]}
NEW = ("text-to-speech", "text-to-video", "image-to-video", "image-to-image", "image-segmentation", "image-to-text",
       "zero-shot-image-classification", "visual-question-answering", "document-question-answering",
       "table-question-answering", "tabular-classification", "audio-classification", "audio-to-audio")


def answer(task: str, body: Any, content_type: str = "application/json") -> InferenceResult:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return InferenceResult(InferenceRequest("POST", "https://x", task=task), status=200, content_type=content_type,
                           body=raw)


def test_the_table_has_huggingface_hubs_28_tasks() -> None:
    from huggingface_hub.inference._providers import PROVIDERS

    theirs = {task for tasks in PROVIDERS.values() for task in tasks} - {"conversational"}
    assert theirs <= set(TASKS) and set(NEW) <= set(TASKS)
    assert len(theirs | {"conversational"}) == 28


@pytest.mark.parametrize("task,inputs,params,body", [
    ("visual-question-answering", {"image": PNG, "question": "What is it?"}, {},
     {"inputs": base64.b64encode(PNG).decode(), "question": "What is it?", "image": base64.b64encode(PNG).decode(),
      "parameters": {}}),
    ("document-question-answering", {"image": PNG, "question": "Total?"}, {"top_k": 2},
     {"inputs": {"question": "Total?", "image": base64.b64encode(PNG).decode()}, "parameters": {"top_k": 2}}),
    ("table-question-answering", {"table": TABLE, "question": "Stars?"}, {},
     {"inputs": {"query": "Stars?", "table": TABLE}, "parameters": {}}),
    ("tabular-classification", {"table": TABLE}, {}, {"table": TABLE, "parameters": {}}),
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
    assert payload.data == PNG and payload.headers == {"Content-Type": "image/png"}


@pytest.mark.parametrize("task,inputs,words", [
    ("visual-question-answering", {"image": PNG, "question": " "}, "question"),
    ("visual-question-answering", {"image": b"not an image", "question": "q"}, "not an image"),
    ("table-question-answering", {"table": {}, "question": "q"}, "table"),
    ("table-question-answering", {"table": {"a": ["1"], "b": ["1", "2"]}, "question": "q"}, "as many cells"),
    ("zero-shot-image-classification", {"image": PNG, "labels": " , "}, "candidate labels"),
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


def test_an_editable_table_reads_back_as_columns() -> None:
    shown = table_value(TABLE)
    assert shown == {"headers": ["Repository", "Stars"], "data": [["Transformers", "36542"], ["Datasets", "4512"]]}
    assert table_columns(shown) == TABLE
    assert table_columns(None) is None


def test_the_forms_of_the_new_kinds_give_the_backends_inputs(tmp_path) -> None:
    image = tmp_path / "photo.png"
    image.write_bytes(PNG)
    asked = inputs_for(TASKS["visual-question-answering"], FormValues(prompt="What is it?", image=str(image)))
    assert asked == {"image": PNG, "image_type": "image/png", "question": "What is it?"}
    table = inputs_for(TASKS["table-question-answering"], FormValues(prompt="Stars?", table=table_value(TABLE)))
    assert table == {"table": TABLE, "question": "Stars?"}
    example = values_from_example(TASKS["table-question-answering"], TASKS["table-question-answering"].example)
    assert example.table["headers"][0] == "Repository" and example.prompt.startswith("How many stars")
