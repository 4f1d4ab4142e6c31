"""Chat mode through the Gradio API: the provider suffix reaches the router, earlier turns go with the
next message as OpenAI messages, each answer carries its numbers, the raw panels hold the OpenAI-shaped
answer and the stream, a custom endpoint gets its own key (never the HF token), markup stays text.

Each test has a session of its own (a fresh client), so conversations never leak between tests.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator

import gradio as gr
import pytest
from gradio_client import Client, handle_file

from backend.history import History
from components.handlers.chat import Conversation
from components.handlers.forms import EXAMPLE_MEDIA
from tests.fake_hf import FakeHF
from tests.ui.conftest import OPERATOR_TOKEN, Runner, by_id, handler, plain, value
from tests.ui.launch import fake_settings, launched
from tests.ui.test_model_picker import pick

LLAMA = "meta-llama/Llama-3.1-8B-Instruct"
ENDPOINT_KEY = "hf_endpointKEY000000"  # the fake asks every caller for an hf_ bearer; this is not the HF token


@pytest.fixture(scope="module")
def app(fake: FakeHF) -> Iterator[tuple[str, gr.Blocks]]:
    """This module's playground trusts `localhost` as a custom endpoint host, as an operator may."""
    with launched(fake_settings(fake.url, OPERATOR_TOKEN, PLAYGROUND_ENDPOINT_HOSTS="localhost")) as served:
        yield served


@pytest.fixture
def chat(app: tuple[str, gr.Blocks]) -> Runner:
    """A new visitor (own session, empty conversation) whose runs are chat turns."""
    runner = Runner(Client(app[0], verbose=False, download_files=False), app[1])
    runner.defaults.update(task="chat-completion", model=LLAMA, system="")
    return runner


def transcript(out: dict[str, Any]) -> list[tuple[str, str, str]]:
    """The chat as (role, title of a note or '', text) triples, text as a person reads it."""
    return [(m["role"], (m.get("metadata") or {}).get("title", ""), plain(" ".join(
        part.get("text", "") for part in m["content"] if part.get("type") == "text")).strip()) for m in out["chat"]]


def numbers(out: dict[str, Any]) -> str:
    """The numbers note under the last answer."""
    titles = [plain(title) for role, title, _ in transcript(out) if role == "assistant" and title]
    return titles[-1]


@pytest.mark.parametrize("provider, suffix, served_by", [
    ("auto", "", "fireworks-ai"), ("novita", ":novita", "novita"), ("cheapest", ":cheapest", "hf-inference"),
])
def test_the_chosen_provider_reaches_the_router_and_the_answer_names_who_served_it(
        chat: Runner, hf: FakeHF, provider: str, suffix: str, served_by: str) -> None:
    out = chat(prompt="What is deep learning?", provider=provider)

    assert hf.received[-1].path == "/v1/chat/completions" and hf.received[-1].json["model"] == LLAMA + suffix
    assert "HTTP 200" in out["status"]
    assert transcript(out)[0] == ("user", "", "What is deep learning?")
    assert transcript(out)[1][2].startswith("Deep learning is a sub")
    assert f"served by {served_by}" in numbers(out)


def test_earlier_turns_go_with_the_next_message_as_openai_messages(chat: Runner, hf: FakeHF) -> None:
    first = chat(prompt="What is deep learning?", system="Be brief.", chat_completion__stream=False)
    answer = first["raw-json"]["choices"][0]["message"]["content"]
    second = chat(prompt="Say it shorter.", system="Be brief.")

    assert hf.received[-1].json["messages"] == [
        {"role": "system", "content": "Be brief."}, {"role": "user", "content": "What is deep learning?"},
        {"role": "assistant", "content": answer}, {"role": "user", "content": "Say it shorter."}]
    said = [(role, text) for role, title, text in transcript(second) if not title]
    assert [role for role, _ in said] == ["user", "assistant", "user", "assistant"]


