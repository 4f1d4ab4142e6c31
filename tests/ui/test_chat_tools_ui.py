"""Function calling and structured output through the Gradio API and the chat's handlers: `tools`,
`tool_choice`, `response_format` and `strict` are /run's parameters too; the calls come back as cards with
the panel waiting for their results, a result given with the panel's own listener is sent back with the
calls, a bad box is refused with its path, an answer is checked against the schema, and a provider the
router says cannot take tools is warned about (Run again sends anyway) while a policy goes to one that can.
"""
from __future__ import annotations

import json
from dataclasses import replace
from typing import Any, Iterator

import gradio as gr
import pytest
from gradio_client import Client

from backend import Playground
from backend.chat import SCHEMA_EXAMPLES, TOOL_EXAMPLE
from backend.chat_providers import RouterCatalog, parse_router_models
from backend.errors import InvalidInput
from components.handlers.chat import Conversation, run_chat
from components.handlers.forms import FormValues
from components.handlers.run import RunSetup
from components.handlers.tools import ToolSettings, give_result, waiting_for
from tests.fake_hf import FakeHF
from tests.fake_hf.catalog import TOOLS_PICKY
from tests.ui.conftest import OPERATOR_TOKEN, Runner, plain, value
from tests.ui.launch import fake_settings

QUESTION = "What is the weather in Paris and in Tokyo?"
MODEL = "meta-llama/Llama-3.1-8B-Instruct"  # the fake serves it on fireworks-ai and hf-inference


@pytest.fixture
def chat(app: tuple[str, gr.Blocks]) -> Runner:
    runner = Runner(Client(app[0], verbose=False, download_files=False), app[1])
    runner.defaults.update(task="chat-completion", model="fake/tool-caller", system="")
    return runner


def said(out: dict[str, Any]) -> list[tuple[str, str]]:
    """The transcript as (title or '', text), as a person reads it."""
    return [(plain((m.get("metadata") or {}).get("title", "")), plain(" ".join(
        part.get("text", "") for part in m["content"] if part.get("type") == "text"))) for m in out["chat"]]


def test_the_run_api_takes_the_tools_and_shows_the_calls_waiting_for_results(chat: Runner, hf: FakeHF) -> None:
    out = chat(prompt=QUESTION, tools=TOOL_EXAMPLE, tool_choice="get_n_day_weather_forecast")

    sent = hf.received[-1].json
    assert [t["function"]["name"] for t in sent["tools"]] == ["get_current_weather", "get_n_day_weather_forecast"]
    assert sent["tool_choice"] == {"type": "function", "function": {"name": "get_n_day_weather_forecast"}}
    titles = [title for title, _ in said(out)]
    assert {f"ƒ get_n_day_weather_forecast · call {n} of 2" for n in (1, 2)} <= set(titles)
    card = dict(said(out))["ƒ get_n_day_weather_forecast · call 1 of 2"]
    assert '"num_days": 1' in card and "Waiting for its result" in card
    assert out["raw-json"]["choices"][0]["message"]["tool_calls"][0]["id"] == "call_fake_0"
    assert "Waiting for the result of get_n_day_weather_forecast" in plain(value(out["tool-note"]))
    assert out["tool-result"]["label"] == "Result of get_n_day_weather_forecast (call 1 of 2)"


def test_nothing_set_sends_no_tools_and_a_new_message_waits_for_the_results(chat: Runner, hf: FakeHF) -> None:
    out = chat(prompt="Hello")
    assert "tools" not in hf.received[-1].json and "tool_choice" not in hf.received[-1].json
    assert "response_format" not in hf.received[-1].json
    assert "No tool was offered" in said(out)[1][1]


def test_a_bad_tools_box_or_choice_is_refused_naming_the_path(chat: Runner, hf: FakeHF) -> None:
    bad = json.dumps([{"type": "function", "function": {"name": "ok"}}, {"type": "function", "function": {}}])
    out = chat(prompt="Keep me", tools=bad)
    assert hf.received == [] and "Not sent" in out["status"]
    assert said(out) == [("⚠ Error", "tools[1].function.name: null must be 1-64 letters, digits, '_' or '-'.")]
    assert value(out["prompt"]) is None, "the message box is left as it is"

    out = chat(prompt="Keep me", tools=TOOL_EXAMPLE, tool_choice="get_forecast")
    assert hf.received == [] and "tool_choice: 'get_forecast' is not one of the tools" in said(out)[0][1]


