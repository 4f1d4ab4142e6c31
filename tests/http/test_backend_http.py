"""The backend against the fake HF server on real sockets: every recording, every scripted fault,
polling in real time, cancellation, and the token staying where it belongs (T1, T3, T4, T6, T9, T13).
"""
from __future__ import annotations

import base64
import http.server
import json
import logging
import threading
import time
from dataclasses import replace
from pathlib import Path

import pytest

from backend import Finished, Playground, Waiting, load_settings, user_message
from backend import errors as E
from backend.result import InferenceRequest
from tests.conftest import SENTINEL, assert_no_secret
from tests.fake_hf import FakeHF
from tests.fake_hf.recordings import current_route

RECORDINGS = sorted((Path(__file__).resolve().parents[1] / "fake_hf" / "recorded").glob("*.json"))
TOKEN = "hf_testtoken0000000000000000"
ERRORS_BY_STATUS = {400: E.BadRequest, 401: E.AuthError, 402: E.PaymentRequired, 403: E.Forbidden,
                    404: E.NotFound, 410: E.Gone, 422: E.BadRequest, 429: E.RateLimited, 503: E.ModelLoading}


@pytest.fixture(scope="module")
def hf():
    with FakeHF() as server:
        yield server


@pytest.fixture()
def fake(hf):
    hf.reset()
    return hf


def playground(hf: FakeHF, **overrides: str) -> Playground:
    env = {"HF_ROUTER_URL": hf.url, "HF_ENDPOINT": hf.url, "PLAYGROUND_POLL_DEADLINE": "20", **overrides}
    return Playground(load_settings(env, None, read_token_file=False))


def model_request(hf: FakeHF, model: str, body: object = None, **kw) -> InferenceRequest:
    return InferenceRequest("POST", f"{hf.url}/hf-inference/models/{model}",
                            json_body=body if body is not None else {"inputs": "I like you"}, model_id=model, **kw)


def recorded_request(hf: FakeHF, case: dict) -> InferenceRequest:
    request, body = case["request"], case["request"]["body"]
    url = hf.url + current_route(request["url"], case["response"]["status"])
    if isinstance(body, dict) and body.get("binary"):
        data = base64.b64decode(body["base64"]) if body.get("base64") else b"\x00" * 16
        return InferenceRequest("POST", url, data=data, task=case["task"])
    # 34 and 35 share one request: the fake tells them apart by this header, as its docs say.
    headers = {"X-Fake-Case": case["id"][:2]} if case["id"].startswith("35") else {}
    return InferenceRequest(request["method"], url, json_body=body, headers=headers, task=case["task"])


@pytest.mark.parametrize("path", RECORDINGS, ids=lambda p: p.stem)
def test_every_recording_end_to_end(fake: FakeHF, path: Path) -> None:
    case = json.loads(path.read_text())
    if case["task"] == "hub-api":
        pytest.skip("Hub API cases are covered by the hub tests below")
    expected = case["response"]
    result = playground(fake).transport.send(recorded_request(fake, case), TOKEN)
    assert result.status == expected["status"]
    body = expected["body"]
    if result.media_type == "sse":
        assert result.ok and result.events, "stream events parsed"
        assert [e for e in result.events] == [json.loads(line[5:]) for line in body.split("\n\n")
                                             if line.startswith("data:") and "[DONE]" not in line]
    elif isinstance(body, dict) and body.get("binary"):
        assert result.ok and result.media_type == "image" and len(result.body) == body["byte_length"]
    elif result.ok:
        assert result.json == body
    else:
        assert isinstance(result.error, ERRORS_BY_STATUS.get(result.status, E.UpstreamError))
        message = user_message(result.error)
        assert f"HTTP {result.status}" in message
        text = body if isinstance(body, str) else json.dumps(body)
        assert result.error.server_message and result.error.server_message[:20] in text


