"""MCP servers over Streamable HTTP, through the official `mcp` SDK, behind a synchronous facade.

    server = McpServer(url, settings, token=visitor_token, header="Authorization: Bearer xyz")
    listed = server.list_tools()            # McpTools: .openai_tools() for the request, .note when capped
    tool = listed.find(call.name)           # the model calls `function_name`; the server knows `name`
    result = server.call_tool(tool.name, call.arguments)   # McpResult: .text to send back, .is_error, .notes
Each call opens a connection, runs, and closes it inside a fresh event loop on the calling thread (a
Gradio handler's worker thread; from a thread already running a loop it uses a thread of its own), within
the connect, list and call timeouts. Failures raise the backend's errors: `InvalidInput` (URL, header, a
404 or a refused credential), `ConnectionFailed` (down), `Timeout` (slow), `UpstreamError` (5xx) and
`BadResponse` (a JSON-RPC error from tools/list or tools/call). A tool that fails answers
`is_error=True`, which the person may still send to the model. Which URL gets what: mcp_target.py.
"""
from __future__ import annotations

import asyncio
import threading
from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable, Mapping, TypeVar

import anyio
import httpx2
from mcp import Client, MCPError
from mcp.client.streamable_http import streamable_http_client

from ..errors import BadResponse, ConnectionFailed, InvalidInput, PlaygroundError, Timeout, error_for_status
from ..settings import Settings
from ..targets import Resolver, _resolve
from .mcp_results import McpResult, McpTools, result_from, tools_from
from .mcp_target import McpTarget, PinnedBackend, check_mcp_url, mcp_headers, pinned_transport

__all__ = ["McpServer", "McpTimeouts", "McpTools", "McpResult", "MAX_MCP_TOOLS"]

MAX_MCP_TOOLS = 128  # what OpenAI's `tools` takes at most
MAX_PAGES = 50  # a tools/list paginator that never ends must not hang the page
T = TypeVar("T")


@dataclass(frozen=True)
class McpTimeouts:
    """Seconds: `connect` covers the TCP connection and the MCP handshake, `list` tools/list (all pages),
    `call` one tools/call."""

    connect: float = 10.0
    list: float = 20.0
    call: float = 60.0


@dataclass
class _Operation:
    """One operation's phase (its deadline, and the timeout message) and the HTTP error statuses it saw."""

    scope: anyio.CancelScope | None = None  # made inside the event loop
    phase: str = "connect"
    statuses: list[int] = field(default_factory=list)

    def start(self, phase: str, seconds: float) -> None:
        self.phase = phase
        assert self.scope is not None
        self.scope.deadline = anyio.current_time() + seconds