@pytest.mark.parametrize("model, verdict, paths", [
    ("fake/json-answers", "✓ matches the schema", []),
    ("fake/json-breaks", "✗ does not match the schema at $, $.confidence",
     ["$: 'sentiment' is a required property", "$.confidence: -1 is less than the minimum of 0"]),
])
def test_an_answer_is_checked_against_the_schema_sent(chat: Runner, hf: FakeHF, model: str, verdict: str,
                                                      paths: list[str]) -> None:
    out = chat(prompt="How does this sound: great!", model=model, response_format=SCHEMA_EXAMPLES["sentiment"],
               strict=True)

    assert hf.received[-1].json["response_format"]["json_schema"]["strict"] is True
    assert out["schema-check"]["label"] == verdict and out["schema-check"]["visible"] is True
    assert isinstance(value(out["schema-check"]), dict)
    notes = dict(said(out))
    assert verdict.split(" at ")[0] in notes and all(path in notes[verdict.split(" at ")[0]] for path in paths)


def test_an_invalid_schema_is_refused_before_sending(chat: Runner, hf: FakeHF) -> None:
    out = chat(prompt="Hi", model="fake/json-answers", response_format='{"type": "object", "required": "name"}')
    assert hf.received == [] and "schema.required: 'name' is not of type 'array'" in said(out)[0][1]


def test_results_given_one_by_one_go_back_with_the_calls(playground: Playground, fake: FakeHF) -> None:
    setup = RunSetup("fake/tool-caller", "chat-completion", FormValues(prompt=QUESTION), params={"stream": True})
    tools = ToolSettings(tools=TOOL_EXAMPLE)
    conversation = last(run_chat(playground, Catalog({}), setup, Conversation(), tools=tools)).conversation
    with pytest.raises(InvalidInput, match="Type the result of get_current_weather first"):
        give_result(conversation, tools.mcp, "  ")
    conversation = give_result(conversation, tools.mcp, "18 °C")
    assert conversation.pending == "" and waiting_for(conversation).number == 2, "one call still waits"
    blocked = last(run_chat(playground, Catalog({}), setup, conversation, tools=tools))
    assert "call to get_current_weather is waiting for its result" in blocked.run.error and len(fake.received) == 1

    conversation = give_result(conversation, tools.mcp, "24 °C")
    assert conversation.pending == "answer"
    final = last(run_chat(playground, Catalog({}), setup, conversation, tools=tools))
    assert [m["role"] for m in fake.received[-1].json["messages"]] == ["user", "assistant", "tool", "tool"]
    assert "said: 24 °C" in final.conversation.tree.last.text and final.conversation.tree.unanswered_calls() == ()


# -- which provider: the router's flags ----------------------------------------------------------------
class Catalog:
    """A stand-in for RouterCatalog: the router's /v1/models entries given."""

    def __init__(self, providers: dict[str, dict[str, Any]]) -> None:
        self._models = parse_router_models({"data": [{"id": MODEL, "providers": [
            {"provider": name, "status": "live", **flags} for name, flags in providers.items()]}]}) if providers else {}

    def models(self, token: str | None = None) -> dict[str, Any]:
        return self._models


def last(views: Iterator[Any]) -> Any:
    *_, final = views
    return final


@pytest.fixture
def playground(fake: FakeHF) -> Playground:
    fake.reset()
    return Playground(fake_settings(fake.url, OPERATOR_TOKEN))


CATALOG = {"fireworks-ai": {"supports_tools": False, "throughput": 900.0},
           "hf-inference": {"supports_tools": True, "throughput": 45.0}}


def test_a_named_provider_that_cannot_take_tools_is_warned_about_and_run_again_sends(
        playground: Playground, fake: FakeHF) -> None:
    setup = RunSetup(MODEL, "chat-completion", FormValues(prompt="Hi"), provider="fireworks-ai")
    tools = ToolSettings(tools=TOOL_EXAMPLE)
    first = last(run_chat(playground, Catalog(CATALOG), setup, Conversation(), tools=tools))
    assert fake.received == [] and first.run.phase == "invalid"
    assert f"fireworks-ai does not support tools for {MODEL}. Providers that do: hf-inference." in first.run.error
    assert "press Run again to send to fireworks-ai anyway" in first.run.error

    again = last(run_chat(playground, Catalog(CATALOG), setup, first.conversation, tools=tools))
    assert fake.received[-1].json["model"] == f"{MODEL}:fireworks-ai"
    titles = [plain(m["metadata"]["title"]) for m in again.conversation.transcript if m.get("metadata")]
    assert again.run.phase == "done" and any(t.startswith("ℹ Sent to fireworks-ai as you asked") for t in titles)


