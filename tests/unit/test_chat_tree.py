"""The conversation tree: edits and regenerations kept as alternatives (‹ i/n ›), switching, undo and
delete, the request being exactly the shown path with earlier thinking stripped, immutability with
shared structure, and the strict JSON round trip. Pure.
"""
from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from backend.chat import ChatTree, tree_from_json, tree_to_json
from backend.errors import InvalidInput

IMAGE = [{"type": "text", "text": "What is this?"},
         {"type": "image_url", "image_url": {"url": "data:image/png;base64,AA=="}}]


def chat(*turns: str) -> ChatTree:
    """A tree of alternating user / assistant messages."""
    tree = ChatTree()
    for number, text in enumerate(turns):
        tree = tree.append_user(text) if number % 2 == 0 else tree.append_assistant(text)
    return tree


def texts(tree: ChatTree) -> list[str]:
    return [node.text for node in tree.path()]


def test_the_request_is_the_shown_path_after_the_system_prompt() -> None:
    tree = chat("Hi", "Hello!", "How are you?")
    assert tree.messages_for_request("Be brief.") == [
        {"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"},
        {"role": "assistant", "content": "Hello!"}, {"role": "user", "content": "How are you?"}]
    assert tree.messages_for_request("  \n")[0] == {"role": "user", "content": "Hi"}
    assert ChatTree().path() == () and ChatTree().messages_for_request() == [] and ChatTree().last is None


def test_editing_a_user_message_keeps_the_original_branch_as_an_alternative() -> None:
    tree = chat("2+2?", "4", "and 3+3?", "6")
    first = tree.path()[0]
    edited = tree.edit(first.id, "2+3?")
    assert texts(edited) == ["2+3?"]  # the caller asks for the answer below it
    assert edited.alternatives(edited.path()[0]) == (1, 2)
    back = edited.switch(edited.path()[0].id, 0)
    assert texts(back) == ["2+2?", "4", "and 3+3?", "6"]  # the original keeps its whole branch
    answered = edited.append_assistant("5")
    assert texts(answered.switch(answered.path()[0], 0).switch("m1", 1)) == ["2+3?", "5"]  # each branch its own


def test_regenerating_the_last_answer_asks_with_the_path_before_it_and_adds_a_sibling() -> None:
    tree = chat("Name a colour.", "Red.")
    answer = tree.path()[-1]
    assert tree.messages_for_request(before=answer) == [{"role": "user", "content": "Name a colour."}]
    again = tree.regenerate(answer, "Blue.", figures={"tokens_per_second": 41.5, "model": "org/m"})
    assert texts(again) == ["Name a colour.", "Blue."] and again.alternatives(again.last) == (1, 2)  # ‹ 2/2 ›
    assert dict(again.last.figures) == {"tokens_per_second": 41.5, "model": "org/m"}
    assert texts(again.switch(again.last, 0)) == ["Name a colour.", "Red."]
    with pytest.raises(ValueError, match="Only an answer"):
        again.regenerate(again.path()[0], "x")


def test_regenerating_from_a_middle_answer_leaves_the_later_turns_on_the_old_branch() -> None:
    tree = chat("a", "A", "b", "B")
    again = tree.regenerate(tree.path()[1], "A2")
    assert texts(again) == ["a", "A2"]
    assert texts(again.switch(again.path()[1], 0)) == ["a", "A", "b", "B"]


def test_an_edited_assistant_message_is_a_prefill_sent_as_written_while_earlier_thinking_is_stripped() -> None:
    tree = chat("Q1").append_assistant("<think>hidden</think>\n\nA1", reasoning="also hidden").append_user("Q2")
    tree = tree.append_assistant("draft")
    prefill = tree.edit(tree.last, "<think>\nLet me answer in French.")
    assert prefill.messages_for_request() == [
        {"role": "user", "content": "Q1"}, {"role": "assistant", "content": "A1"},
        {"role": "user", "content": "Q2"}, {"role": "assistant", "content": "<think>\nLet me answer in French."}]


def test_keep_reasoning_sends_it_back_as_reasoning_content_the_chat_ui_way() -> None:
    tree = chat("Q1").append_assistant("<think>inline</think>A1", reasoning="field").append_user("Q2")
    assert tree.messages_for_request(keep_reasoning=True)[1] == {
        "role": "assistant", "content": "A1", "reasoning_content": "field\n\ninline"}
    assert "reasoning_content" not in chat("Q", "A", "Q2").messages_for_request(keep_reasoning=True)[1]


def test_undo_drops_the_last_turn_shown() -> None:
    assert texts(chat("a", "A", "b", "B").undo()) == ["a", "A"]
    assert texts(chat("a", "A", "b").undo()) == ["a", "A"]  # a question not answered yet
    assert ChatTree().undo().path() == ()
    assistant_first = ChatTree().append_assistant("How can I help?")
    assert assistant_first.undo().path() == ()


def test_delete_removes_what_follows_and_shows_a_sibling_if_there_is_one() -> None:
    tree = chat("a", "A", "b", "B")
    assert texts(tree.delete(tree.path()[1])) == ["a"]
    three = tree.regenerate(tree.path()[1], "A2").regenerate("m5", "A3")
    assert three.alternatives("m6") == (2, 3)
    after = three.delete("m6")
    assert texts(after) == ["a", "A2"] and after.alternatives("m5") == (1, 2)
    assert texts(after.delete("m5")) == ["a", "A", "b", "B"]
    assert texts(after.delete("m5").delete("m2")) == ["a"]


