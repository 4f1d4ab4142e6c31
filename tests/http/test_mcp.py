"""MCP servers through `McpServer` against real SDK servers on real sockets (tests/mcp_servers.py): tools
listed as OpenAI tool objects (capped, and said), calls answered as text, and down, slow, failing and
404/401/500 servers turned into the backend's errors; which URL gets the HF token (only Hugging Face's
/mcp) or the typed header (only its own server); and the URL rules, checked before anything is sent,
again at every connection (a name that turns private is refused there).
"""
from __future__ import annotations

import asyncio
import json
import socket
import threading
from typing import Any, Iterator

import anyio
import pytest
from mcp_types import CallToolResult, EmbeddedResource, ResourceLink, TextContent, TextResourceContents, Tool

from backend.chat import McpServer, McpTimeouts, check_mcp_url, hub_mcp_url, parse_tools
from backend.chat.mcp_results import result_from, tools_from
from backend.chat.mcp_target import PinnedBackend, mcp_headers, parse_header
from backend.errors import (BadResponse, ConnectionFailed, InvalidEndpointUrl, InvalidInput, ModelLoading, Timeout,
                            UpstreamError, user_message)
from backend.settings import Settings
from tests.mcp_servers import (McpTestServer, closed_port_url, demo_server, failing_list_server, many_tools_server,
                               status_app)

TOKEN = "hf_mcptest0000000000000000000"
PUBLIC = "93.184.216.34"


def public(host: str) -> list[str]:
    return [PUBLIC]


@pytest.fixture(scope="module")
def demo() -> Iterator[McpTestServer]:
    with McpTestServer(demo_server()) as server:
        yield server


def trusting(*servers: McpTestServer, **fields: object) -> Settings:
    return Settings(mcp_hosts=tuple(server.host for server in servers), **fields)  # type: ignore[arg-type]


# -- listing and calling ---------------------------------------------------------------------------
def test_tools_are_listed_as_openai_tool_objects_the_tools_box_accepts(demo: McpTestServer) -> None:
    listed = McpServer(demo.url, trusting(demo)).list_tools()
    assert [(t.name, t.function_name) for t in listed.tools] == [
        ("add", "add"), ("weather", "weather"), ("slow", "slow"), ("boom", "boom"), ("draw.picture", "draw_picture")]
    assert listed.listed == 5 and listed.notes == () and listed.url == demo.url
    add = listed.openai_tools()[0]
    assert add["function"]["description"] == "Add two integers."
    assert add["function"]["parameters"]["required"] == ["a", "b"]
    assert parse_tools(json.dumps(listed.openai_tools())) == listed.openai_tools()
    assert listed.find("draw_picture").name == "draw.picture" and listed.find("nope") is None


def test_a_call_returns_its_text_and_notes_what_it_cannot_show(demo: McpTestServer) -> None:
    server = McpServer(demo.url, trusting(demo))
    added = server.call_tool("add", {"a": 2, "b": 3})
    assert (added.text, added.is_error, added.structured) == ("5", False, {"result": 5})
    assert server.call_tool("weather", {"city": "Paris"}).text == "18 °C, light rain"
    picture = server.call_tool("draw.picture")
    assert picture.text == "A red pixel:\n[image image/png, 70 bytes, not shown]"
    assert picture.notes == ("[image image/png, 70 bytes, not shown]",)


def test_a_tool_that_fails_or_does_not_exist_answers_an_error_to_send_back(demo: McpTestServer) -> None:
    server = McpServer(demo.url, trusting(demo), timeouts=McpTimeouts(call=20))
    failed = server.call_tool("boom", {})
    assert failed.is_error and failed.text == "Error executing tool boom"
    assert server.call_tool("nosuch", {}).text == "Unknown tool: nosuch"


def test_a_server_listing_500_tools_offers_128_and_says_so() -> None:
    with McpTestServer(many_tools_server(500)) as many:
        listed = McpServer(many.url, trusting(many)).list_tools()
    assert len(listed.tools) == 128 and listed.listed == 500
    assert listed.note == "The server lists 500 tools; the first 128 are offered."
    assert listed.tools[-1].name == "tool_127"


