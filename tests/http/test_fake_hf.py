"""The fake Hugging Face server over real sockets: every recording at its current route, HF's auth,
the scripted failure models, the Hub API, the auto-router, the CLI, and huggingface_hub's own
InferenceClient / HfApi pointed at it (proof that it speaks HF's protocol, not just ours).
"""
from __future__ import annotations

import base64
import io
import json
import subprocess
import sys
import time
import zlib
from email.utils import parsedate_to_datetime
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests
from huggingface_hub import HfApi, InferenceClient

from tests.fake_hf import FakeHF
from tests.fake_hf.catalog import SMALL_CONTEXT, TOOLS_PICKY
from tests.fake_hf.scripted import SCRIPTED
from tests.fake_hf.server import DEFAULT_RECORDINGS

pytest_plugins = ["tests.fake_hf.pytest_plugin"]  # the `fake_hf` fixture

REPO = Path(__file__).resolve().parents[2]
AUTH = {"Authorization": "Bearer hf_test"}
SST2 = "distilbert/distilbert-base-uncased-finetuned-sst-2-english"
LLAMA = "meta-llama/Llama-3.1-8B-Instruct"
MESSAGES = [{"role": "system", "content": "You are a helpful assistant."},
            {"role": "user", "content": "What is deep learning?"}]
RECORDED_FILES = sorted(DEFAULT_RECORDINGS.glob("*.json"))
# Where HF serves a recorded URL now (HF_PROTOCOL.md §1.1 route history, §1.2 legacy host).
CURRENT_ROUTE = {
    11: "/hf-inference/models/bert-base-uncased",
    13: "/hf-inference/models/sentence-transformers/paraphrase-xlm-r-multilingual-v1/pipeline/sentence-similarity",
    14: "/hf-inference/models/sentence-transformers/distilbert-base-nli-mean-tokens/pipeline/feature-extraction",
    19: "/hf-inference/models/CompVis/stable-diffusion-v1-4",
    31: "/hf-inference/models/meta-llama/Meta-Llama-3-70B-Instruct/v1/chat/completions",
    34: "/hf-inference/models/deepset/roberta-base-squad2",
    35: "/hf-inference/models/deepset/roberta-base-squad2",
    90: "/hf-inference/models/meta-llama/llama-2-13b-chat",
}
INDISTINGUISHABLE = {35}  # same request as 34: reachable only with X-Fake-Case


def recording(number: int) -> dict:
    return json.loads(next(p for p in RECORDED_FILES if p.name.startswith(f"{number:02d}_")).read_text())


def post(hf: FakeHF, path: str, **kwargs) -> requests.Response:
    kwargs["headers"] = {**AUTH, **kwargs.get("headers", {})}
    return requests.post(hf.url + path, timeout=kwargs.pop("timeout", 10), **kwargs)


def infer(hf: FakeHF, model: str, **kwargs) -> requests.Response:
    return post(hf, f"/hf-inference/models/{model}", **kwargs)


def chat(hf: FakeHF, model: str, stream: bool = False, path: str = "/v1/chat/completions") -> requests.Response:
    return post(hf, path, json={"model": model, "messages": MESSAGES, "stream": stream})


def sse_data(text: str) -> list[str]:
    return [line[5:].strip() for line in text.splitlines() if line.startswith("data:")]


def content_type(headers: dict) -> str | None:
    return next((v for k, v in headers.items() if k.lower() == "content-type"), None)


# --- recordings -------------------------------------------------------------------------------------

