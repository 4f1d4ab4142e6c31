"""Provider runs through the backend against the fake HF and its media CDN, on real sockets: every
provider's answer shape rendered, jobs followed (queue position, progress, failure, 429/503 on status),
Cancel sent upstream once, and media fetched with no credential from the hosts the app may reach.
"""
from __future__ import annotations

import threading
import time
from typing import Any

import pytest

from backend import Finished, Playground, load_settings, user_message
from backend.errors import BadResponse, UpstreamError
from backend.providers import JobUpdate
from backend.result import InferenceResult
from backend.tasks import render
from tests.conftest import SENTINEL
from tests.fake_hf import FakeHF
from tests.fake_hf.media_cdn import media_bytes
from tests.fake_hf.provider_routes import PROVIDER_MODELS

PNG = (b"\x89PNG", "image/png")
MP4 = (b"\x00\x00\x00", "video/mp4")
WAV = (b"RIFF", "audio/wav")
ASSET_IMAGE = media_bytes(".png")
ASSET_AUDIO = media_bytes(".wav")


pytest_plugins = ["tests.fake_hf.pytest_plugin"]  # `fake_hf`: one server, reset for every test


@pytest.fixture()
def fake(fake_hf: FakeHF) -> FakeHF:
    return fake_hf


def playground(hf: FakeHF, **env: str) -> Playground:
    return Playground(load_settings({"HF_ROUTER_URL": hf.url, "HF_ENDPOINT": hf.url, "PLAYGROUND_POLL_DEADLINE": "30",
                                     "PLAYGROUND_MEDIA_HOSTS": hf.cdn.host, **env}, None, read_token_file=False))


def inputs_for(task: str) -> dict[str, Any]:
    if task in ("image-to-image", "image-to-video"):
        return {"image": ASSET_IMAGE, "image_type": "image/png", "text": "make it snow"}
    if task == "image-segmentation":
        return {"image": ASSET_IMAGE, "image_type": "image/png"}
    if task == "automatic-speech-recognition":
        return {"audio": ASSET_AUDIO, "audio_type": "audio/wav"}
    return {"text": "A lighthouse in a storm"}


def run(pg: Playground, task: str, model: str, provider: str = "", **params: Any) -> tuple[list[Any], InferenceResult]:
    """Run as the page does: the model picked (its providers known), then Run with `provider` or auto."""
    providers = pg.hub.model_info(model).providers
    request = pg.build_request(task=task, model_id=model, inputs=inputs_for(task), params=params, provider=provider,
                               providers=providers)
    events = list(pg.run(request, token=SENTINEL))
    assert isinstance(events[-1], Finished)
    return events, events[-1].result


MEDIA_PAIRS = [(p, t) for (p, t) in PROVIDER_MODELS if p != "hf-inference" and t in (
    "text-to-image", "image-to-image", "text-to-video", "image-to-video", "text-to-speech")]


@pytest.mark.parametrize("provider,task", MEDIA_PAIRS, ids=[f"{p}/{t}" for p, t in MEDIA_PAIRS])
def test_every_providers_media_answer_arrives_as_the_file_and_keeps_its_json(fake: FakeHF, provider: str,
                                                                            task: str) -> None:
    _, result = run(playground(fake), task, PROVIDER_MODELS[(provider, task)], provider)

    assert result.ok, user_message(result.error) if result.error else result.status
    magic, kind = {"video": MP4, "audio": WAV}.get(task.rsplit("-", 1)[-1].replace("speech", "audio"), PNG)
    assert result.content_type == kind and result.body.startswith(magic)
    if result.media_url:  # answers that are the file itself have no JSON to keep
        assert result.provider_answer is not None, "the provider's own answer stays for the raw panel"
    assert result.request.provider == provider and result.total is not None
    rendered = render(task, result)
    assert rendered.media == result.body or rendered.kind in ("image", "video", "audio")


