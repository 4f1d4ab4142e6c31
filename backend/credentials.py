"""Which credential a request carries, and whose it is: the one rule every run, chat turn, compare
column, warm-up ping and endpoint button follows (SECURITY.md T9, T16).

The operator's token (env, `.env`, token file, Space secret) goes only to the router, the Hub, and the
endpoints the operator lists in PLAYGROUND_ENDPOINTS. An endpoint a visitor names gets the key they
typed for it or their own HF token (a Hugging Face endpoint only); an HF endpoint with neither is
refused before anything is sent. Any other host gets its key or nothing, never an HF token.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlsplit

from .errors import InvalidInput
from .result import InferenceRequest
from .settings import Settings, check_credential
from .targets import is_hf_host, is_listed_endpoint

__all__ = ["Credential", "MissingCredential", "choose_credential", "endpoint_credential"]

VISITOR, OPERATOR, ENDPOINT_KEY, NONE = "your token", "the server's token", "your endpoint key", "no credential"


class MissingCredential(InvalidInput):
    """A visitor-named Hugging Face endpoint with no credential of the visitor's: nothing was sent."""


@dataclass(frozen=True)
class Credential:
    """What goes in the Authorization header (`value`, never shown) and, in words, whose it is."""

    value: str | None = field(repr=False)
    whose: str  # VISITOR, OPERATOR, ENDPOINT_KEY or NONE


def choose_credential(request: InferenceRequest, visitor_token: str | None, endpoint_key: str | None,
                      settings: Settings) -> Credential:
    """The credential for `request`; raises InvalidInput (MissingCredential) before anything is sent."""
    if request.token_kind == "none":
        return Credential(None, NONE)
    if not request.is_endpoint:  # the router or the Hub: Hugging Face's own
        return _hf_token(visitor_token, settings)
    return endpoint_credential(request.url, visitor_token, endpoint_key, settings)


def endpoint_credential(url: str, visitor_token: str | None, endpoint_key: str | None,
                        settings: Settings) -> Credential:
    """The credential a custom endpoint at `url` would get (what the endpoint note tells the visitor)."""
    key = check_credential((endpoint_key or "").strip()) or None
    token = check_credential((visitor_token or "").strip()) or None
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    listed = is_listed_endpoint(url, settings)
    huggingface = is_hf_host(host) or parts.netloc.lower() == urlsplit(settings.router_url).netloc.lower()
    if key:
        return Credential(key, ENDPOINT_KEY)
    if token and huggingface:  # a visitor's HF token goes to Hugging Face's hosts only
        return Credential(token, VISITOR)
    if listed and settings.hf_token:
        return Credential(settings.hf_token, OPERATOR)
    if is_hf_host(host):
        raise MissingCredential(
            f"{host} is an endpoint you named, and this server's token only goes to Hugging Face's router "
            "and the endpoints its operator lists. Paste your own Hugging Face token in the Token panel, or "
            "the endpoint's key in the key field, then run again.")
    return Credential(None, NONE)  # a host of its own: it gets its key or nothing, never an HF token


def _hf_token(visitor_token: str | None, settings: Settings) -> Credential:
    token = check_credential((visitor_token or "").strip()) or None
    if token:
        return Credential(token, VISITOR)
    return Credential(settings.hf_token, OPERATOR) if settings.hf_token else Credential(None, NONE)