def test_operations_leave_the_old_tree_alone_and_share_what_they_did_not_touch() -> None:
    tree = chat("a", "A", "b", "B")
    branched = tree.regenerate(tree.path()[1], "A2")
    old_branch = branched.root.children[0].children[0]  # "A" and everything under it, not shown now
    grown = branched.append_user("c").append_assistant("C")
    assert texts(tree) == ["a", "A", "b", "B"] and texts(branched) == ["a", "A2"]
    assert grown.root.children[0].children[0] is old_branch  # not copied
    assert grown.path()[0] is not branched.path()[0]  # the path to the change is


def test_a_message_not_shown_cannot_be_addressed() -> None:
    tree = chat("a", "A").regenerate("m2", "A2")
    with pytest.raises(ValueError, match="not in the conversation shown"):
        tree.edit("m2", "x")
    with pytest.raises(ValueError, match="2 alternatives"):
        tree.switch("m3", 2)
    with pytest.raises(ValueError, match="role"):
        tree.append("tool", "x")


def test_content_parts_are_copied_in_and_out() -> None:
    parts = copy.deepcopy(IMAGE)
    tree = ChatTree().append_user(parts)
    parts[0]["text"] = "changed after"
    sent = tree.messages_for_request()
    assert sent[0]["content"] == IMAGE and tree.path()[0].text == "What is this?"
    sent[0]["content"][0]["text"] = "changed in the request"
    assert tree.messages_for_request()[0]["content"] == IMAGE


def test_update_changes_a_message_in_place_without_an_alternative() -> None:
    tree = chat("a", "A")
    streamed = tree.update(tree.last, content="A, streamed", reasoning="r", figures={"thinking_seconds": 4.2})
    assert texts(streamed) == ["a", "A, streamed"] and streamed.alternatives(streamed.last) == (0, 1)
    assert (streamed.last.reasoning, dict(streamed.last.figures)) == ("r", {"thinking_seconds": 4.2})


# -- JSON -------------------------------------------------------------------------------------------------

def test_the_whole_tree_round_trips_through_json_text() -> None:
    tree = chat("a").append_assistant("A", reasoning="thought", figures={"model": "org/m", "tps": 12.5})
    tree = tree.regenerate(tree.last, "A2").append_user(IMAGE).edit("m1", "a2").switch("m5", 0)
    stored = json.loads(json.dumps(tree_to_json(tree)))
    loaded = tree_from_json(stored)
    assert tree_to_json(loaded) == stored and texts(loaded) == texts(tree)
    assert loaded.alternatives(loaded.path()[1]) == (1, 2)
    assert loaded.append_user("next").last.id == "m6"  # ids go on where they stopped


def test_a_long_conversation_nests_no_deeper_in_json() -> None:
    stored = tree_to_json(chat(*(f"turn {i}" for i in range(40))))
    assert all(set(entry) <= {"id", "parent", "role", "content", "shown"} for entry in stored["messages"])
    deep = {**stored, "messages": [{"id": f"m{i}", "parent": f"m{i - 1}" if i > 1 else None,
                                    "role": "user" if i % 2 else "assistant", "content": "x", "shown": 0}
                                   for i in range(1, 5001)], "next_id": 5001}
    tree = tree_from_json(deep)  # 5,000 deep: no recursion anywhere
    assert len(tree.path()) == 5000 and len(tree.messages_for_request()) == 5000
    assert tree_to_json(tree.append_user("more"))["messages"][-1]["parent"] == "m5000"


def good() -> dict[str, Any]:
    return tree_to_json(chat("a", "A"))


def changed(**entry: Any) -> dict[str, Any]:
    data = good()
    data["messages"][1].update(entry)
    return data


@pytest.mark.parametrize("data, says", [
    (None, "not a saved conversation"),
    ({"format": "something-else", "version": 1}, "not a saved conversation"),
    ({**good(), "version": 3}, "format version 3; this playground reads versions 1 and 2"),
    ({**good(), "messages": {"m1": {}}}, "a list of at most"),
    ({**good(), "next_id": "7"}, "next_id"),
    ({**good(), "shown": 1}, "after the start"),
    (changed(role="tool"), "Message 2 of the saved conversation has the role 'tool'"),
    (changed(parent="m9"), "Message 2 .* follows a message that does not come before it"),
    (changed(id="m1"), "Message 2 .* repeated id"),
    (changed(id="<script>"), "Message 2 .* odd"),
    (changed(content=42), "Message 2 .* neither text nor a list of content parts"),
    (changed(content=[{"text": "no type"}]), "Message 2 .* neither text"),
    (changed(reasoning=["x"]), "Message 2 .* reasoning that is not text"),
    (changed(shown=1), "after message m2"),
    (changed(shown=True), "after message m2"),
    (changed(extra="field"), "Message 2 .* is not an object with"),
])
def test_a_stored_conversation_of_another_shape_is_refused_with_a_reason(data: Any, says: str) -> None:
    with pytest.raises(InvalidInput, match=says):
        tree_from_json(data)