# -- failures ---------------------------------------------------------------------------------------
def test_a_slow_tool_times_out_with_the_limit_named(demo: McpTestServer) -> None:
    server = McpServer(demo.url, trusting(demo), timeouts=McpTimeouts(call=0.5))
    with pytest.raises(Timeout) as caught:
        server.call_tool("slow", {"seconds": 5})
    assert user_message(caught.value) == ("Timed out: the MCP server at 127.0.0.1 did not run the tool within "
                                          "0.5 s. Try again, or raise the timeout.")


def test_a_server_that_never_answers_the_handshake_times_out() -> None:
    with socket.socket() as listener:  # accepts connections, never answers
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        host = f"127.0.0.1:{listener.getsockname()[1]}"
        server = McpServer(f"http://{host}/mcp", Settings(mcp_hosts=(host,)), timeouts=McpTimeouts(connect=0.5))
        with pytest.raises(Timeout, match="did not connect within 0.5 s"):
            server.list_tools()


def test_a_server_that_is_down_cannot_be_connected_to() -> None:
    url = closed_port_url()
    with pytest.raises(ConnectionFailed) as caught:
        McpServer(url, Settings(mcp_hosts=("127.0.0.1",))).list_tools()
    assert user_message(caught.value).startswith(f"Could not connect: no MCP server answered at {url}")


@pytest.mark.parametrize("status, error, message", [
    (500, UpstreamError, "HTTP 500: the server failed. Try again in a moment."),
    (503, ModelLoading, "HTTP 503: the MCP server at 127.0.0.1 is still starting or unavailable."),
    (401, InvalidInput, "The MCP server at 127.0.0.1 refused the request (HTTP 401). Check the header you typed"),
    (404, InvalidInput, "No MCP server answers at http://127.0.0.1:"),
])
def test_an_error_status_is_reported_as_what_it_means(status: int, error: type, message: str) -> None:
    with McpTestServer(status_app(status)) as failing:
        with pytest.raises(error) as caught:
            McpServer(failing.url, trusting(failing)).list_tools()
    assert user_message(caught.value).startswith(message)


def test_a_tools_list_error_says_what_the_server_said() -> None:
    with McpTestServer(failing_list_server()) as broken:
        with pytest.raises(BadResponse) as caught:
            McpServer(broken.url, trusting(broken)).list_tools()
    assert user_message(caught.value) == ("The server's answer could not be used: the MCP server at 127.0.0.1 "
                                          "answered with an error when asked to list its tools: the tool index is "
                                          "being rebuilt.")


# -- who gets what ----------------------------------------------------------------------------------
def test_the_hf_token_goes_to_huggingface_mcp_and_a_typed_header_to_its_own_server_only() -> None:
    with McpTestServer(demo_server()) as hub, McpTestServer(demo_server()) as other:
        settings = Settings(hub_url=hub.base, mcp_hosts=(other.host,))
        assert hub_mcp_url(settings) == hub.url
        McpServer(hub.url + "/", settings, token=TOKEN, header="X-Key: typed-secret").list_tools()
        McpServer(other.url, settings, token=TOKEN, header="Authorization: Bearer typed-secret").list_tools()
        hub_headers, other_headers = hub.received, other.received
    assert hub_headers and all(h.get("authorization") == f"Bearer {TOKEN}" and "x-key" not in h for h in hub_headers)
    assert other_headers and all(h.get("authorization") == "Bearer typed-secret" for h in other_headers)
    assert not any(TOKEN in str(h) for h in other_headers)


def test_without_a_token_huggingface_mcp_gets_no_authorization_and_a_header_goes_nowhere_else() -> None:
    settings = Settings(hub_url="https://huggingface.co")
    hub = check_mcp_url("https://huggingface.co/mcp", settings)
    assert (hub.kind, hub.gets_hf_token) == ("hub", True)
    assert mcp_headers(hub) == {} and mcp_headers(hub, None, "X-Key: v") == {}
    other = check_mcp_url("https://mcp.example.com/mcp", settings, public)
    assert mcp_headers(other, TOKEN) == {} and mcp_headers(other, TOKEN, "X-Key: v") == {"X-Key": "v"}


