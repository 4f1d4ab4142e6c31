"""Real MCP servers for tests, built with the `mcp` SDK's `MCPServer` (FastMCP's name in mcp 2.x) and served
over Streamable HTTP by uvicorn in a thread on 127.0.0.1, on a free port.

    with McpTestServer(demo_server()) as server:
        McpServer(server.url, settings).list_tools()
        server.received        # each request's headers, as the server read them

`demo_server()` has add, weather, slow (sleeps), boom (raises) and picture (an image part);
`many_tools_server(500)` lists 500 tools; `failing_list_server()` answers tools/list with a JSON-RPC
error; `status_app(500)` answers every request with that HTTP status; `closed_port_url()` is a URL
nothing listens on.
"""
from __future__ import annotations

import base64
import socket
import threading
import time
from typing import Any

import anyio
import uvicorn
from mcp import MCPError
from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.utilities.types import Image
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

PNG_1X1 = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAA"
                            "AABJRU5ErkJggg==")
WEATHER = {"Paris": "18 °C, light rain", "Tokyo": "24 °C, sunny"}


def demo_server() -> MCPServer:
    server = MCPServer("demo", log_level="ERROR")

    @server.tool()
    def add(a: int, b: int) -> int:
        """Add two integers."""
        return a + b

    @server.tool()
    def weather(city: str) -> str:
        """Today's weather in a city."""
        return WEATHER.get(city.split(",")[0].strip(), f"No weather for {city}")

    @server.tool()
    async def slow(seconds: float) -> str:
        """Sleeps, then answers."""
        await anyio.sleep(seconds)
        return "done"

    @server.tool()
    def boom() -> str:
        """Always fails."""
        raise ValueError("the tool broke")

    @server.tool(name="draw.picture", structured_output=False)
    def picture() -> list[Any]:
        """A caption and a one-pixel PNG (its name is not a valid function name)."""
        return ["A red pixel:", Image(data=PNG_1X1, format="png")]

    return server


def many_tools_server(count: int) -> MCPServer:
    server = MCPServer("many", log_level="ERROR")
    for number in range(count):
        def echo(text: str, number: int = number) -> str:
            return f"{number}: {text}"
        server.add_tool(echo, name=f"tool_{number:03d}", description=f"Echo number {number}.")
    return server


class _ListFails(MCPServer):
    async def list_tools(self) -> Any:
        raise MCPError(-32603, "the tool index is being rebuilt")


def failing_list_server() -> MCPServer:
    return _ListFails("broken-list", log_level="ERROR")


def status_app(status: int) -> Starlette:
    async def answer(request: Request) -> Response:
        return JSONResponse({"error": f"status {status} on purpose"}, status_code=status)
    return Starlette(routes=[Route("/mcp", answer, methods=["GET", "POST", "DELETE"])])


def closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/mcp"


class _Recorder:
    """ASGI middleware keeping every HTTP request's headers (lower-case names)."""

    def __init__(self, app: Any, received: list[dict[str, str]]) -> None:
        self.app, self.received = app, received

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            self.received.append({k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]})
        await self.app(scope, receive, send)


class McpTestServer:
    """An ASGI app (an `MCPServer` becomes its streamable HTTP app) served on 127.0.0.1 until stopped."""

    def __init__(self, app: MCPServer | Starlette) -> None:
        self.received: list[dict[str, str]] = []
        asgi = app.streamable_http_app() if isinstance(app, MCPServer) else app
        self._socket = socket.socket()
        self._socket.bind(("127.0.0.1", 0))
        self.port = self._socket.getsockname()[1]
        self._server = uvicorn.Server(uvicorn.Config(_Recorder(asgi, self.received), log_level="error"))
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [self._socket]},
                                        name=f"mcp-test-{self.port}", daemon=True)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        return f"{self.base}/mcp"

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self) -> McpTestServer:
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the MCP test server did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(10)
        self._socket.close()

    def __enter__(self) -> McpTestServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
