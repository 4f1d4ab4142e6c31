"""The exception tree and `user_message()`, the one place that writes error text for people.

    PlaygroundError
    ├── ConfigError             operator settings that cannot work (e.g. shared app + server token, no auth)
    ├── InvalidInput            caught before any request is sent
    │   ├── InvalidModelId
    │   ├── InvalidEndpointUrl
    │   └── InvalidParameters
    ├── HTTPStatusError         the server answered with an error status
    │   ├── BadRequest          400, 422
    │   ├── AuthError           401
    │   ├── PaymentRequired     402
    │   ├── Forbidden           403 (missing permission or gated model)
    │   ├── NotFound            404
    │   ├── Gone                410 (the legacy api-inference host)
    │   ├── RateLimited         429 (.retry_after)
    │   ├── ModelLoading        503 while a model or endpoint starts (.estimated_time)
    │   └── UpstreamError       5xx and anything else
    ├── Timeout                 connect/read timeout, or the polling deadline
    ├── ConnectionFailed        refused, reset, dropped
    ├── BadResponse             non-JSON, HTML page, oversized body, redirect
    └── Cancelled               the user stopped the run
"""
from __future__ import annotations

import html
import json
from typing import Any, Callable, Mapping

from .redact import redact

__all__ = [
    "PlaygroundError", "ConfigError", "InvalidInput", "InvalidModelId", "InvalidEndpointUrl",
    "InvalidParameters", "HTTPStatusError", "BadRequest", "AuthError", "PaymentRequired",
    "Forbidden", "NotFound", "Gone", "RateLimited", "ModelLoading", "UpstreamError", "Timeout",
    "ConnectionFailed", "BadResponse", "Cancelled", "error_for_status", "server_message",
    "user_message",
]

MAX_SERVER_MESSAGE = 300
TOKENS_URL = "https://huggingface.co/settings/tokens"
PROVIDERS_URL = "https://huggingface.co/settings/inference-providers"
BILLING_URL = "https://huggingface.co/settings/billing"


class PlaygroundError(Exception):
    """Base of every error the backend raises or reports in a result."""

    def __init__(self, message: str = "", **details: Any) -> None:
        super().__init__(redact(message))
        self.message = redact(message)
        self.details = details


class ConfigError(PlaygroundError):
    pass


class InvalidInput(PlaygroundError):
    pass


class InvalidModelId(InvalidInput):
    pass


class InvalidEndpointUrl(InvalidInput):
    pass


class InvalidParameters(InvalidInput):
    pass


class HTTPStatusError(PlaygroundError):
    """The server answered with an error status; carries what it said, already redacted."""

    def __init__(self, message: str = "", *, status: int, server_message: str = "",
                 request_id: str = "", model_id: str = "", **details: Any) -> None:
        super().__init__(message or f"HTTP {status}", **details)
        self.status = status
        self.server_message = redact(server_message)[:MAX_SERVER_MESSAGE]
        self.request_id = request_id
        self.model_id = model_id


class BadRequest(HTTPStatusError):
    pass


class AuthError(HTTPStatusError):
    pass


class PaymentRequired(HTTPStatusError):
    pass


class Forbidden(HTTPStatusError):
    @property
    def is_gated(self) -> bool:
        text = (self.server_message + " " + self.details.get("error_code", "")).lower()
        return "gated" in text or "restricted" in text or "authorized list" in text


class NotFound(HTTPStatusError):
    pass


class Gone(HTTPStatusError):
    pass


