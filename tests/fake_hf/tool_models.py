"""Scripted chat models for function calling and structured output (issue 21).

No recording of a streamed tool call exists in huggingface_hub's cassettes or huggingface.js's tapes, so
`fake/tool-caller` streams OpenAI's reference shape (first fragment: index, id, type, name, empty
arguments; then argument pieces by index; `finish_reason: "tool_calls"`), two calls in one turn, and once
the request carries `tool` messages, answers in text quoting each result. `fake/tool-caller-tgi` replays
the one recorded exchange (huggingface_hub's 2024 cassette `test_chat_completion_with_tool`, TGI 1.4.5):
`"id": 0`, `arguments` as an object, no content, `finish_reason: "eos_token"`. Arguments are built from
the request's own function schemas. `REASONING_MODELS`-style rows (name, help line, behaviour) are
registered in `scripted.SCRIPTED`.
"""
from __future__ import annotations

import json
import time
from typing import TYPE_CHECKING, Any

from .replies import Reply, json_reply, sse_event, sse_reply

if TYPE_CHECKING:
    from .scripted import Behaviour, Call

PACE = 0.02
CITIES = ("Paris, France", "Tokyo, Japan")
# vLLM's answer to tools on a server started without a tool parser, as providers relay it.
NO_TOOLS_ERROR = {"object": "error", "message": '"auto" tool choice requires --enable-auto-tool-choice and '
                  "--tool-call-parser to be set", "type": "BadRequestError", "param": None, "code": 400}
PERSON = {"name": "Ada Lovelace", "born": 1815, "known_for": ["the first published program"]}


def _body(call: Call) -> dict[str, Any]:
    return call.request.json if isinstance(call.request.json, dict) else {}


