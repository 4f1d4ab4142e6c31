"""Function calling, the request side: the `tools` editor's JSON checked into OpenAI tool objects, the
`tool_choice` picker's value, and the messages that answer a turn's tool calls.

    tools = parse_tools(text)        # [] for a blank box; InvalidParameters "tools[1].function.name: ..."
    params = {"tools": tools, "tool_choice": tool_choice_value("get_weather", tools)}
    messages += [stream.as_message(), *tool_messages(stream.tool_calls, {call.id: "18 °C" ...})]
Calls are assembled from the stream in `tool_calls.py`; MCP servers' tools arrive through `mcp_client.py`.
"""
from __future__ import annotations

import json
import re
from typing import Any, Mapping, Sequence

from ..errors import InvalidInput, InvalidParameters
from .schema import schema_problem
from .tool_calls import ToolCall, tool_names

__all__ = ["TOOL_EXAMPLE", "MAX_TOOLS", "TOOL_CHOICES", "parse_tools", "tool_names", "tool_choice_value",
           "tool_result_message", "tool_messages"]

FUNCTION_NAME = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")
MAX_TOOLS = 128  # OpenAI's limit on `tools`; providers following its reference refuse more
TOOL_CHOICES = ("auto", "none", "required")
_TOOL_KEYS = ("type", "function")
_FUNCTION_KEYS = ("name", "description", "parameters", "strict")

# huggingface_hub's recorded tool test (2024) asked for the weather with these two functions.
TOOL_EXAMPLE = json.dumps([
    {"type": "function", "function": {
        "name": "get_current_weather",
        "description": "Get the current weather in a city",
        "parameters": {
            "type": "object",
            "properties": {
                "location": {"type": "string", "description": "The city and country, e.g. Paris, France"},
                "format": {"type": "string", "enum": ["celsius", "fahrenheit"]},
            },
            "required": ["location", "format"],
        },
    }},
    {"type": "function", "function": {
        "name": "get_n_day_weather_forecast",
        "description": "Get an N-day weather forecast",
        "parameters": {
            "type": "object",
            "properties": {
                "location": {"type": "string", "description": "The city and country, e.g. Paris, France"},
                "format": {"type": "string", "enum": ["celsius", "fahrenheit"]},
                "num_days": {"type": "integer", "minimum": 1, "maximum": 16},
            },
            "required": ["location", "format", "num_days"],
        },
    }},
], indent=2)


def _bad(path: str, message: str) -> InvalidParameters:
    return InvalidParameters(f"{path}: {message}", field="tools", path=path)