@pytest.mark.parametrize("model, overrides, error, words", [
    ("fake/html-502", {}, E.UpstreamError, "HTML error page"),
    ("fake/invalid-json", {}, E.BadResponse, "not valid JSON"),
    ("fake/huge", {"PLAYGROUND_MAX_BODY_MB": "1"}, E.BadResponse, "grew past the 1 MB limit"),
    ("fake/huge-cl", {"PLAYGROUND_MAX_BODY_MB": "1"}, E.BadResponse, "over the 1 MB limit"),
    ("fake/gzip-bomb", {"PLAYGROUND_MAX_BODY_MB": "1"}, E.BadResponse, "limit"),
    ("fake/slow-headers", {"PLAYGROUND_READ_TIMEOUT": "0.5"}, E.Timeout, "Timed out"),
    ("fake/slow-drip", {"PLAYGROUND_READ_TIMEOUT": "0.3"}, E.Timeout, "Timed out"),
    ("fake/drop", {}, E.ConnectionFailed, "closed the connection"),
    ("fake/reset-mid-body", {}, E.ConnectionFailed, "dropped in the middle"),
    ("fake/rate-limited-forever", {}, E.RateLimited, "Retry in 3600 s"),
    ("fake/gated-model", {}, E.Forbidden, "https://huggingface.co/fake/gated-model"),
    ("this-model-does-not-exist-123", {}, E.NotFound, "HTTP 404"),
])
def test_every_fault_ends_in_a_clear_message(fake: FakeHF, model: str, overrides: dict, error: type,
                                             words: str) -> None:
    pg = playground(fake, **overrides)
    started = time.monotonic()
    result = pg.run_to_end(model_request(fake, model), TOKEN)
    assert isinstance(result.error, error), result.error
    assert words in user_message(result.error)
    assert time.monotonic() - started < 15
    # and the next run works
    assert pg.run_to_end(model_request(fake, "distilbert/distilbert-base-uncased-finetuned-sst-2-english"),
                         TOKEN).ok


def test_a_rate_limit_met_with_a_token_does_not_advise_logging_in(fake: FakeHF) -> None:
    result = playground(fake).run_to_end(model_request(fake, "fake/rate-limited-forever"), TOKEN)
    said = user_message(result.error)
    assert "Logging in" not in said and "token's account" in said and "settings/billing" in said
    anonymous = E.error_for_status(429, body=b'{"error": "Too many requests"}', with_token=False)
    assert "Logging in with a token raises the limit" in user_message(anonymous)


def test_a_capped_body_is_bounded_in_memory(fake: FakeHF) -> None:
    result = playground(fake, PLAYGROUND_MAX_BODY_MB="1").run_to_end(model_request(fake, "fake/huge"), TOKEN)
    assert result.truncated and len(result.body) <= 2**20


def test_unreachable_server(fake: FakeHF) -> None:
    pg = Playground(load_settings({"HF_ROUTER_URL": "http://127.0.0.1:9"}, None, read_token_file=False))
    result = pg.run_to_end(InferenceRequest("POST", "http://127.0.0.1:9/hf-inference/models/x", json_body={}), TOKEN)
    assert isinstance(result.error, E.ConnectionFailed) and "refused" in user_message(result.error)


def test_missing_or_wrong_token_gets_hfs_401(fake: FakeHF) -> None:
    for token in (None, "not-a-hf-token"):
        result = playground(fake).run_to_end(model_request(fake, "fake/echo"), token)
        assert isinstance(result.error, E.AuthError) and "settings/tokens" in user_message(result.error)


def test_a_short_cold_start_in_real_time(fake: FakeHF) -> None:
    started = time.monotonic()
    events = list(playground(fake).run(model_request(fake, "fake/cold-2"), TOKEN))
    result = events[-1].result
    assert result.ok and result.json[0][0]["label"]
    assert time.monotonic() - started - 2.0 < 1.0, "answer in hand within 1 s of the model being ready"
    assert len(fake.received) <= 3 and any(isinstance(e, Waiting) for e in events)
    assert [a.status for a in result.attempts][-1] == 200


@pytest.mark.parametrize("model", ["fake/rate-limited-1", "fake/rate-limited-date", "fake/rate-limited-hub"])
def test_rate_limits_are_waited_out(fake: FakeHF, model: str) -> None:
    result = playground(fake).run_to_end(model_request(fake, model), TOKEN)
    assert result.ok and [a.status for a in result.attempts] == [429, 200]


