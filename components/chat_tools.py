"""The chat's "Tools and structured output" accordion (closed at first, few components): the tools box
(`#tools`) and tool_choice, MCP servers (`#mcp-url`), the call waiting for a result (`#tool-result`,
`#tool-send`, or run on its server), and the JSON Schema (`#response-format`) with the answer checked.
Logic: handlers/tools.py and handlers/mcp.py; text reaches Markdown only through `inert` (T10).
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Mapping

import gradio as gr

from backend.chat import SCHEMA_EXAMPLES, TOOL_EXAMPLE, SchemaCheck, hub_mcp_url, parse_tools
from backend.chat.tools import TOOL_CHOICES
from backend.errors import InvalidInput, PlaygroundError, user_message
from backend.settings import Settings

from .handlers.conversation import Conversation
from .handlers.mcp import McpSession, add_server, servers_note
from .handlers.tokens import visitor_token
from .handlers.tools import ToolSettings, Waiting, allow_call, give_result, waiting_for
from .markup import inert

__all__ = ["ToolsPanel", "build_tools_panel", "ToolsHandlers", "tool_settings"]

TOOLS_LABEL = "Tools: a JSON array of OpenAI tool objects (sent as tools)"
SCHEMA_LABEL = "Structured output: a JSON Schema (sent as response_format json_schema)"
BASE_CHOICES: list[tuple[str, str]] = [("default (not sent)", ""), *((choice, choice) for choice in TOOL_CHOICES)]


@dataclass
class ToolsPanel:
    """Handles of the accordion; `mcp` holds this session's `McpSession` (headers stay on the server)."""

    box: gr.Accordion
    note: gr.Markdown        # the call waiting for a result, and what a button here could not do
    answer_row: gr.Row
    result: gr.Textbox
    send: gr.Button
    run_once: gr.Button
    always: gr.Button
    checked: gr.JSON         # the last answer checked, labelled ✓ / ✗ with its failing paths
    tools: gr.Code
    choice: gr.Dropdown
    example: gr.Button
    mcp_url: gr.Textbox
    mcp_header: gr.Textbox
    mcp_add: gr.Button
    mcp_hub: gr.Button
    mcp_remove: gr.Button
    mcp_note: gr.Markdown
    schema: gr.Code
    schema_example: gr.Dropdown
    strict: gr.Checkbox
    mcp: gr.State

    def pending_outputs(self) -> list[Any]:
        return [self.box, self.note, self.answer_row, self.result, self.run_once, self.always]

    def outputs(self) -> list[Any]:
        """Everything a chat turn's last view updates here."""
        return [*self.pending_outputs(), self.checked]

    def pending(self, conversation: Conversation, said: str = "", open_box: bool = True) -> dict[Any, Any]:
        """The waiting call's prompt and answer row, shown or hidden; `said` goes first in the note."""
        waiting = waiting_for(conversation)
        note = "\n\n".join(part for part in (said, _prompt(waiting)) if part)
        updates: dict[Any, Any] = {self.note: note, self.answer_row: gr.Row(visible=waiting.call is not None),
                                   self.run_once: gr.Button(visible=bool(waiting.host)),
                                   self.always: gr.Button(visible=bool(waiting.host),
                                                          value=f"Always run {waiting.call.name}" if waiting.host
                                                          and waiting.call else "Always run this tool")}
        if waiting.call is not None:
            updates[self.result] = gr.Textbox(label=f"Result of {waiting.call.name or 'the call'} "
                                                    f"(call {waiting.number} of {waiting.count})")
            if open_box:
                updates[self.box] = gr.Accordion(open=True)
        return updates

    def show(self, conversation: Conversation, check: SchemaCheck | None) -> dict[Any, Any]:
        """A chat turn's last view: the waiting call, and the schema check of its answer."""
        updates = self.pending(conversation)
        if check is None:
            return {**updates, self.checked: gr.JSON(visible=False)}
        return {**updates, self.checked: gr.JSON(check.value, visible=True, label=verdict(check))}

    def cleared(self) -> dict[Any, Any]:
        return {**self.pending(Conversation()), self.checked: gr.JSON(None, visible=False)}

    def restored(self, settings: Mapping[str, str], session: McpSession) -> dict[Any, Any]:
        """The boxes as a kept conversation left them (empty where it set none); the accordion opens
        when it had tools or a schema."""
        tools, schema = settings.get("tools", ""), settings.get("response_format", "")
        return {self.tools: tools, self.choice: _choices(tools, session, value=settings.get("tool_choice", "")),
                self.schema: schema, self.strict: settings.get("strict") == "true",
                self.box: gr.Accordion(open=True) if tools or schema else gr.skip()}

    def restored_outputs(self) -> list[Any]:
        return [self.tools, self.choice, self.schema, self.strict, self.box]


def verdict(check: SchemaCheck) -> str:
    """The checked answer's label (plain text): ✓, or ✗ and each failing path (the reasons are in the
    transcript, under the answer)."""
    if check.ok:
        return "✓ matches the schema"
    paths = dict.fromkeys(error.partition(":")[0] for error in check.errors if not error.startswith("…"))
    return "✗ does not match the schema at " + ", ".join(paths)