def test_each_answer_carries_its_timings_tokens_provider_and_cost(chat: Runner, hf: FakeHF) -> None:
    out = chat(prompt="What is deep learning?", provider="fireworks-ai", chat_completion__stream=False)

    line = numbers(out)
    assert "first token" in line and " total" in line and "served by fireworks-ai" in line
    assert "46 prompt + 579 completion tokens" in line  # recording 20's usage
    assert "≈ $0.00013" in line  # 625 tokens at $0.20 per 1M, the fake router's fireworks-ai price


def test_a_streamed_answer_counts_its_speed_and_marks_estimated_tokens(chat: Runner, hf: FakeHF) -> None:
    paced = numbers(chat(prompt="Count.", model="fake/chat-pace-20"))
    junk = numbers(chat(prompt="Hi", model="fake/chat-malformed"))

    assert "tok/s" in paced and "20 completion tokens" in paced and "estimated" not in paced
    assert "completion tokens (estimated)" in junk, "no usage came, so the chunks were counted"


def test_the_raw_panels_hold_the_openai_shaped_answer_and_the_stream(chat: Runner, hf: FakeHF) -> None:
    out = chat(prompt="Count.", model="fake/chat-pace-0")

    answer = out["raw-json"]
    assert answer["object"] == "chat.completion" and answer["choices"][0]["finish_reason"] == "length"
    assert answer["choices"][0]["message"] == {"role": "assistant", "content": "".join(f"tok{i} " for i in range(20))}
    stream = value(out["raw-stream"])
    assert stream.count("data: ") == 22 and stream.rstrip().endswith("data: [DONE]")


@pytest.mark.parametrize("task, name, path", [
    ("chat-completion", "chat-pace-0", "/endpoints/chat-pace-0/v1/chat/completions"),
    ("text-classification", "echo", "/endpoints/echo"),
])
def test_a_custom_endpoint_gets_its_own_key_and_never_the_hf_token(chat: Runner, hf: FakeHF, task: str, name: str,
                                                                    path: str) -> None:
    endpoint = hf.url.replace("127.0.0.1", "localhost") + f"/endpoints/{name}"  # not a Hugging Face host
    out = chat(task=task, prompt="Hello", model=f"fake/{name}", endpoint_url=endpoint, endpoint_key=ENDPOINT_KEY)

    sent = hf.received[-1]
    assert sent.path == path and sent.bearer == ENDPOINT_KEY
    assert all(OPERATOR_TOKEN not in str(dict(r.headers)) for r in hf.received), "the HF token stayed home"
    assert "HTTP 200" in out["status"] and out["request"]["headers"]["Authorization"] == "Bearer hf_****0000"
    assert ENDPOINT_KEY not in str(out)


def test_a_provider_that_does_not_serve_the_model_is_explained_and_the_message_comes_back(
        chat: Runner, hf: FakeHF) -> None:
    out = chat(prompt="What is deep learning?", provider="together")

    assert hf.received[-1].json["model"] == f"{LLAMA}:together"
    assert transcript(out)[-1][1] == "⚠ Error" and "not served by the chosen provider" in transcript(out)[-1][2]
    assert value(out["prompt"]) == "What is deep learning?", "ready to send again"
    chat(prompt="What is deep learning?", provider="novita")
    assert hf.received[-1].json["messages"] == [{"role": "user", "content": "What is deep learning?"}], \
        "the unanswered turn is not sent twice"


def test_an_error_in_mid_stream_shows_under_the_partial_answer(chat: Runner, hf: FakeHF) -> None:
    out = chat(prompt="Go on", model="fake/chat-midstream-error")

    assert out["status"].startswith("✗")
    (_, _, answer), numbers_note, (_, title, error) = transcript(out)[1:]
    assert answer == "tok0 tok1 tok2" and numbers_note[1] and title == "⚠ Error"
    assert "stopped part-way" in error and "Model overloaded" in error


