"""The typed values that cross the backend's boundary: a request as built, an attempt, a result.

None of them can hold the Authorization header: it is added at send time by `client.py`, so
anything displayable (the JSON panel, the request panel, snippets, logs) is safe by construction.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Mapping

from .errors import PlaygroundError

__all__ = ["InferenceRequest", "Attempt", "InferenceResult", "INTERESTING_HEADERS"]

# Response headers worth showing beside an answer (lower-case).
INTERESTING_HEADERS = (
    "content-type", "content-length", "x-compute-time", "x-compute-type", "x-compute-characters",
    "x-compute-audio-length", "x-inference-provider", "x-inference-id", "x-request-id", "x-sha",
    "x-prompt-tokens", "x-generated-tokens", "x-total-time", "x-inference-time", "x-queue-time",
    "x-time-per-token", "retry-after", "ratelimit", "ratelimit-policy", "x-ratelimit-limit",
    "x-ratelimit-remaining", "x-ratelimit-reset", "x-error-code", "x-error-message",
    "x-router-route", "x-router-model",
)


@dataclass(frozen=True)
class InferenceRequest:
    """One HTTP request as the playground will send it, minus credentials.

    `token_kind` says which credential `client.py` adds at send time: "hf" (the HF token; only
    for Hugging Face hosts), "endpoint" (a separate key for a non-HF host) or "none".
    """

    method: str
    url: str
    json_body: Any = None
    data: bytes | None = field(default=None, repr=False)
    headers: Mapping[str, str] = field(default_factory=dict)
    token_kind: str = "hf"
    stream: bool = False
    model_id: str = ""
    task: str = ""
    is_endpoint: bool = False  # a custom endpoint (may scale to zero), not the router
    provider: str = ""         # an Inference Provider's own route on the router (not hf-inference or chat)
    provider_id: str = ""      # the model's name on that provider
    # What `InferenceClient.<task>()` is called with for the same request ({"inputs", "parameters"};
    # inputs None for an upload): copy-as-code writes the client call from it.
    client_args: Mapping[str, Any] | None = field(default=None, repr=False, compare=False)

    def body_preview(self, limit: int = 2000) -> Any:
        """The body for display: JSON as is, bytes as a short description."""
        if self.data is not None:
            kind = self.headers.get("Content-Type", "application/octet-stream")
            return f"<{len(self.data)} bytes of {kind}>"
        return self.json_body

    def as_display(self, masked_token: str = "") -> dict[str, Any]:
        """Method, URL, headers (credential masked) and body, for the request panel."""
        headers = dict(self.headers)
        if self.json_body is not None:
            headers.setdefault("Content-Type", "application/json")
        if self.token_kind != "none":
            placeholder = "$HF_TOKEN" if self.token_kind == "hf" else "$API_TOKEN"
            headers["Authorization"] = f"Bearer {masked_token or placeholder}"
        return {"method": self.method, "url": self.url, "headers": headers, "body": self.body_preview()}


@dataclass(frozen=True)
class Attempt:
    """One try in the attempt log: when (seconds since start), what came back, what happens next."""

    number: int
    at: float
    status: int | None
    reason: str
    next_wait: float | None = None


@dataclass(frozen=True)
class InferenceResult:
    """What one inference run produced: the answer or the error, with everything worth showing."""

    request: InferenceRequest
    status: int | None = None
    elapsed: float = 0.0             # the last request, send to last byte
    total: float | None = None       # the whole run, waits and retries and jobs included (wall clock)
    ttfb: float | None = None
    content_type: str = ""
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes = field(default=b"", repr=False)
    truncated: bool = False
    attempts: tuple[Attempt, ...] = ()
    error: PlaygroundError | None = None
    events: tuple[Any, ...] = field(default=(), repr=False)  # parsed SSE events, when streamed
    # A provider's own answer (JSON with a media URL, a job's last status) when `body` holds what it
    # pointed to: the downloaded file, or the answer in the task's usual shape. The raw panel shows it.
    provider_answer: Any = field(default=None, repr=False)
    media_url: str = ""

    @property
    def ok(self) -> bool:
        return self.error is None and self.status is not None and 200 <= self.status < 300

    @property
    def media_type(self) -> str:
        """'json', 'image', 'audio', 'video', 'sse', 'html', 'text' or 'binary'."""
        ct = self.content_type.split(";")[0].strip().lower()
        if ct.startswith("image/"):
            return "image"
        if ct.startswith("audio/"):
            return "audio"
        if ct.startswith("video/"):
            return "video"
        if ct == "text/event-stream":
            return "sse"
        if ct.endswith("json"):
            return "json"
        if ct == "text/html":
            return "html"
        if ct.startswith("text/") or not ct:
            return "text" if _is_text(self.body) else "binary"
        return "binary"

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    @property
    def json(self) -> Any:
        """The parsed body, or None when it is not JSON (binary, HTML, invalid)."""
        if self.media_type == "sse":
            return list(self.events)
        if self.media_type not in ("json", "text"):
            return None
        try:
            return json.loads(self.body)
        except (ValueError, RecursionError):  # RecursionError: hostile, absurdly nested JSON
            return None

    @property
    def compute_time(self) -> str:
        return self.headers.get("x-compute-time", "")

    @property
    def provider(self) -> str:
        return self.headers.get("x-inference-provider", "")


def _is_text(body: bytes) -> bool:
    try:
        body[:4096].decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True
