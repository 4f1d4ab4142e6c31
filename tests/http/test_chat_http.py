"""Chat against the fake HF router on real sockets: the provider suffix on the wire, streams that
arrive incrementally, Cancel closing the upstream connection, mid-stream errors and junk, the
provider picker from the Hub and /v1/models, and 400/402/403 mapped to their fixes.
"""
from __future__ import annotations

import html
import json
import sys
import time
from dataclasses import replace
from pathlib import Path

import pytest

from backend import ChatStream, Finished, Hub, Playground, Streaming, load_settings, user_message
from backend import errors as E
from backend.chat import user_message_content
from backend.chat_providers import RouterCatalog, list_providers
from backend.result import InferenceRequest
from tests.fake_hf import FakeHF

TOKEN = "hf_chattest000000000000000000"
LLAMA = "meta-llama/Llama-3.1-8B-Instruct"
HELLO = [{"role": "user", "content": "What is deep learning?"}]
FAKE_REPLIES = Path(sys.modules[FakeHF.__module__].__file__ or "").with_name("replies.py")


def playground(hf: FakeHF) -> Playground:
    env = {"HF_ROUTER_URL": hf.url, "HF_ENDPOINT": hf.url, "PLAYGROUND_POLL_DEADLINE": "20"}
    return Playground(load_settings(env, None, read_token_file=False))


def chat_request(pg: Playground, model: str, provider: str = "", stream: bool = True,
                 messages: list | None = None) -> InferenceRequest:
    return pg.build_request(task="chat-completion", model_id=model, provider=provider,
                            inputs={"messages": messages or HELLO}, params={"stream": stream, "max_tokens": 20})


def run_chat(pg: Playground, request: InferenceRequest) -> ChatStream:
    chat = ChatStream.for_request(request)
    for event in pg.run(request, TOKEN):
        chat.feed(event)
    return chat


def streams_being_written() -> int:
    """Fake-server threads inside `paced()`, i.e. still producing a stream (sleeping or writing)."""
    def in_paced(frame) -> bool:  # type: ignore[no-untyped-def]
        while frame is not None:
            if frame.f_code.co_name == "paced" and Path(frame.f_code.co_filename) == FAKE_REPLIES:
                return True
            frame = frame.f_back
        return False
    return sum(in_paced(frame) for frame in sys._current_frames().values())


def wait_for(condition, timeout: float) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.01)
    return condition()


@pytest.mark.parametrize("provider, stream, served_by, finish", [
    ("", True, "fireworks-ai", "length"),        # auto = fastest: recording 21 replayed
    ("novita", False, "novita", "stop"),         # recording 23
    ("cheapest", False, "hf-inference", "stop"),  # recording 20
])
def test_the_model_suffix_goes_in_the_body_and_the_provider_comes_back(fake: FakeHF, provider: str, stream: bool,
                                                                      served_by: str, finish: str) -> None:
    pg = playground(fake)
    chat = run_chat(pg, chat_request(pg, LLAMA, provider, stream))
    sent = fake.received[-1]
    assert sent.path == "/v1/chat/completions" and sent.bearer == TOKEN
    assert sent.json["model"] == (f"{LLAMA}:{provider}" if provider else LLAMA) and sent.json["stream"] is stream
    assert chat.error is None and chat.text.startswith("Deep learning is a sub")
    assert (chat.provider, chat.finish_reason) == (served_by, finish)


def test_a_named_provider_streams_its_own_recording(fake: FakeHF) -> None:
    pg = playground(fake)
    chat = run_chat(pg, chat_request(pg, "meta-llama/Meta-Llama-3-8B-Instruct", "together"))
    assert fake.received[-1].json["model"] == "meta-llama/Meta-Llama-3-8B-Instruct:together"
    assert chat.provider == "together" and chat.usage.as_dict() == {
        "prompt_tokens": 26, "completion_tokens": 20, "total_tokens": 46}
    assert chat.to_openai()["choices"][0]["message"]["content"].endswith("neural networks to model and")


def test_chunks_arrive_as_they_are_sent(fake: FakeHF) -> None:
    pg = playground(fake)
    started, arrivals = time.monotonic(), []
    chat = ChatStream.for_request(request := chat_request(pg, "fake/chat-pace-100"))
    for event in pg.run(request, TOKEN):
        chat.feed(event)
        if isinstance(event, (Streaming, Finished)):
            arrivals.append(time.monotonic() - started)
    assert arrivals[0] < 0.5, "the first chunk is shown long before the stream ends"
    assert arrivals[-1] - arrivals[0] > 1.5 and arrivals[-1] > 1.9
    assert chat.text == "".join(f"tok{i} " for i in range(20)) and chat.finish_reason == "length"
    assert chat.ttft is not None and chat.ttft < 0.5
    assert chat.tokens_per_second == pytest.approx(10.0, rel=0.15)
    assert not chat.usage.estimated and chat.usage.completion_tokens == 20