def test_markup_in_an_answer_reaches_the_chat_as_text(chat: Runner, hf: FakeHF) -> None:
    out = chat(prompt="Hi", model="fake/xss")

    shown = out["chat"][1]["content"][0]["text"]
    assert "<img" not in shown and "<script" not in shown and shown.startswith("&lt;img src=x onerror=")
    assert out["raw-json"]["choices"][0]["message"]["content"].startswith("<img src=x onerror=")


def test_an_image_goes_with_the_message_as_a_data_url_once(chat: Runner, hf: FakeHF) -> None:
    picture = handle_file(EXAMPLE_MEDIA["image"])
    out = chat(prompt="What is in the picture?", model="fake/chat-pace-0", image=picture)

    parts = hf.received[-1].json["messages"][-1]["content"]
    assert parts[0] == {"type": "text", "text": "What is in the picture?"}
    assert parts[1]["image_url"]["url"].startswith("data:image/png;base64,")
    assert [m["content"][0]["type"] for m in out["chat"][:2]] == ["text", "file"], "the picture shows in the chat"

    chat(prompt="And its colours?", model="fake/chat-pace-0", image=picture)  # still in its box
    turns = hf.received[-1].json["messages"]
    assert turns[0]["content"] == parts and turns[-1] == {"role": "user", "content": "And its colours?"}


def test_a_blank_message_is_not_sent(chat: Runner, hf: FakeHF) -> None:
    out = chat(prompt="  ", system="You are helpful.")

    assert hf.received == [] and "Not sent" in out["status"]
    assert transcript(out) == [("assistant", "⚠ Error", "Type a message first.")]


def test_picking_a_chat_model_lists_its_providers_with_the_routers_figures(client: Client, app, hf: FakeHF) -> None:
    out = pick(client, app[1], LLAMA)

    assert out["task"] == "chat-completion"
    labels = {choice: label for label, choice in out["provider"]["choices"]}
    assert list(labels)[:3] == ["auto", "cheapest", "preferred"] and labels["auto"] == "auto (fastest) → fireworks-ai"
    assert labels["novita"].startswith("novita · staging")
    assert "live" in labels["fireworks-ai"] and "$0.2 / $0.2 per 1M" in labels["fireworks-ai"]
    assert "131k context" in labels["fireworks-ai"] and "tok/s" in labels["fireworks-ai"]
    assert out["provider"]["value"] == "auto"


def test_a_chat_turn_picked_from_the_history_comes_back_in_the_transcript(chat: Runner, app, hf: FakeHF) -> None:
    first = chat(prompt="What is deep learning?", chat_completion__stream=False)
    answer = first["raw-json"]["choices"][0]["message"]["content"]
    second = chat(prompt="Say it shorter.", chat_completion__stream=False)
    history = History.from_json(Path(value(second["history-export"])["path"]).read_text())
    sent = len(hf.received)

    pick = gr.SelectData(None, {"index": [0, 1], "value": LLAMA})
    updates = handler(app[1], "on_pick")(history, "python", pick)
    out = by_id(updates)

    said = [(turn["role"], plain(turn["content"])) for turn in out["chat"]]
    assert said[:3] == [("user", "What is deep learning?"), ("assistant", answer), ("user", "Say it shorter.")]
    assert said[3][0] == "assistant" and said[3][1] == second["raw-json"]["choices"][0]["message"]["content"]
    # The whole conversation is back, its last answer included: Retry regenerates it, Run sends a new message.
    assert out["prompt"] == "" and out["task"] == "chat-completion"
    conversation = next(update for update in updates.values() if isinstance(update, Conversation))
    assert conversation.tree.messages_for_request() == [
        {"role": "user", "content": "What is deep learning?"}, {"role": "assistant", "content": answer},
        {"role": "user", "content": "Say it shorter."},
        {"role": "assistant", "content": second["raw-json"]["choices"][0]["message"]["content"]}]
    assert len(hf.received) == sent, "restoring a turn sends nothing"