class RateLimited(HTTPStatusError):
    def __init__(self, message: str = "", *, retry_after: float | None = None, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.retry_after = retry_after


class ModelLoading(HTTPStatusError):
    def __init__(self, message: str = "", *, estimated_time: float | None = None, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.estimated_time = estimated_time


class UpstreamError(HTTPStatusError):
    pass


class Timeout(PlaygroundError):
    pass


class ConnectionFailed(PlaygroundError):
    pass


class BadResponse(PlaygroundError):
    pass


class Cancelled(PlaygroundError):
    pass


_STATUS_CLASSES: dict[int, type[HTTPStatusError]] = {
    400: BadRequest, 401: AuthError, 402: PaymentRequired, 403: Forbidden, 404: NotFound,
    410: Gone, 422: BadRequest, 429: RateLimited, 503: ModelLoading,
}


def server_message(body: bytes | str | None, content_type: str = "",
                   headers: Mapping[str, str] | None = None) -> str:
    """Pull the human message out of an error body, whatever shape the server used.

    Handles `{"error": str}`, `{"error": [str, ...]}`, OpenAI-style `{"error": {"message": ...}}`,
    `{"message"|"detail": ...}`, plain text and the `X-Error-Message` header. HTML pages give ''.
    """
    headers = {k.lower(): v for k, v in (headers or {}).items()}
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else (body or "")
    if "html" in content_type.lower() or text.lstrip()[:15].lower().startswith(("<!doctype", "<html")):
        return headers.get("x-error-message", "")
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        return (headers.get("x-error-message") or text).strip()[:MAX_SERVER_MESSAGE]
    return _message_from_json(data) or headers.get("x-error-message", "")


def _message_from_json(data: Any, depth: int = 0) -> str:
    if isinstance(data, str):
        return data
    if depth > 8:  # real error bodies are shallow; a hostile one must not exhaust the stack
        return ""
    if isinstance(data, list):
        return "; ".join(filter(None, (_message_from_json(item, depth + 1) for item in data[:20])))
    if isinstance(data, dict):
        for key in ("error", "message", "detail", "msg"):
            if key in data and data[key]:
                return _message_from_json(data[key], depth + 1)
    return ""


def error_for_status(status: int, *, body: bytes | str | None = b"", content_type: str = "",
                     headers: Mapping[str, str] | None = None, model_id: str = "",
                     retry_after: float | None = None, **details: Any) -> HTTPStatusError:
    """Build the right HTTPStatusError subclass for an error answer; `details` are kept on it."""
    lower = {k.lower(): v for k, v in (headers or {}).items()}
    message = server_message(body, content_type, lower)
    cls = _STATUS_CLASSES.get(status, UpstreamError)
    common: dict[str, Any] = dict(status=status, server_message=message, model_id=model_id,
                                  request_id=lower.get("x-request-id", ""),
                                  error_code=lower.get("x-error-code", ""),
                                  is_html="html" in content_type.lower(), **details)
    if cls is RateLimited:
        return RateLimited(retry_after=retry_after, **common)
    if cls is ModelLoading:
        return ModelLoading(estimated_time=_estimated_time(body), **common)
    return cls(**common)


def _estimated_time(body: bytes | str | None) -> float | None:
    try:
        value = json.loads(body or b"").get("estimated_time")
        return float(value) if value is not None and float(value) >= 0 else None
    except (ValueError, TypeError, AttributeError):
        return None


def user_message(err: BaseException) -> str:
    """Turn any error into one escaped, actionable sentence or two for the page.

    Never echoes a secret (everything passes `redact`) and never returns live markup
    (everything passes `html.escape`), so the result is safe in Markdown and `gr.Error`.
    """
    if isinstance(err, PlaygroundError):
        text = _describe(err)
    else:
        text = f"Unexpected error ({type(err).__name__}). The details are in the server log."
    return html.escape(redact(text), quote=False)


def _said(err: HTTPStatusError) -> str:
    return f' The server said: "{err.server_message}".' if err.server_message else ""


def _describe_bad_request(err: HTTPStatusError, model: str) -> str:
    said = err.server_message.lower()
    if "not supported by" in said and "provider" in said:
        return (f"HTTP {err.status}: {model} is not served by the chosen provider.{_said(err)} Pick another "
                f"provider (or auto), or enable more providers at {PROVIDERS_URL}.")
    if "template" in said and "not found" in said:
        return (f"HTTP {err.status}: {model} has no chat template, so it cannot chat.{_said(err)} Pick an "
                f"instruct or chat model, or use the text-generation task.")
    expected = err.details.get("expected_input")
    hint = f" This task expects input like: {expected}." if expected else ""
    return f"HTTP {err.status}: the model rejected the input.{_said(err)}{hint}"


def _describe_http(err: HTTPStatusError, model: str) -> str:
    rid = f" (request id {err.request_id})" if err.request_id else ""
    if err.details.get("is_html"):
        return (f"HTTP {err.status}: the server sent an HTML error page instead of JSON, which usually "
                f"means a gateway or proxy failed. Try again in a moment.{rid}")
    describe = next((fn for cls, fn in _HTTP_TEXT if isinstance(err, cls)), None)
    if describe is not None:
        return describe(err, model)
    if err.status == 200:  # `data: {"error": ...}` inside a stream that had started fine
        return (f"The answer stopped part-way: the provider reported an error.{_said(err)} "
                f"Try again, or pick another provider.")
    return f"HTTP {err.status}: the server failed.{_said(err)} Try again in a moment.{rid}"


def _describe_forbidden(err: Forbidden, model: str) -> str:
    if err.is_gated:
        return (f"HTTP 403: {model} is gated.{_said(err)} Accept its licence at "
                f"https://huggingface.co/{err.model_id} and use a token of the same account.")
    return (f"HTTP 403: your token is not allowed to do this.{_said(err)} Make sure it has the "
            f"'Make calls to Inference Providers' permission ({TOKENS_URL}).")


def _describe_rate_limited(err: RateLimited, model: str) -> str:
    wait = f" Retry in {err.retry_after:.0f} s." if err.retry_after is not None else " Wait a minute and retry."
    if err.details.get("with_token"):  # the account's own limit: a token is already in use
        return (f"HTTP 429: rate limited.{_said(err)}{wait} The token's account has used its allowance for "
                f"now; its plan and credits are at {BILLING_URL}, or pick another provider.")
    return f"HTTP 429: rate limited.{_said(err)}{wait} Logging in with a token raises the limit."


def _describe_loading(err: ModelLoading, model: str) -> str:
    est = f" The server estimated {err.estimated_time:.0f} s more." if err.estimated_time is not None else ""
    return (f"HTTP 503: {model} is still starting or unavailable.{_said(err)}{est} "
            f"Run again in a little while, or raise the wait limit.")


# One row per error class: what happened and how to fix it. First match wins.
_HTTP_TEXT: tuple[tuple[type, Callable[[Any, str], str]], ...] = (
    (BadRequest, _describe_bad_request),
    (AuthError, lambda err, model: (f"HTTP 401: the token was missing or not accepted.{_said(err)} Create a token "
                                    f"at {TOKENS_URL} and paste it in the token field, or set HF_TOKEN.")),
    (PaymentRequired, lambda err, model: (f"HTTP 402: payment required.{_said(err)} Check your credits or enable "
                                          f"pay-as-you-go at {BILLING_URL}, or pick another provider.")),
    (Forbidden, _describe_forbidden),
    (NotFound, lambda err, model: (f"HTTP 404: {model} is not served at this route.{_said(err)} Check the id, or "
                                   f"see which Inference Providers serve it on its model page.")),
    (Gone, lambda err, model: (f"HTTP 410: this host no longer serves inference.{_said(err)} "
                               f"Use https://router.huggingface.co instead.")),
    (RateLimited, _describe_rate_limited),
    (ModelLoading, _describe_loading),
)

_OTHER_TEXT: tuple[tuple[type, Callable[[Any], str]], ...] = (
    (Timeout, lambda err: (f"Timed out: {err.message or 'the server did not answer in time'}. "
                           f"Try again, or raise the timeout.")),
    (ConnectionFailed, lambda err: (f"Could not connect: {err.message or 'the connection failed'}. "
                                    f"Check the URL and your network.")),
    (BadResponse, lambda err: f"The server's answer could not be used: {err.message}."),
    (Cancelled, lambda err: "Cancelled. Nothing more was sent."),
)


def _describe(err: PlaygroundError) -> str:
    if isinstance(err, HTTPStatusError):
        return _describe_http(err, err.model_id or "this model")
    describe = next((fn for cls, fn in _OTHER_TEXT if isinstance(err, cls)), None)
    return describe(err) if describe else (err.message or type(err).__name__)