def test_cancel_closes_the_upstream_connection(fake: FakeHF) -> None:
    pg = playground(fake)
    request = chat_request(pg, "fake/chat-pace-100")
    chat, run = ChatStream.for_request(request), pg.run(request, TOKEN)
    for event in run:
        chat.feed(event)
        if chat.text.count("tok") == 3:
            break
    # Sampled a few times: between chunks the server thread is briefly writing, outside `paced()`.
    assert wait_for(lambda: streams_being_written() == 1, 0.5), "the fake is still streaming to us"
    started = time.monotonic()
    run.close()
    assert time.monotonic() - started < 0.2, "closing returns at once"
    assert wait_for(lambda: streams_being_written() == 0, 1.0), "the fake saw the disconnect and stopped"
    time.sleep(0.3)
    assert len(fake.received) == 1, "nothing more was sent"
    assert chat.text == "tok0 tok1 tok2 " and not chat.done


def test_a_mid_stream_error_keeps_the_partial_answer(fake: FakeHF) -> None:
    pg = playground(fake)
    chat = run_chat(pg, chat_request(pg, "fake/chat-midstream-error"))
    assert chat.text == "tok0 tok1 tok2 " and chat.done
    assert [(e.message, e.error_type) for e in chat.stream_errors] == [("Model overloaded", "overloaded")]
    assert isinstance(chat.error, E.UpstreamError)
    assert "stopped part-way" in user_message(chat.error) and "Model overloaded" in user_message(chat.error)


def test_malformed_chunks_and_keep_alives_do_not_break_the_stream(fake: FakeHF) -> None:
    pg = playground(fake)
    chat = run_chat(pg, chat_request(pg, "fake/chat-malformed"))
    assert (chat.text, chat.finish_reason, chat.malformed, chat.error) == ("Hello world", "stop", 1, None)
    assert "this is not json" in chat.raw_sse


def test_markup_in_an_answer_is_kept_as_text_for_the_renderer_to_escape(fake: FakeHF) -> None:
    pg = playground(fake)
    chat = run_chat(pg, chat_request(pg, "fake/xss"))
    assert chat.text.startswith("<img src=x onerror=") and "<script>" in chat.to_openai()["choices"][0]["message"][
        "content"]


def test_an_image_travels_as_a_data_url(fake: FakeHF) -> None:
    pg = playground(fake)
    content = user_message_content("What is in the picture?", b"\x89PNG fake", "image/png")
    chat = run_chat(pg, chat_request(pg, "fake/chat-pace-0", messages=[{"role": "user", "content": content}]))
    parts = fake.received[-1].json["messages"][0]["content"]
    assert parts[1]["image_url"]["url"].startswith("data:image/png;base64,") and chat.error is None


def test_provider_picker_from_the_hub_and_the_router(fake: FakeHF) -> None:
    pg = playground(fake)
    catalog = RouterCatalog(pg.transport)
    card = Hub(pg.settings).model_info(LLAMA)
    choices = {c.value: c for c in list_providers(card, catalog.models(TOKEN))}
    assert list(choices) == ["auto", "cheapest", "preferred", "fireworks-ai", "sambanova", "hf-inference",
                             "nebius", "novita"]
    assert (choices["auto"].resolves_to, choices["cheapest"].resolves_to) == ("fireworks-ai", "hf-inference")
    fireworks = choices["fireworks-ai"].figures
    assert fireworks is not None and (fireworks.throughput, fireworks.pricing.input) == (210.0, 0.2)
    assert choices["novita"].status == "staging" and choices["novita"].figures is None
    catalog.models("hf_someoneelse00000000000")
    gets = [r for r in fake.received if r.path == "/v1/models"]
    assert len(gets) == 1 and gets[0].method == "GET" and gets[0].body == b"" and gets[0].bearer == TOKEN


def test_a_provider_that_does_not_serve_the_model_gets_advice(fake: FakeHF) -> None:
    pg = playground(fake)
    chat = run_chat(pg, chat_request(pg, LLAMA, "together"))
    assert fake.received[-1].json["model"] == f"{LLAMA}:together"
    assert isinstance(chat.error, E.BadRequest) and chat.text == ""
    message = user_message(chat.error)
    assert "not served by the chosen provider" in message and "settings/inference-providers" in message


# The fake's router answers 402/403 only on the routes they were quoted for (recordings 92, 93), so the
# chat request is aimed there; the mapping to a fix is the same whichever route answers.
@pytest.mark.parametrize("route, status, error, fix", [
    ("/fal-ai/fal-ai/hunyuan-image/v3/text-to-image", 402, E.PaymentRequired, "settings/billing"),
    ("/hf-inference/models/meta-llama/Llama-3.3-70B-Instruct", 403, E.Forbidden, "Make calls to Inference Providers"),
])
def test_payment_and_permission_errors_point_to_their_fix(fake: FakeHF, route: str, status: int, error: type,
                                                          fix: str) -> None:
    pg = playground(fake)
    request = replace(chat_request(pg, LLAMA, stream=False), url=fake.url + route)
    chat = run_chat(pg, request)
    assert isinstance(chat.error, error) and chat.error.status == status
    said = json.loads(chat.raw_sse)["error"]
    assert fix in user_message(chat.error) and html.escape(said, quote=False) in user_message(chat.error)
