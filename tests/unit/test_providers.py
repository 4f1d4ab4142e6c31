"""The provider layer without sockets: the Hub mapping, requests as huggingface_hub builds them, answers,
the job state machines (injected clock: backoff bounds, deadline, cancel sent once) and media checks.
"""
from __future__ import annotations

import base64
import json
from collections import defaultdict
from typing import Any, Iterator
from urllib.parse import urlsplit

import pytest

from backend import Settings
from backend.errors import BadResponse, InvalidInput, InvalidModelId, InvalidParameters, Timeout, UpstreamError
from backend.polling import Finished
from backend.providers import JobUpdate, MediaFetcher, ProviderMapping, parse_mapping, pick, provider_request
from backend.providers.answers import read_answer
from backend.providers.jobs import DONE, FAILED, QUEUED, RUNNING, read_status, start_job
from backend.providers.media import sniff_media_type
from backend.providers.run import QUEUED_POLL_CAP, RUNNING_POLL, CancelLedger, CancelOutcome, run_provider
from backend.result import InferenceRequest, InferenceResult

ROUTER = "https://router.example"
SETTINGS = Settings(router_url=ROUTER, poll_deadline=120)
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 32
FLUX = "black-forest-labs/FLUX.1-schnell"


def mapping(provider: str, provider_id: str, task: str, **kw: Any) -> ProviderMapping:
    return ProviderMapping(provider, provider_id, task, hf_model_id=kw.pop("hf_model_id", FLUX), **kw)


# --- the Hub's mapping ------------------------------------------------------------------------------

LIST_FORM = [{"provider": "fal-ai", "providerId": "fal-ai/flux/schnell", "status": "live", "task": "text-to-image"},
             {"provider": "together", "providerId": "x/y", "status": "staging", "task": "conversational"},
             {"provider": "replicate", "providerId": "bfl/flux-schnell", "status": "live", "task": "text-to-image",
              "adapter": "lora", "adapterWeightsPath": "lora.safetensors"}]


@pytest.mark.parametrize("raw", [LIST_FORM, {m["provider"]: {k: v for k, v in m.items() if k != "provider"}
                                             for m in LIST_FORM}])
def test_the_mapping_reads_the_list_and_the_older_dict_form_in_the_hubs_order(raw: Any) -> None:
    parsed = parse_mapping(raw, FLUX)
    assert [m.provider for m in parsed] == ["fal-ai", "together", "replicate"]
    assert parsed[2].adapter_weights_path == "lora.safetensors" and parsed[0].hf_model_id == FLUX
    assert parsed[1].label == "together (staging)" and parsed[0].label == "fal-ai"


def test_malformed_mapping_entries_are_skipped() -> None:
    assert parse_mapping([{"provider": "fal-ai"}, "nonsense", None, {"provider": 3, "providerId": "a", "task": "t"}]) \
        == ()
    assert parse_mapping(None) == ()


def test_auto_takes_the_first_provider_serving_the_task_and_a_named_one_must_serve_it() -> None:
    parsed = parse_mapping(LIST_FORM, FLUX)
    assert pick(parsed, "text-to-image").provider == "fal-ai"
    assert pick(parsed, "text-to-image", "replicate").provider == "replicate"
    assert pick(parsed, "text-to-image", "together") is None
    assert pick(parsed, "chat-completion").provider == "together"  # the Hub says conversational


# --- requests ---------------------------------------------------------------------------------------

def test_fal_text_to_image_goes_to_the_providers_route_with_the_image_size_the_client_sends() -> None:
    request = provider_request(SETTINGS, mapping("fal-ai", "fal-ai/flux/schnell", "text-to-image"), FLUX,
                               "text-to-image", {"text": "a cat", "negative_prompt": ""},
                               {"width": 512, "height": 256, "seed": None})
    assert request.url == f"{ROUTER}/fal-ai/fal-ai/flux/schnell"
    assert request.json_body == {"prompt": "a cat", "image_size": {"width": 512, "height": 256}}
    assert request.provider == "fal-ai" and request.token_kind == "hf"
    assert not {"authorization", "user-agent"} & {k.lower() for k in request.headers}


def test_replicate_version_ids_use_predictions_and_prefer_wait() -> None:
    request = provider_request(SETTINGS, mapping("replicate", "owner/model:abc123", "text-to-speech"), FLUX,
                               "text-to-speech", {"text": "hello"}, {})
    assert request.url == f"{ROUTER}/replicate/v1/predictions"
    assert request.json_body == {"input": {"text": "hello"}, "version": "abc123"}
    assert request.headers["prefer"] == "wait"