def test_repr_never_shows_the_token_or_header() -> None:
    server = McpServer("https://huggingface.co/mcp", Settings(), token=TOKEN)
    assert TOKEN not in repr(server) and repr(server).endswith("headers=['Authorization'])")


# -- the URL rules -----------------------------------------------------------------------------------
def test_an_untrusted_local_http_server_is_refused_before_anything_is_sent(demo: McpTestServer) -> None:
    before = len(demo.received)
    with pytest.raises(InvalidEndpointUrl, match=r"^Only https:// MCP servers are allowed"):
        McpServer(demo.url, Settings())
    with pytest.raises(InvalidEndpointUrl, match=r"points to a private or local address"):
        McpServer("https://localhost:443/mcp", Settings(), resolve=lambda host: ["127.0.0.1"])
    assert len(demo.received) == before


@pytest.mark.parametrize("url, message", [
    ("ftp://mcp.example.com/mcp", "Enter the MCP server's full URL"),
    ("https://user:pw@mcp.example.com/mcp", "Remove the user:password@ part"),
    ("https://mcp.example.com/mcp?key=1", "must not carry a query string"),
    ("https://mcp.example.com/mcp#x", "must not carry a query string"),
    ("https://mcp.example.com:8443/mcp", "Only the standard https port"),
    ("http://mcp.example.com/mcp", "Only https://"),
    ("https://10.0.0.5/mcp", "points to a private or local address"),
    ("https://[::1]/mcp", "points to a private or local address"),
    ("https://huggingface.co/mcp?login", "must not carry a query string"),
    ("https://huggingface.co:8443/mcp", "Only the standard https port"),
])
def test_mcp_urls_follow_the_custom_endpoint_rules(url: str, message: str) -> None:
    with pytest.raises(InvalidEndpointUrl, match=message.replace("?", r"\?")):
        check_mcp_url(url, Settings(), lambda host: [host.strip("[]")] if host[0].isdigit() or ":" in host
                      else [PUBLIC])


@pytest.mark.parametrize("url, settings, kind", [
    ("https://huggingface.co/mcp", Settings(), "hub"),
    ("https://HuggingFace.co/mcp/", Settings(), "hub"),
    ("https://huggingface.co/other-mcp", Settings(), "public"),  # the Hub's host, but not its MCP: no token
    ("https://mcp.example.com/mcp", Settings(), "public"),
    ("http://127.0.0.1:8000/mcp", Settings(mcp_hosts=("127.0.0.1:8000",)), "trusted"),
    ("http://mcp.lan:9000/mcp", Settings(mcp_hosts=("mcp.lan",)), "trusted"),
])
def test_which_kind_of_server_a_url_is(url: str, settings: Settings, kind: str) -> None:
    assert check_mcp_url(url, settings, public).kind == kind


def test_a_shared_app_or_one_without_custom_endpoints_only_reaches_hf_and_trusted_servers() -> None:
    for settings in (Settings(server_name="0.0.0.0"), Settings(custom_endpoints=False)):
        assert check_mcp_url("https://huggingface.co/mcp", settings, public).kind == "hub"
        with pytest.raises(InvalidEndpointUrl):
            check_mcp_url("https://mcp.example.com/mcp", settings, public)
    shared = Settings(server_name="0.0.0.0", mcp_hosts=("mcp.example.com",))
    assert check_mcp_url("https://mcp.example.com/mcp", shared, public).kind == "trusted"


@pytest.mark.parametrize("text, parsed", [
    ("", None),
    ("Authorization: Bearer xyz", ("Authorization", "Bearer xyz")),
    ("  X-Api-Key:abc  ", ("X-Api-Key", "abc")),
])
def test_a_typed_header(text: str, parsed: tuple[str, str] | None) -> None:
    assert parse_header(text) == parsed


