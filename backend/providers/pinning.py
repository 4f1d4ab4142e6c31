"""Sending a request to an address checked beforehand, while TLS and the Host header keep the name.

`pinned_request(url, address)` puts the address in the URL and the name in `Host`; `PinnedAdapter`, mounted
on the session, sends that name as SNI and checks the certificate against it. Nothing is stored per request,
so one adapter serves every thread. This is what stops DNS rebinding: the name is resolved once, not twice.
"""
from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit, urlunsplit

import requests
from requests.adapters import HTTPAdapter

__all__ = ["PinnedAdapter", "pinned_request", "preferred_address"]

_DEFAULT_PORTS = {"http": 80, "https": 443}


class PinnedAdapter(HTTPAdapter):
    """An HTTPAdapter that verifies TLS against an explicit Host header instead of the URL's host.

    requests never sets Host itself (urllib3 writes it from the URL), so an explicit one comes from
    `pinned_request`: the socket goes to the address in the URL, SNI and the certificate check use the name.
    urllib3 keys its pools by server_hostname too, so two names served from one address never share a pool.
    """

    def build_connection_pool_key_attributes(self, request: requests.PreparedRequest, verify: Any,
                                             cert: Any = None) -> tuple[dict[str, Any], dict[str, Any]]:
        host_params, pool_kwargs = super().build_connection_pool_key_attributes(request, verify, cert)
        name = urlsplit("//" + request.headers.get("Host", "")).hostname
        if name and host_params["scheme"] == "https":
            pool_kwargs["server_hostname"] = name
        return host_params, pool_kwargs


def pinned_request(url: str, address: str) -> requests.Request:
    """A GET for `url` whose socket goes to `address`; Host (and, through PinnedAdapter, TLS) keeps the name."""
    parts = urlsplit(url)
    name, port = parts.hostname or "", parts.port
    if not name.isascii():  # the resolver already took it through the same codec (socket does)
        name = name.encode("idna").decode("ascii")
    shown_port = f":{port}" if port and port != _DEFAULT_PORTS.get(parts.scheme) else ""
    target = urlunsplit(parts._replace(netloc=_bracketed(address) + (f":{port}" if port else "")))
    return requests.Request("GET", target, headers={"Host": _bracketed(name) + shown_port})


def preferred_address(addresses: list[str]) -> str:
    """The address to pin: the first IPv4 one if any, since only one is tried and IPv4 is the more often routed."""
    return next((address for address in addresses if ":" not in address), addresses[0])


def _bracketed(host: str) -> str:
    return f"[{host}]" if ":" in host else host