def test_fal_queue_tasks_keep_the_queue_subdomain_query_and_send_the_image_as_a_data_url() -> None:
    request = provider_request(SETTINGS, mapping("fal-ai", "fal-ai/wan-i2v", "image-to-video"), FLUX,
                               "image-to-video", {"image": PNG, "image_type": "image/png", "text": "waves"}, {})
    assert request.url == f"{ROUTER}/fal-ai/fal-ai/wan-i2v?_subdomain=queue"
    assert request.json_body["image_url"] == "data:image/png;base64," + base64.b64encode(PNG).decode()
    assert request.json_body["prompt"] == "waves"


def test_a_lora_model_sends_its_weights_from_the_hub() -> None:
    lora = mapping("fal-ai", "fal-ai/flux-lora", "text-to-image", hf_model_id="me/lora",
                   adapter="lora", adapter_weights_path="w.safetensors")
    request = provider_request(SETTINGS, lora, "me/lora", "text-to-image", {"text": "x"}, {})
    assert request.json_body["loras"] == [{"path": "https://huggingface.co/me/lora/resolve/main/w.safetensors",
                                           "scale": 1}]


def test_multipart_uploads_go_as_bytes_with_their_boundary() -> None:
    request = provider_request(SETTINGS, mapping("deepinfra", "openai/whisper", "automatic-speech-recognition"),
                               FLUX, "automatic-speech-recognition", {"audio": b"RIFFxxxxWAVE", "audio_type": "audio/wav"},
                               {})
    assert request.json_body is None and b"RIFFxxxxWAVE" in request.data
    assert request.headers["content-type"].startswith("multipart/form-data; boundary=")


@pytest.mark.parametrize("provider_id", ["../../evil", "a/../../b", "x/./../../y"])
def test_a_provider_id_cannot_move_the_request_off_the_providers_route(provider_id: str) -> None:
    with pytest.raises(InvalidModelId):
        provider_request(SETTINGS, mapping("wavespeed", provider_id, "text-to-image"), FLUX, "text-to-image",
                         {"text": "x"}, {})


def test_a_pair_the_library_does_not_serve_is_refused_before_sending() -> None:
    with pytest.raises(InvalidParameters, match="does not serve"):
        provider_request(SETTINGS, mapping("groq", "x", "text-to-image"), FLUX, "text-to-image", {"text": "x"}, {})
    with pytest.raises(InvalidInput, match="image"):
        provider_request(SETTINGS, mapping("fal-ai", "x", "image-to-image"), FLUX, "image-to-image", {"text": "x"}, {})


# --- answers ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("provider,task,body,url", [
    ("fal-ai", "text-to-image", {"images": [{"url": "https://fal.media/a.png"}]}, "https://fal.media/a.png"),
    ("fal-ai", "text-to-video", {"video": {"url": "https://fal.media/v.mp4"}}, "https://fal.media/v.mp4"),
    ("fal-ai", "text-to-speech", {"audio": {"url": "https://fal.media/s.wav"}}, "https://fal.media/s.wav"),
    ("replicate", "text-to-image", {"output": ["https://replicate.delivery/o.png"]}, "https://replicate.delivery/o.png"),
    ("replicate", "text-to-speech", {"output": "https://replicate.delivery/o.wav"}, "https://replicate.delivery/o.wav"),
    ("wavespeed", "text-to-image", {"data": {"outputs": ["https://w.ai/o.png"]}}, "https://w.ai/o.png"),
    ("zai-org", "text-to-image", {"image_result": [{"url": "https://z.ai/o.png"}]}, "https://z.ai/o.png"),
    ("novita", "text-to-video", {"video": {"video_url": "https://n.ai/o.mp4"}}, "https://n.ai/o.mp4"),
    ("together", "text-to-video", {"outputs": {"video_url": "https://t.ai/o.mp4"}}, "https://t.ai/o.mp4"),
    ("together", "text-to-image", {"data": [{"b64_json": "QUJD"}]}, "data:image/png;base64,QUJD"),
    ("nscale", "text-to-image", {"data": [{"url": "https://n.s/o.png"}]}, "https://n.s/o.png"),
])
def test_media_links_are_found_where_each_provider_puts_them(provider: str, task: str, body: Any, url: str) -> None:
    assert read_answer(provider, task, body).url == url


