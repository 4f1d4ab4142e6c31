"""Fetching the media a provider points to (fal.media, replicate.delivery, ...), safely.

No credential ever goes with it (a session of its own, no auth, no cookies, no netrc); https on public
addresses only, unless the operator trusts the host (the router's, or PLAYGROUND_MEDIA_HOSTS); each
redirect is checked again; size, time and content type are capped. `data:` URLs are decoded in place.
A checked name is resolved once and the connection goes to the address checked (see pinning.py), except
through a proxy, which resolves the name itself: then the check covers the name as resolved here.
"""
from __future__ import annotations

import base64
import binascii
import http.cookiejar
import ipaddress
import socket
import time
from dataclasses import dataclass
from typing import Callable
from urllib.parse import urljoin, urlsplit

import requests
from requests.utils import select_proxy

from ..errors import BadResponse, ConnectionFailed, Timeout
from ..settings import Settings
from .pinning import PinnedAdapter, pinned_request, preferred_address

__all__ = ["Media", "MediaFetcher", "MEDIA_KINDS", "sniff_media_type"]

MEDIA_KINDS = ("image/", "audio/", "video/")
MAX_REDIRECTS = 3
_CHUNK = 256 * 1024
Resolver = Callable[[str], list[str]]


def _resolve(host: str) -> list[str]:
    return sorted({info[4][0] for info in socket.getaddrinfo(host, None)})


def _is_global(address: str) -> bool:
    return ipaddress.ip_address(address).is_global


@dataclass(frozen=True)
class Media:
    data: bytes
    media_type: str
    url: str          # where it came from (a data: URL is shortened)
    elapsed: float = 0.0


class MediaFetcher:
    """One per app; safe to share between threads (nothing per visitor is stored).

    `resolve` and `is_allowed` (is this address one the app may reach; public ones by default) are seams
    for tests. The session gets a PinnedAdapter mounted, which pinned requests need for TLS.
    """

    def __init__(self, settings: Settings, session: requests.Session | None = None,
                 resolve: Resolver = _resolve, clock: Callable[[], float] = time.monotonic,
                 is_allowed: Callable[[str], bool] = _is_global) -> None:
        self.settings = settings
        self.session = session or _bare_session()
        self.session.mount("https://", PinnedAdapter())
        self._resolve, self._clock, self._is_allowed = resolve, clock, is_allowed
        router = urlsplit(settings.router_url)
        self.trusted = frozenset({router.netloc.lower(), *settings.media_hosts})

    def fetch(self, url: str, expect: str = "") -> Media:
        """The file at `url` (or in a data: URL); raises a PlaygroundError saying why not."""
        if url.startswith("data:"):
            return _data_url(url, self.settings.max_media_bytes)
        started = self._clock()
        for _ in range(MAX_REDIRECTS + 1):
            address = self.check(url)
            try:
                response = self._get(url, address)
            except requests.Timeout:
                raise Timeout(f"the media host {urlsplit(url).hostname} did not answer in time") from None
            except requests.RequestException as exc:
                raise ConnectionFailed(f"the media host {urlsplit(url).hostname} could not be reached "
                                       f"({type(exc).__name__})") from None
            with response:
                if response.is_redirect and response.headers.get("Location"):
                    url = urljoin(url, response.headers["Location"])
                    continue
                return Media(self._read(response, expect, urlsplit(url).hostname or ""), _type(response), url,
                             self._clock() - started)
        raise BadResponse(f"the media link redirected more than {MAX_REDIRECTS} times; not followed further")

    def check(self, url: str) -> str | None:
        """Refuse a URL the app must not fetch: not http(s), credentials in it, private hosts, plain http.

        Returns the checked address to connect to, or None for a host the operator trusts (reached by name).
        """
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError:
            raise BadResponse("the provider's media link cannot be parsed") from None
        host = (parts.hostname or "").lower()
        netloc = f"{host}:{port}" if port else host
        trusted = netloc in self.trusted or parts.netloc.lower() in self.trusted
        if parts.scheme not in ("https", "http") or not host or parts.username or parts.password:
            raise BadResponse("the provider's media link is not a plain https URL; not fetched")
        if parts.scheme == "http" and not trusted:
            raise BadResponse(f"the provider's media link to {host} is not https; not fetched")
        if trusted:
            return None
        try:
            addresses = self._resolve(host)
        except OSError:
            raise ConnectionFailed(f"the media host {host} could not be resolved") from None
        addresses = addresses or ["0.0.0.0"]
        for address in addresses:
            if not self._is_allowed(address.split("%")[0]):
                raise BadResponse(f"the provider's media link points to a private address ({host}); not fetched")
        return preferred_address(addresses)

    def _get(self, url: str, address: str | None) -> requests.Response:
        """GET `url`, redirects not followed; the socket goes to `address` unless it is None or a proxy applies."""
        timeout = self.settings.timeout
        env = self.session.merge_environment_settings(url, {}, True, None, None)  # read for the name, not the IP
        if address is None or select_proxy(url, env["proxies"]):
            # A proxy resolves the name itself, so pinning cannot apply; the check covered the name as resolved here.
            return self.session.get(url, timeout=timeout, allow_redirects=False, stream=True)
        prepared = self.session.prepare_request(pinned_request(url, address))
        return self.session.send(prepared, timeout=timeout, allow_redirects=False, stream=True, proxies={},
                                 verify=env["verify"], cert=env["cert"])

    def _read(self, response: requests.Response, expect: str, host: str) -> bytes:
        if response.status_code != 200:
            raise BadResponse(f"the media host {host} answered HTTP {response.status_code}")
        media_type = _type(response)
        if not media_type.startswith(MEDIA_KINDS) and media_type != "application/octet-stream":
            raise BadResponse(f"the media link gave {media_type or 'no content type'}, not "
                              f"{expect or 'an image, audio or video'}; not shown")
        cap = self.settings.max_media_bytes
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > cap:
            raise BadResponse(f"the generated file is {int(declared) / 2**20:.0f} MB, over the "
                              f"{cap / 2**20:.0f} MB limit; it was not downloaded")
        chunks, size = [], 0
        try:
            for chunk in response.iter_content(_CHUNK):
                size += len(chunk)
                if size > cap:
                    raise BadResponse(f"the generated file grew past the {cap / 2**20:.0f} MB limit; "
                                      "the download stopped there")
                chunks.append(chunk)
        except requests.RequestException as exc:
            raise ConnectionFailed(f"the download from {host} broke off ({type(exc).__name__})") from None
        return b"".join(chunks)


