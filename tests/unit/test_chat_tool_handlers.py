"""The chat's tool handling without sockets: the cards a call makes in the transcript (flags, escaping), the
request parameters the Tools panel makes, results given one by one, MCP servers added and their calls run
(a stand-in for McpServer records what each got), calls allowed once or always, and the schema verdict.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import pytest

from backend.chat import ChatTree, McpResult, McpTool, McpTools, SchemaCheck, TOOL_EXAMPLE
from backend.chat.mcp_target import McpTarget
from backend.errors import ConnectionFailed, InvalidInput, InvalidParameters
from backend.settings import Settings
from components.chat_tools import verdict
from components.handlers.conversation import Conversation, tree_from_messages
from components.handlers.mcp import McpSession, add_server, run_call, servers_note
from components.handlers.tools import (ToolSettings, allow_call, give_result, run_allowed_calls, runnable_now,
                                       waiting_calls, waiting_for)
from tests.ui.conftest import plain

SETTINGS = Settings(hub_url="https://huggingface.co", hf_token="hf_operator")
WEATHER = McpTool("weather", "weather", "Today's weather in a city.\nMore lines.", {"type": "object", "properties": {
    "city": {"type": "string"}}})


@dataclass
class Stub:
    """Stands in for McpServer: lists `tools`, answers calls from `answers`, records what it was given."""

    tools: tuple[McpTool, ...] = (WEATHER,)
    answers: dict[str, McpResult] = field(default_factory=dict)
    made: list[dict[str, Any]] = field(default_factory=list)
    fail: Exception | None = None

    def __call__(self, url: str, settings: Settings, *, token: str | None = None, header: str = "") -> Any:
        kind = "hub" if url == "https://huggingface.co/mcp" else "trusted"
        self.made.append({"url": url, "token": token, "header": header})
        stub = self

        class Server:
            target = McpTarget(url, kind, url.split("/")[2])

            def list_tools(self) -> McpTools:
                if stub.fail:
                    raise stub.fail
                return McpTools(url, stub.tools, len(stub.tools))

            def call_tool(self, name: str, arguments: dict[str, Any]) -> McpResult:
                if stub.fail:
                    raise stub.fail
                stub.made[-1]["called"] = (name, arguments)
                return stub.answers.get(arguments.get("city", ""), McpResult(f"{name} ran"))
        return Server()


def calls(*cities: str, name: str = "weather") -> list[dict[str, Any]]:
    return [{"id": f"call_{n}", "type": "function", "function": {"name": name, "arguments": json.dumps({"city": c})}}
            for n, c in enumerate(cities)]


def asked(*cities: str, hosts: dict[str, str] | None = None, name: str = "weather") -> Conversation:
    tree = ChatTree().append_user("Weather?").append_assistant("", figures={"mcp_calls": hosts or {}},
                                                               tool_calls=calls(*cities, name=name))
    return Conversation(tree)


def titles(conversation: Conversation) -> list[str]:
    return [plain(m["metadata"]["title"]) for m in conversation.transcript if m.get("metadata")]


# -- the transcript ------------------------------------------------------------------------------------
def test_each_call_is_a_card_with_its_arguments_and_flags() -> None:
    tree = ChatTree().append_user("Go").append_assistant("", figures={"undefined_calls": ["call_1"]}, tool_calls=[
        {"id": "call_0", "type": "function", "function": {"name": "get_weather", "arguments": '{"city": "Paris"}'}},
        {"id": "call_1", "type": "function", "function": {"name": "launch", "arguments": '{"count": '}}])
    shown = Conversation(tree).transcript
    cards = [m for m in shown if m.get("metadata", {}).get("title", "").startswith("ƒ")]
    assert [plain(c["metadata"]["title"]) for c in cards] == ["ƒ get_weather · call 1 of 2",
                                                             "ƒ launch · call 2 of 2"]
    assert '"city": "Paris"' in cards[0]["content"] and "Waiting for its result" in plain(cards[0]["content"])
    second = plain(cards[1]["content"])
    assert "The arguments are not valid JSON" in second and "launch is not one of the functions offered" in second


def test_a_name_or_result_with_markup_stays_text() -> None:
    tree = ChatTree().append_user("Go").append_assistant("", tool_calls=calls("x", name="<img src=x onerror=alert(1)>"))
    tree = tree.append_tool("call_0", "<script>alert(1)</script> ![pixel](https://t.example/p.png)")
    text = json.dumps(Conversation(tree).transcript)
    assert "<img" not in text and "<script" not in text and "![" not in text


def test_results_show_under_their_call_with_where_they_came_from() -> None:
    conversation = asked("Paris", hosts={"call_0": "127.0.0.1"})
    tree = conversation.tree.append_tool("call_0", "18 °C", figures={"mcp": "127.0.0.1", "is_error": True,
                                                                      "notes": ["[image image/png, 70 bytes]"]})
    rows = Conversation(tree).transcript
    assert plain(rows[-1]["metadata"]["title"]) == \
        "↩ Result of weather · from the MCP server at 127.0.0.1 · the tool reported an error"
    assert "18 °C" in rows[-1]["content"] and "image/png" in plain(rows[-1]["content"])
    assert "A tool of the MCP server at 127.0.0.1" in plain(Conversation(tree).transcript[1]["content"])


def test_the_schema_check_shows_under_the_answer_and_labels_the_json() -> None:
    tree = ChatTree().append_user("Who?").append_assistant("{}", figures={"schema": {
        "ok": False, "errors": ["$: 'name' is a required property", "$.born: -1 is less than the minimum of 0"]}})
    assert "✗ does not match the schema" in titles(Conversation(tree))
    assert verdict(SchemaCheck(True, {})) == "✓ matches the schema"
    assert verdict(SchemaCheck(False, {}, ("$: a", "$.born: b", "$.born: c", "… and 3 more."))) == \
        "✗ does not match the schema at $, $.born"


def test_a_history_entry_with_a_tool_round_comes_back_whole() -> None:
    messages = [{"role": "user", "content": "Weather?"},
                {"role": "assistant", "content": None, "tool_calls": calls("Paris")},
                {"role": "tool", "tool_call_id": "call_0", "content": "18 °C"}, {"role": "tool", "content": "no id"}]
    tree = tree_from_messages(messages, "Mild.")
    assert [n.role for n in tree.path()] == ["user", "assistant", "tool", "assistant"]
    assert tree.messages_for_request()[1]["tool_calls"] == calls("Paris")


# -- the request ---------------------------------------------------------------------------------------
def test_the_panel_makes_only_the_parameters_that_are_set() -> None:
    assert ToolSettings().params() == {}
    params = ToolSettings(tools=TOOL_EXAMPLE, choice="required", schema='{"type": "object"}', strict=True).params()
    assert [t["function"]["name"] for t in params["tools"]] == ["get_current_weather", "get_n_day_weather_forecast"]
    assert params["tool_choice"] == "required"
    assert params["response_format"] == {"type": "json_schema", "json_schema": {
        "name": "answer", "schema": {"type": "object"}, "strict": True}}


def test_mcp_tools_join_the_box_and_a_clash_or_too_many_is_refused() -> None:
    session = add_server(McpSession(), "http://127.0.0.1:9/mcp", "", None, SETTINGS, Stub())
    assert [t["function"]["name"] for t in ToolSettings(mcp=session).params()["tools"]] == ["weather"]
    clash = json.dumps([{"type": "function", "function": {"name": "weather"}}])
    with pytest.raises(InvalidParameters, match=r"tools\[0\].function.name: 'weather' is also a tool of the MCP "
                                                r"server at 127.0.0.1:9"):
        ToolSettings(tools=clash, mcp=session).params()
    many = tuple(McpTool(f"t{n}", f"t{n}", "", {"type": "object"}) for n in range(128))
    crowded = add_server(McpSession(), "http://127.0.0.1:9/mcp", "", None, SETTINGS, Stub(tools=many))
    with pytest.raises(InvalidParameters, match="2 in the box and 128 from MCP servers make 130"):
        ToolSettings(tools=TOOL_EXAMPLE, mcp=crowded).params()


# -- MCP servers ---------------------------------------------------------------------------------------
def test_only_hugging_faces_server_gets_the_hf_token_and_others_keep_their_header() -> None:
    stub = Stub()
    hub = add_server(McpSession(), "https://huggingface.co/mcp", "X-Key: typed", "hf_visitor", SETTINGS, stub)
    other = add_server(hub, "http://127.0.0.1:9/mcp", "X-Key: typed", "hf_visitor", SETTINGS, stub)
    assert [e.header for e in other.servers] == ["", "X-Key: typed"] and other.servers[0].gets_hf_token
    assert "typed" not in repr(other)
    note = plain(servers_note(other)).replace("**", "")
    assert "huggingface.co · 1 tool offered · gets your Hugging Face token" in note
    assert "127.0.0.1:9 · 1 tool offered · gets the header you typed" in note
    assert "weather: Today's weather in a city." in note and "More lines" not in note

    found = other.find("weather")
    assert found is not None and found[0].url == "https://huggingface.co/mcp"  # the first server that has it
    entry = other.servers[1]
    run_call(entry, WEATHER, waiting_calls(asked("Paris").tree)[0], "hf_visitor", SETTINGS, stub)
    assert stub.made[-1] == {"url": "http://127.0.0.1:9/mcp", "token": None, "header": "X-Key: typed",
                             "called": ("weather", {"city": "Paris"})}


def test_a_server_that_cannot_be_listed_adds_nothing() -> None:
    with pytest.raises(ConnectionFailed):
        add_server(McpSession(), "http://127.0.0.1:9/mcp", "", None, SETTINGS, Stub(fail=ConnectionFailed("down")))
    with pytest.raises(InvalidInput, match="Enter the MCP server's URL first"):
        add_server(McpSession(), "  ", "", None, SETTINGS, Stub())


# -- answering calls -----------------------------------------------------------------------------------
def test_results_are_given_in_order_and_the_answer_is_asked_after_the_last() -> None:
    conversation, session = asked("Paris", "Tokyo"), McpSession()
    with pytest.raises(InvalidInput, match="Type the result of weather first"):
        give_result(conversation, session, " ")
    once = give_result(conversation, session, "18 °C")
    assert once.pending == "" and (waiting_for(once).number, waiting_for(once).count) == (2, 2)
    twice = give_result(once, session, "24 °C")
    assert twice.pending == "answer" and waiting_for(twice).call is None
    with pytest.raises(InvalidInput, match="No tool call is waiting"):
        give_result(twice, session, "more")
    with pytest.raises(InvalidInput, match="not an MCP server's tool"):
        allow_call(conversation, session, always=False)


def test_mcp_calls_run_once_allowed_or_always_and_a_failing_server_keeps_what_ran() -> None:
    stub = Stub(answers={"Paris": McpResult("18 °C"), "Tokyo": McpResult("24 °C")})
    session = add_server(McpSession(), "http://127.0.0.1:9/mcp", "", None, SETTINGS, stub)
    conversation = asked("Paris", "Tokyo", hosts={"call_0": "127.0.0.1:9", "call_1": "127.0.0.1:9"})
    assert waiting_for(conversation, session).server is session.servers[0] and not runnable_now(conversation, session)

    allowed, session = allow_call(conversation, session, always=False)
    steps = list(run_allowed_calls(allowed, session, None, SETTINGS, stub))
    assert [doing for doing, _ in steps] == ["Running weather on the MCP server at 127.0.0.1:9…", ""]
    ran = steps[-1][1]
    assert [(n.tool_call_id, n.text, dict(n.figures)) for n in ran.tree.path()[2:]] == [
        ("call_0", "18 °C", {"mcp": "127.0.0.1:9"})]
    assert ran.allowed_calls == () and waiting_for(ran).number == 2, "once: the next call asks again"

    always, session = allow_call(ran, session, always=True)
    assert runnable_now(always, session)
    done = list(run_allowed_calls(always, session, None, SETTINGS, stub))[-1][1]
    assert done.tree.unanswered_calls() == () and done.pending == "answer"

    stub.fail = ConnectionFailed("the server went away")
    with pytest.raises(ConnectionFailed):
        list(run_allowed_calls(always, session, None, SETTINGS, stub))
