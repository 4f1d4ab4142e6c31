"""The plan every snippet writer shares, worked out once from an `InferenceRequest`.

Owns what the request is (headers minus credentials, the exact JSON text, the route, chat or not, how
the answer is read, the file a binary answer goes to) and which variable holds the token.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Mapping

from ..redact import SENSITIVE_HEADERS
from ..result import InferenceRequest
from ..settings import DEFAULT_ROUTER_URL
from .literals import Syntax, quote

# token_kind → the environment variable a snippet reads the credential from.
TOKEN_VARIABLES: Mapping[str, str | None] = {"hf": "HF_TOKEN", "endpoint": "API_TOKEN", "none": None}

# Binary answers are saved to a file: by task, else by the Accept header's type.
_ANSWER_FILES = {"text-to-image": "output.jpg", "image-to-image": "output.jpg", "text-to-speech": "output.flac",
                 "text-to-audio": "output.flac", "text-to-video": "output.mp4", "image-to-video": "output.mp4"}
# Provider routes answer JSON (a media link, a job), except these, which answer the file itself.
_PROVIDER_FILE_ANSWERS = {("together", "text-to-speech"), ("deepinfra", "text-to-speech")}
_EXTENSIONS = {"image/png": "png", "image/jpeg": "jpg", "image/webp": "webp", "audio/flac": "flac",
               "audio/wav": "wav", "audio/mpeg": "mp3", "video/mp4": "mp4"}


@dataclass(frozen=True)
class Plan:
    """What every writer needs to know about one request."""

    request: InferenceRequest
    headers: dict[str, str]  # as sent, minus credentials; Content-Type always stated
    body: str | None  # the JSON text exactly as `requests` put it on the wire
    upload: str  # the file holding the bytes of an upload
    sends_file: bool  # the body is that file's raw bytes
    token_variable: str | None
    answer_file: str | None  # where a binary answer (image, audio) is saved

    @property
    def is_chat(self) -> bool:
        return self.request.url.rstrip("/").endswith("/chat/completions")

    @property
    def offers_tools(self) -> bool:
        """The model may answer with tool calls, which the snippet then prints beside any text."""
        body = self.request.json_body
        return self.is_chat and isinstance(body, Mapping) and bool(body.get("tools"))

    @property
    def answer(self) -> str:
        """How the answer is read: 'chat_stream' (or 'chat_stream_tools'), 'stream', 'file' or 'json'."""
        if self.request.stream:
            return with_tools(self, "chat_stream") if self.is_chat else "stream"
        return "file" if self.answer_file else "json"

    @property
    def route(self) -> str:
        """'hf-inference', 'provider' or 'router' (HF's own, which the clients know by heart) or 'url'."""
        if self.request.provider:
            return "provider"
        if self.request.url.startswith(f"{DEFAULT_ROUTER_URL}/hf-inference/models/"):
            return "hf-inference"
        return "router" if self.request.url == f"{DEFAULT_ROUTER_URL}/v1/chat/completions" else "url"


def make_plan(request: InferenceRequest, upload_name: str) -> Plan:
    """The plan for `request`, its upload read from `upload_name`; ValueError for an unknown token_kind."""
    if request.token_kind not in TOKEN_VARIABLES:
        raise ValueError(f"unknown token_kind {request.token_kind!r}")
    sends_file = request.data is not None
    headers = {name: value for name, value in request.headers.items() if name.lower() not in SENSITIVE_HEADERS}
    if not any(name.lower() == "content-type" for name in headers) and (sends_file or request.json_body is not None):
        # curl would label raw bytes as a form and fetch a string as text; say what the body is.
        headers["Content-Type"] = "application/octet-stream" if sends_file else "application/json"
    # requests sends `json=` as json.dumps(body, allow_nan=False) with its default separators.
    body = None if sends_file or request.json_body is None else json.dumps(request.json_body, allow_nan=False)
    return Plan(request, headers, body, upload_name, sends_file, TOKEN_VARIABLES[request.token_kind],
                _answer_file(request))


def with_tools(plan: Plan, kind: str) -> str:
    """A chat answer template's twin that also prints tool calls, when the request offers tools."""
    return f"{kind}_tools" if plan.offers_tools else kind


def _answer_file(request: InferenceRequest) -> str | None:
    if request.provider and (request.provider, request.task) not in _PROVIDER_FILE_ANSWERS:
        return None
    if request.task in _ANSWER_FILES:
        return _ANSWER_FILES[request.task]
    accept = next((v for k, v in request.headers.items() if k.lower() == "accept"), "")
    extension = _EXTENSIONS.get(accept.split(";")[0].strip().lower())
    return f"output.{extension}" if extension else None


def file_names(plan: Plan, syntax: Syntax) -> dict[str, str]:
    """Template values for an answer saved to a file: the name, and the line that reports it."""
    name = plan.answer_file or _ANSWER_FILES.get(plan.request.task) or "output.bin"
    return {"file": quote(name, syntax), "saved": quote(f"saved {name}", syntax)}