@pytest.mark.parametrize("path", RECORDED_FILES, ids=lambda p: p.stem)
def test_every_recording_replays_at_its_current_route(fake_hf: FakeHF, path: Path) -> None:
    case = json.loads(path.read_text())
    number = int(path.name[:2])
    request, expected = case["request"], case["response"]
    url = urlsplit(request["url"])
    route = CURRENT_ROUTE.get(number, url.path) + (f"?{url.query}" if url.query else "")
    body = request["body"]
    kwargs: dict = {"headers": {**AUTH, **({"X-Fake-Case": str(number)} if number in INDISTINGUISHABLE else {})}}
    if isinstance(body, dict) and body.get("binary"):
        kwargs["data"] = base64.b64decode(body["base64"]) if body["base64"] else b"\x89PNG\r\n\x1a\n upload"
    elif body is not None:
        kwargs["json"] = body

    response = requests.request(request["method"], fake_hf.url + route, timeout=10, **kwargs)

    assert response.status_code == expected["status"]
    recorded_body = expected["body"]
    assert response.headers["Content-Type"] == (content_type(expected["headers"]) or (
        "application/json" if isinstance(recorded_body, (dict, list)) else "text/plain; charset=utf-8"))
    if isinstance(recorded_body, dict) and recorded_body.get("binary"):
        assert len(response.content) == recorded_body["byte_length"]
        assert response.content[:2] == b"\xff\xd8"
        if recorded_body["base64"]:
            assert response.content == base64.b64decode(recorded_body["base64"])
    elif isinstance(recorded_body, str):
        assert response.text == recorded_body
    else:
        assert response.json() == recorded_body


def test_unstored_jpeg_is_a_decodable_image_of_the_recorded_size(fake_hf: FakeHF) -> None:
    image_module = pytest.importorskip("PIL.Image")
    response = infer(fake_hf, "CompVis/stable-diffusion-v1-4", json=recording(18)["request"]["body"])
    assert len(response.content) == 26062
    assert image_module.open(io.BytesIO(response.content)).size == (256, 256)


@pytest.mark.parametrize("body, expected", [
    ({"inputs": "Elon", "parameters": {"candidate_labels": ["a", "b"], "multi_label": True}}, 5),
    ({"inputs": "Elon", "parameters": {"candidate_labels": ["a", "b"]}}, 4),
    ({"inputs": ["Elon"], "parameters": {"candidate_labels": ["a", "b"]}}, 6),
], ids=["multi_label", "single", "batched"])
def test_shared_route_prefers_closest_body(fake_hf: FakeHF, body: dict, expected: int) -> None:
    assert infer(fake_hf, "facebook/bart-large-mnli", json=body).json() == recording(expected)["response"]["body"]


def test_shared_route_prefers_stream_flag_and_skips_errors_unless_exact(fake_hf: FakeHF) -> None:
    streamed = infer(fake_hf, "google/flan-t5-xxl", json={"inputs": "hi", "stream": True})
    assert streamed.headers["Content-Type"] == "text/event-stream"
    plain = infer(fake_hf, "gpt2", json={"inputs": "0 1 2", "parameters": {"watermark": False}, "stream": False})
    assert plain.status_code == 200
    assert infer(fake_hf, "gpt2", json=recording(28)["request"]["body"]).status_code == 400


def test_sse_pace_spaces_replayed_events(fake_hf: FakeHF) -> None:
    fake_hf.sse_pace = 0.01
    started = time.monotonic()
    response = chat(fake_hf, LLAMA, stream=True)
    assert len(sse_data(response.text)) == 21
    assert time.monotonic() - started >= 0.2


# --- routes: legacy, moved, unknown, template --------------------------------------------------------

@pytest.mark.parametrize("path", ["/models/gpt2", "/pipeline/fill-mask/bert-base-uncased",
                                  "/models/meta-llama/Meta-Llama-3-70B-Instruct/v1/chat/completions"])
def test_legacy_api_inference_paths_are_gone(fake_hf: FakeHF, path: str) -> None:
    response = requests.post(fake_hf.url + path, json={"inputs": "x"}, timeout=5)
    assert (response.status_code, response.text) == (410, recording(91)["response"]["body"])


@pytest.mark.parametrize("path", [
    "/hf-inference/pipeline/feature-extraction/sentence-transformers/distilbert-base-nli-mean-tokens",
    "/hf-inference/models/nobody/no-such-model", "/hf-inference/models/fake/no-such-script",
])
def test_old_router_route_and_unknown_models_answer_plain_not_found(fake_hf: FakeHF, path: str) -> None:
    response = post(fake_hf, path, json={"inputs": "x"})
    assert (response.status_code, response.text, response.headers["Content-Type"]) == (
        404, "Not Found", "text/plain; charset=utf-8")