def test_other_answers_take_the_tasks_usual_shape() -> None:
    embeddings = {"data": [{"embedding": [0.1, 0.2]}, {"embedding": [0.3, 0.4]}]}
    assert read_answer("together", "feature-extraction", embeddings).json == [[0.1, 0.2], [0.3, 0.4]]
    completion = {"choices": [{"text": " three", "finish_reason": "length"}]}
    assert read_answer("novita", "text-generation", completion).json[0]["generated_text"] == " three"
    assert read_answer("replicate", "automatic-speech-recognition", {"output": {"transcription": "hi"}}).json \
        == {"text": "hi"}
    assert read_answer("fal-ai", "automatic-speech-recognition", {"text": "hi"}).json == {"text": "hi"}


def test_media_is_known_by_its_bytes() -> None:
    assert sniff_media_type(PNG) == "image/png"
    assert sniff_media_type(b"\0\0\0\x18ftypmp42") == "video/mp4"
    assert sniff_media_type(b"RIFF\0\0\0\0WAVEfmt ") == "audio/wav"
    assert sniff_media_type(b"<html>") == ""


# --- jobs -------------------------------------------------------------------------------------------

def submitted(provider: str, task: str, path: str) -> InferenceRequest:
    return InferenceRequest("POST", f"{ROUTER}/{provider}{path}", task=task, provider=provider, model_id=FLUX)


def test_fal_status_result_and_cancel_stay_on_the_router_whatever_host_the_answer_names() -> None:
    job = start_job(submitted("fal-ai", "text-to-video", "/fal-ai/wan?_subdomain=queue"),
                    {"request_id": "r1", "status": "IN_QUEUE", "queue_position": 2,
                     "response_url": "https://evil.example/fal-ai/wan/requests/r1"})
    assert job.status.url == f"{ROUTER}/fal-ai/fal-ai/wan/requests/r1/status?_subdomain=queue"
    assert job.result.url == f"{ROUTER}/fal-ai/fal-ai/wan/requests/r1?_subdomain=queue"
    assert (job.cancel.method, job.cancel.url) == ("PUT", f"{ROUTER}/fal-ai/fal-ai/wan/requests/r1/cancel?_subdomain=queue")
    assert read_status(job, {"status": "IN_QUEUE", "queue_position": 3}).position == 3
    running = read_status(job, {"status": "IN_PROGRESS", "logs": [{"message": "step 4/10"}]})
    assert (running.state, running.progress) == (RUNNING, "step 4/10")
    assert read_status(job, {"status": "COMPLETED"}).state == DONE
    failed = read_status(job, {"status": "COMPLETED", "error": "NSFW content detected"})
    assert (failed.state, failed.reason) == (FAILED, "NSFW content detected")


def test_a_job_link_with_a_traversing_path_is_not_followed() -> None:
    with pytest.raises(BadResponse):
        start_job(submitted("fal-ai", "text-to-video", "/fal-ai/wan?_subdomain=queue"),
                  {"request_id": "r", "response_url": "https://queue.fal.run/fal-ai/../../hf-inference/x"})


@pytest.mark.parametrize("provider,task,path,answer,status_url", [
    ("replicate", "text-to-image", "/v1/predictions",
     {"id": "p", "status": "starting", "output": None, "urls": {"get": "https://api.replicate.com/v1/predictions/p",
                                                                "cancel": "https://api.replicate.com/v1/predictions/p/cancel"}},
     "/replicate/v1/predictions/p"),
    ("wavespeed", "text-to-image", "/api/v3/m", {"data": {"id": "w", "status": "created",
                                                          "urls": {"get": "https://api.wavespeed.ai/api/v3/predictions/w/result"}}},
     "/wavespeed/api/v3/predictions/w/result"),
    ("zai-org", "text-to-image", "/api/paas/v4/async/images/generations", {"id": "z", "task_status": "PROCESSING"},
     "/zai-org/api/paas/v4/async-result/z"),
    ("together", "text-to-video", "/v2/videos", {"id": "t", "status": "queued"}, "/together/v2/videos/t"),
])
def test_each_providers_job_is_polled_where_its_client_polls(provider: str, task: str, path: str, answer: Any,
                                                             status_url: str) -> None:
    job = start_job(submitted(provider, task, path), answer)
    assert job is not None and job.status.url == ROUTER + status_url and job.status.method == "GET"


