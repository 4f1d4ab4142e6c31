"""Thinking kept apart from the answer: inline `<think>`/`<thinking>` blocks split across chunks at any
character, streams that begin inside a block, `reasoning_content` deltas, the thinking's duration on an
injected clock, tokens/s of the answer alone, and a turn that breaks while still thinking. Pure.
"""
from __future__ import annotations

import json
from typing import Any

import pytest

from backend.chat import ChatStream, SplitText, ThinkingSplitter, split_thinking
from backend.errors import ConnectionFailed
from backend.polling import Finished, Streaming
from backend.result import InferenceRequest, InferenceResult
from backend.sse import SSEEvent

CHAT_URL = "https://router.huggingface.co/v1/chat/completions"


@pytest.mark.parametrize("text, answer, thinking, unclosed", [
    ("Just an answer.", "Just an answer.", "", False),
    ("<think>Let me see.</think>\n\nIt is 4.", "It is 4.", "Let me see.", False),
    ("<thinking>\nHmm.\n</thinking>It is 4.", "It is 4.", "Hmm.", False),
    ("<THINK>upper</Think>case", "case", "upper", False),
    ("<think>mixed</thinking>tags", "tags", "mixed", False),           # either closing tag ends a block
    ("began inside</think>\n\nanswer", "answer", "began inside", False),  # the template opened the block
    ("<think>never closed", "", "never closed", True),
    ("Before. <think>x</think>After.", "Before.\n\nAfter.", "x", False),
    ("<think>one</think>A<think>two</think>B", "A\n\nB", "one\n\ntwo", False),
    ("<think>a</think>b</think>c", "b</think>c", "a", False),            # a stray closing tag is text
    ("<think>a <think> b</think>c", "c", "a <think> b", False),           # no nesting inside a block
    ("<think></think>empty thought", "empty thought", "", False),
    ("a < b and x <thin", "a < b and x <thin", "", False),               # a tag prefix at the end is text
    ("", "", "", False),
])
def test_a_finished_text_splits_into_answer_and_thinking(text: str, answer: str, thinking: str,
                                                         unclosed: bool) -> None:
    assert split_thinking(text) == SplitText(answer, thinking, unclosed)


@pytest.mark.parametrize("text", [
    "Intro <think>deep\nthought</think>\n\nThe <b>answer</b>",
    "<thinking>It began inside and</THINKING> ends here",
    "starts inside </think>then answers",
    "<think>unclosed at the end <",
])
def test_tags_split_anywhere_give_the_same_split(text: str) -> None:
    whole = split_thinking(text)
    for i in range(len(text) + 1):
        for j in range(i, len(text) + 1):
            splitter = ThinkingSplitter()
            for piece in (text[:i], text[i:j], text[j:]):
                splitter.feed_content(piece)
            splitter.close()
            assert splitter.split() == whole, (text[:i], text[i:j], text[j:])


def test_only_a_possible_tag_prefix_is_held_back() -> None:
    splitter = ThinkingSplitter()
    splitter.feed_content("x < y, a <b")
    assert splitter.answer == "x < y, a <b"  # neither "< y" nor "<b" can begin a tag
    splitter.feed_content(" and <THI")
    assert splitter.answer == "x < y, a <b and"
    splitter.feed_content("S is text")
    assert splitter.answer == "x < y, a <b and <THIS is text" and splitter.thinking == ""


def test_a_stream_that_begins_inside_shows_text_as_answer_until_the_closing_tag() -> None:
    splitter = ThinkingSplitter()
    splitter.feed_content("The user asks", now=1.0)
    assert (splitter.answer, splitter.thinking, splitter.is_thinking) == ("The user asks", "", False)
    splitter.feed_content(" for 2+2.</th", now=2.0)
    splitter.feed_content("ink>\n\n4", now=4.0)
    assert (splitter.answer, splitter.thinking) == ("4", "The user asks for 2+2.")
    assert splitter.thinking_seconds == pytest.approx(3.0)  # from its first text to the closing tag
    alone = ThinkingSplitter()
    alone.feed_content("thought")
    assert alone.feed_content("</think>") and (alone.answer, alone.thinking) == ("", "thought")  # shown changed


def test_an_unclosed_block_is_all_thinking_and_says_so() -> None:
    splitter = ThinkingSplitter()
    splitter.feed_content("<think>still going", now=0.0)
    assert splitter.is_thinking and splitter.answer == ""
    splitter.feed_content(" on", now=2.5)
    splitter.close(now=3.0)
    assert (splitter.answer, splitter.thinking, splitter.unclosed) == ("", "still going on", True)
    assert splitter.ended_while_thinking and splitter.thinking_seconds == pytest.approx(2.5)


# -- in ChatStream ------------------------------------------------------------------------------------

class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def chunk(content: str | None = "", finish: str | None = None, usage: dict | None = None,
          **delta: str) -> Streaming:
    data = {"id": "c1", "object": "chat.completion.chunk", "created": 7, "model": "m",
            "choices": [{"index": 0, "delta": {"role": "assistant", "content": content, **delta},
                         "finish_reason": finish}], "usage": usage}
    return Streaming(SSEEvent(json.dumps(data), data))


def finished(error: Any = None, body: dict | None = None) -> Finished:
    request = InferenceRequest("POST", CHAT_URL, json_body={"model": "org/m"})
    if body is not None:
        return Finished(InferenceResult(request, 200, content_type="application/json",
                                        body=json.dumps(body).encode()))
    return Finished(InferenceResult(request, 200, content_type="text/event-stream", error=error))