@pytest.mark.parametrize("path, number", [
    ("/hf-inference/models/BAAI/bge-reranker-v2-m3", 1),
    ("/hf-inference/models/microsoft/harrier-oss-v1-0.6b/pipeline/feature-extraction", 14),
])
def test_unrecorded_served_models_answer_with_their_tasks_recording(fake_hf: FakeHF, path: str, number: int) -> None:
    assert post(fake_hf, path, json={"inputs": "x"}).json() == recording(number)["response"]["body"]


# --- auth ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer nope"}, {"Authorization": "Basic hf_test"},
                                     {"Authorization": "Bearer "}], ids=["missing", "not-hf", "basic", "empty"])
def test_router_rejects_missing_or_wrong_token_with_hf_401(fake_hf: FakeHF, headers: dict) -> None:
    response = requests.post(f"{fake_hf.url}/hf-inference/models/{SST2}", json={"inputs": "x"}, headers=headers)
    recorded = recording(32)["response"]
    assert (response.status_code, response.json()) == (401, recorded["body"])
    assert response.headers["WWW-Authenticate"] == recorded["headers"]["WWW-Authenticate"]
    assert response.headers["X-Error-Message"] == "Invalid username or password."


def test_whoami_needs_a_token(fake_hf: FakeHF) -> None:
    denied = requests.get(f"{fake_hf.url}/api/whoami-v2", timeout=5)
    assert (denied.status_code, denied.json()) == (401, {"error": "Invalid credentials in Authorization header"})
    me = requests.get(f"{fake_hf.url}/api/whoami-v2", headers=AUTH, timeout=5).json()
    assert (me["name"], me["auth"]["accessToken"]["role"]) == ("demo-user", "fineGrained")


def test_token_option_accepts_only_that_token() -> None:
    with FakeHF(token="hf_only_this") as strict:
        other = requests.post(f"{strict.url}/hf-inference/models/{SST2}", json={"inputs": "x"}, headers=AUTH)
        right = requests.post(f"{strict.url}/hf-inference/models/{SST2}", json={"inputs": "x"},
                              headers={"Authorization": "Bearer hf_only_this"})
    assert (other.status_code, right.status_code) == (401, 200)


# --- scripted models -------------------------------------------------------------------------------

def test_cold_model_loads_then_answers_and_reset_restarts_the_clock(fake_hf: FakeHF) -> None:
    loading = infer(fake_hf, "fake/cold-1", json={"inputs": "x"})
    assert loading.status_code == 503
    assert loading.json()["error"] == "Model fake/cold-1 is currently loading"
    assert 0 < loading.json()["estimated_time"] <= 1
    time.sleep(1.05)
    assert infer(fake_hf, "fake/cold-1", json={"inputs": "x"}).json() == recording(1)["response"]["body"]
    fake_hf.reset()
    assert infer(fake_hf, "fake/cold-1", json={"inputs": "x"}).status_code == 503


def test_scaled_to_zero_endpoint_answers_plain_503_or_holds_with_scale_up_timeout(fake_hf: FakeHF) -> None:
    cold = post(fake_hf, "/endpoints/endpoint-cold-1", json={"inputs": "x"})
    assert (cold.status_code, cold.text) == (503, "503 Service Unavailable")
    started = time.monotonic()
    held = post(fake_hf, "/endpoints/endpoint-cold-1/v1/chat/completions", headers={"X-Scale-Up-Timeout": "5"},
                json={"model": "tgi", "messages": MESSAGES})
    assert held.status_code == 200 and held.json()["object"] == "chat.completion"
    assert time.monotonic() - started < 1.5