def test_answers_that_are_already_final_start_no_job() -> None:
    assert start_job(submitted("replicate", "text-to-image", "/v1/predictions"),
                     {"status": "processing", "output": ["https://x/o.png"], "urls": {"get": "https://x/p"}}) is None
    assert start_job(submitted("novita", "text-to-video", "/v3/hf/m"), {"video": {"video_url": "u"}}) is None


def test_failed_jobs_carry_the_providers_reason() -> None:
    job = start_job(submitted("together", "text-to-video", "/v2/videos"), {"id": "t", "status": "queued"})
    failed = read_status(job, {"status": "failed", "error": {"message": "NSFW content detected"}})
    assert (failed.state, failed.reason) == (FAILED, "NSFW content detected")


# --- the run: injected clock ------------------------------------------------------------------------

class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


class ScriptedTransport:
    """Answers by (method, path): a list of (status, body) per route, the last one repeating."""

    def __init__(self, clock: FakeClock, routes: dict[tuple[str, str], list[tuple[int, Any]]]) -> None:
        self.settings, self.clock, self.routes = SETTINGS, clock, routes
        self.sent: list[tuple[str, str, float]] = []
        self.calls: dict[tuple[str, str], int] = defaultdict(int)

    def send_iter(self, request: InferenceRequest, token: str | None, read_timeout: float | None = None
                  ) -> Iterator[InferenceResult]:
        parts = urlsplit(request.url)
        key = (request.method, parts.path)
        self.sent.append((request.method, parts.path, self.clock.now))
        answers = self.routes[key]
        status, body = answers[min(self.calls[key], len(answers) - 1)]
        self.calls[key] += 1
        raw = body if isinstance(body, bytes) else json.dumps(body).encode()
        kind = "application/json" if not isinstance(body, bytes) else "image/png"
        from backend.client import _status_error
        result = InferenceResult(request, status=status, content_type=kind, body=raw)
        yield InferenceResult(request, status=status, content_type=kind, body=raw,
                              error=_status_error(result, {}))

    def send(self, request: InferenceRequest, token: str | None, read_timeout: float | None = None
             ) -> InferenceResult:
        return next(self.send_iter(request, token, read_timeout))


class DataFetcher(MediaFetcher):
    def __init__(self) -> None:
        super().__init__(SETTINGS, resolve=lambda host: ["93.184.216.34"])
        self.fetched: list[str] = []

    def fetch(self, url: str, expect: str = ""):  # type: ignore[override]
        self.fetched.append(url)
        from backend.providers.media import Media
        return Media(PNG, "image/png", url)


QUEUE = "/fal-ai/fal-ai/wan/requests/r1"


def fal_routes(statuses: list[tuple[int, Any]]) -> dict[tuple[str, str], list[tuple[int, Any]]]:
    return {("POST", "/fal-ai/fal-ai/wan"): [(200, {"request_id": "r1", "status": "IN_QUEUE",
                                                      "response_url": f"https://queue.fal.run{QUEUE[7:]}"})],
            ("GET", f"{QUEUE}/status"): statuses,
            ("GET", QUEUE): [(200, {"video": {"url": "https://fal.media/v.mp4"}})],
            ("PUT", f"{QUEUE}/cancel"): [(202, {"status": "CANCELLATION_REQUESTED"})]}


def fal_video() -> InferenceRequest:
    return submitted("fal-ai", "text-to-video", "/fal-ai/wan?_subdomain=queue")


def test_a_queued_then_running_job_backs_off_then_polls_each_second_and_fetches_its_video() -> None:
    clock = FakeClock()
    statuses = [(200, {"status": "IN_QUEUE", "queue_position": n}) for n in (3, 2, 1, 0)] + \
        [(200, {"status": "IN_PROGRESS", "logs": [{"message": f"step {n}/5"}]}) for n in range(1, 6)] + \
        [(200, {"status": "COMPLETED"})]
    transport, fetcher = ScriptedTransport(clock, fal_routes(statuses)), DataFetcher()
    events = list(run_provider(transport, fetcher, fal_video(), "hf_x", clock=clock, sleep=clock.sleep))
    polls = [at for method, path, at in transport.sent if path.endswith("/status")]
    gaps = [b - a for a, b in zip(polls, polls[1:])]
    assert 0.4 <= polls[0] <= 0.6, "the first poll comes after about half a second"
    assert all(gap <= QUEUED_POLL_CAP + 1e-9 for gap in gaps) and gaps[:3] == sorted(gaps[:3])
    assert all(abs(gap - RUNNING_POLL) < 1e-9 for gap in gaps[-5:]), "a running job is polled every second"
    assert all(s <= 1.0 + 1e-9 for s in clock.slept), "the countdown moves at least once a second"
    updates = [e for e in events if isinstance(e, JobUpdate)]
    assert {u.position for u in updates if u.state == "queued"} >= {3, 1}
    assert any(u.progress == "step 5/5" for u in updates) and updates[-1].state == "downloading"
    final = events[-1].result
    assert isinstance(events[-1], Finished) and final.ok and final.body == PNG
    assert final.provider_answer == {"video": {"url": "https://fal.media/v.mp4"}}
    assert fetcher.fetched == ["https://fal.media/v.mp4"]
    assert not any(method == "PUT" for method, _, _ in transport.sent), "a finished job is not cancelled"


