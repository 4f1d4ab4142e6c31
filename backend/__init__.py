"""The playground's backend: plain Python over Hugging Face's inference and Hub HTTP APIs.

Usable from a script or a notebook; never imports gradio. Start with `Playground` and `Hub`.

Inference Providers (`providers/`): each (provider, task) request is built by huggingface_hub's own
provider helpers, not by a table of ours. We weighed both: the helpers are the official client's
specification of 74 pairs that move as providers change, and a copy of them would drift without a
sound; their request steps are pure functions of the inputs and a mapping, so we call only those,
with the mapping from our Hub call and no token. Everything around them stays ours: the token added
per request by `client.py`, timeouts, body caps, no redirects, reading answers, job polling with
backoff, deadline and upstream Cancel (the library polls fal every 0.5 s forever, with no cancel),
and media fetched without credentials. The helpers' methods are private API, so requirements.txt pins
huggingface_hub's minor range and `tests/http/test_provider_conformance.py` sends every pair through
`InferenceClient` and through us and compares the wire: a library change fails it loudly.
"""
from __future__ import annotations

from .chat import ChatStream, Usage, user_message_content
from .chat_providers import ProviderChoice, RouterCatalog, estimate_cost, list_providers
from .errors import PlaygroundError, user_message
from .hub import Hub, ModelCard
from .inference import Playground
from .polling import Finished, Sending, Streaming, Waiting
from .providers import JobUpdate, ProviderMapping
from .result import Attempt, InferenceRequest, InferenceResult
from .settings import Settings, load_settings
from .targets import validate_model_id

__all__ = [
    "Playground", "Hub", "ModelCard", "Settings", "load_settings", "InferenceRequest",
    "InferenceResult", "Attempt", "Sending", "Waiting", "Streaming", "Finished",
    "PlaygroundError", "user_message", "validate_model_id",
    "ChatStream", "Usage", "user_message_content", "RouterCatalog", "ProviderChoice", "list_providers",
    "estimate_cost", "JobUpdate", "ProviderMapping",
]