def test_rate_limited_k_then_ok(fake_hf: FakeHF) -> None:
    replies = [infer(fake_hf, "fake/rate-limited-2", json={"inputs": "x"}) for _ in range(3)]
    assert [r.status_code for r in replies] == [429, 429, 200]
    assert replies[0].headers["Retry-After"] == "1"
    assert replies[0].json() == {"error": "Rate limit reached. Please log in or use a HF access token"}


def test_rate_limited_with_http_date_and_hub_headers(fake_hf: FakeHF) -> None:
    dated = infer(fake_hf, "fake/rate-limited-date", json={})
    assert dated.status_code == 429
    assert 1 < parsedate_to_datetime(dated.headers["Retry-After"]).timestamp() - time.time() <= 3
    assert infer(fake_hf, "fake/rate-limited-date", json={}).status_code == 200
    hub = infer(fake_hf, "fake/rate-limited-hub", json={})
    assert (hub.headers["RateLimit"], hub.headers["RateLimit-Policy"]) == (
        '"api";r=0;t=1', '"fixed window";"api";q=500;w=300')
    assert infer(fake_hf, "fake/rate-limited-hub", json={}).status_code == 200
    forever = [infer(fake_hf, "fake/rate-limited-forever", json={}) for _ in range(3)]
    assert {(r.status_code, r.headers["Retry-After"]) for r in forever} == {(429, "3600")}


def test_broken_bodies(fake_hf: FakeHF) -> None:
    html = infer(fake_hf, "fake/html-502", json={})
    assert (html.status_code, html.headers["Content-Type"]) == (502, "text/html")
    assert "The request could not be satisfied" in html.text
    invalid = infer(fake_hf, "fake/invalid-json", json={})
    assert (invalid.status_code, invalid.text) == (200, '{"label": "POS')
    with pytest.raises(ValueError):
        invalid.json()


def test_huge_bodies_with_and_without_content_length(fake_hf: FakeHF) -> None:
    chunked = infer(fake_hf, "fake/huge", json={})
    assert "Content-Length" not in chunked.headers and chunked.headers["Transfer-Encoding"] == "chunked"
    assert len(chunked.content) >= 63 << 20 and json.loads(chunked.content)[0]["label"] == "POSITIVE"
    announced = infer(fake_hf, "fake/huge-cl", json={}, stream=True)
    assert int(announced.headers["Content-Length"]) == len(chunked.content) == len(announced.content)


def test_gzip_bomb_is_small_on_the_wire_and_huge_inflated(fake_hf: FakeHF) -> None:
    response = infer(fake_hf, "fake/gzip-bomb", json={}, stream=True)
    wire = response.raw.read(decode_content=False)
    assert response.headers["Content-Encoding"] == "gzip" and len(wire) < 1 << 20
    assert len(zlib.decompress(wire, 31)) >= 63 << 20


def test_slow_drip_sends_headers_at_once_then_trickles(fake_hf: FakeHF) -> None:
    started = time.monotonic()
    with infer(fake_hf, "fake/slow-drip", json={}, stream=True) as response:
        assert response.status_code == 200 and time.monotonic() - started < 0.4
        pieces = response.iter_content(chunk_size=None)
        next(pieces), next(pieces)
        assert time.monotonic() - started >= 0.45


def test_slow_headers_times_out_a_client_with_a_read_timeout(fake_hf: FakeHF) -> None:
    with pytest.raises(requests.exceptions.ReadTimeout):
        infer(fake_hf, "fake/slow-headers", json={}, timeout=(2, 0.3))


@pytest.mark.parametrize("model", ["fake/drop", "fake/reset-mid-body"])
def test_connection_faults_surface_as_client_errors(fake_hf: FakeHF, model: str) -> None:
    with pytest.raises(requests.exceptions.RequestException):
        infer(fake_hf, model, json={})


def test_reset_mid_body_announces_more_than_it_sends(fake_hf: FakeHF) -> None:
    response = infer(fake_hf, "fake/reset-mid-body", json={}, stream=True)
    assert response.headers["Content-Length"] == "1000"
    assert len(response.raw.read(2000, decode_content=False)) == 100


