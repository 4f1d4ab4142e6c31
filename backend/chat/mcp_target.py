"""Where an MCP server call may go and what it carries, checked before anything is sent.

Hugging Face's own server (the Hub's host + `/mcp`, from HF_ENDPOINT) gets the person's HF token and nothing
else. Any other server gets no HF token, only the one header the person typed, and its URL follows the
custom-endpoint rules (targets.py): https on the standard port, no credentials, query or fragment, only
public addresses (every address the name resolves to, checked again at each connection, which also pins
it: `PinnedBackend`), and none at all from a shared app. Hosts in PLAYGROUND_MCP_HOSTS are trusted as
typed (http, a private address, any port).
"""
from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from typing import Any, Callable, Iterable
from urllib.parse import urlsplit

import anyio.to_thread
import httpcore2
import httpx2
from httpcore2 import AnyIOBackend

from ..errors import InvalidEndpointUrl, InvalidInput
from ..settings import Settings, check_credential
from ..targets import Resolver, _require_public_addresses, _resolve

__all__ = ["McpTarget", "check_mcp_url", "hub_mcp_url", "parse_header", "mcp_headers", "PinnedBackend",
           "pinned_transport"]

HUB_MCP_PATH = "/mcp"
_HEADER_NAME = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,100}$")
# Headers the MCP transport sets itself: a typed one would break the protocol or the framing.
_RESERVED = frozenset({"host", "content-length", "content-type", "accept", "transfer-encoding", "connection",
                       "mcp-session-id", "mcp-protocol-version", "last-event-id"})


@dataclass(frozen=True)
class McpTarget:
    """A checked MCP server URL. `kind`: "hub" (Hugging Face's: the HF token goes), "trusted" (the operator's
    PLAYGROUND_MCP_HOSTS) or "public" (any other: addresses checked and pinned at every connection)."""

    url: str
    kind: str
    host: str

    @property
    def gets_hf_token(self) -> bool:
        return self.kind == "hub"


def hub_mcp_url(settings: Settings) -> str:
    """Hugging Face's MCP server: `https://huggingface.co/mcp` unless HF_ENDPOINT points elsewhere."""
    return settings.hub_url.rstrip("/") + HUB_MCP_PATH


def _origin_and_path(url: str) -> tuple[str, str, str]:
    parts = urlsplit(url)
    return parts.scheme.lower(), parts.netloc.lower(), parts.path.rstrip("/")


def check_mcp_url(raw: str, settings: Settings, resolve: Resolver = _resolve) -> McpTarget:
    """Validate an MCP server URL typed in the page; raises InvalidEndpointUrl before anything is sent."""
    url = (raw or "").strip()
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise InvalidEndpointUrl("That MCP server URL cannot be parsed.") from None
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("https", "http") or not host:
        raise InvalidEndpointUrl("Enter the MCP server's full URL, e.g. https://huggingface.co/mcp.")
    if parts.username or parts.password or "@" in parts.netloc:
        raise InvalidEndpointUrl("Remove the user:password@ part; put a key in the header field instead.")
    if parts.query or parts.fragment or "\\" in url or any(c.isspace() for c in url):
        raise InvalidEndpointUrl("The MCP server URL must not carry a query string, fragment or spaces.")
    if _origin_and_path(url) == _origin_and_path(hub_mcp_url(settings)):
        return McpTarget(hub_mcp_url(settings), "hub", host)
    netloc = f"{host}:{port}" if port else host
    if host in settings.mcp_hosts or netloc in settings.mcp_hosts:
        return McpTarget(url.rstrip("/"), "trusted", host)
    if parts.scheme != "https":
        raise InvalidEndpointUrl("Only https:// MCP servers are allowed (the header must not travel in clear).")
    if port not in (None, 443):
        raise InvalidEndpointUrl("Only the standard https port is allowed for MCP servers.")
    if not settings.custom_endpoints:
        raise InvalidEndpointUrl("Only Hugging Face's MCP server may be used on this server.")
    if settings.is_public:
        raise InvalidEndpointUrl(f"This shared playground only connects to Hugging Face's MCP server "
                                 f"({hub_mcp_url(settings)}) and the ones its operator trusts, not {host}.")
    _require_public_addresses(host, resolve)
    return McpTarget(url.rstrip("/"), "public", host)


def parse_header(text: str) -> tuple[str, str] | None:
    """The header field as typed ("Authorization: Bearer xyz"); None when blank; InvalidInput when unusable."""
    text = (text or "").strip()
    if not text:
        return None
    name, colon, value = text.partition(":")
    name, value = name.strip(), value.strip()
    if not colon or not _HEADER_NAME.fullmatch(name) or not value:
        raise InvalidInput("The header must look like 'Authorization: Bearer xyz': a name, a colon, a value.")
    if name.lower() in _RESERVED:
        raise InvalidInput(f"The {name} header is set by the MCP connection itself; use another one.")
    if not all(" " <= char <= "~" for char in value):
        raise InvalidInput("The header's value has a line break or a character outside plain ASCII: type it again.")
    return name, value


def mcp_headers(target: McpTarget, token: str | None = None, header: str = "") -> dict[str, str]:
    """What the connection carries: the HF token to Hugging Face's server only (the typed header is not
    used there); to any other server only the typed header, never an HF token."""
    if target.gets_hf_token:
        token = check_credential((token or "").strip())
        return {"Authorization": f"Bearer {token}"} if token else {}
    parsed = parse_header(header)
    return {parsed[0]: parsed[1]} if parsed else {}


def _is_global(address: str) -> bool:
    return ipaddress.ip_address(address.split("%")[0]).is_global


class PinnedBackend(AnyIOBackend):
    """Connects only to addresses that pass `is_allowed` (public ones), resolving the name itself each time,
    so a redirect or a DNS answer that changed since the URL was checked cannot reach a private address.
    TLS still verifies the name: httpcore sends it as SNI and checks the certificate against it."""

    def __init__(self, resolve: Resolver = _resolve, is_allowed: Callable[[str], bool] = _is_global) -> None:
        self._resolve, self._is_allowed = resolve, is_allowed

    async def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                          local_address: str | None = None, socket_options: Iterable[Any] | None = None) -> Any:
        try:
            addresses = await anyio.to_thread.run_sync(self._resolve, host)
        except OSError:
            raise InvalidEndpointUrl(f"The host {host} could not be resolved.") from None
        if not addresses or not all(self._is_allowed(address) for address in addresses):
            raise InvalidEndpointUrl(f"{host} points to a private or local address; only public hosts are allowed.")
        return await super().connect_tcp(addresses[0], port, timeout=timeout, local_address=local_address,
                                          socket_options=socket_options)


def pinned_transport(backend: PinnedBackend) -> httpx2.AsyncHTTPTransport:
    """An httpx2 transport (no proxy, no netrc) whose connections go through `backend`."""
    transport = httpx2.AsyncHTTPTransport(trust_env=False)
    pool = getattr(transport, "_pool", None)
    if not isinstance(pool, httpcore2.AsyncConnectionPool) or not hasattr(pool, "_network_backend"):
        raise RuntimeError("httpx2 changed: its transport no longer takes a network backend this way")
    pool._network_backend = backend  # the one seam httpx2 leaves for choosing where a connection goes
    return transport
