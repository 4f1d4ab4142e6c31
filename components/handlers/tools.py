"""Function calling and structured output in a chat turn, as plain values: what the Tools panel holds
(`ToolSettings`) and the request parameters it makes (checked before anything is sent), the calls
waiting for a result (`Waiting`), a result the person gives or an MCP run they allow, the allowed MCP
calls run before the next request, and the provider a turn with tools or a schema goes to.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Iterator, Mapping

from backend import ChatStream, InferenceRequest, RouterCatalog
from backend.chat import (ChatTree, McpServer, McpTool, SchemaCheck, ToolCall, ToolCallAssembler, check_answer,
                          parse_tools, provider_support, response_format, tool_choice_value)
from backend.chat.tools import MAX_TOOLS
from backend.errors import InvalidInput, InvalidParameters, PlaygroundError
from backend.settings import Settings, resolve_token

from .conversation import Conversation
from .mcp import Connect, McpEntry, McpSession, run_call
from .run import RunSetup

__all__ = ["ToolSettings", "Waiting", "waiting_for", "waiting_calls", "give_result", "allow_call",
           "run_allowed_calls", "runnable_now", "routed_provider", "routed_setup", "turn_figures", "schema_sent",
           "ProviderUnsupported", "MAX_AUTO_ROUNDS"]

MAX_AUTO_ROUNDS = 8  # requests one Run may chain through calls allowed always, before asking the person
_POLICIES = ("", "auto", "fastest", "cheapest")  # policies sent to the suggested provider ("preferred" only warned)


@dataclass(frozen=True)
class ToolSettings:
    """The Tools panel: the tools box (JSON text), tool_choice, the schema box, strict, the MCP servers."""

    tools: str = ""
    choice: str = ""
    schema: str = ""
    strict: bool = False
    mcp: McpSession = field(default_factory=McpSession)

    def offered(self) -> list[dict[str, Any]]:
        """The tools box's functions, then the MCP servers' tools; InvalidParameters naming the path."""
        box, served = parse_tools(self.tools), self.mcp.openai_tools()
        names = {tool["function"]["name"]: n for n, tool in enumerate(box)}
        for tool in served:
            name = tool["function"]["name"]
            if name in names:
                found = self.mcp.find(name)
                host = found[0].host if found else "an MCP server"
                raise InvalidParameters(f"tools[{names[name]}].function.name: {name!r} is also a tool of the MCP "
                                        f"server at {host}; rename the one in the tools box.", field="tools")
        if len(box) + len(served) > MAX_TOOLS:
            raise InvalidParameters(f"tools: {len(box)} in the box and {len(served)} from MCP servers make "
                                    f"{len(box) + len(served)}; at most {MAX_TOOLS} may be sent.", field="tools")
        return [*box, *served]

    def params(self) -> dict[str, Any]:
        """`tools`, `tool_choice` and `response_format` for the request, each only when set."""
        params: dict[str, Any] = {}
        offered = self.offered()
        if offered:
            params["tools"] = offered
        choice = tool_choice_value(self.choice, offered)
        if choice is not None:
            params["tool_choice"] = choice
        if (self.schema or "").strip():
            params["response_format"] = response_format(self.schema, strict=bool(self.strict))
        return params


class ProviderUnsupported(InvalidInput):
    """The chosen provider says it does not support what is set; `key` is what Run again acknowledges."""

    def __init__(self, message: str, key: str) -> None:
        super().__init__(message)
        self.key = key


def routed_provider(catalog_models: Mapping[str, Any] | None, model_id: str, provider: str,
                    params: Mapping[str, Any], acknowledged: str) -> tuple[str, str]:
    """(provider to send to, what to say about it). A policy whose pick may lack what is set goes to a
    provider that says it supports it; a named provider that says it does not is refused once
    (ProviderUnsupported), and sent to when Run is pressed again with the same choice."""
    tools, schema = bool(params.get("tools")), "response_format" in params
    model = (catalog_models or {}).get(model_id)
    support = provider_support(model, provider, tools=tools, schema=schema)
    policy = (provider or "").strip().lower()
    wanted = " and ".join(w for w, on in (("tools", tools), ("structured output", schema)) if on)
    if support.suggested and (support.warning or (policy in _POLICIES and not _all_say_so(model, tools, schema))):
        said = f"Sent to {support.suggested}, a provider that says it supports {wanted}"
        return support.suggested, said + (f": {support.warning}" if support.warning else ".")
    if not support.warning or support.suggested:
        return provider, ""
    key = f"{model_id}|{policy}|{int(tools)}{int(schema)}"
    if acknowledged == key:
        return provider, f"Sent to {policy or 'auto'} as you asked: {support.warning}"
    raise ProviderUnsupported(f"{support.warning} Pick a provider that does, or press Run again to send to "
                              f"{policy or 'auto'} anyway.", key)


def _all_say_so(model: Any, tools: bool, schema: bool) -> bool:
    """Every live provider of `model` says it supports what is set: any pick will do."""
    live = [p for p in model.providers.values() if p.status in ("", "live")] if model is not None else []
    return all((not tools or p.supports_tools is True) and (not schema or p.supports_structured_output is True)
               for p in live)


# -- the calls waiting for a result -------------------------------------------------------------------
@dataclass(frozen=True)
class Waiting:
    """The first call without a result (None: nothing waits), where it is among its turn's calls, how many
    wait, and the MCP server that has its tool (`host` as recorded with the turn; `server` and `tool` when
    the session still has it)."""

    call: ToolCall | None = None
    number: int = 0
    count: int = 0
    left: int = 0
    host: str = ""
    server: McpEntry | None = None
    tool: McpTool | None = None


def waiting_calls(tree: ChatTree) -> tuple[ToolCall, ...]:
    """The path's unanswered calls as ToolCalls (arguments parsed)."""
    assembler = ToolCallAssembler()
    assembler.feed([{**call, "index": n} for n, call in enumerate(tree.unanswered_calls())])
    return assembler.calls()