def _prompt(waiting: Waiting) -> str:
    call = waiting.call
    if call is None:
        return ""
    name = inert(call.name or "(no name)")
    arguments = " ".join(call.pretty_arguments.split()) or "{}"
    arguments = arguments if len(arguments) <= 300 else arguments[:299] + "…"
    lines = [f"**Waiting for the result of {name}** · call {waiting.number} of {waiting.count} · "
             f"arguments {inert(arguments)}"]
    if waiting.host:
        lines.append(f"It is a tool of the MCP server at **{inert(waiting.host)}**: **Run it** once, **Always "
                     f"run {name}** from now on, or type a result yourself and press **Send result**.")
    else:
        lines.append("Type what the function returned and press **Send result**"
                     + ("; the model gets the results once every call has one." if waiting.left > 1 else
                        ": the model then gets the results."))
    return "\n\n".join(lines)


def build_tools_panel() -> ToolsPanel:
    """Render the accordion (inside the chat panel); listeners are wired in `chat_events.py`."""
    with gr.Accordion("Tools and structured output", open=False, elem_id="tools-box") as box:
        note = gr.Markdown(elem_id="tool-note")
        with gr.Row(visible=False, elem_id="tool-answer") as answer_row:
            result = gr.Textbox(label="Result", lines=2, max_lines=8, elem_id="tool-result", scale=4, min_width=320)
            send = gr.Button("Send result", variant="primary", size="sm", scale=0, min_width=120, elem_id="tool-send")
            run_once = gr.Button("Run it", size="sm", scale=0, min_width=90, visible=False, elem_id="mcp-run")
            always = gr.Button("Always run this tool", size="sm", scale=0, min_width=150, visible=False,
                               elem_id="mcp-always")
        checked = gr.JSON(label="The answer as JSON", visible=False, open=True, elem_id="schema-check")
        tools = gr.Code("", language="json", label=TOOLS_LABEL, lines=5, max_lines=18, elem_id="tools")
        with gr.Row():
            choice = gr.Dropdown(BASE_CHOICES, value="", allow_custom_value=True, label="tool_choice",
                                 elem_id="tool-choice", scale=2, min_width=200,
                                 info="auto, none, required, or one function's name.")
            example = gr.Button("Insert the example tools", size="sm", scale=1, elem_id="tools-example")
        with gr.Row():
            mcp_url = gr.Textbox(label="MCP server URL (Streamable HTTP)", placeholder="https://…/mcp", scale=3,
                                 elem_id="mcp-url")
            mcp_header = gr.Textbox(label="Header it gets (never your HF token)", type="password", scale=2,
                                    placeholder="Authorization: Bearer …", elem_id="mcp-header")
        with gr.Row():
            mcp_add = gr.Button("Add server", size="sm", elem_id="mcp-add")
            mcp_hub = gr.Button("Hugging Face MCP (your HF token)", size="sm", elem_id="mcp-hub")
            mcp_remove = gr.Button("Remove servers", size="sm", elem_id="mcp-remove")
        mcp_note = gr.Markdown(elem_id="mcp-note")
        schema = gr.Code("", language="json", label=SCHEMA_LABEL, lines=5, max_lines=18, elem_id="response-format")
        with gr.Row():
            schema_example = gr.Dropdown(list(SCHEMA_EXAMPLES), value=None, label="Start from an example",
                                         elem_id="schema-example", scale=2)
            strict = gr.Checkbox(label="strict", info="Sent as json_schema.strict.", elem_id="strict", scale=1)
    return ToolsPanel(box, note, answer_row, result, send, run_once, always, checked, tools, choice, example,
                      mcp_url, mcp_header, mcp_add, mcp_hub, mcp_remove, mcp_note, schema, schema_example, strict,
                      gr.State(McpSession()))


def tool_settings(values: dict[str, Any]) -> ToolSettings:
    """The run's keyword inputs (`run_inputs`) as ToolSettings."""
    session = values.get("mcp_servers")
    return ToolSettings(values.get("tools") or "", values.get("tool_choice") or "", values.get("response_format") or "",
                        bool(values.get("strict")), session if isinstance(session, McpSession) else McpSession())


def _failed(err: PlaygroundError) -> str:
    return "✗ " + inert(user_message(err), already_html_escaped=True)


def _choices(tools_text: str, session: McpSession, **update: Any) -> Any:
    """tool_choice's options: the policies, then every function offered (the box's that parse, the servers')."""
    try:
        box = [tool["function"]["name"] for tool in parse_tools(tools_text)]
    except InvalidInput:
        box = []
    served = [tool["function"]["name"] for tool in session.openai_tools()]
    return gr.Dropdown(choices=[*BASE_CHOICES, *((name, name) for name in dict.fromkeys([*box, *served]))], **update)