def test_echo_returns_every_header_including_authorization(fake_hf: FakeHF) -> None:
    echoed = infer(fake_hf, "fake/echo", json={"inputs": "hi"}, headers={"X-Custom": "1"}).json()
    assert echoed["headers"]["Authorization"] == "Bearer hf_test" and echoed["headers"]["X-Custom"] == "1"
    assert (echoed["method"], echoed["path"]) == ("POST", "/hf-inference/models/fake/echo")
    assert echoed["body"] == {"inputs": "hi"}


def test_xss_model_as_text_generation_and_as_chat(fake_hf: FakeHF) -> None:
    payload = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script> hello'
    assert infer(fake_hf, "fake/xss", json={"inputs": "x"}).json() == [{"generated_text": payload}]
    on_model_route = chat(fake_hf, "x", path="/hf-inference/models/fake/xss/v1/chat/completions")
    for response in (chat(fake_hf, "fake/xss"), on_model_route):
        assert response.json()["choices"][0]["message"]["content"] == payload


def test_gated_model_is_listed_gated_and_refuses_inference(fake_hf: FakeHF) -> None:
    assert requests.get(f"{fake_hf.url}/api/models/fake/gated-model", timeout=5).json()["gated"] == "manual"
    refused = infer(fake_hf, "fake/gated-model", json={"inputs": "x"})
    assert (refused.status_code, refused.headers["X-Error-Code"]) == (403, "GatedRepo")
    assert refused.json()["error"].startswith("Access to model fake/gated-model is restricted")


@pytest.mark.parametrize("path", ["/v1/chat/completions", "/hf-inference/models/fake/chat-pace-20/v1/chat/completions"])
def test_chat_pace_streams_twenty_tokens_at_the_given_pace(fake_hf: FakeHF, path: str) -> None:
    started = time.monotonic()
    events = sse_data(chat(fake_hf, "fake/chat-pace-20", stream=True, path=path).text)
    assert time.monotonic() - started >= 19 * 0.02
    chunks = [json.loads(e) for e in events[:-1]]
    assert [c["choices"][0]["delta"]["content"] for c in chunks[:20]] == [f"tok{i} " for i in range(20)]
    assert chunks[-1]["choices"][0]["finish_reason"] == "length" and chunks[-1]["usage"]["completion_tokens"] == 20
    assert {c["model"] for c in chunks} == {"fake/chat-pace-20"} and events[-1] == "[DONE]"


def test_chat_pace_without_stream_answers_recording_20s_shape(fake_hf: FakeHF) -> None:
    body = chat(fake_hf, "fake/chat-pace-5").json()
    assert set(body) == set(recording(20)["response"]["body"]) | {"usage"}
    assert body["model"] == "fake/chat-pace-5" and body["choices"][0]["message"]["content"].startswith("tok0 tok1")


def test_chat_midstream_error_and_malformed_streams(fake_hf: FakeHF) -> None:
    events = sse_data(chat(fake_hf, "fake/chat-midstream-error", stream=True).text)
    assert len(events) == 4 and json.loads(events[-1]) == {"error": "Model overloaded", "error_type": "overloaded"}
    malformed = chat(fake_hf, "fake/chat-malformed", stream=True).text
    assert ": ping\n" in malformed and "data:\n" in malformed and "data: this is not json\n" in malformed
    assert sse_data(malformed)[-1] == "[DONE]"


# --- router ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("model, stream, number, provider", [
    (LLAMA, False, 20, "fireworks-ai"),
    (LLAMA, True, 21, "fireworks-ai"),
    (f"{LLAMA}:preferred", False, 20, "fireworks-ai"),
    (f"{LLAMA}:cheapest", False, 20, "hf-inference"),
    (f"{LLAMA}:novita", False, 23, "novita"),
    ("meta-llama/llama-3.1-8b-instruct", False, 23, "novita"),  # novita's id: recording 23's exact body
    ("meta-llama/Meta-Llama-3-8B-Instruct:together", True, 22, "together"),
    ("meta-llama/Meta-Llama-3-8B-Instruct-Turbo", True, 22, "together"),
])
def test_auto_router_replays_the_models_chat_and_names_the_provider(
        fake_hf: FakeHF, model: str, stream: bool, number: int, provider: str) -> None:
    response = chat(fake_hf, model, stream=stream)
    recorded = recording(number)["response"]["body"]
    assert (response.text == recorded) if stream else (response.json() == recorded)
    assert response.headers["x-inference-provider"] == provider


