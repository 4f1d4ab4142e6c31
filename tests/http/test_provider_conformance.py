"""Conformance with the official client, for every (provider, task) pair of huggingface_hub's table.

The same inputs go once through `InferenceClient(provider=P)` and once through the playground's backend
to the fake HF server; its log must show the same method, path, query and body (JSON equal, binary
bodies byte-equal; multipart boundaries are random, so those compare with the boundary masked).
Conversational pairs count as conforming when the router's `/v1/chat/completions` with `model:provider`
(what the page sends) is served by that provider. The last test prints `provider/task pairs
conforming: N of 74` and fails naming any pair that is not.
"""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Callable

import pytest
from huggingface_hub import InferenceClient, constants
from huggingface_hub.inference._providers import PROVIDERS
from huggingface_hub.inference._providers import _common as provider_common

from backend import Playground, load_settings
from backend.providers import provider_pairs
from components.handlers.forms import read_upload
from tests.fake_hf import FakeHF
from tests.fake_hf.provider_routes import PROVIDER_MODELS

TOKEN = "hf_conformance0000000000000000"
ASSETS = Path(__file__).resolve().parents[2] / "components" / "assets"
# As str: the way a script names a file (fal-ai's ASR helper reads only str paths).
IMAGE, AUDIO = str(ASSETS / "example.png"), str(ASSETS / "example.wav")
PAIRS = provider_pairs()
CONFORMING: dict[tuple[str, str], str] = {}  # pair -> "" when it conforms, else why not

TEXT = "A calm lake at dawn, mist over the water."
TABLE = {"Repository": ["Transformers", "Datasets", "Tokenizers"], "Stars": ["36542", "4512", "3934"]}
ClientCall = Callable[[InferenceClient, str], Any]

# task -> (what the client is asked, what the page puts in `inputs`, and parameters as the page sends them)
CASES: dict[str, tuple[ClientCall, dict[str, Any], dict[str, Any]]] = {
    "text-classification": (lambda c, m: c.text_classification(TEXT, model=m), {"text": TEXT}, {}),
    "token-classification": (lambda c, m: c.token_classification(TEXT, model=m), {"text": TEXT}, {}),
    "zero-shot-classification": (
        lambda c, m: c.zero_shot_classification(TEXT, candidate_labels=["calm", "busy"], model=m),
        {"text": TEXT, "labels": "calm, busy", "multi_label": False}, {}),
    "fill-mask": (lambda c, m: c.fill_mask("Paris is the [MASK] of France.", model=m),
                  {"text": "Paris is the [MASK] of France."}, {}),
    "question-answering": (lambda c, m: c.question_answering(question="Where?", context="In Paris.", model=m),
                           {"question": "Where?", "context": "In Paris."}, {}),
    "summarization": (lambda c, m: c.summarization(TEXT, model=m), {"text": TEXT}, {}),
    "translation": (lambda c, m: c.translation(TEXT, model=m), {"text": TEXT, "src_lang": "", "tgt_lang": ""}, {}),
    "text-generation": (lambda c, m: c.text_generation(TEXT, max_new_tokens=20, model=m), {"text": TEXT},
                        {"max_new_tokens": 20}),
    "sentence-similarity": (lambda c, m: c.sentence_similarity(TEXT, other_sentences=["a", "b"], model=m),
                            {"source_sentence": TEXT, "sentences": "a\nb"}, {}),
    "feature-extraction": (lambda c, m: c.feature_extraction(TEXT, model=m), {"text": TEXT}, {}),
    "image-classification": (lambda c, m: c.image_classification(IMAGE, model=m), "image", {}),
    "object-detection": (lambda c, m: c.object_detection(IMAGE, model=m), "image", {}),
    "image-segmentation": (lambda c, m: c.image_segmentation(IMAGE, model=m), "image", {}),
    "image-to-text": (lambda c, m: c.image_to_text(IMAGE, model=m), "image", {}),
    "zero-shot-image-classification": (
        lambda c, m: c.zero_shot_image_classification(IMAGE, candidate_labels=["cat", "dog"], model=m),
        {"labels": "cat, dog"}, {}),
    "image-to-image": (lambda c, m: c.image_to_image(IMAGE, prompt="make it winter", model=m),
                       {"text": "make it winter"}, {}),
    "image-to-video": (lambda c, m: c.image_to_video(IMAGE, prompt="waves roll in", model=m),
                       {"text": "waves roll in"}, {}),
    "visual-question-answering": (lambda c, m: c.visual_question_answering(IMAGE, "What is it?", model=m),
                                  {"question": "What is it?"}, {}),
    "document-question-answering": (lambda c, m: c.document_question_answering(IMAGE, "What is it?", model=m),
                                    {"question": "What is it?"}, {}),
    "automatic-speech-recognition": (lambda c, m: c.automatic_speech_recognition(AUDIO, model=m), "audio", {}),
    "audio-classification": (lambda c, m: c.audio_classification(AUDIO, model=m), "audio", {}),
    "audio-to-audio": (lambda c, m: c.audio_to_audio(AUDIO, model=m), "audio", {}),
    "text-to-image": (lambda c, m: c.text_to_image(TEXT, model=m), {"text": TEXT, "negative_prompt": ""}, {}),
    "text-to-video": (lambda c, m: c.text_to_video(TEXT, model=m), {"text": TEXT, "negative_prompt": ""}, {}),
    "text-to-speech": (lambda c, m: c.text_to_speech(TEXT, model=m), {"text": TEXT}, {}),
    "table-question-answering": (lambda c, m: c.table_question_answering(TABLE, "How many stars?", model=m),
                                 {"table": TABLE, "question": "How many stars?"}, {}),
    "tabular-classification": (lambda c, m: c.tabular_classification(TABLE, model=m), {"table": TABLE}, {}),
}
_UPLOADS = {"image": ("image", IMAGE), "audio": ("audio", AUDIO)}
_IMAGE_TASKS = {"zero-shot-image-classification", "image-to-image", "image-to-video", "visual-question-answering",
                "document-question-answering"}