@pytest.mark.parametrize("provider,task,expected", [
    ("together", "feature-extraction", lambda body: isinstance(body, list) and len(body[0]) == 16),
    ("deepinfra", "feature-extraction", lambda body: isinstance(body, list)),
    ("scaleway", "feature-extraction", lambda body: isinstance(body, list)),
    ("novita", "text-generation", lambda body: body[0]["generated_text"] == " four five six."),
    ("featherless-ai", "text-generation", lambda body: "generated_text" in body[0]),
    ("fal-ai", "automatic-speech-recognition", lambda body: body["text"].startswith("A quick brown fox")),
    ("replicate", "automatic-speech-recognition", lambda body: body["text"].startswith("A quick brown fox")),
    ("deepinfra", "automatic-speech-recognition", lambda body: body["chunks"][0]["text"] == "A quick brown fox"),
])
def test_other_answers_take_the_tasks_usual_shape_and_render(fake: FakeHF, provider: str, task: str,
                                                             expected: Any) -> None:
    _, result = run(playground(fake), task, PROVIDER_MODELS[(provider, task)], provider)
    assert result.ok and expected(result.json)
    assert render(task, result).kind != "json", "the task's own renderer reads it"


def test_auto_takes_the_models_first_provider_for_the_task(fake: FakeHF) -> None:
    pg = playground(fake)
    card = pg.hub.model_info("black-forest-labs/FLUX.1-schnell")
    request = pg.build_request(task="text-to-image", model_id=card.id, inputs={"text": "x"}, provider="auto",
                               providers=card.providers)
    assert request.provider == "fal-ai" and request.url == f"{fake.url}/fal-ai/fal-ai/flux/schnell"


@pytest.mark.slow
def test_a_queued_job_shows_its_position_then_its_progress_then_the_video(fake: FakeHF) -> None:
    events, result = run(playground(fake), "text-to-video", "fake/video-slow")
    updates = [e for e in events if isinstance(e, JobUpdate)]
    positions = [u.position for u in updates if u.state == "queued" and u.position is not None]
    assert positions and positions == sorted(positions, reverse=True) and positions[-1] < positions[0]
    assert any(u.state == "running" and u.progress.startswith("step ") for u in updates)
    assert updates[-1].state == "downloading" and all(u.can_cancel for u in updates[:-1])
    assert result.ok and result.body.startswith(MP4[0])


@pytest.mark.slow
def test_a_timed_job_costs_at_most_a_poll_a_second_and_lands_within_a_second(fake: FakeHF) -> None:
    started = time.monotonic()
    events, result = run(playground(fake), "text-to-video", "fake/video-6s")
    done_at = time.monotonic() - started
    polls = [r for r in fake.received if r.path.endswith("/status")]
    assert result.ok
    assert len(polls) <= 6 + 1, f"{len(polls)} status requests for a 6 s job"
    assert done_at - 6.0 <= 1.0 + 0.5, f"the answer came {done_at - 6.0:.2f} s after the job finished"


def test_a_job_that_fails_upstream_says_why_and_keeps_the_last_status(fake: FakeHF) -> None:
    _, result = run(playground(fake), "text-to-video", "fake/video-fails")
    assert isinstance(result.error, UpstreamError) and result.error.server_message == "NSFW content detected"
    assert "NSFW content detected" in user_message(result.error)
    assert result.provider_answer["error"] == "NSFW content detected"


def test_a_status_answering_429_then_503_is_waited_out(fake: FakeHF) -> None:
    _, result = run(playground(fake), "text-to-video", "fake/video-flaky")
    statuses = [r for r in fake.received if r.path.endswith("/status")]
    assert result.ok and len(statuses) >= 3