def test_scaled_to_zero_endpoint_wakes_with_one_held_request(fake: FakeHF) -> None:
    pg = playground(fake)
    request = pg.build_request(task="text-classification", inputs={"text": "I like you"},
                               endpoint_url=f"{fake.url}/endpoints/endpoint-cold-3")
    result = pg.run_to_end(request, TOKEN)
    assert result.ok and len(fake.received) <= 3
    assert "X-Scale-Up-Timeout" in fake.received[-1].headers


def test_closing_the_run_sends_nothing_more(fake: FakeHF) -> None:
    events = playground(fake).run(model_request(fake, "fake/cold-30"), TOKEN)
    for event in events:
        if isinstance(event, Waiting):
            break
    events.close()
    time.sleep(1.5)
    assert len(fake.received) == 1


def test_the_token_never_comes_back(fake: FakeHF, caplog: pytest.LogCaptureFixture, capsys) -> None:
    pg = playground(fake)
    with caplog.at_level(logging.DEBUG):
        echoed = pg.run_to_end(model_request(fake, "fake/echo"), SENTINEL)
        failed = pg.run_to_end(model_request(fake, "fake/html-502"), SENTINEL)
    assert fake.received[0].bearer == SENTINEL, "the server did get it"
    for result in (echoed, failed):
        assert_no_secret([result.text, result.headers, result.json, repr(result), result.request.as_display("x")])
        assert_no_secret(user_message(result.error) if result.error else "")
    assert SENTINEL not in caplog.text + "".join(capsys.readouterr())
    assert "Authorization" not in pg.transport.session.headers


def test_two_threads_with_different_tokens_never_mix(fake: FakeHF) -> None:
    pg = playground(fake)
    tokens = {"alice": "hf_alice000000000000000000", "bob": "hf_bob00000000000000000000"}

    def worker(name: str) -> None:
        for i in range(50):
            assert pg.run_to_end(model_request(fake, "fake/echo", {"inputs": f"{name}-{i}"}), tokens[name]).ok

    threads = [threading.Thread(target=worker, args=(name,)) for name in tokens]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(fake.received) == 100
    for received in fake.received:
        owner = received.json["inputs"].split("-")[0]
        assert received.bearer == tokens[owner]
    assert "Authorization" not in pg.transport.session.headers


class _Redirector(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        _Redirector.hits.append(self.path)
        self.send_response(302)
        self.send_header("Location", "/elsewhere")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


def test_redirects_are_never_followed_with_the_token() -> None:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Redirector)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}"
        pg = Playground(load_settings({"HF_ROUTER_URL": base}, None, read_token_file=False))
        result = pg.run_to_end(InferenceRequest("POST", f"{base}/hf-inference/models/x", json_body={}), TOKEN)
    finally:
        server.shutdown()
    assert isinstance(result.error, E.BadResponse) and "redirect" in user_message(result.error)
    assert _Redirector.hits == ["/hf-inference/models/x"]


def test_non_hf_endpoint_gets_its_own_key_not_the_hf_token(fake: FakeHF) -> None:
    settings = load_settings({"HF_ROUTER_URL": "https://router.huggingface.co",
                              "PLAYGROUND_ENDPOINT_HOSTS": "127.0.0.1"}, None, read_token_file=False)
    pg = Playground(settings)
    request = pg.build_request(task="text-classification", inputs={"text": "hi"},
                               endpoint_url=f"{fake.url}/endpoints/endpoint-cold-0")
    assert request.token_kind == "endpoint"
    pg.run_to_end(request, token=SENTINEL, endpoint_key="endpoint-key-123")
    assert fake.received[-1].bearer == "endpoint-key-123"
    pg.run_to_end(replace(request), token=SENTINEL)
    assert "Authorization" not in fake.received[-1].headers


def test_invalid_input_sends_nothing(fake: FakeHF) -> None:
    pg = playground(fake)
    for bad in ("../../api/whoami-v2", "a/b/c", "https://evil.example/m"):
        with pytest.raises(E.InvalidInput):
            pg.build_request(task="text-classification", model_id=bad, inputs={"text": "x"})
    with pytest.raises(E.InvalidInput):
        pg.build_request(task="text-classification", model_id="gpt2", inputs={"text": "x"}, extra_params="{oops")
    assert fake.received == []
