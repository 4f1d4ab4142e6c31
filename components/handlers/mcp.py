"""The MCP servers a visitor added to the chat (`McpSession`: URL, the header typed for it, its tools, the
tools allowed always): adding one, the note listing them, and running one call. Only Hugging Face's own
server gets the HF token (mcp_target.py); calls are synchronous, so Gradio runs them in a worker thread.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Callable

from backend.chat import McpServer, McpTool, McpTools, ToolCall
from backend.errors import InvalidInput
from backend.settings import Settings, resolve_token

from ..markup import inert

__all__ = ["McpEntry", "McpSession", "McpRun", "add_server", "servers_note", "run_call", "MAX_LISTED"]

MAX_LISTED = 40  # tools named with their description in the note; the rest are counted
Connect = Callable[..., Any]  # McpServer, or a stand-in in tests


@dataclass(frozen=True)
class McpEntry:
    """One server as added: `header` is what the person typed for it (never shown again, never logged)."""

    url: str
    host: str
    gets_hf_token: bool
    listed: McpTools
    header: str = field(default="", repr=False)


@dataclass(frozen=True)
class McpSession:
    """This visitor's servers (in the order added) and the tools allowed always ("url tool")."""

    servers: tuple[McpEntry, ...] = ()
    always: frozenset[str] = frozenset()

    def openai_tools(self) -> list[dict[str, Any]]:
        """Every server's tools as the request's `tools` entries."""
        return [tool for entry in self.servers for tool in entry.listed.openai_tools()]

    def find(self, function_name: str) -> tuple[McpEntry, McpTool] | None:
        """The server and tool a model's call names, if a server has it."""
        for entry in self.servers:
            tool = entry.listed.find(function_name)
            if tool is not None:
                return entry, tool
        return None

    def with_server(self, entry: McpEntry) -> McpSession:
        """`entry` added, or in place of the one with its URL (its tools listed again)."""
        kept = tuple(e for e in self.servers if e.url != entry.url)
        return replace(self, servers=(*kept, entry))

    def allow_always(self, entry: McpEntry, tool: McpTool) -> McpSession:
        return replace(self, always=self.always | {f"{entry.url} {tool.name}"})

    def is_always(self, entry: McpEntry, tool: McpTool) -> bool:
        return f"{entry.url} {tool.name}" in self.always


@dataclass(frozen=True)
class McpRun:
    """One call's outcome, as the `tool` message and its figures hold it."""

    text: str
    figures: dict[str, Any]


def _token(entry_is_hub: bool, visitor_token: str | None, settings: Settings) -> str | None:
    return resolve_token(visitor_token, settings) if entry_is_hub else None


def add_server(session: McpSession, url: str, header: str, visitor_token: str | None, settings: Settings,
               connect: Connect = McpServer) -> McpSession:
    """The session with the server at `url` added and its tools listed; raises the backend's errors
    (bad URL or header, down, slow, failing) with nothing added."""
    if not (url or "").strip():
        raise InvalidInput("Enter the MCP server's URL first, or press Hugging Face MCP.")
    # The token goes only to Hugging Face's server: mcp_target's headers leave it out for any other.
    server = connect(url, settings, token=resolve_token(visitor_token, settings), header=header or "")
    target = server.target
    listed = server.list_tools()
    return session.with_server(McpEntry(target.url, target.host, target.gets_hf_token, listed,
                                        "" if target.gets_hf_token else header or ""))


def servers_note(session: McpSession) -> str:
    """Markdown listing each server with its tools and descriptions (inert), and what was capped."""
    if not session.servers:
        return ""
    parts = []
    for entry in session.servers:
        tools = entry.listed.tools
        who = "gets your Hugging Face token" if entry.gets_hf_token else \
            ("gets the header you typed" if entry.header else "gets no credential")
        head = f"**{inert(entry.host)}** · {len(tools)} tool{'s' if len(tools) != 1 else ''} offered · {who}"
        lines = [f"- **{inert(t.function_name)}**: {inert(_first_line(t.description)) or '*(no description)*'}"
                 for t in tools[:MAX_LISTED]]
        if len(tools) > MAX_LISTED:
            lines.append(f"- … and {len(tools) - MAX_LISTED} more")
        if entry.listed.note:
            lines.append("⚠ " + inert(entry.listed.note))
        parts.append("\n".join([head, *lines]))
    return "\n\n".join(parts)


def _first_line(text: str, limit: int = 140) -> str:
    line = (text or "").strip().split("\n", 1)[0]
    return line if len(line) <= limit else line[:limit - 1] + "…"


def run_call(entry: McpEntry, tool: McpTool, call: ToolCall, visitor_token: str | None, settings: Settings,
             connect: Connect = McpServer) -> McpRun:
    """Run `call` on its server; raises the backend's errors when the server cannot be used (a tool that
    fails answers normally, marked `is_error`)."""
    if call.arguments is None:
        raise InvalidInput(f"The call to {call.name} cannot run: {call.arguments_error} Type a result for it "
                           f"instead (the error, for instance).")
    server = connect(entry.url, settings, token=_token(entry.gets_hf_token, visitor_token, settings),
                     header=entry.header)
    result = server.call_tool(tool.name, call.arguments)
    figures: dict[str, Any] = {"mcp": entry.host}
    if result.is_error:
        figures["is_error"] = True
    if result.notes:
        figures["notes"] = list(result.notes)
    return McpRun(result.text, figures)