class ToolsHandlers:
    """The accordion's listeners. Those that answer a call return the conversation with `pending` set;
    the run that follows (`Page.on_answer`) sends it."""

    def __init__(self, panel: ToolsPanel, chatbot: gr.Chatbot, state: gr.State, settings: Settings) -> None:
        self.panel, self.chatbot, self.state, self.settings = panel, chatbot, state, settings

    def _answered(self, conversation: Conversation, said: str = "") -> dict[Any, Any]:
        return {self.state: conversation, self.chatbot: conversation.transcript,
                **self.panel.pending(conversation, said)}

    def answer_outputs(self) -> list[Any]:
        return [self.state, self.chatbot, *self.panel.pending_outputs(), self.panel.mcp]

    def on_action(self, conversation: Conversation, session: McpSession, text: str,
                  event: gr.EventData) -> dict[Any, Any]:
        """Send result, Run it and Always run share one listener, so one answer run follows them all."""
        pressed = getattr(event.target, "elem_id", None)  # the session's copy of the button: its elem_id
        if pressed in (self.panel.run_once.elem_id, self.panel.always.elem_id):
            return self.on_allow(always=pressed == self.panel.always.elem_id)(conversation, session)
        return self.on_send(conversation, session, text)

    def on_send(self, conversation: Conversation, session: McpSession, text: str) -> dict[Any, Any]:
        """The result typed for the waiting call; kept in the box when it cannot be taken."""
        try:
            answered = give_result(conversation, session, text)
        except InvalidInput as err:
            return self._answered(conversation, _failed(err))
        return {**self._answered(answered), self.panel.result: gr.Textbox(value="")}

    def on_allow(self, always: bool):  # type: ignore[no-untyped-def]
        def allow(conversation: Conversation, session: McpSession) -> dict[Any, Any]:
            try:
                allowed, session = allow_call(conversation, session, always)
            except InvalidInput as err:
                return self._answered(conversation, _failed(err))
            return {**self._answered(allowed), self.panel.mcp: session}
        return allow

    def on_example(self, tools_text: str, session: McpSession) -> dict[Any, Any]:
        """The example's functions in the tools box: the box's own text is never lost."""
        panel, example = self.panel, parse_tools(TOOL_EXAMPLE)
        if not (tools_text or "").strip():
            return {panel.tools: TOOL_EXAMPLE, panel.choice: _choices(TOOL_EXAMPLE, session)}
        try:
            tools = parse_tools(tools_text)
        except InvalidInput as err:
            return {panel.note: f"{_failed(err)} Fix it or clear the box, then insert the example: your text stays."}
        names = {tool["function"]["name"] for tool in tools}
        merged = json.dumps([*tools, *(t for t in example if t["function"]["name"] not in names)], indent=2,
                            ensure_ascii=False)
        return {panel.tools: merged, panel.choice: _choices(merged, session)}

    def on_tools_checked(self, tools_text: str, session: McpSession) -> dict[Any, Any]:
        """The tools box left: its functions offered in tool_choice, or what is wrong, by its path."""
        try:
            parse_tools(tools_text)
        except InvalidInput as err:
            return {self.panel.note: _failed(err)}
        return {self.panel.choice: _choices(tools_text, session)}

    def on_schema_example(self, name: str, schema_text: str) -> dict[Any, Any]:
        """A schema example in an empty box (or in place of another example, unchanged)."""
        panel = self.panel
        if name not in SCHEMA_EXAMPLES:
            return {}
        current = (schema_text or "").strip()
        if current and current not in (text.strip() for text in SCHEMA_EXAMPLES.values()):
            return {panel.note: "Your schema stays: clear the box first to start from an example."}
        return {panel.schema: SCHEMA_EXAMPLES[name]}

    def mcp_outputs(self) -> list[Any]:
        panel = self.panel
        return [panel.mcp, panel.mcp_note, panel.choice, panel.mcp_url]

    def on_add(self, session: McpSession, url: str, header: str, tools_text: str, token: str | None,
               oauth_token: gr.OAuthToken | None = None) -> dict[Any, Any]:
        """List a server's tools and offer them; what went wrong instead (down, slow, failing), nothing added."""
        panel = self.panel
        try:
            visitor = visitor_token(token, oauth_token.token if oauth_token is not None else None)
            session = add_server(session, url, header, visitor, self.settings)
        except PlaygroundError as err:
            listed = servers_note(session)
            return {panel.mcp_note: f"{_failed(err)} Nothing was added." + (f"\n\n{listed}" if listed else "")}
        return {panel.mcp: session, panel.mcp_note: servers_note(session), panel.choice: _choices(tools_text, session)}

    def on_hub(self, session: McpSession, tools_text: str, token: str | None,
               oauth_token: gr.OAuthToken | None = None) -> dict[Any, Any]:
        """Hugging Face's own MCP server, with the person's HF token."""
        url = hub_mcp_url(self.settings)
        return {self.panel.mcp_url: url, **self.on_add(session, url, "", tools_text, token, oauth_token)}

    def on_remove(self, tools_text: str) -> dict[Any, Any]:
        session = McpSession()
        return {self.panel.mcp: session, self.panel.mcp_note: "No MCP server: their tools are no longer offered.",
                self.panel.choice: _choices(tools_text, session)}
