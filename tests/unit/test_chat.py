"""ChatStream over the recorded chat answers (21, 22 streamed; 20, 23 not), mid-stream errors,
malformed chunks, timing with an injected clock, vision content parts, the system prompt, and the
chat advice in user_message. Pure: no sockets.
"""
from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest

from backend import errors as E
from backend.chat import MAX_IMAGE_BYTES, ChatStream, StreamError, Usage, user_message_content
from backend.errors import error_for_status, user_message
from backend.polling import Finished, PollEvent, Sending, Streaming, Waiting
from backend.result import InferenceRequest, InferenceResult
from backend.sse import SSEEvent, SSEParser
from backend.tasks import build_payload

RECORDED = Path(__file__).resolve().parents[1] / "fake_hf" / "recorded"
CHAT_URL = "https://router.huggingface.co/v1/chat/completions"


def recording(number: int) -> dict[str, Any]:
    return json.loads(next(RECORDED.glob(f"{number:02d}_*.json")).read_text())


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def replay(number: int, model: str, headers: dict[str, str] | None = None) -> list[PollEvent]:
    """The polling events `Playground.run` yields for recording `number`, asking for `model`."""
    case = recording(number)
    request = InferenceRequest("POST", CHAT_URL, json_body={**case["request"]["body"], "model": model})
    body = case["response"]["body"]
    if isinstance(body, str):
        parser = SSEParser()
        sse = parser.feed(body.encode()) + parser.close()
        result = InferenceResult(request, 200, content_type="text/event-stream", headers=headers or {},
                                 body=body.encode(), events=tuple(e.json for e in sse if e.json is not None))
        return [Sending(1, 0.0), *(Streaming(e) for e in sse), Finished(result)]
    result = InferenceResult(request, 200, content_type="application/json", headers=headers or {},
                             body=json.dumps(body).encode())
    return [Sending(1, 0.0), Finished(result)]


def chunk(content: str | None = "", finish: str | None = None, usage: dict | None = None,
          **delta: str) -> Streaming:
    data = {"id": "c1", "object": "chat.completion.chunk", "created": 7, "model": "m",
            "choices": [{"index": 0, "delta": {"role": "assistant", "content": content, **delta},
                         "finish_reason": finish}], "usage": usage}
    return Streaming(SSEEvent(json.dumps(data), data))


def finished(events: tuple = (), **kw: Any) -> Finished:
    request = InferenceRequest("POST", CHAT_URL, json_body={"model": "org/m"})
    return Finished(InferenceResult(request, 200, content_type="text/event-stream", events=events, **kw))


def run(events: list[PollEvent], model: str = "org/m") -> ChatStream:
    chat = ChatStream(model)
    for event in events:
        chat.feed(event)
    return chat


STREAM_21 = "Deep learning is a subset of machine learning that involves the use of artificial neural networks (ANNs)"
STREAM_22 = ("Deep learning is a subfield of machine learning that involves the use of artificial neural networks "
             "to model and")


@pytest.mark.parametrize("number, model, headers, text, finish, usage, provider", [
    (21, "meta-llama/Llama-3.1-8B-Instruct", {"x-inference-provider": "hf-inference"}, STREAM_21, "length",
     Usage(None, 20, None, estimated=True), "hf-inference"),
    (22, "meta-llama/Meta-Llama-3-8B-Instruct:together", {}, STREAM_22, "length", Usage(26, 20, 46), "together"),
    (20, "meta-llama/Llama-3.1-8B-Instruct:fastest", {"x-inference-provider": "fireworks-ai"},
     "Deep learning is a subfield of artificial intelligence", "stop", Usage(46, 579, 625), "fireworks-ai"),
    (23, "meta-llama/Llama-3.1-8B-Instruct:novita", {}, "Deep learning is a subset of machine learning", "stop",
     Usage(46, 584, 630), "novita"),
])
def test_recorded_answers_assemble(number: int, model: str, headers: dict, text: str, finish: str,
                                   usage: Usage, provider: str) -> None:
    chat = run(replay(number, model, headers), model)
    assert chat.text.startswith(text) and (chat.text == text or number in (20, 23))
    assert (chat.finish_reason, chat.usage, chat.provider) == (finish, usage, provider)
    assert chat.done and chat.error is None and chat.stream_errors == [] and chat.malformed == 0