def streamed(clock: Clock, *steps: tuple[float, Streaming | Finished]) -> ChatStream:
    """A ChatStream fed `steps`, each (seconds after the previous one, event)."""
    chat = ChatStream("org/m", clock)
    for delay, event in steps:
        clock.now += delay
        chat.feed(event)
    return chat


def test_reasoning_content_then_content_thought_for_the_gap_and_rates_the_answer_alone() -> None:
    clock = Clock()
    thinking = [(0.1, chunk(None, reasoning_content=f"step {i}. ")) for i in range(42)]  # 4.2 s
    answer = [(0.1, chunk(f"w{i} ")) for i in range(11)]  # 11 tokens, 10 gaps of 0.1 s
    usage = {"prompt_tokens": 5, "completion_tokens": 53, "total_tokens": 58}
    chat = streamed(clock, *thinking, *answer, (0.0, chunk("", "stop", usage)), (0.0, finished()))
    assert chat.reasoning.startswith("step 0. ") and chat.answer == "w0 w1 w2 w3 w4 w5 w6 w7 w8 w9 w10"
    assert chat.thinking_seconds == pytest.approx(4.2)  # the first thought to the first word of the answer
    assert chat.tokens_per_second == pytest.approx(10.0)  # not 52 tokens over 5.2 s
    assert chat.thinking_note is None and not chat.is_thinking


def test_the_servers_reasoning_token_split_counts_the_answer_when_given() -> None:
    clock = Clock()
    usage = {"completion_tokens": 30, "completion_tokens_details": {"reasoning_tokens": 10}}
    chat = streamed(clock, (0.1, chunk(None, reasoning="Hm.")), (0.1, chunk("Twenty tokens")),
                    (1.9, chunk(" later.")), (0.0, chunk("", "stop", usage)), (0.0, finished()))
    assert chat.tokens_per_second == pytest.approx(19 / 1.9)


def test_inline_tags_split_across_chunks_leave_the_answer_clean_and_the_raw_untouched() -> None:
    clock = Clock()
    pieces = ["<th", "ink>\nI should", " add.\n</", "think", ">\n\n", "2 + 2", " = 4"]
    chat = streamed(clock, *[(0.7, chunk(piece)) for piece in pieces], (0.0, chunk("", "stop")),
                    (0.0, finished()))
    assert (chat.answer, chat.reasoning) == ("2 + 2 = 4", "I should add.")
    assert chat.text == "".join(pieces)
    assert [json.loads(raw)["choices"][0]["delta"]["content"] for raw in chat.raw_events[:7]] == pieces
    assert chat.thinking_seconds == pytest.approx(2.1)  # "I should" at 1.4 s, the ">" closing it at 3.5 s
    assert chat.as_message() == {"role": "assistant", "content": "2 + 2 = 4"}
    assert chat.to_openai()["choices"][0]["message"]["content"] == "".join(pieces)  # as it came


def test_live_thinking_is_visible_while_it_streams() -> None:
    clock = Clock()
    chat = streamed(clock, (0.1, chunk("<think>Considering")))
    assert chat.is_thinking and chat.reasoning == "Considering" and chat.answer == ""
    clock.now += 0.5
    chat.feed(chunk("</think>Yes."))
    assert not chat.is_thinking and chat.answer == "Yes."


def test_a_stream_broken_inside_the_thinking_keeps_what_came_and_says_where() -> None:
    clock = Clock()
    chat = streamed(clock, (0.2, chunk(None, reasoning_content="First, ")),
                    (1.0, chunk(None, reasoning_content="then")),
                    (0.5, finished(error=ConnectionFailed("The connection was reset mid-stream."))))
    assert chat.reasoning == "First, then" and chat.answer == ""
    assert chat.broke_while_thinking
    assert chat.thinking_note == "The stream broke while the model was still thinking after 1.0 s of thinking; " \
                                 "what came is kept."


@pytest.mark.parametrize("finish, note", [
    ("length", "The token limit was reached while the model was still thinking after 0.3 s of thinking: "
               "raise max_tokens for an answer."),
    ("stop", "The model stopped while still thinking after 0.3 s of thinking, without an answer."),
])
def test_a_turn_that_ends_inside_its_thinking_gets_a_note(finish: str, note: str) -> None:
    clock = Clock()
    chat = streamed(clock, (0.1, chunk("<think>a")), (0.3, chunk(" b", finish)), (0.0, finished()))
    assert not chat.broke_while_thinking and chat.thinking_note == note


def test_without_thinking_nothing_changes() -> None:
    clock = Clock()
    chat = streamed(clock, *[(0.05, chunk(f"tok{i} ")) for i in range(20)],
                    (0.0, chunk("", "length", {"completion_tokens": 20})), (0.0, finished()))
    assert chat.answer == chat.text.strip() and chat.reasoning == "" and chat.thinking_seconds is None
    assert chat.tokens_per_second == pytest.approx(20.0)


@pytest.mark.parametrize("message, answer, reasoning", [
    ({"role": "assistant", "content": "<think>Quick.</think>\n\nParis."}, "Paris.", "Quick."),
    ({"role": "assistant", "content": "Paris.", "reasoning_content": "Capital of France."},
     "Paris.", "Capital of France."),
])
def test_a_non_streamed_answer_splits_the_same_way_without_a_duration(message: dict, answer: str,
                                                                       reasoning: str) -> None:
    body = {"id": "x", "object": "chat.completion", "model": "m",
            "choices": [{"index": 0, "message": message, "finish_reason": "stop"}]}
    chat = ChatStream.from_result(finished(body=body).result)
    assert (chat.answer, chat.reasoning, chat.thinking_seconds) == (answer, reasoning, None)