def waiting_for(conversation: Conversation, session: McpSession | None = None) -> Waiting:
    calls = waiting_calls(conversation.tree)
    if not calls or conversation.answering:
        return Waiting()
    last = next(node for node in reversed(conversation.tree.path()) if node.tool_calls)
    ids = [call.get("id") for call in last.tool_calls]
    call = calls[0]
    hosts = last.figures.get("mcp_calls")
    host = str(hosts.get(call.id, "")) if isinstance(hosts, Mapping) else ""
    found = session.find(call.name) if session is not None and host else None
    return Waiting(call, ids.index(call.id) + 1 if call.id in ids else 1, len(ids), len(calls), host,
                   found[0] if found else None, found[1] if found else None)


def _is_runnable(call: ToolCall, conversation: Conversation, session: McpSession) -> bool:
    found = session.find(call.name) if _mcp_host(conversation.tree, call.id) else None
    return found is not None and call.arguments is not None and (
        session.is_always(*found) or call.id in conversation.allowed_calls)


def _mcp_host(tree: ChatTree, call_id: str) -> str:
    """The MCP server a call was offered from, as recorded with its turn ("" for the tools box's)."""
    last = next((node for node in reversed(tree.path()) if node.tool_calls), None)
    hosts = last.figures.get("mcp_calls") if last is not None else None
    return str(hosts.get(call_id, "")) if isinstance(hosts, Mapping) else ""


def _next_step(conversation: Conversation, tree: ChatTree, session: McpSession) -> Conversation:
    """After a result: ask for the answer when every call has one or the next may run on its server."""
    calls = waiting_calls(tree)
    go = not calls or _is_runnable(calls[0], conversation, session)
    settled = conversation.settled(tree, allowed_calls=conversation.allowed_calls)
    return replace(settled, pending="answer") if go else settled


def give_result(conversation: Conversation, session: McpSession, text: str) -> Conversation:
    """The person's result for the first waiting call, as its `tool` message; InvalidInput when none waits
    or the result is blank (nothing is lost: the box keeps what was typed)."""
    waiting = waiting_for(conversation, session)
    if waiting.call is None:
        raise InvalidInput("No tool call is waiting for a result.")
    if not (text or "").strip():
        raise InvalidInput(f"Type the result of {waiting.call.name or 'the call'} first: any text, JSON or not, "
                           f"is sent as the tool message.")
    return _next_step(conversation, conversation.tree.append_tool(waiting.call.id, text), session)


