"""Chat completions, one concern a module: `stream` reads one assistant turn from polling events,
`content` builds a user message's content; the names below are the package's public surface, so
`from backend.chat import ChatStream` reads the same as before the package existed.
"""
from __future__ import annotations

from .content import MAX_IMAGE_BYTES, user_message_content
from .stream import ChatStream, StreamError, Usage

__all__ = ["ChatStream", "Usage", "StreamError", "user_message_content", "MAX_IMAGE_BYTES"]
