"""Function calling and structured output as a person meets them (issue 21), in Chromium against the fake:
the model's calls shown as cards and answered one by one until it answers in text (the fake's log shows
the assistant's tool_calls and one tool message per call going back), a call to a function nobody defined
flagged, a bad tools box or schema refused naming its path with nothing lost, an answer checked against
its schema, and an MCP server's tool run once the person allows it.

This module's app trusts a real MCP server (tests/mcp_servers.py) on 127.0.0.1 through PLAYGROUND_MCP_HOSTS.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterator

import pytest
from playwright.sync_api import expect

from tests.browser.actions import ANSWER_TIMEOUT
from tests.browser.conftest import OPERATOR_TOKEN
from tests.fake_hf import FakeHF
from tests.mcp_servers import McpTestServer, closed_port_url, demo_server, many_tools_server, status_app
from tests.ui.launch import fake_settings, launched

pytestmark = pytest.mark.browser
DOCS = Path(__file__).resolve().parents[2] / "docs"
QUESTION = "What is the weather in Paris and in Tokyo?"


@pytest.fixture(scope="module")
def mcp() -> Iterator[McpTestServer]:
    with McpTestServer(demo_server()) as server:
        yield server


@pytest.fixture(scope="module")
def app_url(fake: FakeHF, mcp: McpTestServer) -> Iterator[str]:
    # Every port of 127.0.0.1 is trusted, so the servers started by a test (and a closed port) may be tried.
    with launched(fake_settings(fake.url, OPERATOR_TOKEN, PLAYGROUND_MCP_HOSTS="127.0.0.1")) as (url, _demo):
        yield url


def chat_requests(hf: FakeHF) -> list[dict[str, Any]]:
    return [seen.json for seen in hf.received if seen.path.endswith("/chat/completions") and seen.json]


def open_tools(page: Any) -> None:
    page.locator("#tools-box").get_by_text("Tools and structured output", exact=True).click()
    expect(page.locator("#tools")).to_be_visible()


def type_code(page: Any, elem_id: str, text: str) -> None:
    """Type into a code editor (#tools, #response-format) as a person pastes."""
    editor = page.locator(f"#{elem_id} .cm-content")
    editor.click()
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.press("Delete")
    editor.fill(text)


def pick(page: Any, model_id: str) -> None:
    """Paste a model id and press Enter (typed key by key, the search would offer fake/tool-caller-odd
    and -tgi beside fake/tool-caller, and Enter might take one of them)."""
    box = page.locator("#model input")
    box.fill(model_id)
    box.press("Enter")
    expect(page.locator("#model-info")).to_contain_text(model_id, timeout=ANSWER_TIMEOUT)
    expect(box).to_have_value(model_id)


def ask(page: Any, model: str, message: str = QUESTION) -> Any:
    pick(page, model)
    open_tools(page)
    page.locator("#prompt textarea").fill(message)
    return page.locator("#chat")


def screenshot_whole(page: Any, selector: str, path: Path, unroll: str = "#chat") -> None:
    """A picture of `selector` with the transcript's scrolled part unrolled (for the docs; nothing is asserted)."""
    page.locator(unroll).evaluate("""root => {
        root.style.height = 'auto'; root.style.maxHeight = 'none';
        for (const el of root.querySelectorAll('*')) {
            const style = getComputedStyle(el);
            if (['auto', 'scroll'].includes(style.overflowY)) { el.style.height = 'auto'; el.style.maxHeight = 'none'; }
        }
    }""")
    page.locator(selector).screenshot(path=str(path))


def give(page: Any, result: str) -> None:
    page.locator("#tool-result textarea").fill(result)
    page.click("#tool-send")


def test_a_tool_call_is_answered_and_the_model_answers_with_the_results(page: Any, hf: FakeHF) -> None:
    chat = ask(page, "fake/tool-caller")
    page.click("#tools-example")
    expect(page.locator("#tools")).to_contain_text("get_n_day_weather_forecast")
    page.click("#run")

    expect(page.locator("#status")).to_contain_text("HTTP 200", timeout=ANSWER_TIMEOUT)
    expect(chat).to_contain_text("get_current_weather · call 1 of 2", timeout=ANSWER_TIMEOUT)
    expect(chat).to_contain_text("get_current_weather · call 2 of 2")
    expect(chat).to_contain_text('"location": "Tokyo, Japan"')  # the arguments, pretty-printed
    note = page.locator("#tool-note")
    expect(note).to_contain_text("Waiting for the result of get_current_weather · call 1 of 2")

    give(page, "18 °C, light rain")
    expect(note).to_contain_text("call 2 of 2", timeout=ANSWER_TIMEOUT)
    expect(page.locator("#tool-result textarea")).to_have_value("")
    give(page, '{"temperature": 24, "sky": "sunny"}')

    expect(chat).to_contain_text('said: {"temperature": 24, "sky": "sunny"}', timeout=ANSWER_TIMEOUT)
    expect(chat).to_contain_text("said: 18 °C, light rain")
    expect(chat).to_contain_text("Result of get_current_weather")
    expect(page.locator("#tool-answer")).to_be_hidden()
    first, second = chat_requests(hf)[-2:]
    assert first["tools"] == json.loads(page.locator("#tools .cm-content").inner_text())
    calls = second["messages"][1]["tool_calls"]
    assert second["messages"][0] == {"role": "user", "content": QUESTION}
    assert [(c["id"], c["function"]["name"]) for c in calls] == [("call_fake_0", "get_current_weather"),
                                                                  ("call_fake_1", "get_current_weather")]
    assert second["messages"][2:] == [
        {"role": "tool", "content": "18 °C, light rain", "tool_call_id": "call_fake_0"},
        {"role": "tool", "content": '{"temperature": 24, "sky": "sunny"}', "tool_call_id": "call_fake_1"}]
    screenshot_whole(page, "#chat", DOCS / "screenshot-tool-call.png")


def test_a_call_to_a_function_nobody_defined_is_flagged(page: Any, hf: FakeHF) -> None:
    chat = ask(page, "fake/tool-caller-odd")
    page.click("#tools-example")
    page.click("#run")

    expect(chat).to_contain_text("launch_rockets · call 1 of 2", timeout=ANSWER_TIMEOUT)
    expect(chat).to_contain_text("launch_rockets is not one of the functions offered to the model")
    expect(chat).to_contain_text("The arguments are not valid JSON")  # the second call's, cut short
    expect(page.locator("#tool-note")).to_contain_text("Waiting for the result of launch_rockets")


def test_a_bad_tools_box_is_refused_naming_its_path_and_nothing_is_lost(page: Any, hf: FakeHF) -> None:
    ask(page, "fake/tool-caller", "Keep this message")
    bad = '[{"type": "function", "function": {"name": "get weather"}}]'
    type_code(page, "tools", bad)
    page.click("#run")

    expect(page.locator("#status")).to_contain_text("Not sent", timeout=ANSWER_TIMEOUT)
    expect(page.locator("#chat")).to_contain_text("tools[0].function.name")
    expect(page.locator("#prompt textarea")).to_have_value("Keep this message")
    expect(page.locator("#tools .cm-content")).to_have_text(bad)
    assert chat_requests(hf) == [], "nothing was sent"


def test_an_answer_is_checked_against_the_schema(page: Any, hf: FakeHF) -> None:
    chat = ask(page, "fake/json-answers", "Who wrote the first program?")
    page.locator("#schema-example input").click()
    page.get_by_role("option", name="person", exact=True).click()
    expect(page.locator("#response-format")).to_contain_text('"known_for"')
    page.click("#run")

    expect(chat).to_contain_text("✓ matches the schema", timeout=ANSWER_TIMEOUT)
    checked = page.locator("#schema-check")
    expect(checked).to_contain_text("✓ matches the schema")
    expect(checked).to_contain_text("Paris, France")  # the answer as a JSON tree
    assert chat_requests(hf)[-1]["response_format"]["json_schema"]["schema"]["required"] == [
        "name", "born", "known_for"]

    page.click("#chat-clear")
    pick(page, "fake/json-breaks")
    page.locator("#prompt textarea").fill("And who was Babbage?")
    page.click("#run")
    expect(chat).to_contain_text("✗ does not match the schema", timeout=ANSWER_TIMEOUT)
    expect(chat).to_contain_text("$: 'name' is a required property")
    expect(chat).to_contain_text("$.born: 'many' is not of type 'integer'")
    expect(checked).to_contain_text("✗ does not match the schema at $, $.born")
    screenshot_whole(page, "#chat-panel", DOCS / "screenshot-schema.png")


def test_an_invalid_schema_is_refused_naming_its_path(page: Any, hf: FakeHF) -> None:
    ask(page, "fake/json-answers", "Keep me too")
    schema = '{"type": "object", "properties": {"age": {"type": "int"}}}'
    type_code(page, "response-format", schema)
    page.click("#run")

    expect(page.locator("#status")).to_contain_text("Not sent", timeout=ANSWER_TIMEOUT)
    expect(page.locator("#chat")).to_contain_text("schema.properties.age.type")
    expect(page.locator("#prompt textarea")).to_have_value("Keep me too")
    expect(page.locator("#response-format .cm-content")).to_have_text(schema)
    assert chat_requests(hf) == []


def test_an_mcp_servers_tool_runs_once_allowed_and_its_result_goes_back(page: Any, hf: FakeHF,
                                                                         mcp: McpTestServer) -> None:
    chat = ask(page, "fake/tool-caller")
    page.locator("#mcp-url textarea, #mcp-url input").first.fill(mcp.url)
    page.click("#mcp-add")
    listing = page.locator("#mcp-note")
    expect(listing).to_contain_text("Today's weather in a city.", timeout=ANSWER_TIMEOUT)
    expect(listing).to_contain_text("127.0.0.1 · 5 tools offered · gets no credential")
    page.locator("#tool-choice input").click()
    page.get_by_role("option", name="weather", exact=True).click()
    page.click("#run")

    expect(chat).to_contain_text("weather · call 1 of 2", timeout=ANSWER_TIMEOUT)
    expect(chat).to_contain_text("A tool of the MCP server at 127.0.0.1")
    note = page.locator("#tool-note")
    expect(note).to_contain_text("It is a tool of the MCP server at 127.0.0.1")
    page.click("#mcp-run")  # this call, once
    expect(chat).to_contain_text("18 °C, light rain", timeout=ANSWER_TIMEOUT)
    expect(note).to_contain_text("call 2 of 2")
    page.click("#mcp-always")  # and from now on

    expect(chat).to_contain_text("weather({\"city\": \"Tokyo, Japan\"}) said: 24 °C, sunny", timeout=ANSWER_TIMEOUT)
    expect(chat).to_contain_text("Result of weather · from the MCP server at 127.0.0.1")
    sent = chat_requests(hf)[-1]["messages"]
    assert [(m["tool_call_id"], m["content"]) for m in sent if m["role"] == "tool"] == [
        ("call_fake_0", "18 °C, light rain"), ("call_fake_1", "24 °C, sunny")]
    assert not any("authorization" in headers for headers in mcp.received), "no HF token went to the server"


@pytest.mark.parametrize("server, says", [
    (None, "Could not connect: no MCP server answered at http://127.0.0.1:"),
    (lambda: status_app(500), "HTTP 500"),
    (lambda: many_tools_server(500), "The server lists 500 tools; the first 128 are offered."),
])
def test_a_server_down_failing_or_with_too_many_tools_is_said_clearly(page: Any, hf: FakeHF, server: Any,
                                                                       says: str) -> None:
    pick(page, "fake/tool-caller")
    open_tools(page)
    started = McpTestServer(server()).start() if server else None
    try:
        page.locator("#mcp-url textarea, #mcp-url input").first.fill(started.url if started else closed_port_url())
        page.click("#mcp-add")
        expect(page.locator("#mcp-note")).to_contain_text(says, timeout=ANSWER_TIMEOUT)
    finally:
        if started:
            started.stop()
    if server is not None and "500 tools" in says:
        expect(page.locator("#mcp-note")).to_contain_text("… and 88 more")
    else:
        expect(page.locator("#mcp-note")).to_contain_text("Nothing was added")