@pytest.mark.parametrize("number", [20, 21, 22, 23])
def test_from_a_finished_result_alone_gives_the_same_turn(number: int) -> None:
    events = replay(number, "org/m:together")
    streamed, stored = run(events, "org/m:together"), ChatStream.from_result(events[-1].result)
    assert stored.to_openai() == streamed.to_openai()
    assert stored.provider == "together"


def test_to_openai_is_a_chat_completion() -> None:
    chat = run(replay(22, "org/m:together"))
    assert chat.to_openai() == {
        "id": "91158e6ad8a0ef60", "object": "chat.completion", "created": 1739457445,
        "model": "meta-llama/Meta-Llama-3-8B-Instruct-Turbo",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": STREAM_22}, "finish_reason": "length"}],
        "usage": {"prompt_tokens": 26, "completion_tokens": 20, "total_tokens": 46},
    }


def test_non_streamed_answer_keeps_the_servers_id_and_usage() -> None:
    answer = run(replay(23, "org/m:novita")).to_openai()
    body = recording(23)["response"]["body"]
    assert answer["id"] == body["id"] and answer["created"] == body["created"]
    assert answer["choices"][0]["message"]["content"] == body["choices"][0]["message"]["content"]
    assert answer["usage"] == {"prompt_tokens": 46, "completion_tokens": 584, "total_tokens": 630}


def test_tgi_token_headers_stand_in_for_missing_usage() -> None:
    body = {"choices": [{"index": 0, "message": {"role": "assistant", "content": "hi"}, "finish_reason": "stop"}]}
    tgi_headers = {"x-prompt-tokens": "46", "x-generated-tokens": "1"}
    result = InferenceResult(InferenceRequest("POST", CHAT_URL), 200, content_type="application/json",
                             headers=tgi_headers, body=json.dumps(body).encode())
    assert ChatStream.from_result(result).usage == Usage(46, 1, 47)


def test_a_mid_stream_error_keeps_the_text_so_far() -> None:
    err = {"error": "Model overloaded", "error_type": "overloaded"}
    chat = run([chunk("tok0 "), chunk("tok1 "), Streaming(SSEEvent(json.dumps(err), err)),
                finished((), error=E.UpstreamError(status=200, server_message="Model overloaded"))])
    assert chat.text == "tok0 tok1 "
    assert chat.stream_errors == [StreamError("Model overloaded", "overloaded")]
    assert isinstance(chat.error, E.UpstreamError)
    assert "stopped part-way" in user_message(chat.error) and "Model overloaded" in user_message(chat.error)


def test_openai_style_nested_stream_error() -> None:
    err = {"error": {"message": "context too long", "type": "invalid_request_error"}}
    chat = run([Streaming(SSEEvent(json.dumps(err), err))])
    assert chat.stream_errors == [StreamError("context too long", "")]


def test_malformed_chunks_and_keep_alives_are_tolerated() -> None:
    raw = (b": ping\n\ndata:\n\ndata: this is not json\n\n"
           b'data: {"choices":[{"index":0,"delta":{"content":"Hello"}}]}\n\n'
           b'data:{"choices":[{"index":0,"delta":{"content":" world"}}]}\n\n'
           b'data: {"choices":[]}\n\ndata: [1, 2]\n\n'
           b'data: {"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}\n\ndata: [DONE]\n\n')
    parser = SSEParser()
    chat = run([Streaming(e) for e in parser.feed(raw) + parser.close()])
    assert (chat.text, chat.finish_reason, chat.malformed) == ("Hello world", "stop", 2)
    assert chat.raw_sse.startswith("data: this is not json\n\n") and chat.raw_sse.endswith("data: [DONE]\n\n")


def test_reasoning_is_kept_apart_and_content_times_the_first_token() -> None:
    clock = Clock()
    chat = ChatStream("org/m", clock)
    clock.now += 0.2
    assert chat.feed(chunk(None, reasoning_content="Let me think. "))
    clock.now += 0.3
    chat.feed(chunk("", reasoning="Done."))
    clock.now += 0.1
    chat.feed(chunk("Answer"))
    assert (chat.reasoning, chat.text) == ("Let me think. Done.", "Answer")
    assert chat.ttft == pytest.approx(0.6)
    assert chat.to_openai()["choices"][0]["message"]["reasoning_content"] == "Let me think. Done."


