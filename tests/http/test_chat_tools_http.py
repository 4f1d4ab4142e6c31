"""Function calling and structured output through `Playground` against the fake HF on real sockets: the
tool loop (two calls in one turn, streamed or not, answered with tool messages, then a text answer that
uses them), what goes on the wire at each step, a call to an undefined function and cut-short arguments,
the recorded TGI shape, a provider that cannot call tools, and JSON answers checked against the schema.
An MCP server's tools go through the same loop.
"""
from __future__ import annotations

import json
from typing import Any

import pytest

from backend import ChatStream, Playground, Sending, load_settings
from backend.chat import (SCHEMA_EXAMPLES, TOOL_EXAMPLE, McpServer, check_answer, parse_tools, response_format,
                          tool_choice_value, tool_messages)
from backend.errors import BadRequest, user_message
from backend.settings import Settings
from tests.fake_hf import FakeHF
from tests.mcp_servers import McpTestServer, demo_server

TOKEN = "hf_toolstest00000000000000000"
QUESTION = [{"role": "user", "content": "What is the weather in Paris and in Tokyo?"}]
TOOLS = parse_tools(TOOL_EXAMPLE)


def ask(hf: FakeHF, model: str, messages: list[dict[str, Any]], stream: bool = True, **params: Any) -> ChatStream:
    pg = Playground(load_settings({"HF_ROUTER_URL": hf.url, "HF_ENDPOINT": hf.url, "PLAYGROUND_POLL_DEADLINE": "20"},
                                  None, read_token_file=False))
    request = pg.build_request(task="chat-completion", model_id=model, inputs={"messages": messages},
                               params={"stream": stream, **params})
    chat = ChatStream.for_request(request)
    for event in pg.run(request, TOKEN):
        assert not (isinstance(event, Sending) and event.attempt > 1), "no retry hides what happened"
        chat.feed(event)
    return chat


@pytest.mark.parametrize("stream", [True, False])
def test_the_tool_loop_runs_until_the_model_answers_in_text(fake: FakeHF, stream: bool) -> None:
    choice = tool_choice_value("get_current_weather", TOOLS)
    first = ask(fake, "fake/tool-caller", QUESTION, stream, tools=TOOLS, tool_choice=choice)
    sent = fake.received[-1].json
    assert sent["tools"] == TOOLS and sent["tool_choice"] == {"type": "function",
                                                              "function": {"name": "get_current_weather"}}
    assert first.error is None and first.finish_reason == "tool_calls" and first.answer == ""
    calls = first.tool_calls
    assert [(c.id, c.name, c.arguments, c.defined, c.arguments_error) for c in calls] == [
        ("call_fake_0", "get_current_weather", {"location": "Paris, France", "format": "celsius"}, True, ""),
        ("call_fake_1", "get_current_weather", {"location": "Tokyo, Japan", "format": "celsius"}, True, "")]
    assert bool(first.raw_events) is stream

    results = {calls[0].id: "18 °C, light rain", calls[1].id: '{"temperature": 24, "sky": "sunny"}'}
    turn = [*QUESTION, first.as_message(), *tool_messages(calls, results)]
    second = ask(fake, "fake/tool-caller", turn, stream, tools=TOOLS)
    wire = fake.received[-1].json["messages"]
    assert wire[1] == {"role": "assistant", "content": "", "tool_calls": [
        {"id": "call_fake_0", "type": "function", "function": {
            "name": "get_current_weather", "arguments": '{"location": "Paris, France", "format": "celsius"}'}},
        {"id": "call_fake_1", "type": "function", "function": {
            "name": "get_current_weather", "arguments": '{"location": "Tokyo, Japan", "format": "celsius"}'}}]}
    assert wire[2:] == [{"role": "tool", "tool_call_id": "call_fake_0", "content": "18 °C, light rain"},
                        {"role": "tool", "tool_call_id": "call_fake_1",
                         "content": '{"temperature": 24, "sky": "sunny"}'}]
    assert second.tool_calls == () and second.finish_reason == "stop"
    assert "said: 18 °C, light rain" in second.answer and '"sky": "sunny"' in second.answer