def page_inputs(task: str) -> dict[str, Any]:
    """The `inputs` mapping the page's form builds for the case."""
    raw = CASES[task][1]
    if isinstance(raw, str):
        kind, path = _UPLOADS[raw]
        data, media_type = read_upload(path)
        return {kind: data, f"{kind}_type": media_type}
    if task in _IMAGE_TASKS:
        data, media_type = read_upload(IMAGE)
        return {"image": data, "image_type": media_type, **raw}
    return dict(raw)


@pytest.fixture(scope="module")
def hf():
    with FakeHF() as server:
        yield server


@pytest.fixture()
def client_to_fake(hf: FakeHF, monkeypatch: pytest.MonkeyPatch) -> InferenceClient:
    """The official client, its router and Hub pointed at the fake (as HF_ENDPOINT and the router would be)."""
    monkeypatch.setattr(constants, "INFERENCE_PROXY_TEMPLATE", f"{hf.url}/{{provider}}")
    monkeypatch.setattr(constants, "ENDPOINT", hf.url)
    for helper in PROVIDERS["hf-inference"].values():  # their base URL was fixed when the library was imported
        monkeypatch.setattr(helper, "base_url", f"{hf.url}/hf-inference")
    # Only the first request is compared: the client's own job polling need not wait between its polls.
    from huggingface_hub.inference._providers import fal_ai, together, wavespeed, zai_org

    for module, name in ((fal_ai, "_POLLING_INTERVAL"), (wavespeed, "_POLLING_INTERVAL"),
                         (zai_org, "_POLLING_INTERVAL"), (together, "_VIDEO_POLLING_INTERVAL")):
        monkeypatch.setattr(module, name, 0)
    provider_common._fetch_inference_provider_mapping.cache_clear()
    return InferenceClient


def _sent(hf: FakeHF) -> dict[str, Any]:
    """The one inference request in the fake's log (Hub lookups left out), in comparable form."""
    sent = [r for r in hf.received if not r.path.startswith("/api/")]
    assert sent, "nothing reached the router"
    first = sent[0]
    content_type = first.headers.get("Content-Type", "")
    if content_type.startswith("multipart/"):
        boundary = content_type.split("boundary=")[-1].encode()
        body: Any = ("multipart", first.body.replace(boundary, b"BOUNDARY"))
    elif "json" in content_type:
        body = json.dumps(json.loads(first.body), sort_keys=True)
    else:
        body = ("bytes", content_type.split(";")[0], first.body)
    return {"method": first.method, "path": first.path, "query": first.query, "body": body}


@pytest.mark.parametrize("provider,task", PAIRS, ids=[f"{p}/{t}" for p, t in PAIRS])
def test_the_backend_sends_what_the_official_client_sends(hf: FakeHF, client_to_fake, provider: str,
                                                          task: str) -> None:
    CONFORMING[(provider, task)] = "did not finish"
    model = PROVIDER_MODELS[(provider, task)]
    playground = Playground(load_settings({"HF_ROUTER_URL": hf.url, "HF_ENDPOINT": hf.url}, None,
                                          read_token_file=False))
    if task == "conversational":
        hf.reset()
        request = playground.build_request(task="chat-completion", model_id=model, provider=provider,
                                           inputs={"messages": [{"role": "user", "content": TEXT}]},
                                           params={"stream": False})
        result = playground.run_to_end(request, token=TOKEN)
        assert hf.received[-1].path == "/v1/chat/completions"
        assert hf.received[-1].json["model"] == f"{model}:{provider}"
        assert result.ok and result.provider == provider, "the router served it from that provider"
        CONFORMING[(provider, task)] = ""
        return
    call, _, params = CASES[task]
    hf.reset()
    try:
        call(client_to_fake(provider=provider, api_key=TOKEN), model)
    except Exception:  # noqa: BLE001 - only what went on the wire is compared; the answer is the fake's
        pass
    theirs = _sent(hf)
    hf.reset()
    request = playground.build_request(task=task, model_id=model, inputs=page_inputs(task), params=params,
                                       provider=provider)
    playground.transport.send(request, TOKEN)
    ours = _sent(hf)
    assert ours == theirs
    CONFORMING[(provider, task)] = ""


def test_zz_every_pair_of_the_table_conforms(capsys: pytest.CaptureFixture[str]) -> None:
    if not CONFORMING:
        pytest.skip("the per-pair tests above were not run")
    conforming = [pair for pair in PAIRS if CONFORMING.get(pair) == ""]
    with capsys.disabled():
        print(f"\nprovider/task pairs conforming: {len(conforming)} of {len(PAIRS)}")
    missing = [f"{p}/{t}" for p, t in PAIRS if (p, t) not in conforming]
    assert not missing, f"not conforming: {', '.join(missing)}"