def _loads(text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as err:
        raise _bad("tools", f"not valid JSON: {err.msg} (line {err.lineno}, column {err.colno}).") from None
    except RecursionError:
        raise _bad("tools", "nested too deeply to be tool definitions.") from None


def parse_tools(text: str) -> list[dict[str, Any]]:
    """The tools editor: a JSON array of `{"type": "function", "function": {name, description?, parameters?,
    strict?}}`; blank means no tools. Raises InvalidParameters naming the bad path, before anything is sent."""
    if not (text or "").strip():
        return []
    tools = _loads(text)
    if isinstance(tools, dict):
        raise _bad("tools", "must be a JSON array of tools: wrap the object in [ ].")
    if not isinstance(tools, list):
        raise _bad("tools", "must be a JSON array of tool objects.")
    if len(tools) > MAX_TOOLS:
        raise _bad("tools", f"{len(tools)} tools; at most {MAX_TOOLS} may be sent.")
    seen: dict[str, int] = {}
    for index, tool in enumerate(tools):
        name = _check_tool(tool, f"tools[{index}]")
        if name in seen:
            raise _bad(f"tools[{index}].function.name", f"{name!r} is already defined by tools[{seen[name]}].")
        seen[name] = index
    return tools


def _check_tool(tool: Any, path: str) -> str:
    if not isinstance(tool, dict):
        raise _bad(path, 'must be an object like {"type": "function", "function": {...}}.')
    _no_unknown_keys(tool, _TOOL_KEYS, path)
    if tool.get("type") != "function":
        raise _bad(f"{path}.type", f'must be "function" (got {json.dumps(tool.get("type"))}).')
    function = tool.get("function")
    if not isinstance(function, dict):
        raise _bad(f"{path}.function", "must be an object with at least a name.")
    path += ".function"
    _no_unknown_keys(function, _FUNCTION_KEYS, path)
    name = function.get("name")
    if not isinstance(name, str) or not FUNCTION_NAME.fullmatch(name):
        raise _bad(f"{path}.name", f"{json.dumps(name)[:80]} must be 1-64 letters, digits, '_' or '-'.")
    if "description" in function and not isinstance(function["description"], str):
        raise _bad(f"{path}.description", "must be text.")
    if "strict" in function and not isinstance(function["strict"], bool):
        raise _bad(f"{path}.strict", "must be true or false.")
    if "parameters" in function:
        _check_parameters(function["parameters"], f"{path}.parameters")
    return name


def _no_unknown_keys(value: Mapping[str, Any], known: tuple[str, ...], path: str) -> None:
    unknown = [key for key in value if key not in known]
    if unknown:
        raise _bad(path, f"unknown key {unknown[0]!r} (expected {', '.join(known)}).")


def _check_parameters(parameters: Any, path: str) -> None:
    if not isinstance(parameters, dict):
        raise _bad(path, "must be a JSON Schema object describing the arguments.")
    if parameters.get("type", "object") != "object":
        raise _bad(f"{path}.type", f'must be "object": the arguments are a JSON object '
                                   f'(got {json.dumps(parameters.get("type"))}).')
    problem = schema_problem(parameters, path)
    if problem:
        raise InvalidParameters(f"{problem}.", field="tools", path=problem.partition(":")[0])


def tool_choice_value(choice: str, tools: Sequence[Mapping[str, Any]] | None) -> str | dict[str, Any] | None:
    """The picker's value as the body's `tool_choice`: None (not sent) for a blank choice or with no tools,
    "auto" / "none" / "required", or `{"type": "function", "function": {"name": ...}}` for a defined function."""
    choice = (choice or "").strip()
    if not tools:
        if choice in ("", "auto", "none"):
            return None
        raise InvalidParameters(f"tool_choice: {choice!r} needs at least one tool in the tools box.",
                                field="tool_choice")
    if choice == "":
        return None
    if choice in TOOL_CHOICES:
        return choice
    names = tool_names(list(tools))
    if choice not in names:
        raise InvalidParameters(f"tool_choice: {choice[:64]!r} is not one of the tools "
                                f"({', '.join(sorted(names))}), nor auto, none or required.", field="tool_choice")
    return {"type": "function", "function": {"name": choice}}


def tool_result_message(call: ToolCall | str, result_text: str) -> dict[str, Any]:
    """`{"role": "tool", "tool_call_id": ..., "content": ...}`: the person's answer to one call, as text
    (a result that is not JSON goes as the text it is)."""
    call_id = call.id if isinstance(call, ToolCall) else str(call)
    if not call_id:
        raise InvalidInput("A tool result needs the id of the call it answers.")
    text = result_text if isinstance(result_text, str) else json.dumps(result_text, ensure_ascii=False)
    return {"role": "tool", "tool_call_id": call_id, "content": text}


def tool_messages(calls: Sequence[ToolCall], results: Mapping[str, str]) -> list[dict[str, Any]]:
    """One `tool` message per call, in the calls' order, from `results` (call id → text); refuses, naming
    it, a call left unanswered, since the chat-completions spec wants an answer for every call."""
    missing = [call for call in calls if results.get(call.id) is None]
    if missing:
        named = ", ".join(f"{call.name or '(no name)'} ({call.id})" for call in missing)
        raise InvalidInput(f"Answer every tool call before sending: {named} has no result yet.")
    return [tool_result_message(call, results[call.id]) for call in calls]