@pytest.mark.parametrize("model", [f"{LLAMA}:groq", "nobody/unknown"])
def test_auto_router_rejects_unmapped_models(fake_hf: FakeHF, model: str) -> None:
    response = chat(fake_hf, model)
    assert response.status_code == 400 and "is not supported by any provider" in response.json()["error"]


def test_router_model_list_has_provider_metadata(fake_hf: FakeHF) -> None:
    models = {m["id"]: m for m in requests.get(f"{fake_hf.url}/v1/models", timeout=5).json()["data"]}
    llama = {p["provider"]: p for p in models[LLAMA]["providers"]}
    assert set(llama) == {"fireworks-ai", "sambanova", "hf-inference"}
    assert {"context_length", "pricing", "first_token_latency_ms", "throughput"} <= set(llama["sambanova"])
    assert "fake/chat-pace-50" in models and "fake/cold-5" not in models
    assert requests.get(f"{fake_hf.url}/v1/models/{LLAMA}", timeout=5).json()["id"] == LLAMA


# --- Hub API ---------------------------------------------------------------------------------------

def hub_get(hf: FakeHF, path: str, **params) -> requests.Response:
    return requests.get(f"{hf.url}{path}", params=params, timeout=5)


def test_model_search_filters_sorts_and_limits(fake_hf: FakeHF) -> None:
    found = hub_get(fake_hf, "/api/models", search="BERT", pipeline_tag="fill-mask", sort="downloads").json()
    assert {m["id"] for m in found} == {"google-bert/bert-base-uncased", "bert-base-uncased", "FacebookAI/roberta-base"}
    assert [m["downloads"] for m in found] == sorted((m["downloads"] for m in found), reverse=True)
    assert found[0]["inferenceProviderMapping"][0]["provider"] == "hf-inference"
    assert len(hub_get(fake_hf, "/api/models", limit=3).json()) == 3
    everything = {m["id"]: m for m in hub_get(fake_hf, "/api/models", limit=1000).json()}
    assert {model.example for model in SCRIPTED} <= set(everything)
    assert "this-model-does-not-exist-123" not in everything
    assert everything["fake/chat-pace-50"]["inferenceProviderMapping"][0]["task"] == "conversational"


def test_model_search_by_provider_and_expand(fake_hf: FakeHF) -> None:
    together = hub_get(fake_hf, "/api/models", inference_provider="together").json()
    serving = {card.id for card in fake_hf.app.catalog.cards() if card.mapping.get("together", {}).get("status")
               == "live"}
    assert "meta-llama/Meta-Llama-3-8B-Instruct" in serving and {m["id"] for m in together} == serving
    expanded = hub_get(fake_hf, "/api/models", search="fake/cold", **{"expand[]": ["pipeline_tag", "inference"]}).json()
    assert expanded == [{"_id": expanded[0]["_id"], "id": "fake/cold-5", "pipeline_tag": "text-classification",
                         "inference": "warm"}]
    assert hub_get(fake_hf, "/api/models", expand="bogus").status_code == 400


def test_model_info_replays_36_and_37(fake_hf: FakeHF) -> None:
    info = hub_get(fake_hf, "/api/models/dbmdz/bert-large-cased-finetuned-conll03-english")
    assert info.json() == recording(36)["response"]["body"]
    for key in ("expand", "expand[]"):
        mapping = hub_get(fake_hf, f"/api/models/{LLAMA}", **{key: "inferenceProviderMapping"})
        assert mapping.json() == recording(37)["response"]["body"]


