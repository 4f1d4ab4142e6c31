"""Chat completions, one concern a module: `stream` reads one assistant turn from polling events,
`reasoning` keeps the thinking apart from the answer, `usage` counts tokens, `content` builds a user
message's content, `tree` is the conversation with its alternatives (`tree_json` stores it), and
`context` estimates its tokens against the provider's context. The names below are the package's
public surface, so `from backend.chat import ChatStream` reads the same as before the package existed.
"""
from __future__ import annotations

from .content import MAX_IMAGE_BYTES, user_message_content
from .context import context_warning, estimate_tokens
from .reasoning import SplitText, ThinkingSplitter, split_thinking
from .stream import ChatStream, StreamError
from .tree import ChatNode, ChatTree
from .tree_json import tree_from_json, tree_to_json
from .usage import Usage

__all__ = ["ChatStream", "Usage", "StreamError", "user_message_content", "MAX_IMAGE_BYTES",
           "ThinkingSplitter", "SplitText", "split_thinking", "ChatTree", "ChatNode", "tree_to_json",
           "tree_from_json", "estimate_tokens", "context_warning"]