def test_closing_a_run_mid_job_cancels_it_upstream_once_and_sends_nothing_more(fake: FakeHF) -> None:
    pg = playground(fake)
    request = pg.build_request(task="text-to-video", model_id="fake/video-slow", inputs={"text": "x"},
                               providers=pg.hub.model_info("fake/video-slow").providers)
    run_events = pg.run(request, token=SENTINEL)
    for event in run_events:
        if isinstance(event, JobUpdate) and event.state == "queued" and event.elapsed > 1.0:
            break
    run_events.close()
    cancels = [r for r in fake.received if r.path.endswith("/cancel")]
    assert len(cancels) == 1 and cancels[0].method == "PUT" and cancels[0].bearer == SENTINEL
    sent = len(fake.received)
    time.sleep(1.5)
    assert len(fake.received) == sent


def test_replicate_predictions_are_polled_and_cancelled_with_their_own_links(fake: FakeHF) -> None:
    pg = playground(fake)
    _, result = run(pg, "text-to-image", "fake/replicate-slow")
    assert result.ok and result.body.startswith(PNG[0])
    assert any(r.method == "GET" and r.path.startswith("/replicate/v1/predictions/") for r in fake.received)


def test_the_cdn_never_receives_a_credential(fake: FakeHF) -> None:
    for provider, task in (("fal-ai", "text-to-image"), ("replicate", "text-to-speech"), ("novita", "text-to-video")):
        assert run(playground(fake), task, PROVIDER_MODELS[(provider, task)], provider)[1].ok
    assert len(fake.cdn_received) >= 3
    for seen in fake.cdn_received:
        assert "Authorization" not in seen.headers and SENTINEL not in str(dict(seen.headers))


@pytest.mark.parametrize("model,ok,words", [
    ("fake/cdn-redirect", True, ""),
    ("fake/cdn-private", False, "private address"),
    ("fake/cdn-oversized", False, "over the"),
    ("fake/cdn-wrong-type", False, "text/html"),
])
def test_media_links_the_app_must_not_take_are_refused_with_a_reason(fake: FakeHF, model: str, ok: bool,
                                                                     words: str) -> None:
    _, result = run(playground(fake, PLAYGROUND_MAX_MEDIA_MB="50"), "text-to-image", model)
    assert result.ok is ok
    if not ok:
        assert isinstance(result.error, BadResponse) and words in result.error.message
        assert result.error.details["media_url"] and result.provider_answer is not None


def test_a_cdn_the_operator_did_not_trust_is_not_fetched_over_http(fake: FakeHF) -> None:
    pg = Playground(load_settings({"HF_ROUTER_URL": fake.url, "HF_ENDPOINT": fake.url}, None, read_token_file=False))
    _, result = run(pg, "text-to-image", PROVIDER_MODELS[("fal-ai", "text-to-image")], "fal-ai")
    assert isinstance(result.error, BadResponse) and "not https" in result.error.message
    assert fake.cdn_received == []


def test_a_named_provider_that_does_not_serve_the_model_is_refused_before_inference(fake: FakeHF) -> None:
    pg = playground(fake)
    with pytest.raises(Exception, match="does not serve"):
        pg.build_request(task="text-to-image", model_id="black-forest-labs/FLUX.1-schnell", inputs={"text": "x"},
                         provider="deepinfra")
    assert all(r.path.startswith("/api/") for r in fake.received)


def test_every_recorded_provider_answer_of_a_served_route_renders(fake: FakeHF) -> None:
    """The recorded 2025 answers (fal, replicate, together, ...) read through today's answer readers."""
    import json
    from pathlib import Path

    from huggingface_hub.inference._providers import PROVIDERS

    from backend.providers.answers import read_answer

    recorded = sorted((Path(__file__).resolve().parents[1] / "fake_hf" / "recorded" / "providers").glob("*.json"))
    seen = 0
    for path in recorded:
        case = json.loads(path.read_text())
        served = case["task"] in PROVIDERS.get(case["provider"], {})  # by huggingface_hub 2.4's table
        if not served or case["response"]["status"] >= 400:
            continue
        answer = read_answer(case["provider"], case["task"], case["response"]["body"])
        assert answer.url or answer.json is not None, path.name
        seen += 1
    assert seen >= 25