def test_ttft_and_tokens_per_second_with_an_injected_clock() -> None:
    clock = Clock()
    chat = ChatStream("org/m", clock)
    assert not chat.feed(Sending(1, 0.0))
    clock.now += 0.25
    assert chat.feed(chunk("tok0 "))
    for i in range(1, 20):
        clock.now += 0.05
        chat.feed(chunk(f"tok{i} "))
    clock.now += 0.05
    chat.feed(chunk("", "length", {"prompt_tokens": 5, "completion_tokens": 20, "total_tokens": 25}))
    chat.feed(finished())
    assert chat.ttft == pytest.approx(0.25)
    assert chat.tokens_per_second == pytest.approx(20.0)  # 19 gaps of 50 ms after the first token
    assert chat.total_time == pytest.approx(0.25 + 20 * 0.05)


def test_without_usage_the_content_chunks_are_counted_and_marked_estimated() -> None:
    clock = Clock()
    chat = ChatStream("org/m", clock)
    for piece in ("a", "", "b", "c"):
        clock.now += 0.1
        chat.feed(chunk(piece))
    assert chat.usage == Usage(None, 3, None, estimated=True)
    assert chat.tokens_per_second == pytest.approx(2 / 0.3)


@pytest.mark.parametrize("events, expected", [
    ([], None), ([chunk("only")], None), ([chunk("x", usage={"completion_tokens": 0})], None),
])
def test_tokens_per_second_needs_two_tokens_over_time(events: list, expected: float | None) -> None:
    assert run(events).tokens_per_second is expected


def test_a_retry_starts_the_answer_afresh() -> None:
    chat = run([Sending(1, 0.0), chunk("half an ans"), Waiting(1, 1.0, "503", None, 10.0, ()), Sending(2, 1.0),
                chunk("whole answer")])
    assert chat.text == "whole answer" and len(chat.chunks) == 1


def test_an_http_error_has_no_text_and_keeps_the_error() -> None:
    err = error_for_status(402, body=b'{"error": "Pay-as-you go is not enabled for provider fal-ai yet."}')
    request = InferenceRequest("POST", CHAT_URL, json_body={"model": "org/m:fal-ai"})
    chat = run([Finished(InferenceResult(request, 402, content_type="application/json", error=err,
                                         body=b'{"error": "x"}'))], "org/m:fal-ai")
    assert chat.text == "" and chat.error is err and chat.usage.completion_tokens is None
    assert chat.provider == "fal-ai" and chat.raw_sse == '{"error": "x"}'


@pytest.mark.parametrize("model, provider", [
    ("org/m", ""), ("org/m:fastest", ""), ("org/m:cheapest", ""), ("org/m:preferred", ""), ("org/m:groq", "groq"),
])
def test_provider_from_the_suffix_until_the_router_says(model: str, provider: str) -> None:
    assert ChatStream(model).provider == provider


def test_for_request_reads_the_model_from_the_body() -> None:
    request = InferenceRequest("POST", CHAT_URL, json_body={"model": "org/m:together", "messages": []})
    assert ChatStream.for_request(request).requested_model == "org/m:together"
    assert ChatStream("org/m").as_message() == {"role": "assistant", "content": ""}


# -- the user's message -------------------------------------------------------------------------------

def test_text_alone_stays_a_string() -> None:
    assert user_message_content("hello") == "hello"


def test_an_image_becomes_a_data_url_part() -> None:
    png = b"\x89PNG\r\n\x1a\n" + bytes(16)
    parts = user_message_content("What is this?", png, "image/png")
    url = "data:image/png;base64," + base64.b64encode(png).decode()
    assert parts == [{"type": "text", "text": "What is this?"}, {"type": "image_url", "image_url": {"url": url}}]
    assert user_message_content("  ", png, "IMAGE/JPEG")[0]["image_url"]["url"].startswith("data:image/jpeg;base64,")


@pytest.mark.parametrize("image_type", ["text/html", "image/png;base64,AAAA", "image/", "", "image/svg xml"])
def test_odd_image_types_are_refused(image_type: str) -> None:
    with pytest.raises(E.InvalidParameters):
        user_message_content("x", b"\x00", image_type)


