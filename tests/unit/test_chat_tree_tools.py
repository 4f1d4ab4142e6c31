"""A function-calling round in the conversation tree: the assistant's calls and one `tool` message per call
are nodes of the path, sent exactly as shown; the calls still waiting for a result are named; a tool
result edited keeps the call it answers; the JSON keeps them (version 2) and refuses them malformed. Pure.
"""
from __future__ import annotations

import json
from typing import Any

import pytest

from backend.chat import ChatTree, tree_from_json, tree_to_json
from backend.errors import InvalidInput

CALLS = [{"id": f"call_{n}", "type": "function",
          "function": {"name": "get_weather", "arguments": json.dumps({"city": city})}}
         for n, city in enumerate(("Paris", "Tokyo"))]


def asked() -> ChatTree:
    return ChatTree().append_user("Weather in Paris and Tokyo?").append_assistant("", tool_calls=CALLS)


def test_the_round_is_sent_as_the_path_shows_it() -> None:
    tree = asked().append_tool("call_0", "18 °C").append_tool("call_1", "24 °C").append_assistant("Both mild.")
    assert tree.messages_for_request() == [
        {"role": "user", "content": "Weather in Paris and Tokyo?"},
        {"role": "assistant", "content": "", "tool_calls": CALLS},
        {"role": "tool", "content": "18 °C", "tool_call_id": "call_0"},
        {"role": "tool", "content": "24 °C", "tool_call_id": "call_1"},
        {"role": "assistant", "content": "Both mild."}]


def test_the_calls_waiting_for_a_result_are_named_in_order() -> None:
    assert ChatTree().unanswered_calls() == () and ChatTree().append_user("hi").unanswered_calls() == ()
    assert [c["id"] for c in asked().unanswered_calls()] == ["call_0", "call_1"]
    assert [c["id"] for c in asked().append_tool("call_0", "18 °C").unanswered_calls()] == ["call_1"]
    done = asked().append_tool("call_0", "18 °C").append_tool("call_1", "24 °C")
    assert done.unanswered_calls() == () and done.append_assistant("Mild.").unanswered_calls() == ()


def test_an_edited_result_keeps_its_call_and_the_later_results_wait_again() -> None:
    tree = asked().append_tool("call_0", "18 °C").append_tool("call_1", "24 °C")
    first = tree.path()[2]
    edited = tree.edit(first, "19 °C")
    assert edited.last.tool_call_id == "call_0" and edited.alternatives(edited.last) == (1, 2)
    assert [c["id"] for c in edited.unanswered_calls()] == ["call_1"]


def test_calls_are_written_into_the_streamed_answer_at_the_end() -> None:
    tree = ChatTree().append_user("Weather?").append_assistant("")
    tree = tree.update(tree.last, content="", tool_calls=CALLS[:1])
    assert tree.last.tool_calls == tuple(CALLS[:1]) and len(tree.unanswered_calls()) == 1


@pytest.mark.parametrize("build, says", [
    (lambda: ChatTree().append("tool", "x"), "tool_call_id"),
    (lambda: ChatTree().append("user", "x", tool_call_id="call_0"), "tool_call_id"),
    (lambda: ChatTree().append("user", "x", tool_calls=CALLS), "Only an assistant"),
    (lambda: ChatTree().append("assistant", "", tool_calls=[{"id": "c", "function": {"name": "f"}}]), "arguments"),
])
def test_a_malformed_round_is_refused(build: Any, says: str) -> None:
    with pytest.raises(ValueError, match=says):
        build()


def test_a_tool_round_round_trips_as_version_2_and_a_plain_tree_stays_version_1() -> None:
    tree = asked().append_tool("call_0", "18 °C", figures={"mcp": "127.0.0.1"})
    stored = json.loads(json.dumps(tree_to_json(tree)))
    assert stored["version"] == 2 and stored["messages"][1]["tool_calls"] == CALLS
    assert stored["messages"][2]["tool_call_id"] == "call_0"
    loaded = tree_from_json(stored)
    assert tree_to_json(loaded) == stored and loaded.messages_for_request() == tree.messages_for_request()
    assert tree_to_json(ChatTree().append_user("hi"))["version"] == 1


def stored_round(**changes: Any) -> dict[str, Any]:
    data = tree_to_json(asked().append_tool("call_0", "18 °C"))
    for index, entry in changes.items():
        data["messages"][int(index[1:])].update(entry)
    return data


@pytest.mark.parametrize("data, says", [
    ({**stored_round(), "version": 1}, "Message 2 .* is not an object with"),
    (stored_round(m2={"tool_call_id": ""}), "Message 3 .*: a tool message, and only one, names the call"),
    (stored_round(m0={"tool_call_id": "call_0"}), "Message 1 .*: a tool message, and only one"),
    (stored_round(m0={"tool_calls": CALLS}), "Message 1 .* has tool_calls that are not an assistant's"),
    (stored_round(m1={"tool_calls": [{"id": "c", "type": "function", "function": {"name": "f", "arguments": {}}}]}),
     "Message 2 .* has tool_calls"),
    (stored_round(m1={"tool_calls": "call_0"}), "Message 2 .* has tool_calls"),
])
def test_a_stored_round_of_another_shape_is_refused(data: dict[str, Any], says: str) -> None:
    with pytest.raises(InvalidInput, match=says):
        tree_from_json(data)
