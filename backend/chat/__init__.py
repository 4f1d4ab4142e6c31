"""Chat completions, one concern a module: `stream` reads one assistant turn from polling events,
`reasoning` keeps the thinking apart from the answer, `usage` counts tokens, `content` builds a user
message's content, `tree` is the conversation with its alternatives (`tree_json` stores it), and
`context` estimates its tokens against the provider's context. Function calling: `tools` (the tools box,
tool_choice, tool messages), `tool_calls` (calls assembled from the stream), `mcp_client` (MCP servers;
`mcp_target` says which URL gets what, `mcp_results` what came back); `schema` is structured output and
`capabilities` which providers can take either. The names below are the package's public surface, so
`from backend.chat import ChatStream` reads the same as before the package existed; the names of modules
that import `jsonschema` or the `mcp` SDK (over a second) load on first use.
"""
from __future__ import annotations

import importlib
from typing import Any

from .content import MAX_IMAGE_BYTES, user_message_content
from .context import context_warning, estimate_tokens
from .reasoning import SplitText, ThinkingSplitter, split_thinking
from .stream import ChatStream, StreamError
from .tree import ChatNode, ChatTree
from .tree_json import tree_from_json, tree_to_json
from .usage import Usage
from .capabilities import ProviderSupport, provider_support
from .tool_calls import ToolCall, ToolCallAssembler

# Loaded on first use (PEP 562): name -> module of this package.
_LAZY = {
    "parse_tools": "tools", "TOOL_EXAMPLE": "tools", "tool_choice_value": "tools", "tool_result_message": "tools",
    "tool_messages": "tools", "SchemaCheck": "schema", "SCHEMA_EXAMPLES": "schema", "parse_schema": "schema",
    "response_format": "schema", "check_answer": "schema", "McpServer": "mcp_client", "McpTimeouts": "mcp_client",
    "McpTools": "mcp_results", "McpTool": "mcp_results", "McpResult": "mcp_results", "check_mcp_url": "mcp_target",
    "hub_mcp_url": "mcp_target",
}

__all__ = ["ChatStream", "Usage", "StreamError", "user_message_content", "MAX_IMAGE_BYTES",
           "ThinkingSplitter", "SplitText", "split_thinking", "ChatTree", "ChatNode", "tree_to_json",
           "tree_from_json", "estimate_tokens", "context_warning", "ToolCall", "ToolCallAssembler",
           "ProviderSupport", "provider_support", *_LAZY]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value