def test_auto_goes_to_a_provider_that_can_and_says_so(playground: Playground, fake: FakeHF) -> None:
    setup = RunSetup(MODEL, "chat-completion", FormValues(prompt="Hi"), provider="auto")
    final = last(run_chat(playground, Catalog(CATALOG), setup, Conversation(), tools=ToolSettings(tools=TOOL_EXAMPLE)))
    assert fake.received[-1].json["model"] == f"{MODEL}:hf-inference"
    notes = [plain(m["metadata"]["title"]) for m in final.conversation.transcript if m.get("metadata")]
    assert "ℹ Sent to hf-inference, a provider that says it supports tools: auto may pick fireworks-ai, which does " \
           f"not support tools for {MODEL}; hf-inference does." in notes


def test_the_fakes_own_catalog_warns_of_a_provider_without_tools_and_auto_avoids_it(
        playground: Playground, fake: FakeHF) -> None:
    """The same through the real RouterCatalog and the fake's /v1/models, whose fake/tools-picky entry
    says groq cannot take tools and together can."""
    catalog, tools = RouterCatalog(playground.transport), ToolSettings(tools=TOOL_EXAMPLE)
    named = RunSetup(TOOLS_PICKY, "chat-completion", FormValues(prompt="Hi"), provider="groq")
    first = last(run_chat(playground, catalog, named, Conversation(), tools=tools))
    assert first.run.phase == "invalid" and not [r for r in fake.received if r.path.endswith("/chat/completions")]
    assert f"groq does not support tools for {TOOLS_PICKY}. Providers that do: together." in first.run.error

    auto = RunSetup(TOOLS_PICKY, "chat-completion", FormValues(prompt="Hi"), provider="auto")
    last(run_chat(playground, catalog, auto, Conversation(), tools=tools))
    assert fake.received[-1].json["model"] == f"{TOOLS_PICKY}:together"


# -- MCP calls in the loop ------------------------------------------------------------------------------
def test_calls_allowed_always_run_at_once_and_a_server_gone_stops_the_loop_with_its_reason(fake: FakeHF) -> None:
    from components.handlers.mcp import McpSession, add_server
    from components.handlers.tools import allow_call
    from tests.mcp_servers import McpTestServer, demo_server

    fake.reset()
    settings = fake_settings(fake.url, OPERATOR_TOKEN, PLAYGROUND_MCP_HOSTS="127.0.0.1")
    playground = Playground(settings)
    setup = RunSetup("fake/tool-caller", "chat-completion", FormValues(prompt=QUESTION), params={"stream": True})
    with McpTestServer(demo_server()) as server:
        session = add_server(McpSession(), server.url, "", None, settings)
        asked = last(run_chat(playground, Catalog({}), setup, Conversation(),
                              tools=ToolSettings(choice="weather", mcp=session))).conversation
        allowed, always = allow_call(asked, session, always=True)
        tools = ToolSettings(choice="weather", mcp=always)
        answered = last(run_chat(playground, Catalog({}), setup, allowed, tools=tools)).conversation
        assert "said: 24 °C, sunny" in answered.tree.last.text and len(fake.received) == 2

        # A new question: its calls, allowed always, run at once and the answer follows in the same Run.
        views = list(run_chat(playground, Catalog({}), replace(setup, form=FormValues(prompt="And now?")),
                              answered, tools=tools))
        ran = [plain(view.run.status) for view in views if "Running" in view.run.status]
        assert ran == ["⇢ Running weather on the MCP server at 127.0.0.1…"] * 2 and len(fake.received) == 4
        assert "said: 18 °C, light rain" in views[-1].conversation.tree.last.text

        # Asked once more, allowed only once this time (a session that never said always).
        waiting = last(run_chat(playground, Catalog({}), replace(setup, form=FormValues(prompt="Once more?")),
                                views[-1].conversation, tools=ToolSettings(choice="weather", mcp=session)))
        assert waiting.conversation.tree.unanswered_calls() and len(fake.received) == 5
    once, session = allow_call(waiting.conversation, session, always=False)
    stopped = last(run_chat(playground, Catalog({}), setup, once, tools=ToolSettings(choice="weather", mcp=session)))
    assert stopped.run.phase == "held" and "could not run the call" in stopped.run.status
    assert "Could not connect: no MCP server answered" in plain(stopped.conversation.transcript[-1]["content"])
    assert len(fake.received) == 5, "nothing went to the model"