def test_oversized_images_are_refused() -> None:
    with pytest.raises(E.InvalidParameters, match="limit"):
        user_message_content("x", bytes(MAX_IMAGE_BYTES + 1))


@pytest.mark.parametrize("messages, system, first", [
    ([{"role": "user", "content": "hi"}], "Be brief.", {"role": "system", "content": "Be brief."}),
    ([{"role": "system", "content": "old"}, {"role": "user", "content": "hi"}], "new",
     {"role": "system", "content": "new"}),
    ([{"role": "system", "content": "old"}, {"role": "user", "content": "hi"}], "  ",
     {"role": "system", "content": "old"}),
    ([{"role": "user", "content": "hi"}], None, {"role": "user", "content": "hi"}),
])
def test_the_system_prompt_field(messages: list, system: str | None, first: dict) -> None:
    body = build_payload("chat-completion", {"messages": messages, "system": system}, {"max_tokens": 8}).json_body
    assert body["messages"][0] == first and body["messages"][-1] == {"role": "user", "content": "hi"}
    assert len([m for m in body["messages"] if m["role"] == "system"]) <= 1


def test_chat_params_reach_the_body_root() -> None:
    params = {"temperature": 0.5, "top_p": 0.9, "max_tokens": 64, "seed": 1, "stop": "END\n###", "stream": True}
    payload = build_payload("chat-completion", {"messages": [{"role": "user", "content": "hi"}]}, params)
    assert payload.stream and payload.json_body == {
        "messages": [{"role": "user", "content": "hi"}], "temperature": 0.5, "top_p": 0.9, "max_tokens": 64,
        "seed": 1, "stop": ["END", "###"], "stream": True}


# -- chat advice in user_message ------------------------------------------------------------------------

@pytest.mark.parametrize("status, body, words", [
    (400, "The requested model 'org/m' is not supported by any provider you have enabled.",
     ["not served by the chosen provider", "settings/inference-providers"]),
    (400, "Model not supported by provider together", ["Pick another provider"]),
    (422, "Template error: template not found", ["no chat template", "text-generation"]),
    (402, "Pay-as-you go is not enabled for provider fal-ai yet.", ["billing", "another provider"]),
    (403, "This authentication method does not have sufficient permissions to call Inference Providers",
     ["Make calls to Inference Providers"]),
])
def test_chat_errors_point_to_their_fix(status: int, body: str, words: list[str]) -> None:
    err = error_for_status(status, body=json.dumps({"error": body}).encode(), content_type="application/json",
                           model_id="org/m")
    message = user_message(err)
    assert all(word in message for word in words), message


def test_a_streamed_chat_asks_for_usage_in_its_last_chunk_and_a_plain_one_does_not() -> None:
    from backend import Playground, Settings

    playground = Playground(Settings())
    messages = {"messages": [{"role": "user", "content": "hi"}]}
    streamed = playground.build_request(task="chat-completion", model_id="org/m", inputs=messages,
                                        params={"stream": True})
    plain = playground.build_request(task="chat-completion", model_id="org/m", inputs=messages,
                                     params={"stream": False})
    own = playground.build_request(task="chat-completion", model_id="org/m", inputs=messages,
                                   extra_params='{"stream": true, "stream_options": {"include_usage": false}}')
    assert streamed.json_body["stream_options"] == {"include_usage": True}
    assert "stream_options" not in plain.json_body
    assert own.json_body["stream_options"] == {"include_usage": False}, "a visitor's own choice stands"


def test_a_token_the_server_split_across_chunks_never_shows_in_the_assembled_answer() -> None:
    token = "hf_splitAcrossChunks0123456789ab"
    request = InferenceRequest("POST", CHAT_URL, json_body={"model": "org/m"})
    chat = ChatStream.for_request(request, secret=token)
    for part in ("You sent ", token[:12], token[12:], " and <think>", token[:7], token[7:], "</think>"):
        chat.feed(chunk(part))
    for shown in (chat.text, chat.answer, chat.reasoning):
        assert token not in shown and token[:12] not in shown.replace("***", "")
    assert chat.answer.startswith("You sent *** and") and chat.reasoning == "***"