def test_tool_choice_none_and_no_tools_get_text(fake: FakeHF) -> None:
    assert ask(fake, "fake/tool-caller", QUESTION, tools=TOOLS, tool_choice="none").answer.startswith("No tool")
    plain = ask(fake, "fake/tool-caller", QUESTION, tools=[], tool_choice=tool_choice_value("auto", []))
    assert "tools" not in fake.received[-1].json and "tool_choice" not in fake.received[-1].json
    assert plain.tool_calls == () and plain.as_message()["content"].startswith("No tool")


@pytest.mark.parametrize("stream", [True, False])
def test_an_undefined_function_and_cut_short_arguments_are_flagged(fake: FakeHF, stream: bool) -> None:
    chat = ask(fake, "fake/tool-caller-odd", QUESTION, stream, tools=TOOLS)
    rockets, weather = chat.tool_calls
    assert (rockets.name, rockets.defined, rockets.arguments) == ("launch_rockets", False, {"count": 3})
    assert (weather.defined, weather.arguments, weather.arguments_text) == (True, None, '{"location": "Par')
    assert weather.arguments_error.startswith("The arguments are not valid JSON: Unterminated string")
    assert chat.finish_reason == "length"


@pytest.mark.parametrize("stream", [True, False])
def test_the_recorded_tgi_call_shape_is_read_and_answered(fake: FakeHF, stream: bool) -> None:
    chat = ask(fake, "fake/tool-caller-tgi", QUESTION, stream, tools=TOOLS)
    (call,) = chat.tool_calls
    assert (call.id, call.name, call.arguments) == ("0", "get_current_weather",
                                                    {"location": "Paris, France", "format": "celsius"})
    message = chat.as_message()
    assert message["tool_calls"][0]["id"] == "0" and isinstance(message["tool_calls"][0]["function"]["arguments"],
                                                                 str)
    ask(fake, "fake/tool-caller", [*QUESTION, message, *tool_messages(chat.tool_calls, {"0": "sunny"})], stream)
    assert fake.received[-1].json["messages"][-1] == {"role": "tool", "tool_call_id": "0", "content": "sunny"}


def test_a_provider_that_cannot_call_tools_says_so(fake: FakeHF) -> None:
    chat = ask(fake, "fake/no-tools", QUESTION, tools=TOOLS)
    assert isinstance(chat.error, BadRequest) and chat.error.status == 400
    assert '"auto" tool choice requires --enable-auto-tool-choice' in user_message(chat.error)
    assert ask(fake, "fake/no-tools", QUESTION).answer == "I can chat, but I cannot call tools."


@pytest.mark.parametrize("stream", [True, False])
def test_json_answers_are_checked_against_the_schema(fake: FakeHF, stream: bool) -> None:
    built = response_format(SCHEMA_EXAMPLES["animals seen"], strict=True)
    schema = built["json_schema"]["schema"]
    fits = ask(fake, "fake/json-answers", QUESTION, stream, response_format=built)
    assert fake.received[-1].json["response_format"] == built
    check = check_answer(fits.answer, schema)
    assert check.ok and check.value["animals_seen"] == 1 and check.errors == ()

    breaks = ask(fake, "fake/json-breaks", QUESTION, stream, response_format=built)
    assert breaks.answer.startswith("Here you are:\n```json\n")
    check = check_answer(breaks.answer, schema)
    assert not check.ok and check.value is not None
    assert check.errors == ("$: 'location' is a required property", "$.animals_seen: 0 is less than the minimum of 1")


def test_an_mcp_servers_tools_go_through_the_same_loop(fake: FakeHF) -> None:
    with McpTestServer(demo_server()) as mcp:
        server = McpServer(mcp.url, Settings(mcp_hosts=(mcp.host,)))
        listed = server.list_tools()
        tools = listed.openai_tools()
        first = ask(fake, "fake/tool-caller", QUESTION, tools=tools, tool_choice=tool_choice_value("weather", tools))
        results = {call.id: server.call_tool(listed.find(call.name).name, call.arguments).text
                   for call in first.tool_calls}
    assert list(results.values()) == ["18 °C, light rain", "24 °C, sunny"]
    second = ask(fake, "fake/tool-caller", [*QUESTION, first.as_message(), *tool_messages(first.tool_calls, results)],
                 tools=tools)
    assert 'weather({"city": "Paris, France"}) said: 18 °C, light rain' in second.answer
    assert json.loads(first.as_message()["tool_calls"][1]["function"]["arguments"]) == {"city": "Tokyo, Japan"}