def allow_call(conversation: Conversation, session: McpSession, always: bool) -> tuple[Conversation, McpSession]:
    """Let the waiting MCP call run (once, or its tool always); the run that follows runs it."""
    waiting = waiting_for(conversation, session)
    if waiting.call is None or waiting.server is None or waiting.tool is None:
        raise InvalidInput("The call waiting is not an MCP server's tool: type its result instead.")
    if always:
        session = session.allow_always(waiting.server, waiting.tool)
    allowed = (*conversation.allowed_calls, waiting.call.id)
    return replace(conversation.settled(conversation.tree), allowed_calls=allowed, pending="answer"), session


def run_allowed_calls(conversation: Conversation, session: McpSession, visitor_token: str | None,
                      settings: Settings, connect: Connect = McpServer) -> Iterator[tuple[str, Conversation]]:
    """Run the waiting calls that may run on their server, in order, up to the first that may not:
    yields (what runs now, or "" once done, the conversation so far). A server that cannot be used stops
    the calls with its error (PlaygroundError), the results so far kept."""
    tree = conversation.tree
    for call in waiting_calls(tree):
        if not _is_runnable(call, conversation, session):
            break
        entry, tool = session.find(call.name)  # type: ignore[misc]
        yield f"Running {tool.name} on the MCP server at {entry.host}…", conversation.settled(tree)
        run = run_call(entry, tool, call, visitor_token, settings, connect)
        tree = tree.append_tool(call.id, run.text, figures=run.figures)
    left = tuple(i for i in conversation.allowed_calls if i not in {n.tool_call_id for n in tree.path()})
    yield "", replace(conversation.settled(tree, allowed_calls=left), pending=conversation.pending)


def runnable_now(conversation: Conversation, session: McpSession) -> bool:
    """Every waiting call may run on its server without asking (allowed always)."""
    calls = waiting_calls(conversation.tree)
    return bool(calls) and all(_is_runnable(call, conversation, session) for call in calls)



# -- a turn's request and answer ----------------------------------------------------------------------

def routed_setup(catalog: RouterCatalog, settings: Settings, setup: RunSetup, tool_params: Mapping[str, Any],
                 conversation: Conversation, visitor_token: str | None) -> tuple[RunSetup, str]:
    """The setup sent to a provider that can take the tools or schema set, and what to say about it."""
    if not (tool_params.get("tools") or "response_format" in tool_params) or setup.endpoint_url:
        return setup, ""
    try:
        models = catalog.models(resolve_token(visitor_token, settings))
    except PlaygroundError:
        return setup, ""  # the catalog cannot say: the provider answers for itself
    provider, said = routed_provider(models, setup.model_id, setup.provider, tool_params, conversation.acknowledged)
    return replace(setup, provider=provider), said


def schema_sent(request: InferenceRequest) -> Mapping[str, Any] | None:
    """The JSON Schema a request's response_format carries, if it carries one."""
    spec = (request.json_body or {}).get("response_format") if isinstance(request.json_body, Mapping) else None
    schema = spec.get("json_schema", {}).get("schema") if isinstance(spec, Mapping) else None
    return schema if isinstance(schema, Mapping) else None


def turn_figures(request: InferenceRequest, chat: ChatStream, tools: ToolSettings,
                 routed: str) -> tuple[dict[str, Any], SchemaCheck | None]:
    """What a turn adds to its answer's figures: its calls' flags, the schema check, where it was sent."""
    figures: dict[str, Any] = {"routed": routed}
    calls, check, schema = chat.tool_calls, None, schema_sent(request)
    if calls:
        figures["undefined_calls"] = [call.id for call in calls if not call.defined]
        figures["mcp_calls"] = {call.id: found[0].host for call in calls if (found := tools.mcp.find(call.name))}
    elif schema is not None and chat.answer.strip():
        check = check_answer(chat.answer, schema)
        figures["schema"] = {"ok": check.ok, "errors": list(check.errors)}
    return figures, check