def test_closing_the_run_mid_job_sends_the_cancel_once_and_nothing_after() -> None:
    clock = FakeClock()
    transport = ScriptedTransport(clock, fal_routes([(200, {"status": "IN_QUEUE", "queue_position": 5})]))
    run = run_provider(transport, DataFetcher(), fal_video(), "hf_x", clock=clock, sleep=clock.sleep)
    for event in run:
        if isinstance(event, JobUpdate) and transport.calls[("GET", f"{QUEUE}/status")] >= 2:
            break
    run.close()
    sent = len(transport.sent)
    assert [m for m, _, _ in transport.sent].count("PUT") == 1 and transport.sent[-1][0] == "PUT"
    clock.now += 60
    assert len(transport.sent) == sent


def _cancel_mid_job(transport: ScriptedTransport, request: InferenceRequest, clock: FakeClock,
                    ledger: CancelLedger) -> str:
    """Follow the job until its updates carry a key, close the run there, and return the key."""
    run = run_provider(transport, DataFetcher(), request, "hf_x", clock=clock, sleep=clock.sleep, cancels=ledger)
    key = next(e.key for e in run if isinstance(e, JobUpdate) and e.key)
    run.close()
    return key


@pytest.mark.parametrize("answer, confirmed, said", [
    ((202, {"status": "CANCELLATION_REQUESTED"}), True, "CANCELLATION_REQUESTED"),
    ((400, {"detail": "Request is already completed"}), False, "Request is already completed"),
])
def test_the_cancel_outcome_is_posted_under_the_jobs_key(answer: tuple[int, Any], confirmed: bool, said: str) -> None:
    clock, ledger = FakeClock(), CancelLedger()
    routes = {**fal_routes([(200, {"status": "IN_QUEUE", "queue_position": 5})]), ("PUT", f"{QUEUE}/cancel"): [answer]}
    key = _cancel_mid_job(ScriptedTransport(clock, routes), fal_video(), clock, ledger)
    outcome = ledger.wait(key, timeout=0)
    assert outcome is not None and outcome.sent and outcome.provider == "fal-ai"
    assert (outcome.status, outcome.confirmed, outcome.said) == (answer[0], confirmed, said)
    assert ledger.wait("another-visitors-key", timeout=0) is None


def test_a_job_without_a_cancel_call_is_posted_as_not_sent() -> None:
    clock, ledger = FakeClock(), CancelLedger()
    routes = {("POST", "/wavespeed/api/v3/wavespeed-ai/wan"): [(200, {"data": {
        "id": "w1", "status": "created", "urls": {"get": "https://api.wavespeed.ai/api/v3/predictions/w1/result"}}})],
        ("GET", "/wavespeed/api/v3/predictions/w1/result"): [(200, {"data": {"id": "w1", "status": "processing"}})]}
    request = submitted("wavespeed", "text-to-video", "/api/v3/wavespeed-ai/wan")
    transport = ScriptedTransport(clock, routes)
    outcome = ledger.wait(_cancel_mid_job(transport, request, clock, ledger), timeout=0)
    assert outcome is not None and not outcome.sent and not outcome.confirmed
    assert not any(method in ("PUT", "DELETE") or path.endswith("cancel") for method, path, _ in transport.sent)


def test_the_ledger_forgets_old_outcomes() -> None:
    now = [0.0]
    ledger = CancelLedger(ttl=10, clock=lambda: now[0])
    ledger.post("k", CancelOutcome("fal-ai", True, 202))
    now[0] = 11
    ledger.post("other", CancelOutcome("fal-ai", True, 202))
    assert ledger.wait("k", timeout=0) is None