@pytest.mark.parametrize("model, field, value", [
    ("deepset/roberta-base-squad2", "widgetData",
     [{"text": "Where do I live?", "context": "My name is Sarah and I live in London"}]),
    ("google-bert/bert-base-uncased", "mask_token", "[MASK]"),
    ("FacebookAI/roberta-base", "mask_token", "<mask>"),
    ("fake/cold-7", "inferenceProviderMapping",
     {"hf-inference": {"status": "live", "providerId": "fake/cold-7", "task": "text-classification"}}),
    ("openai/whisper-large-v3", "inference", "warm"),
    ("fake/gated-model", "gated", "manual"),
])
def test_model_info_synthesizes_hub_fields(fake_hf: FakeHF, model: str, field: str, value: object) -> None:
    info = hub_get(fake_hf, f"/api/models/{model}").json()
    assert info[field] == value and info["id"] == info["modelId"] == model


def test_unknown_repository_is_a_404_with_hub_error_code(fake_hf: FakeHF) -> None:
    response = hub_get(fake_hf, "/api/models/nobody/nothing")
    assert (response.status_code, response.json(), response.headers["X-Error-Code"]) == (
        404, {"error": "Repository not found"}, "RepoNotFound")


def test_huggingface_hub_hfapi_reads_the_fake_hub(fake_hf: FakeHF) -> None:
    api = HfApi(endpoint=fake_hf.url, token="hf_test")
    info = api.model_info(LLAMA, expand=["inferenceProviderMapping"])
    assert [m.provider for m in info.inference_provider_mapping][:2] == ["fireworks-ai", "sambanova"]
    assert api.model_info("fake/gated-model").gated == "manual"
    assert {m.id for m in api.list_models(search="fake/chat", limit=10)} >= {"fake/chat-pace-50", "fake/chat-malformed"}
    assert api.whoami()["name"] == "demo-user"


# --- received log ----------------------------------------------------------------------------------

def test_received_log_records_before_auth_with_raw_body(fake_hf: FakeHF) -> None:
    before = time.time()
    requests.post(f"{fake_hf.url}/hf-inference/models/{SST2}?x=1", data=b"\x00\xff", headers={"X-Trace": "t"})
    [entry] = fake_hf.received
    assert (entry.method, entry.path, entry.query) == ("POST", f"/hf-inference/models/{SST2}", {"x": ["1"]})
    assert entry.body == b"\x00\xff"
    assert entry.headers["x-trace"] == "t" and "X-Trace" in dict(entry.headers) and entry.at >= before
    remote = requests.get(f"{fake_hf.url}/_fake/requests", timeout=5).json()
    assert [(e["path"], e["body"], e["body_encoding"]) for e in remote] == [(entry.path, "AP8=", "base64")]
    requests.post(f"{fake_hf.url}/_fake/reset", timeout=5)
    assert fake_hf.received == []


# --- huggingface_hub InferenceClient against the fake -----------------------------------------------

def client_for(hf: FakeHF, model: str) -> InferenceClient:
    """huggingface_hub 2.4.0 hard-codes the router; a full-URL model is posted to as-is."""
    return InferenceClient(model=f"{hf.url}/hf-inference/models/{model}", token="hf_test")