_MAGIC = ((b"\x89PNG\r\n\x1a\n", "image/png"), (b"\xff\xd8\xff", "image/jpeg"), (b"GIF8", "image/gif"),
          (b"ID3", "audio/mpeg"), (b"\xff\xfb", "audio/mpeg"), (b"fLaC", "audio/flac"), (b"OggS", "audio/ogg"),
          (b"\x1aE\xdf\xa3", "video/webm"))


def sniff_media_type(data: bytes) -> str:
    """The media type the bytes themselves show (a provider's label can be wrong); '' when unknown."""
    if data[:4] == b"RIFF":
        return {b"WEBP": "image/webp", b"WAVE": "audio/wav"}.get(data[8:12], "")
    if data[4:8] == b"ftyp":
        return "video/mp4"
    return next((kind for magic, kind in _MAGIC if data.startswith(magic)), "")


def _type(response: requests.Response) -> str:
    return response.headers.get("Content-Type", "").split(";")[0].strip().lower()


def _data_url(url: str, cap: int) -> Media:
    header, _, payload = url.partition(",")
    media_type = header[5:].split(";")[0].strip().lower() or "application/octet-stream"
    if ";base64" not in header or len(payload) * 3 // 4 > cap:
        raise BadResponse("the provider's data URL is not base64 media within the size limit")
    try:
        data = base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError):
        raise BadResponse("the provider's data URL is not valid base64") from None
    return Media(data, media_type, header[:60] + ",…")


def _bare_session() -> requests.Session:
    session = requests.Session()
    session.auth = lambda request: request  # no ~/.netrc credentials either
    # Nor cookies: the session is shared by every visitor, so a media host's Set-Cookie must not come back.
    session.cookies.set_policy(http.cookiejar.DefaultCookiePolicy(allowed_domains=[]))
    session.headers.update({"User-Agent": "hf-inference-playground/0.1"})
    session.trust_env = True
    return session