def test_the_deadline_ends_a_job_that_never_finishes_and_cancels_it() -> None:
    clock = FakeClock()
    transport = ScriptedTransport(clock, fal_routes([(200, {"status": "IN_PROGRESS"})]))
    events = list(run_provider(transport, DataFetcher(), fal_video(), "hf_x", deadline=20, clock=clock,
                               sleep=clock.sleep))
    final = events[-1].result
    assert isinstance(final.error, Timeout) and clock.now <= 20
    assert [m for m, _, _ in transport.sent].count("PUT") == 1 and transport.sent[-1][0] == "PUT"


def test_a_status_answering_429_then_503_is_waited_out() -> None:
    clock = FakeClock()
    statuses = [(429, {"error": "slow down"}), (503, {"error": "busy"}), (200, {"status": "COMPLETED"})]
    transport = ScriptedTransport(clock, fal_routes(statuses))
    events = list(run_provider(transport, DataFetcher(), fal_video(), "hf_x", clock=clock, sleep=clock.sleep))
    assert events[-1].result.ok and transport.calls[("GET", f"{QUEUE}/status")] == 3


def test_a_job_that_fails_upstream_ends_with_the_reason_and_the_last_status() -> None:
    clock = FakeClock()
    routes = {("POST", "/replicate/v1/predictions"): [(201, {
        "id": "p", "status": "starting", "output": None,
        "urls": {"get": "https://api.replicate.com/v1/predictions/p",
                 "cancel": "https://api.replicate.com/v1/predictions/p/cancel"}})],
              ("GET", "/replicate/v1/predictions/p"): [(200, {"status": "processing", "logs": "step 1"}),
                                                       (200, {"status": "failed", "error": "NSFW content"})]}
    transport = ScriptedTransport(clock, routes)
    request = submitted("replicate", "text-to-image", "/v1/predictions")
    final = list(run_provider(transport, DataFetcher(), request, "hf_x", clock=clock, sleep=clock.sleep))[-1].result
    assert isinstance(final.error, UpstreamError) and final.error.server_message == "NSFW content"
    assert "replicate's job failed" in final.error.message and final.provider_answer["status"] == "failed"
    assert final.request is request


def test_an_answer_with_no_media_link_says_so() -> None:
    clock = FakeClock()
    routes = {("POST", "/fal-ai/fal-ai/flux"): [(200, {"images": []})]}
    request = submitted("fal-ai", "text-to-image", "/fal-ai/flux")
    final = list(run_provider(ScriptedTransport(clock, routes), DataFetcher(), request, "hf_x", clock=clock,
                              sleep=clock.sleep))[-1].result
    assert isinstance(final.error, BadResponse) and "no image link" in final.error.message


# --- media checks -----------------------------------------------------------------------------------

def fetcher(addresses: list[str], **settings: Any) -> MediaFetcher:
    return MediaFetcher(Settings(router_url=ROUTER, **settings), resolve=lambda host: addresses)


@pytest.mark.parametrize("url,why", [
    ("http://fal.media/a.png", "not https"),
    ("https://user:pw@fal.media/a.png", "not a plain https"),
    ("ftp://fal.media/a.png", "not a plain https"),
    ("https://10.1.2.3/a.png", "private address"),
    ("https://169.254.169.254/latest", "private address"),
])
def test_media_links_the_app_must_not_fetch_are_refused(url: str, why: str) -> None:
    with pytest.raises(BadResponse, match=why):
        fetcher(["10.1.2.3"] if "10.1" in url else ["169.254.169.254"] if "169" in url else ["93.184.216.34"]
                ).check(url)


def test_a_public_https_host_and_the_operators_trusted_hosts_pass() -> None:
    fetcher(["93.184.216.34"]).check("https://fal.media/a.png")
    fetcher(["127.0.0.1"], media_hosts=("127.0.0.1:8766",)).check("http://127.0.0.1:8766/fal.media/a.png")
    with pytest.raises(BadResponse):
        fetcher(["127.0.0.1"], media_hosts=("127.0.0.1:8766",)).check("http://127.0.0.1:9999/a.png")


def test_data_urls_are_decoded_in_place_within_the_cap() -> None:
    media = fetcher([]).fetch("data:image/png;base64," + base64.b64encode(PNG).decode())
    assert (media.data, media.media_type) == (PNG, "image/png")
    with pytest.raises(BadResponse):
        fetcher([]).fetch("data:image/png;base64,***")