def test_inference_client_task_helpers_parse_the_replayed_answers(fake_hf: FakeHF) -> None:
    assert client_for(fake_hf, SST2).text_classification("I like you")[0].label == "POSITIVE"
    assert client_for(fake_hf, "google-bert/bert-base-uncased").fill_mask("[MASK] world!")[0].token_str == "the"
    qa = client_for(fake_hf, "deepset/roberta-base-squad2")
    assert qa.question_answering(question="What is the capital of France?",
                                 context="The capital of France is Paris.").answer == "Paris"
    ner = client_for(fake_hf, "dbmdz/bert-large-cased-finetuned-conll03-english")
    assert ner.token_classification("My name is Sarah Jessica Parker but you can call me Jessica")[0].word == (
        "Sarah Jessica Parker")
    zero_shot = recording(4)["request"]["body"]
    # Recorded 2025 shape {sequence, labels, scores}: huggingface_hub 2.4.0 only parses the spec's
    # [{label, score}] list (HF_PROTOCOL.md §2 says clients convert; 2.4.0 does not), so it refuses it.
    with pytest.raises(ValueError, match="Expected a list"):
        client_for(fake_hf, "facebook/bart-large-mnli").zero_shot_classification(
            zero_shot["inputs"], candidate_labels=zero_shot["parameters"]["candidate_labels"])
    summary = client_for(fake_hf, "facebook/bart-large-cnn").summarization(recording(7)["request"]["body"]["inputs"])
    assert summary.summary_text.startswith("The tower is 324 metres")
    assert client_for(fake_hf, "t5-small").translation("Hello world").translation_text == "Hallo Welt"
    generated = client_for(fake_hf, "gpt2").text_generation("0 1 2", max_new_tokens=10)
    assert generated == " 3 4 5 6 7 8 9 10 11 12"


def test_inference_client_feature_extraction_and_text_to_image(fake_hf: FakeHF) -> None:
    embedder = client_for(fake_hf, "sentence-transformers/distilbert-base-nli-mean-tokens/pipeline/feature-extraction")
    assert embedder.feature_extraction("That is a happy person").shape == (768,)
    pytest.importorskip("PIL")
    assert client_for(fake_hf, "CompVis/stable-diffusion-v1-4").text_to_image(
        "An astronaut riding a horse on the moon.").size == (256, 256)


def test_inference_client_chat_completion_via_router_and_model_url(fake_hf: FakeHF) -> None:
    router = InferenceClient(base_url=fake_hf.url, api_key="hf_test")
    answer = router.chat_completion(MESSAGES, model=LLAMA)
    assert answer.choices[0].message.content == recording(20)["response"]["body"]["choices"][0]["message"]["content"]
    streamed = "".join(c.choices[0].delta.content for c in router.chat_completion(MESSAGES, model=LLAMA, stream=True))
    assert streamed.startswith("Deep learning is a subset")
    by_url = client_for(fake_hf, LLAMA).chat_completion(MESSAGES, max_tokens=20)
    assert by_url.model == LLAMA
    assert fake_hf.received[-1].path == f"/hf-inference/models/{LLAMA}/v1/chat/completions"


# --- CLI -------------------------------------------------------------------------------------------

def test_cli_help_lists_every_scripted_model() -> None:
    result = subprocess.run([sys.executable, "-m", "tests.fake_hf", "--help"], cwd=REPO, capture_output=True,
                            text=True, timeout=30, check=True)
    scripted, catalog = result.stdout.split("catalog models")
    listed = [line.split()[0] for line in scripted.splitlines() if line.startswith("  fake/")]
    assert listed == [model.name for model in SCRIPTED]
    catalog_models = [line.split()[0] for line in catalog.splitlines() if line.startswith("  fake/")]
    assert catalog_models == [SMALL_CONTEXT, TOOLS_PICKY]


def test_cli_serves_until_killed() -> None:
    process = subprocess.Popen([sys.executable, "-m", "tests.fake_hf", "--port", "0", "--token", "hf_cli"],
                               cwd=REPO, stdout=subprocess.PIPE, text=True)
    try:
        url = process.stdout.readline().split()[-1]
        assert requests.get(f"{url}/api/whoami-v2", headers={"Authorization": "Bearer hf_cli"}, timeout=5).ok
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_the_fake_says_what_is_missing_when_it_has_no_recordings(tmp_path) -> None:
    result = subprocess.run([sys.executable, "-m", "tests.fake_hf", "--port", "0", "--recordings", str(tmp_path)],
                            cwd=REPO, capture_output=True, text=True, timeout=30)
    assert result.returncode != 0 and "no recorded exchanges in" in result.stderr
    assert "StopIteration" not in result.stderr and "Traceback" not in result.stderr