class McpServer:
    """One MCP server as the person named it. Holds no connection between calls; `repr` shows no header."""

    def __init__(self, url: str, settings: Settings, *, token: str | None = None, header: str = "",
                 timeouts: McpTimeouts = McpTimeouts(), resolve: Resolver = _resolve,
                 backend: PinnedBackend | None = None) -> None:
        self.target: McpTarget = check_mcp_url(url, settings, resolve)
        self._headers = mcp_headers(self.target, token, header)
        self.timeouts = timeouts
        self._backend = backend or PinnedBackend(resolve)

    def __repr__(self) -> str:
        return f"McpServer(url={self.target.url!r}, kind={self.target.kind!r}, headers={sorted(self._headers)})"

    @property
    def url(self) -> str:
        return self.target.url

    def list_tools(self, limit: int = MAX_MCP_TOOLS) -> McpTools:
        """The server's tools as OpenAI tool objects, the first `limit` offered (and `.note` says so)."""
        async def listing(client: Client, op: _Operation) -> McpTools:
            op.start("list", self.timeouts.list)
            tools, cursor = [], None
            for _ in range(MAX_PAGES):
                page = await client.list_tools(cursor=cursor)
                tools.extend(page.tools)
                cursor = page.next_cursor
                if not cursor:
                    break
            return tools_from(self.target.url, tools, limit)
        return self._run(listing)

    def call_tool(self, name: str, arguments: Mapping[str, Any] | None = None) -> McpResult:
        """Run one tool (by the server's own name, `McpTool.name`) and return its result as text."""
        if not isinstance(arguments, (Mapping, type(None))):
            raise InvalidInput("A tool's arguments must be a JSON object.")

        async def calling(client: Client, op: _Operation) -> McpResult:
            op.start("call", self.timeouts.call)
            return result_from(await client.call_tool(name, dict(arguments or {})))
        return self._run(calling)

    # -- the event loop and the errors -------------------------------------------------------------
    def _run(self, work: Callable[[Client, _Operation], Awaitable[T]]) -> T:
        op = _Operation()
        try:
            return _run_sync(lambda: self._session(work, op))
        except (Exception, BaseExceptionGroup) as exc:  # the SDK's task groups wrap what went wrong
            raise self._error(_leaf(exc), op) from None

    async def _session(self, work: Callable[[Client, _Operation], Awaitable[T]], op: _Operation) -> T:
        async def record(response: httpx2.Response) -> None:
            # Messages travel by POST; a 405 to the optional GET stream or the closing DELETE is normal.
            if response.status_code >= 400 and response.request.method == "POST":
                op.statuses.append(response.status_code)

        timeout = httpx2.Timeout(self.timeouts.connect, read=max(self.timeouts.list, self.timeouts.call) + 5)
        transport = pinned_transport(self._backend) if self.target.kind == "public" \
            else httpx2.AsyncHTTPTransport(trust_env=False)
        http = httpx2.AsyncClient(headers=self._headers, timeout=timeout, transport=transport, trust_env=False,
                                  event_hooks={"response": [record]})
        # One scope around everything, so the SDK's task groups nest inside it; each phase moves its deadline.
        op.scope = anyio.CancelScope()
        with op.scope:
            op.start("connect", self.timeouts.connect)
            async with http, Client(streamable_http_client(self.target.url, http_client=http), cache=None) as client:
                return await work(client, op)
        raise TimeoutError  # the scope's deadline passed: it swallowed the cancellation and ended here

    def _error(self, exc: BaseException, op: _Operation) -> PlaygroundError:
        host, what = self.target.host, {"connect": "connect", "list": "list its tools",
                                        "call": "run the tool"}[op.phase]
        if isinstance(exc, PlaygroundError):
            return exc
        if isinstance(exc, TimeoutError):
            limit = getattr(self.timeouts, op.phase)
            return Timeout(f"the MCP server at {host} did not {what} within {limit:g} s")
        if isinstance(exc, httpx2.TimeoutException):
            return Timeout(f"the MCP server at {host} did not answer in time ({type(exc).__name__})")
        if isinstance(exc, (httpx2.ConnectError, OSError)):
            return ConnectionFailed(f"no MCP server answered at {self.target.url} ({exc or type(exc).__name__})")
        if isinstance(exc, httpx2.HTTPError):
            return ConnectionFailed(f"the connection to the MCP server at {host} failed ({type(exc).__name__})")
        if op.statuses:
            return self._status_error(op.statuses[-1], exc)
        if isinstance(exc, MCPError):
            return BadResponse(f"the MCP server at {host} answered with an error when asked to {what}: "
                               f"{exc.message or exc.code}")
        return BadResponse(f"the MCP server at {host} could not be used ({type(exc).__name__})")

    def _status_error(self, status: int, exc: BaseException) -> PlaygroundError:
        said = exc.message if isinstance(exc, MCPError) else ""
        if status == 404:
            return InvalidInput(f"No MCP server answers at {self.target.url} (HTTP 404). Check the address: "
                                f"servers usually listen on /mcp.")
        if status in (401, 403) and not self.target.gets_hf_token:
            return InvalidInput(f"The MCP server at {self.target.host} refused the request (HTTP {status}). "
                                f"Check the header you typed: most servers want an Authorization header with a key.")
        # The SDK's stand-in for a status without a JSON-RPC error is not the server's word; leave it out.
        said = "" if said == "Server returned an error response" else said
        return error_for_status(status, body=said, model_id=f"the MCP server at {self.target.host}")


def _leaf(exc: BaseException) -> BaseException:
    """The error inside the SDK's (nested) exception groups that says what went wrong."""
    while isinstance(exc, BaseExceptionGroup):
        inner = [e for e in exc.exceptions if not isinstance(e, (asyncio.CancelledError, GeneratorExit))]
        exc = (inner or list(exc.exceptions))[0]
    return exc


def _run_sync(factory: Callable[[], Awaitable[T]]) -> T:
    """Run a coroutine to its end in a fresh event loop on a thread of its own: the caller's thread may
    already run a loop (an async handler, a test harness's), which would refuse a second one."""
    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["value"] = asyncio.run(_awaited(factory))
        except BaseException as exc:  # handed to the caller's thread
            box["error"] = exc
    thread = threading.Thread(target=target, name="mcp-call", daemon=True)
    thread.start()
    thread.join()
    if "error" in box:
        raise box["error"]
    return box["value"]


async def _awaited(factory: Callable[[], Awaitable[T]]) -> T:
    return await factory()
