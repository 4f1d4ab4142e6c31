"""Function calling without sockets: the tools box checked with errors that name the path, tool_choice,
calls assembled from stream deltas (OpenAI's fragments, TGI's recorded whole calls, odd providers), what
ChatStream sends back, the tool messages, and which providers say they support tools or schemas.
"""
from __future__ import annotations

import json
from typing import Any

import pytest

from backend.chat import (TOOL_EXAMPLE, ChatStream, ToolCall, ToolCallAssembler, parse_tools, provider_support,
                          tool_choice_value, tool_messages, tool_result_message)
from backend.chat_providers import parse_router_models
from backend.errors import InvalidInput, InvalidParameters
from backend.polling import Finished, Sending, Streaming
from backend.result import InferenceRequest, InferenceResult
from backend.sse import SSEEvent

CHAT_URL = "https://router.huggingface.co/v1/chat/completions"
WEATHER = {"type": "function", "function": {"name": "get_weather", "parameters": {
    "type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}}


def tools_text(*tools: Any) -> str:
    return json.dumps(list(tools))


# -- the tools box ---------------------------------------------------------------------------------
def test_the_example_parses_and_a_blank_box_means_no_tools() -> None:
    tools = parse_tools(TOOL_EXAMPLE)
    assert [t["function"]["name"] for t in tools] == ["get_current_weather", "get_n_day_weather_forecast"]
    assert parse_tools("") == [] and parse_tools("  \n ") == []


@pytest.mark.parametrize("text, message", [
    ("[{", "tools: not valid JSON: Expecting property name enclosed in double quotes (line 1, column 3)."),
    (json.dumps(WEATHER), "tools: must be a JSON array of tools: wrap the object in [ ]."),
    ('"get_weather"', "tools: must be a JSON array of tool objects."),
    ("[1]", 'tools[0]: must be an object like {"type": "function", "function": {...}}.'),
    (tools_text({"type": "tool", "function": {"name": "a"}}), 'tools[0].type: must be "function" (got "tool").'),
    (tools_text({"function": {"name": "a"}}), 'tools[0].type: must be "function" (got null).'),
    (tools_text({"type": "function", "function": {"name": "a"}, "extra": 1}),
     "tools[0]: unknown key 'extra' (expected type, function)."),
    (tools_text({"type": "function"}), "tools[0].function: must be an object with at least a name."),
    (tools_text(WEATHER, {"type": "function", "function": {"name": "get weather"}}),
     "tools[1].function.name: \"get weather\" must be 1-64 letters, digits, '_' or '-'."),
    (tools_text({"type": "function", "function": {"name": "x" * 65}}), "tools[0].function.name: \"xxxx"),
    (tools_text({"type": "function", "function": {"description": "no name"}}),
     "tools[0].function.name: null must be 1-64 letters, digits, '_' or '-'."),
    (tools_text({"type": "function", "function": {"name": "a", "paramters": {}}}),
     "tools[0].function: unknown key 'paramters' (expected name, description, parameters, strict)."),
    (tools_text({"type": "function", "function": {"name": "a", "description": 3}}),
     "tools[0].function.description: must be text."),
    (tools_text({"type": "function", "function": {"name": "a", "strict": "yes"}}),
     "tools[0].function.strict: must be true or false."),
    (tools_text({"type": "function", "function": {"name": "a", "parameters": []}}),
     "tools[0].function.parameters: must be a JSON Schema object describing the arguments."),
    (tools_text({"type": "function", "function": {"name": "a", "parameters": {"type": "string"}}}),
     'tools[0].function.parameters.type: must be "object": the arguments are a JSON object (got "string").'),
    (tools_text(WEATHER, {"type": "function", "function": {"name": "b", "parameters": {
        "type": "object", "properties": {"n": {"type": "integer", "minimum": "1"}}}}}),
     "tools[1].function.parameters.properties.n.minimum: '1' is not of type 'number'."),
    (tools_text({"type": "function", "function": {"name": "a", "parameters": {
        "type": "object", "properties": {"n": {"type": "int"}}}}}),
     "tools[0].function.parameters.properties.n.type: 'int' is not a JSON Schema type"),
    (tools_text(WEATHER, WEATHER), "tools[1].function.name: 'get_weather' is already defined by tools[0]."),
    (json.dumps([{"type": "function", "function": {"name": f"f{n}"}} for n in range(129)]),
     "tools: 129 tools; at most 128 may be sent."),
])
def test_a_bad_tools_box_is_refused_naming_the_path(text: str, message: str) -> None:
    with pytest.raises(InvalidParameters) as caught:
        parse_tools(text)
    assert str(caught.value).startswith(message)
    assert caught.value.details["field"] == "tools"


@pytest.mark.parametrize("choice, tools, expected", [
    ("auto", [WEATHER], "auto"),
    ("none", [WEATHER], "none"),
    ("required", [WEATHER], "required"),
    ("", [WEATHER], None),
    ("get_weather", [WEATHER], {"type": "function", "function": {"name": "get_weather"}}),
    ("auto", [], None),
    ("none", None, None),
])
def test_tool_choice_values(choice: str, tools: list | None, expected: Any) -> None:
    assert tool_choice_value(choice, tools) == expected


@pytest.mark.parametrize("choice, tools, message", [
    ("get_time", [WEATHER], "tool_choice: 'get_time' is not one of the tools (get_weather), nor auto, none or"),
    ("required", [], "tool_choice: 'required' needs at least one tool in the tools box."),
    ("get_weather", None, "tool_choice: 'get_weather' needs at least one tool"),
])
def test_a_tool_choice_naming_no_tool_is_refused(choice: str, tools: list | None, message: str) -> None:
    with pytest.raises(InvalidParameters, match="^" + message.replace("(", r"\(").replace(")", r"\)")):
        tool_choice_value(choice, tools)


# -- calls assembled from deltas -------------------------------------------------------------------
def fragment(index: int | None = None, call_id: Any = None, name: str | None = None,
             arguments: Any = None) -> dict[str, Any]:
    entry: dict[str, Any] = {"function": {}}
    if index is not None:
        entry["index"] = index
    if call_id is not None:
        entry.update(id=call_id, type="function")
    if name is not None:
        entry["function"]["name"] = name
    if arguments is not None:
        entry["function"]["arguments"] = arguments
    return entry


def assemble(*deltas: list[dict[str, Any]] | None, defined: frozenset[str] | None = None) -> tuple[ToolCall, ...]:
    assembler = ToolCallAssembler()
    for delta in deltas:
        assembler.feed(delta)
    return assembler.calls(defined)


def test_two_calls_interleaved_by_index_are_put_back_together() -> None:
    calls = assemble([fragment(0, "call_a", "get_weather", "")], [fragment(1, "call_b", "get_weather", "")],
                     [fragment(0, arguments='{"ci')], [fragment(1, arguments='{"city": "Tok')],
                     [fragment(0, arguments='ty": "Paris"}')], [fragment(1, arguments='yo"}')],
                     defined=frozenset({"get_weather"}))
    assert [(c.index, c.id, c.name, c.arguments, c.arguments_error, c.defined) for c in calls] == [
        (0, "call_a", "get_weather", {"city": "Paris"}, "", True),
        (1, "call_b", "get_weather", {"city": "Tokyo"}, "", True)]
    assert calls[0].pretty_arguments == '{\n  "city": "Paris"\n}'
    assert calls[1].as_openai() == {"id": "call_b", "type": "function",
                                    "function": {"name": "get_weather", "arguments": '{"city": "Tokyo"}'}}


def test_the_recorded_tgi_call_with_an_integer_id_and_object_arguments() -> None:
    # huggingface_hub's cassette test_chat_completion_with_tool (TGI 1.4.5), as it came.
    recorded = [{"id": 0, "type": "function", "function": {"description": None, "name": "get_n_day_weather_forecast",
                                                           "arguments": {"format": "fahrenheit",
                                                                         "location": "San Francisco, CA",
                                                                         "num_days": 3}}}]
    (call,) = assemble(recorded)
    assert (call.id, call.name, call.defined) == ("0", "get_n_day_weather_forecast", True)  # no tools known
    assert call.arguments == {"format": "fahrenheit", "location": "San Francisco, CA", "num_days": 3}
    assert json.loads(call.as_openai()["function"]["arguments"]) == call.arguments


def test_null_and_empty_tool_calls_on_ordinary_chunks_are_nothing() -> None:
    assembler = ToolCallAssembler()  # huggingface.js's together tapes: "tool_calls": null, and [] in messages
    assert assembler.feed(None) is False and assembler.feed([]) is False and not assembler
    assert assembler.calls() == ()


def test_odd_providers_a_repeated_name_no_index_and_no_id() -> None:
    repeated = assemble([fragment(0, "", "add", '{"a": ')], [fragment(0, "", "add", "1}")])
    assert [(c.id, c.name, c.arguments) for c in repeated] == [("call_0", "add", {"a": 1})]
    unindexed = assemble([fragment(None, "c1", "add", '{"a": 1}')], [fragment(None, "c2", "sub", '{"b": 2}')])
    assert [(c.id, c.name, c.index) for c in unindexed] == [("c1", "add", 0), ("c2", "sub", 1)]
    doubled = assemble([fragment(0, 0, "add", "{}"), fragment(1, 0, "add", "{}")])
    assert [c.id for c in doubled] == ["0", "0_1"]  # each answer must name its own call


@pytest.mark.parametrize("arguments, parsed, error", [
    ("", {}, ""),
    ('{"location": "Par', None, "The arguments are not valid JSON: Unterminated string starting at (line 1, "
                                "column 14)."),
    ("[1, 2]", None, "The arguments are JSON but not an object, which a function call needs."),
    ("not json", None, "The arguments are not valid JSON: Expecting value (line 1, column 1)."),
])
def test_arguments_that_are_not_a_json_object_are_flagged(arguments: str, parsed: Any, error: str) -> None:
    (call,) = assemble([fragment(0, "c", "f", arguments)])
    assert (call.arguments, call.arguments_error) == (parsed, error)
    assert call.pretty_arguments == (arguments if parsed is None else "{}")
    assert call.as_openai()["function"]["arguments"] == (arguments or "{}")


def test_a_call_to_a_function_not_defined_is_marked() -> None:
    calls = assemble([fragment(0, "a", "launch_rockets", "{}"), fragment(1, "b", "get_weather", "{}")],
                     defined=frozenset({"get_weather"}))
    assert [c.defined for c in calls] == [False, True]


# -- ChatStream -----------------------------------------------------------------------------------
def streaming(delta: dict[str, Any], finish: str | None = None) -> Streaming:
    data = {"id": "c1", "object": "chat.completion.chunk", "created": 7, "model": "m",
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}
    return Streaming(SSEEvent(data=json.dumps(data), json=data))


def request_with(tools: list[dict[str, Any]]) -> InferenceRequest:
    return InferenceRequest("POST", CHAT_URL, json_body={"model": "m", "messages": [], "tools": tools, "stream": True})


def test_chat_stream_exposes_the_calls_and_sends_them_back() -> None:
    request = request_with([WEATHER])
    chat = ChatStream.for_request(request)
    assert chat.feed(Sending(1, 0.0)) is False
    assert chat.feed(streaming({"role": "assistant", "content": None})) is False
    assert chat.feed(streaming({"tool_calls": [fragment(0, "call_1", "get_weather", "")]})) is True
    assert chat.feed(streaming({"tool_calls": [fragment(0, arguments='{"city": "Paris"}')]})) is True
    assert chat.feed(streaming({"tool_calls": [fragment(1, "call_2", "launch", "{}")]})) is True
    chat.feed(streaming({}, "tool_calls"))
    chat.feed(Finished(InferenceResult(request, 200, content_type="text/event-stream")))
    assert [(c.name, c.arguments, c.defined) for c in chat.tool_calls] == [
        ("get_weather", {"city": "Paris"}, True), ("launch", {}, False)]
    sent = [{"id": "call_1", "type": "function", "function": {"name": "get_weather", "arguments": '{"city": "Paris"}'}},
            {"id": "call_2", "type": "function", "function": {"name": "launch", "arguments": "{}"}}]
    assert chat.as_message() == {"role": "assistant", "content": "", "tool_calls": sent}
    assert chat.to_openai()["choices"][0] == {"index": 0, "finish_reason": "tool_calls",
                                              "message": {"role": "assistant", "content": "", "tool_calls": sent}}


def test_a_whole_message_with_tool_calls_and_a_retry_that_starts_afresh() -> None:
    request = request_with([WEATHER])
    body = {"object": "chat.completion", "choices": [{"index": 0, "finish_reason": "tool_calls", "message": {
        "role": "assistant", "content": None, "tool_calls": [
            {"id": "x", "type": "function", "function": {"name": "get_weather", "arguments": '{"city": "Oslo"}'}}]}}]}
    chat = ChatStream(requested_model="m")
    chat.feed(streaming({"tool_calls": [fragment(0, "stale", "get_weather", "{")]}))
    chat.feed(Sending(2, 0.0))  # the retried attempt forgets the broken one
    chat.feed(Finished(InferenceResult(request, 200, content_type="application/json", body=json.dumps(body).encode())))
    assert [(c.id, c.arguments, c.defined) for c in chat.tool_calls] == [("x", {"city": "Oslo"}, True)]


def test_an_answer_without_calls_keeps_its_plain_message() -> None:
    chat = ChatStream(requested_model="m")
    chat.feed(streaming({"role": "assistant", "content": "Hello", "tool_calls": None}))
    assert chat.tool_calls == () and chat.as_message() == {"role": "assistant", "content": "Hello"}
    assert "tool_calls" not in chat.to_openai()["choices"][0]["message"]


# -- the answers ------------------------------------------------------------------------------------
def test_tool_messages_answer_every_call_in_order() -> None:
    calls = assemble([fragment(0, "a", "f", "{}"), fragment(1, "b", "g", "{}")])
    assert tool_messages(calls, {"b": "not json at all", "a": '{"ok": true}'}) == [
        {"role": "tool", "tool_call_id": "a", "content": '{"ok": true}'},
        {"role": "tool", "tool_call_id": "b", "content": "not json at all"}]
    assert tool_result_message("a", {"t": 1}) == {"role": "tool", "tool_call_id": "a", "content": '{"t": 1}'}
    with pytest.raises(InvalidInput, match=r"g \(b\) has no result yet"):
        tool_messages(calls, {"a": "1"})
    with pytest.raises(InvalidInput):
        tool_result_message("", "x")


# -- which providers can ---------------------------------------------------------------------------
def entry(name: str, tools: bool | None, schema: bool | None, throughput: float, price: float,
          status: str = "live") -> dict[str, Any]:
    flags = {key: value for key, value in (("supports_tools", tools), ("supports_structured_output", schema))
             if value is not None}
    return {"provider": name, "status": status, "throughput": throughput, "pricing": {"input": 0.1, "output": price},
            **flags}


MODEL = parse_router_models({"data": [{"id": "org/m", "providers": [
    entry("fast", False, True, 300, 0.9), entry("able", True, True, 120, 0.5), entry("cheap", True, False, 80, 0.1),
    entry("quiet", None, None, 50, 0.05), entry("down", True, True, 900, 0.01, "error")]}]})["org/m"]


@pytest.mark.parametrize("provider, tools, schema, warning, suggested", [
    ("fast", False, False, None, None),
    ("able", True, True, None, None),
    ("fast", True, False, "fast does not support tools for org/m. Providers that do: able, cheap.", None),
    ("cheap", True, True, "cheap does not support structured output for org/m. Providers that do: able.", None),
    ("quiet", True, True, None, None),  # says nothing either way: no warning
    ("auto", True, False, "auto may pick fast, which does not support tools for org/m; able does.", "able"),
    ("", True, False, "auto may pick fast, which does not support tools for org/m; able does.", "able"),
    ("fastest", False, True, None, "fast"),
    ("cheapest", True, False, None, "cheap"),
    ("cheapest", True, True, None, "able"),  # quiet is cheaper, and says nothing either way
    ("preferred", True, True, "preferred follows your own order of providers, and some of org/m's lack what is "
                              "set (fast: tools; cheap: structured output); able has it.", "able"),
    ("preferred", False, True, "preferred follows your own order of providers, and some of org/m's lack what is "
                               "set (cheap: structured output); fast has it.", "fast"),
])
def test_provider_support_warns_and_suggests(provider: str, tools: bool, schema: bool, warning: str | None,
                                             suggested: str | None) -> None:
    check = provider_support(MODEL, provider, tools=tools, schema=schema)
    assert (check.warning, check.suggested) == (warning, suggested)


def test_provider_support_with_no_able_provider_or_no_catalog_entry() -> None:
    none_able = parse_router_models({"data": [{"id": "org/n", "providers": [entry("a", False, None, 1, 1)]}]})
    assert provider_support(none_able["org/n"], "auto", tools=True, schema=False).warning == \
        "None of org/n's providers says it supports tools."
    assert provider_support(None, "groq", tools=True, schema=True).warning is None
    assert provider_support(MODEL, "unknown-provider", tools=True, schema=True).warning is None
