"""Where a request goes: model-id validation, router routes, and custom endpoint URLs.

Model ids are checked before anything is sent and URLs are built from a fixed base, then checked
again (SECURITY.md T8). A custom endpoint gets the HF token only on a Hugging Face host (T9); any
other host gets its own key, and must resolve to a public address unless the operator trusts it.
"""
from __future__ import annotations

import ipaddress
import re
import socket
from dataclasses import dataclass
from typing import Any, Callable, Mapping
from urllib.parse import quote, urlsplit

from .errors import InvalidEndpointUrl, InvalidModelId, InvalidParameters
from .settings import Settings

__all__ = ["validate_model_id", "split_provider", "router_url_for", "chat_url_for",
           "check_endpoint_url", "Endpoint", "is_hf_host", "is_listed_endpoint", "PROVIDER_POLICIES"]

_PART = r"[A-Za-z0-9](?:[A-Za-z0-9_.-]{0,94}[A-Za-z0-9_])?"
_MODEL_ID = re.compile(rf"^(?:{_PART}/)?{_PART}$", re.ASCII)
_PROVIDER = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$", re.ASCII)
PROVIDER_POLICIES = ("fastest", "cheapest", "preferred")
# Dot-anchored: `x.endpoints.huggingface.cloud` is HF's, `endpoints.huggingface.cloud.evil.example` is not.
# Where the HF token may go from a typed URL: the router, and Inference Endpoints (dot-anchored, so
# `x.endpoints.huggingface.cloud.evil.example` is not one). Not huggingface.co or hf.co (the Hub API
# would take a token-bearing POST) and not hf.space (anyone can run a Space).
HF_TOKEN_HOSTS = ("router.huggingface.co",)
HF_TOKEN_DOMAINS = ("endpoints.huggingface.cloud",)


def validate_model_id(raw: str) -> str:
    """Return the model id if it is a well-formed Hub repo id (`name` or `org/name`), else raise.

    Rejects path traversal, other hosts, odd characters and full-width look-alikes, so no request
    can be steered elsewhere (huggingface_hub's rules, ASCII only).
    """
    model_id = (raw or "").strip(" ")
    if not model_id:
        raise InvalidModelId("Enter a model id such as 'org/name'.")
    if model_id.startswith(("http://", "https://")):
        raise InvalidModelId("That is a URL, not a model id: put it in the custom endpoint field instead.")
    bad = ".." in model_id or "--" in model_id or model_id.endswith(".git")
    if bad or not _MODEL_ID.fullmatch(model_id):
        raise InvalidModelId(
            f"'{model_id[:100]}' is not a valid model id. Use 'org/name' with letters, digits, '-', '_' "
            "or '.' (at most 96 characters each part), like 'google-bert/bert-base-uncased'.")
    return model_id


def split_provider(raw: str) -> tuple[str, str]:
    """'org/model:provider' → ('org/model', 'provider'); no suffix → ('org/model', '')."""
    model, _, provider = (raw or "").strip(" ").partition(":")
    return validate_model_id(model), validate_provider(provider)


def validate_provider(provider: str) -> str:
    provider = (provider or "").strip().lower()
    if provider in ("", "auto"):
        return ""
    if not _PROVIDER.match(provider):
        raise InvalidParameters(f"'{provider[:40]}' is not a provider name (try fastest, cheapest or a provider).")
    return provider


def router_url_for(settings: Settings, model_id: str, task: str, route: str) -> str:
    """The hf-inference URL for a task route ('models' or 'pipeline'), checked after building."""
    model_id = validate_model_id(model_id)
    prefix = f"{settings.router_url}/hf-inference/models/"
    url = prefix + quote(model_id, safe="/")
    if route == "pipeline":
        url += f"/pipeline/{quote(task, safe='')}"
    _check_built(url, prefix)
    return url


def chat_url_for(settings: Settings) -> str:
    return f"{settings.router_url}/v1/chat/completions"


def _check_built(url: str, prefix: str) -> None:
    # Defence in depth: whatever the id was, the URL must still be on the router under the prefix.
    got, want = urlsplit(url), urlsplit(prefix)
    if (got.scheme, got.netloc) != (want.scheme, want.netloc) or not got.path.startswith(want.path) \
            or "/../" in got.path or got.query or got.fragment:
        raise InvalidModelId("The model id would change where the request goes; refused.")


@dataclass(frozen=True)
class Endpoint:
    """A checked custom endpoint: its URL, which credential it may receive ('hf' or 'endpoint'), and
    whether the operator lists it in PLAYGROUND_ENDPOINTS (only then may the server's token go there)."""

    url: str
    token_kind: str
    listed: bool = False

    def chat_url(self) -> str:
        base = self.url.rstrip("/")
        return base if base.endswith("/chat/completions") else f"{base}/v1/chat/completions"