@pytest.mark.parametrize("text, message", [
    ("Bearer xyz", "must look like"),
    ("Bad Name: v", "must look like"),
    ("X-Key:", "must look like"),
    ("Host: evil.example", "set by the MCP connection itself"),
    ("Mcp-Session-Id: 1", "set by the MCP connection itself"),
    ("X-Key: a\r\nX-Other: b", "line break"),
    ("X-Key: caf\u00e9", "outside plain ASCII"),
])
def test_a_typed_header_that_cannot_be_sent_is_refused(text: str, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        parse_header(text)


def test_a_name_that_resolves_to_a_private_address_at_connection_time_is_refused() -> None:
    answers = iter([[PUBLIC], ["127.0.0.1"]])  # checked public, then rebound before the connection
    server = McpServer("https://rebind.example/mcp", Settings(), resolve=lambda host: next(answers))
    with pytest.raises(InvalidEndpointUrl, match="rebind.example points to a private or local address"):
        server.list_tools()


def off_thread(run: Any, *args: Any) -> Any:
    """`run(*args)` on a thread of its own: the test runner's thread may hold a loop already (Playwright's
    sync API keeps one for the whole session once the browser tests have run)."""
    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["value"] = run(*args)
        except BaseException as exc:  # handed back to the test
            box["error"] = exc
    worker = threading.Thread(target=target)
    worker.start()
    worker.join(60)
    if "error" in box:
        raise box["error"]
    return box.get("value")


def test_the_pinned_backend_connects_to_the_address_it_checked(demo: McpTestServer) -> None:
    async def connect(backend: PinnedBackend) -> None:
        stream = await backend.connect_tcp("pinned.example", demo.port, timeout=2)
        await stream.aclose()

    off_thread(anyio.run, connect, PinnedBackend(lambda host: ["127.0.0.1"], is_allowed=lambda address: True))
    with pytest.raises(InvalidEndpointUrl):
        off_thread(anyio.run, connect, PinnedBackend(lambda host: ["127.0.0.1"]))
    with pytest.raises(InvalidEndpointUrl, match="could not be resolved"):
        off_thread(anyio.run, connect,
                   PinnedBackend(lambda host: (_ for _ in ()).throw(socket.gaierror("no such name"))))


# -- results and threads -----------------------------------------------------------------------------
def test_results_and_listings_from_sdk_values() -> None:
    result = result_from(CallToolResult(content=[
        TextContent(type="text", text="Found:"),
        EmbeddedResource(type="resource", resource=TextResourceContents(uri="file:///a.txt", text="inside")),
        ResourceLink(type="resource_link", name="report", uri="https://example.com/r.pdf")], is_error=False))
    assert result.text == "Found:\ninside\n[link https://example.com/r.pdf (report)]"
    assert result_from(CallToolResult(content=[], structured_content={"n": 1})).text == '{"n": 1}'
    tools = [Tool(name="a.b", input_schema={"type": "object"}), Tool(name="a/b", input_schema={"type": "object"}),
             Tool(name="bad", input_schema={"type": "object", "properties": {"x": {"type": "integr"}}}),
             Tool(name="x" * 80, description="long", input_schema={"type": "object"})]
    listed = tools_from("u", tools, 128)
    assert [t.function_name for t in listed.tools] == ["a_b", "a_b_2", "x" * 64]
    assert listed.notes == ("1 tool left out: the input schema is not valid JSON Schema (bad).",)


def test_the_sync_facade_works_from_a_thread_that_already_runs_an_event_loop(demo: McpTestServer) -> None:
    async def inside_a_loop() -> str:
        return McpServer(demo.url, trusting(demo)).call_tool("add", {"a": 1, "b": 1}).text

    assert off_thread(asyncio.run, inside_a_loop()) == "2"
    results: list[str] = []
    workers = [threading.Thread(target=lambda: results.append(
        McpServer(demo.url, trusting(demo)).call_tool("add", {"a": 20, "b": 1}).text)) for _ in range(3)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(30)
    assert results == ["21"] * 3
