"""The playground's backend: plain Python over Hugging Face's inference and Hub HTTP APIs.

Usable from a script or a notebook; never imports gradio. Start with `Playground` and `Hub`.
"""
from __future__ import annotations

from .chat import ChatStream, Usage, user_message_content
from .chat_providers import ProviderChoice, RouterCatalog, estimate_cost, list_providers
from .errors import PlaygroundError, user_message
from .hub import Hub, ModelCard
from .inference import Playground
from .polling import Finished, Sending, Streaming, Waiting
from .result import Attempt, InferenceRequest, InferenceResult
from .settings import Settings, load_settings
from .targets import validate_model_id

__all__ = [
    "Playground", "Hub", "ModelCard", "Settings", "load_settings", "InferenceRequest",
    "InferenceResult", "Attempt", "Sending", "Waiting", "Streaming", "Finished",
    "PlaygroundError", "user_message", "validate_model_id",
    "ChatStream", "Usage", "user_message_content", "RouterCatalog", "ProviderChoice", "list_providers",
    "estimate_cost",
]
