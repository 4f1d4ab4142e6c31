"""The Side by side page through its API and its handlers: what a model box names, a column whose
model fails keeps its history and says why while the other answers, an answer that breaks midway is
kept with the reason, a second message while one is on its way waits, the Playground's page carries
none of this page's components, and "Continue with this one" keeps no secret.
"""
from __future__ import annotations

import html
import json
from typing import Any

import gradio as gr
import httpx
import pytest
from gradio_client import Client

from backend.chat import ChatTree
from backend.chat.library import library_from_stored
from components.handlers.side_by_side import Column, Target, kept_library, target_of
from tests.http.test_chat_http import wait_for
from tests.ui.launch import output_ids

SEND = "/side_by_side_send"


def send(app: tuple[str, gr.Blocks], client: Client, message: str, *models: str, to: str = "all") -> dict[str, Any]:
    """One turn through the API; its last outputs by elem_id (`side-column-1-chat`, `side-note`, ...)."""
    boxes = {f"model_{n}": model for n, model in enumerate([*models, "", "", ""][:4], 1)}
    outputs = client.predict(message=message, send_to=to, count=max(len(models), 2), system="", token="", key="",
                             **boxes, api_name=SEND)
    return dict(zip(output_ids(app[1], SEND), outputs, strict=True))


def texts(chat: list[dict[str, Any]]) -> list[str]:
    return [html.unescape(part["text"]) for message in chat for part in message["content"]]


@pytest.mark.parametrize("box, target", [
    ("meta-llama/Llama-3.1-8B-Instruct", Target("meta-llama/Llama-3.1-8B-Instruct")),
    (" meta-llama/Llama-3.1-8B-Instruct:groq ", Target("meta-llama/Llama-3.1-8B-Instruct", "groq")),
    ("org/model:fastest", Target("org/model", "fastest")),
    ("https://xyz.endpoints.huggingface.cloud", Target(endpoint_url="https://xyz.endpoints.huggingface.cloud")),
    ("HTTP://localhost:8080/v1", Target(endpoint_url="HTTP://localhost:8080/v1")),
    ("", Target()),
])
def test_a_model_box_names_a_model_a_provider_or_an_endpoint(box: str, target: Target) -> None:
    assert target_of(box) == target


def test_a_column_whose_model_fails_keeps_its_history_and_says_why_while_the_other_answers(app: Any, hf: Any) -> None:
    client = Client(app[0], verbose=False, download_files=False)
    send(app, client, "first", "fake/slow-chat", "fake/slow-chat")

    shown = send(app, client, "second", "fake/slow-chat", "fake/no-such-model")

    assert "I received 2 user messages." in " ".join(texts(shown["side-column-1-chat"]))
    assert shown["side-column-1-figures"].startswith("✓")
    assert shown["side-column-2-figures"].startswith("✗ HTTP 400")
    second = texts(shown["side-column-2-chat"])
    assert second[:2] == ["first", "I received 1 user message. The last one was: 'first'."]
    assert "second" in second  # still shown, with why it got no answer...
    third = send(app, client, "third", "fake/slow-chat", "fake/slow-chat")  # ...but not sent again
    assert "I received 2 user messages. The last one was: 'third'." in " ".join(texts(third["side-column-2-chat"]))


def test_an_answer_that_breaks_midway_is_kept_with_the_reason(app: Any, hf: Any) -> None:
    client = Client(app[0], verbose=False, download_files=False)

    shown = send(app, client, "Go on", "fake/chat-midstream-error", "fake/slow-chat")

    assert texts(shown["side-column-1-chat"]) == ["Go on", "tok0 tok1 tok2"]
    assert shown["side-column-1-figures"].startswith("✗") and "Model overloaded" in shown["side-column-1-figures"]


def test_a_second_message_while_one_is_on_its_way_waits(app: Any, hf: Any) -> None:
    client = Client(app[0], verbose=False, download_files=False)
    running = client.submit(message="slow", send_to="1", count=2, system="", token="", key="",
                            model_1="fake/chat-pace-200", model_2="", model_3="", model_4="", api_name=SEND)
    assert wait_for(lambda: bool(running.outputs()), 10.0), "the first turn has begun"

    refused = send(app, client, "too soon", "fake/slow-chat", "fake/slow-chat")

    assert "still on its way" in refused["side-note"]
    finished = dict(zip(output_ids(app[1], SEND), running.result(), strict=True))
    assert "tok19" in " ".join(texts(finished["side-column-1-chat"]))
    assert not [r for r in hf.received if b"too soon" in r.body]


def test_the_playground_page_carries_none_of_the_side_by_side_page(app: tuple[str, gr.Blocks]) -> None:
    def elem_ids(page: str) -> set[str]:
        config = httpx.get(f"{app[0]}/config", params={"page": page}).json()
        return {c["props"].get("elem_id") for c in config["components"]} - {None}

    home, side = elem_ids(""), elem_ids("side-by-side")
    assert {"side-send", "side-message", "side-column-4-chat"} <= side and "run" not in side
    assert not any(elem_id.startswith("side-") for elem_id in home)


def test_continue_keeps_the_conversation_and_no_secret() -> None:
    token, key = "hf_visitorKEPT000000000000000", "sk-endpoint-key-0000000000"
    tree = ChatTree().append_user(f"my token is {token}").append_assistant("Noted.", reasoning="Hm.")
    column = Column(tree, answered_by="https://user:pw@x.endpoints.huggingface.cloud/v1?api_key=" + key)

    stored, kept = kept_library(None, column, "Be brief.", (token, key))

    text = json.dumps(stored)
    assert token not in text and key not in text and "user:pw" not in text
    library, note = library_from_stored(stored)
    assert note == "" and library.current == kept.id
    assert dict(library.shown.settings) == {"system": "Be brief.",
                                            "endpoint_url": "https://x.endpoints.huggingface.cloud/v1"}
    assert [(n.role, n.reasoning) for n in library.shown.tree.path()] == [("user", ""), ("assistant", "Hm.")]
    with pytest.raises(Exception, match="no conversation yet"):
        kept_library(stored, Column(), "", ())