def is_hf_host(host: str) -> bool:
    """True for the Hugging Face inference hosts that may receive the HF token (SECURITY.md T9)."""
    host = (host or "").lower().rstrip(".")
    return host in HF_TOKEN_HOSTS or any(host.endswith("." + domain) for domain in HF_TOKEN_DOMAINS)


def _is_operator_origin(parts: Any, settings: Settings) -> bool:
    # The operator's router is trusted with the token; the Hub API is not an inference endpoint.
    return parts.netloc.lower() == urlsplit(settings.router_url).netloc.lower()


def is_listed_endpoint(url: str, settings: Settings) -> bool:
    """Whether the operator lists `url` in PLAYGROUND_ENDPOINTS (a URL it starts with, at a path
    boundary, or its host[:port]), or it is on the operator's own router: where the server's token may go."""
    try:
        parts = urlsplit((url or "").strip())
        host = (parts.hostname or "").lower()
        netloc = f"{host}:{parts.port}" if parts.port else host
    except ValueError:
        return False
    if not host or parts.username or parts.password:
        return False
    if _is_operator_origin(parts, settings):
        return True
    bare = f"{parts.scheme.lower()}://{netloc}{parts.path}".rstrip("/").lower()
    for listed in settings.endpoints:
        if "://" in listed:
            if bare == listed or bare.startswith(listed + "/"):
                return True
        elif listed in (host, netloc):
            return True
    return False


Resolver = Callable[[str], list[str]]


def _resolve(host: str) -> list[str]:
    return sorted({info[4][0] for info in socket.getaddrinfo(host, None)})


def check_endpoint_url(raw: str, settings: Settings, resolve: Resolver = _resolve) -> Endpoint:
    """Validate a custom endpoint URL typed in the UI (an Inference Endpoint or a TGI/vLLM server).

    https only, no credentials in the URL, no query or fragment. Inference Endpoints may get an HF
    token (the visitor's own: `credentials.choose_credential` says whose), and so may the endpoints the
    operator lists in PLAYGROUND_ENDPOINTS; hosts in PLAYGROUND_ENDPOINT_HOSTS get the endpoint key;
    any other host must resolve only to public addresses, and is refused when the app is public.
    """
    url = (raw or "").strip()
    if not settings.custom_endpoints:
        raise InvalidEndpointUrl("Custom endpoints are switched off on this server.")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise InvalidEndpointUrl("That endpoint URL cannot be parsed.") from None
    host = (parts.hostname or "").lower()
    listed = is_listed_endpoint(url, settings)
    gets_hf_token = is_hf_host(host) or listed
    operator_trusted = listed or host in settings.endpoint_hosts
    if parts.scheme not in ("https", "http") or not host:
        raise InvalidEndpointUrl("Enter a full endpoint URL starting with https://")
    if parts.scheme == "http" and not operator_trusted:
        raise InvalidEndpointUrl("Only https:// endpoints are allowed (the token must not travel in clear).")
    if parts.username or parts.password or "@" in parts.netloc:
        raise InvalidEndpointUrl("Remove the user:password@ part; enter the key in the key field.")
    if parts.query or parts.fragment or "\\" in url or any(c.isspace() for c in url):
        raise InvalidEndpointUrl("The endpoint URL must not carry a query string, fragment or spaces.")
    if port not in (None, 443) and not operator_trusted:
        raise InvalidEndpointUrl("Only the standard https port is allowed for custom endpoints.")
    if gets_hf_token or operator_trusted:
        return Endpoint(url.rstrip("/"), "hf" if gets_hf_token else "endpoint", listed)
    if settings.is_public:
        raise InvalidEndpointUrl(f"This shared playground only calls Hugging Face hosts, not {host}.")
    _require_public_addresses(host, resolve)
    return Endpoint(url.rstrip("/"), "endpoint")


def _require_public_addresses(host: str, resolve: Resolver) -> None:
    try:
        addresses = resolve(host)
    except OSError:
        raise InvalidEndpointUrl(f"The host {host} could not be resolved.") from None
    for address in addresses or ["0.0.0.0"]:
        ip = ipaddress.ip_address(address.split("%")[0])
        if not ip.is_global:
            raise InvalidEndpointUrl(
                f"{host} points to a private or local address; only public hosts are allowed.")


def with_model(body: Mapping[str, Any], model: str) -> dict[str, Any]:
    """A chat body with its `model` field set (the router needs 'id[:provider]')."""
    return {"model": model, **{k: v for k, v in body.items() if k != "model"}}
