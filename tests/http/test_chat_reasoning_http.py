"""Reasoning models through `Playground` against the fake HF on real sockets: inline tags split across
chunks, `reasoning_content` deltas and a stream that begins inside the thinking give the same answer and
thinking streamed or not, with the thinking's duration and the answer's own tokens/s; a stream that
breaks mid-thought keeps it and says so; and a conversation tree sends exactly its shown path.
"""
from __future__ import annotations


import pytest

from backend import ChatStream, Playground, Sending, load_settings
from backend.chat import ChatTree
from backend.errors import ConnectionFailed
from tests.fake_hf import FakeHF

TOKEN = "hf_chattest000000000000000000"
ANSWER = "2 + 2 = 4. Four is the answer."


def ask(hf: FakeHF, model: str, messages: list | None = None, stream: bool = True) -> ChatStream:
    pg = Playground(load_settings({"HF_ROUTER_URL": hf.url, "HF_ENDPOINT": hf.url, "PLAYGROUND_POLL_DEADLINE": "20"},
                                  None, read_token_file=False))
    request = pg.build_request(task="chat-completion", model_id=model, inputs={
        "messages": messages or [{"role": "user", "content": "What is 2 + 2?"}]}, params={"stream": stream})
    chat = ChatStream.for_request(request)
    for event in pg.run(request, TOKEN):
        assert not (isinstance(event, Sending) and event.attempt > 1), "no retry hides what happened"
        chat.feed(event)
    return chat


@pytest.mark.parametrize("model, answer, thinking, seconds", [
    ("fake/reasoning-tags", ANSWER, "The user asks what 2 + 2 is.", 0.5),         # "\nThe user asks" to ">"
    ("fake/reasoning-content", ANSWER, "The user asks what 2 + 2 is. That is 4.", 0.4),  # 4 deltas, then content
    ("fake/think-open", "Bonjour.", "The user wants one word for hello.", 0.4),  # first text to "</think" ">"
])
def test_streamed_thinking_is_apart_from_the_answer_with_its_duration(fake: FakeHF, model: str, answer: str,
                                                                      thinking: str, seconds: float) -> None:
    chat = ask(fake, model)
    assert chat.error is None and (chat.answer, chat.reasoning) == (answer, thinking)
    assert chat.thinking_seconds == pytest.approx(seconds, abs=0.08)
    assert "<think>" not in chat.answer and chat.as_message() == {"role": "assistant", "content": answer}
    assert chat.thinking_note is None and not chat.is_thinking


@pytest.mark.parametrize("model", ["fake/reasoning-tags", "fake/reasoning-content"])
def test_tokens_per_second_counts_the_answer_after_the_thinking(fake: FakeHF, model: str) -> None:
    chat = ask(fake, model)
    assert chat.tokens_per_second == pytest.approx(10.0, rel=0.2)  # 5 answer chunks 0.1 s apart
    assert chat.usage.completion_tokens and chat.usage.completion_tokens > 5  # thinking tokens are in the usage


def test_the_raw_stream_keeps_the_tags_and_the_reasoning_deltas(fake: FakeHF) -> None:
    tags = ask(fake, "fake/reasoning-tags")
    assert tags.text.startswith("<think>\nThe user asks") and '"content":"thi"' in tags.raw_sse
    deltas = ask(fake, "fake/reasoning-content")
    assert '"reasoning_content":"The user"' in deltas.raw_sse
    assert deltas.to_openai()["choices"][0]["message"]["reasoning_content"] == deltas.reasoning


@pytest.mark.parametrize("model, answer, thinking", [
    ("fake/reasoning-tags", ANSWER, "The user asks what 2 + 2 is."),
    ("fake/reasoning-content", ANSWER, "The user asks what 2 + 2 is. That is 4."),
    ("fake/think-open", "Bonjour.", "The user wants one word for hello."),
])
def test_a_non_streamed_answer_splits_the_same_way(fake: FakeHF, model: str, answer: str, thinking: str) -> None:
    whole = ask(fake, model, stream=False)
    assert fake.received[-1].json["stream"] is False and not whole.raw_events
    assert (whole.answer, whole.reasoning) == (answer, thinking)
    assert whole.thinking_seconds is None  # no timing without a stream


def test_a_stream_broken_inside_the_thinking_keeps_it_and_says_where(fake: FakeHF) -> None:
    chat = ask(fake, "fake/reasoning-breaks")
    assert isinstance(chat.error, ConnectionFailed)
    assert (chat.reasoning, chat.answer) == ("Let me work this out", "")
    assert chat.broke_while_thinking and chat.thinking_note is not None
    assert chat.thinking_note.startswith("The stream broke while the model was still thinking after 0.")


def test_the_tree_sends_exactly_the_shown_path_without_earlier_thinking(fake: FakeHF) -> None:
    first = ask(fake, "fake/reasoning-tags")
    tree = ChatTree().append_user("What is 2 + 2?").append_assistant(first.answer, first.reasoning)
    tree = tree.append_user("And in words?")
    second = ask(fake, "fake/slow-chat", tree.messages_for_request("Be brief."))
    assert second.answer == "I received 2 user messages. The last one was: 'And in words?'."
    sent = fake.received[-1].json["messages"]
    assert sent == tree.messages_for_request("Be brief.")
    assert sent[2] == {"role": "assistant", "content": ANSWER}  # no <think>, no reasoning_content

    tree = tree.append_assistant(second.answer)
    edited = tree.edit(tree.path()[0], "What is 3 + 3?")  # the path is now that one message
    third = ask(fake, "fake/slow-chat", edited.messages_for_request())
    assert third.answer == "I received 1 user message. The last one was: 'What is 3 + 3?'."
    back = edited.append_assistant(third.answer).switch(edited.path()[0], 0)
    assert [node.text for node in back.path()][-1] == second.answer  # the first branch, whole


def test_regenerating_sends_the_path_before_the_answer(fake: FakeHF) -> None:
    tree = ChatTree().append_user("one").append_assistant("first answer").append_user("two")
    tree = tree.append_assistant("second answer")
    again = ask(fake, "fake/slow-chat", tree.messages_for_request(before=tree.last))
    assert fake.received[-1].json["messages"][-1] == {"role": "user", "content": "two"}
    tree = tree.regenerate(tree.last, again.answer)
    assert tree.alternatives(tree.last) == (1, 2) and tree.last.text.startswith("I received 2 user messages.")