def _chunk(model_id: str, delta: dict[str, Any], finish: str | None = None,
           usage: dict[str, int] | None = None) -> dict[str, Any]:
    return {"id": "chatcmpl-fake-tools", "object": "chat.completion.chunk", "created": int(time.time()),
            "model": model_id, "system_fingerprint": "fake-tools", "usage": usage,
            "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}]}


def _usage(completion: int) -> dict[str, int]:
    return {"prompt_tokens": 40, "completion_tokens": completion, "total_tokens": 40 + completion}


def _completion(model_id: str, message: dict[str, Any], finish: str) -> Reply:
    return json_reply(200, {"id": "chatcmpl-fake-tools", "object": "chat.completion", "created": int(time.time()),
                            "model": model_id, "system_fingerprint": "fake-tools", "usage": _usage(20),
                            "choices": [{"index": 0, "message": message, "logprobs": None,
                                         "finish_reason": finish}]})


def _text(call: Call, text: str, pieces: int = 4) -> Reply:
    """`text` as content deltas (cut in `pieces`), a final chunk, [DONE]; one message when not streamed."""
    if not call.request.wants_stream:
        return _completion(call.model_id, {"role": "assistant", "content": text}, "stop")
    size = max(1, -(-len(text) // pieces))
    parts = [text[i:i + size] for i in range(0, len(text), size)]
    events = [_chunk(call.model_id, {"role": "assistant", "content": part}) for part in parts]
    events.append(_chunk(call.model_id, {"role": "assistant", "content": ""}, "stop", _usage(len(parts))))
    return sse_reply([*map(sse_event, events), sse_event("[DONE]")], PACE)


def instance(schema: Any, number: int = 0) -> Any:
    """A value that fits `schema` (the subset tools and examples use); `number` varies the strings."""
    if not isinstance(schema, dict):
        return None
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        return {name: instance(sub, number) for name, sub in (schema.get("properties") or {}).items()}
    if kind == "array":
        return [instance(schema.get("items"), number)]
    if kind == "integer":
        return int(schema.get("minimum", 3))
    if kind == "number":
        return schema.get("minimum", 0.5)
    if kind == "boolean":
        return True
    return CITIES[number % len(CITIES)]


def _functions(call: Call) -> list[dict[str, Any]]:
    tools = _body(call).get("tools")
    return [t["function"] for t in tools or () if isinstance(t, dict) and isinstance(t.get("function"), dict)]


def _chosen(call: Call, functions: list[dict[str, Any]]) -> dict[str, Any]:
    choice = _body(call).get("tool_choice")
    named = choice.get("function", {}).get("name") if isinstance(choice, dict) else None
    return next((f for f in functions if f.get("name") == named), functions[0])


def _calls_reply(call: Call, calls: list[tuple[str, str, str]], finish: str = "tool_calls") -> Reply:
    """(id, name, arguments text) calls: OpenAI's streamed fragments, or one message when not streamed."""
    if not call.request.wants_stream:
        message = {"role": "assistant", "content": None, "tool_calls": [
            {"id": call_id, "type": "function", "function": {"name": name, "arguments": arguments}}
            for call_id, name, arguments in calls]}
        return _completion(call.model_id, message, finish)
    events = [_chunk(call.model_id, {"role": "assistant", "content": None})]
    for index, (call_id, name, arguments) in enumerate(calls):
        events.append(_chunk(call.model_id, {"tool_calls": [{"index": index, "id": call_id, "type": "function",
                                                             "function": {"name": name, "arguments": ""}}]}))
        third = max(1, len(arguments) // 3)
        for start in range(0, len(arguments), third):
            piece = arguments[start:start + third]
            events.append(_chunk(call.model_id, {"tool_calls": [{"index": index, "function": {"arguments": piece}}]}))
    events.append(_chunk(call.model_id, {}, finish, _usage(12 * len(calls))))
    return sse_reply([*map(sse_event, events), sse_event("[DONE]")], PACE)


def _answer_results(call: Call, messages: list[Any]) -> Reply:
    """The turn after the tool messages: a text answer quoting each result beside its call's arguments."""
    assistants = [m for m in messages if isinstance(m, dict) and m.get("role") == "assistant"]
    asked = {c.get("id"): c.get("function", {}) for m in assistants for c in m.get("tool_calls") or ()
             if isinstance(c, dict)}
    lines = []
    for message in messages:
        if isinstance(message, dict) and message.get("role") == "tool":
            function = asked.get(message.get("tool_call_id"), {})
            lines.append(f"{function.get('name', 'unknown call')}({function.get('arguments', '')}) said: "
                         f"{message.get('content')}")
    return _text(call, "Here is what the tools told me. " + " ".join(lines))


def _tool_caller(call: Call) -> Reply:
    messages = _body(call).get("messages") or []
    if messages and isinstance(messages[-1], dict) and messages[-1].get("role") == "tool":
        return _answer_results(call, messages)
    functions = _functions(call)
    if not functions or _body(call).get("tool_choice") == "none":
        return _text(call, "No tool was offered (or tool_choice was none), so I answer in plain text.")
    function = _chosen(call, functions)
    calls = [(f"call_fake_{n}", function["name"], json.dumps(instance(function.get("parameters"), n)))
             for n in range(2)]
    return _calls_reply(call, calls)


def _tool_caller_odd(call: Call) -> Reply:
    """A call to a function nobody defined, and a defined one whose arguments stop short (max tokens)."""
    functions = _functions(call) or [{"name": "get_current_weather", "parameters": {}}]
    calls = [("call_odd_0", "launch_rockets", '{"count": 3}'),
             ("call_odd_1", functions[0]["name"], '{"location": "Par')]
    return _calls_reply(call, calls, finish="length")


def _tool_caller_tgi(call: Call) -> Reply:
    """The recorded TGI 1.4.5 answer, arguments filled from the request's first function."""
    functions = _functions(call)
    if not functions:
        return _text(call, "No tool was offered, so I answer in plain text.")
    arguments = instance(functions[0].get("parameters"))
    tool_call = {"id": 0, "type": "function",
                 "function": {"description": None, "name": functions[0]["name"], "arguments": arguments}}
    if call.request.wants_stream:  # no TGI stream was recorded: the same call, whole, in one delta
        events = [_chunk(call.model_id, {"role": "assistant", "tool_calls": [{**tool_call, "index": 0}]}),
                  _chunk(call.model_id, {"role": "assistant"}, "eos_token", _usage(27))]
        return sse_reply([*map(sse_event, events), sse_event("[DONE]")], PACE)
    return json_reply(200, {"id": "", "object": "text_completion", "created": int(time.time()),
                            "model": call.model_id, "system_fingerprint": "1.4.5-native",
                            "choices": [{"index": 0, "message": {"role": "assistant", "tool_calls": [tool_call]},
                                         "logprobs": None, "finish_reason": "eos_token"}],
                            "usage": {"prompt_tokens": 246, "completion_tokens": 27, "total_tokens": 273}})


def _schema(call: Call) -> dict[str, Any] | None:
    response_format = _body(call).get("response_format")
    spec = response_format.get("json_schema") if isinstance(response_format, dict) else None
    schema = spec.get("schema") if isinstance(spec, dict) else None
    return schema if isinstance(schema, dict) else None


def _json_answers(call: Call) -> Reply:
    schema = _schema(call)
    return _text(call, json.dumps(instance(schema) if schema else PERSON, ensure_ascii=False), pieces=6)


def _broken(schema: dict[str, Any] | None) -> Any:
    """An instance of `schema` that breaks it: its first required property left out, numbers below their
    minimum (or of the wrong type when there is none)."""
    value = instance(schema) if schema else dict(PERSON)
    if not isinstance(value, dict):
        return {"unexpected": value}
    required = (schema or {}).get("required") or ["born"]
    value.pop(required[0], None)
    properties = (schema or {}).get("properties") or {}
    for name, sub in properties.items():
        if name in value and isinstance(sub, dict) and sub.get("type") in ("integer", "number"):
            value[name] = sub["minimum"] - 1 if "minimum" in sub else "many"
    return value


def _json_breaks(call: Call) -> Reply:
    text = "Here you are:\n```json\n" + json.dumps(_broken(_schema(call)), indent=2, ensure_ascii=False) + "\n```"
    return _text(call, text, pieces=6)


def _no_tools(call: Call) -> Reply:
    if _body(call).get("tools"):
        return json_reply(400, NO_TOOLS_ERROR)
    return _text(call, "I can chat, but I cannot call tools.")


TOOL_MODELS: tuple[tuple[str, str, Behaviour], ...] = (
    ("fake/tool-caller", "chat: with tools, two calls in one turn to the chosen (or first) function, streamed "
     "as OpenAI's fragments (finish_reason tool_calls); once sent tool messages, a text answer quoting each "
     "result; no tools or tool_choice none: plain text", _tool_caller),
    ("fake/tool-caller-odd", "chat: calls launch_rockets (not defined) and the first function with "
     "arguments cut short ('{\"location\": \"Par'), finish_reason length", _tool_caller_odd),
    ("fake/tool-caller-tgi", "chat: the recorded TGI 1.4.5 tool call (id 0, arguments as an object, "
     "finish_reason eos_token); streamed, the same call whole in one delta", _tool_caller_tgi),
    ("fake/json-answers", "chat: answers JSON that fits response_format's schema (a person without one), "
     "streamed in 6 pieces", _json_answers),
    ("fake/json-breaks", "chat: answers a ```json fenced block that breaks the schema (first required "
     "property missing, numbers under their minimum)", _json_breaks),
    ("fake/no-tools", "chat: 400 (vLLM's '\"auto\" tool choice requires --enable-auto-tool-choice ...') "
     "when the request has tools; a plain answer otherwise", _no_tools),
)
