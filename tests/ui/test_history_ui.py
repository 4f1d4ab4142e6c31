"""The history's answer column through the Gradio API: a chat turn reads as the assistant's text
(streamed or not), never as the raw `chat.completion` JSON; other tasks read as a short summary.
"""
from __future__ import annotations

from typing import Any

import gradio as gr
import pytest
from gradio_client import Client

from components.history import HEADERS
from tests.ui.conftest import Runner, value

LLAMA = "meta-llama/Llama-3.1-8B-Instruct"


@pytest.fixture
def visitor(app: tuple[str, gr.Blocks]) -> Runner:
    """A new visitor: a client of its own is a session of its own, with an empty history."""
    return Runner(Client(app[0], verbose=False, download_files=False), app[1])


def answers(out: dict[str, Any]) -> list[str]:
    """The answer column of the history table, newest first."""
    return [row[HEADERS.index("answer")] for row in value(out["history-table"])["data"]]


@pytest.mark.parametrize("stream", [True, False])
def test_a_chat_turn_shows_the_assistants_text_in_the_answer_column(visitor: Runner, hf, stream: bool) -> None:
    out = visitor(task="chat-completion", model=LLAMA, system="", prompt="What is deep learning?",
                  chat_completion__stream=stream)
    said = out["raw-json"]["choices"][0]["message"]["content"]

    answer = answers(out)[0]
    assert said.startswith("Deep learning is a sub")
    assert answer.startswith("Deep learning is a sub") and said.startswith(answer.rstrip("…"))
    assert "chatcmpl" not in answer and "{" not in answer


def test_a_classification_shows_its_top_label_and_score(visitor: Runner, hf) -> None:
    out = visitor(task="text-classification", model="distilbert/distilbert-base-uncased-finetuned-sst-2-english",
                  prompt="I like you. I love you.")
    top = max(value(out["output-label"])["confidences"], key=lambda c: c["confidence"])
    assert answers(out) == [f"{top['label']} {top['confidence']:.4f}"]
