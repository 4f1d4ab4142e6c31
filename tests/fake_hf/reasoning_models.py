"""Scripted chat models that think: inline `<think>` tags split across chunks at awkward places,
`reasoning_content` deltas (DeepSeek-R1's shape through providers: no recording of one exists, so the
chunks follow recording 21's with the extra delta field), a stream that begins inside the thinking,
one that breaks mid-thought, and a slow multi-turn model that counts the user turns it was sent.

`REASONING_MODELS` rows (name, help line, behaviour) are registered in `scripted.SCRIPTED`. A
non-streamed request gets the same answer in one message.
"""
from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from .replies import JSON, Reply, encode_json, json_reply, paced, sse_event, sse_reply

if TYPE_CHECKING:
    from .scripted import Behaviour, Call

THINKING_PACE = 0.1  # seconds between events, so a test can tell thinking time from answer time
SLOW_PACE = 0.25

ANSWER = ["2 + 2", " = 4.", " Four", " is the", " answer."]
TAGGED = ["<", "thi", "nk>", "\nThe user asks", " what 2 + 2", " is.</", "th", "ink", ">", "\n\n", *ANSWER]
THINK_OPEN = ["The user wants", " one word", " for hello.", "\n</think", ">\n\n", "Bonjour", "."]
REASONING = ["The user", " asks what", " 2 + 2 is.", " That is 4."]
BROKEN_THINKING = ["<think>", "Let me", " work", " this out"]


def _chunk(model_id: str, finish: str | None = None, usage: dict[str, Any] | None = None,
           **delta: str | None) -> dict[str, Any]:
    return {"object": "chat.completion.chunk", "id": "", "created": int(time.time()), "model": model_id,
            "system_fingerprint": "fake-reasoning", "usage": usage,
            "choices": [{"index": 0, "delta": {"role": "assistant", **delta}, "logprobs": None,
                         "finish_reason": finish}]}


def _usage(completion: int, reasoning: int = 0) -> dict[str, Any]:
    usage: dict[str, Any] = {"prompt_tokens": 12, "completion_tokens": completion, "total_tokens": 12 + completion}
    if reasoning:
        usage["completion_tokens_details"] = {"reasoning_tokens": reasoning}
    return usage


def _message(model_id: str, content: str, reasoning: str | None = None, finish: str = "stop",
             usage: dict[str, Any] | None = None) -> Reply:
    message: dict[str, Any] = {"role": "assistant", "content": content}
    if reasoning is not None:
        message["reasoning_content"] = reasoning
    return json_reply(200, {"object": "chat.completion", "id": "", "created": int(time.time()), "model": model_id,
                            "system_fingerprint": "fake-reasoning", "usage": usage,
                            "choices": [{"index": 0, "message": message, "logprobs": None, "finish_reason": finish}]})


def _content_stream(call: Call, pieces: list[str], pace: float) -> Reply:
    """`pieces` as content deltas, a final chunk with usage, [DONE]; one message when not streamed."""
    usage = _usage(len(pieces))
    if not call.request.wants_stream:
        return _message(call.model_id, "".join(pieces), usage=usage)
    events = [sse_event(_chunk(call.model_id, content=piece)) for piece in pieces]
    return sse_reply([*events, sse_event(_chunk(call.model_id, "stop", usage, content="")), sse_event("[DONE]")],
                     pace)


def _reasoning_tags(call: Call) -> Reply:
    return _content_stream(call, TAGGED, THINKING_PACE)


def _think_open(call: Call) -> Reply:
    return _content_stream(call, THINK_OPEN, THINKING_PACE)


def _reasoning_content(call: Call) -> Reply:
    usage = _usage(len(REASONING) + len(ANSWER), reasoning=len(REASONING))
    if not call.request.wants_stream:
        return _message(call.model_id, "".join(ANSWER), "".join(REASONING), usage=usage)
    thinking = [_chunk(call.model_id, content=None, reasoning_content=piece) for piece in REASONING]
    answer = [_chunk(call.model_id, content=piece, reasoning_content=None) for piece in ANSWER]
    final = _chunk(call.model_id, "stop", usage, content="", reasoning_content=None)
    return sse_reply([*map(sse_event, [*thinking, *answer, final]), sse_event("[DONE]")], THINKING_PACE)


def _reasoning_breaks(call: Call) -> Reply:
    """Announces a longer body than it sends, then closes: the client sees the connection break."""
    if call.request.wants_stream:
        events = [sse_event(_chunk(call.model_id, content=piece)).encode() for piece in BROKEN_THINKING]
    else:
        events = [encode_json({"object": "chat.completion", "choices": [{"index": 0, "message": {
            "role": "assistant", "content": "".join(BROKEN_THINKING)}}]})[:60]]
    length = sum(map(len, events)) + 4096
    return Reply(200, [("Content-Type", "text/event-stream" if call.request.wants_stream else JSON)],
                 paced(events, THINKING_PACE), content_length=length, close=True)


def _slow_chat(call: Call) -> Reply:
    messages = call.request.json.get("messages") if isinstance(call.request.json, dict) else None
    users = [m for m in messages or () if isinstance(m, dict) and m.get("role") == "user"]
    last = users[-1].get("content") if users else ""
    echo = last if isinstance(last, str) else "(content parts)"
    words = [f"I received {len(users)} user message{'s' if len(users) != 1 else ''}.", " The last", " one was:",
             f" {echo[:80]!r}."]
    return _content_stream(call, words, SLOW_PACE)


REASONING_MODELS: tuple[tuple[str, str, Behaviour], ...] = (
    ("fake/reasoning-tags", "chat: streams '<think>…</think>' in the content, tags split across chunks "
     "('<', 'thi', 'nk>' … '</', 'th', 'ink', '>'), then '2 + 2 = 4. Four is the answer.'; 0.1 s apart",
     _reasoning_tags),
    ("fake/reasoning-content", "chat: streams reasoning_content deltas (DeepSeek-R1 shape), then the same "
     "answer as content, usage with completion_tokens_details.reasoning_tokens; 0.1 s apart", _reasoning_content),
    ("fake/think-open", "chat: a stream that begins inside the thinking and only closes it "
     "('…\\n</think>\\n\\nBonjour.'), as templates that open <think> in the prompt do", _think_open),
    ("fake/reasoning-breaks", "chat: '<think>Let me work this out' over 4 chunks, then the connection "
     "closes short of its Content-Length (no answer, no [DONE])", _reasoning_breaks),
    ("fake/slow-chat", "chat: a slow multi-turn answer, one piece every 0.25 s (~1 s), saying how many "
     "user messages it received and quoting the last", _slow_chat),
)
