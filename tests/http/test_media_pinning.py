"""The media downloader connects to the address it checked, on real sockets: a name that answers a public
address and then a private one (DNS rebinding) never leads to a connection to the second; TLS keeps the
name for SNI and the certificate; a redirect hop is resolved and checked again; a proxy gets the name.

Nothing public is reachable here, so 127.0.0.2 plays the public address (the fetcher's `is_allowed` seam
accepts it alone) and 127.0.0.1, on the same port, records any connection that should never come. A DNS
stub stands in for the whole process's resolver (socket.getaddrinfo), so a second lookup by requests
would really reach the recorder.
"""
from __future__ import annotations

import socket
import ssl
import threading
from collections import defaultdict
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import trustme

from backend.errors import BadResponse, ConnectionFailed
from backend.providers import MediaFetcher
from backend.providers.pinning import pinned_request, preferred_address
from backend.settings import Settings

PUBLIC, PRIVATE = "127.0.0.2", "127.0.0.1"
NAME = "media.test"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
PROXY_VARS = ("HTTPS_PROXY", "HTTP_PROXY", "ALL_PROXY", "NO_PROXY")


# --- pieces: a rebinding DNS, the media host at the checked address, a recorder at the rebound one -------------

class RebindingDNS:
    """Answers names under .test from a script (the last answer repeats); other names go to the real resolver."""

    def __init__(self, real: Any) -> None:
        self.real = real
        self.script: dict[str, list[str]] = {}
        self.calls: dict[str, int] = defaultdict(int)

    def __call__(self, host: Any, port: Any, *args: Any, **kwargs: Any) -> list[Any]:
        name = host.decode() if isinstance(host, bytes) else str(host)
        if not name.endswith(".test"):
            return self.real(host, port, *args, **kwargs)
        answers = self.script[name]
        address = answers[min(self.calls[name], len(answers) - 1)]
        self.calls[name] += 1
        return [(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (address, int(port or 0)))]


class _MediaHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: MediaHost

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        self.server.requests.append((self.path, self.headers.get("Host", "")))
        if self.path == "/hop":
            self.send_response(302)
            self.send_header("Location", "/a.png")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.send_header("Content-Length", str(len(PNG)))
        self.end_headers()
        self.wfile.write(PNG)

    def log_message(self, *args: Any) -> None:
        pass


class MediaHost(ThreadingHTTPServer):
    """An https media host holding a certificate for `names`; logs each request's path and Host, and each SNI."""

    daemon_threads = True

    def __init__(self, address: str, port: int, ca: trustme.CA, names: tuple[str, ...]) -> None:
        super().__init__((address, port), _MediaHandler)
        self.requests: list[tuple[str, str]] = []
        self.sni: list[str | None] = []
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ca.issue_cert(*names).configure_cert(context)
        context.sni_callback = lambda sock, name, ctx: self.sni.append(name)
        self.socket = context.wrap_socket(self.socket, server_side=True)


class Recorder:
    """A listener that records every connection (and its first bytes) and answers 403 to anything."""

    def __init__(self, address: str, port: int) -> None:
        self.sock = socket.create_server((address, port))
        self.hits: list[bytes] = []
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn:
                conn.settimeout(2)
                try:
                    self.hits.append(conn.recv(4096))
                    conn.sendall(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                except OSError:
                    self.hits.append(b"")

    def close(self) -> None:
        self.sock.close()


def _start(ca: trustme.CA, names: tuple[str, ...]) -> tuple[MediaHost, Recorder]:
    """The media host on PUBLIC and a recorder on PRIVATE, on one port (a URL names one port for both)."""
    for _ in range(20):
        host = MediaHost(PUBLIC, 0, ca, names)
        try:
            return host, Recorder(PRIVATE, host.server_address[1])
        except OSError:  # that port is taken on 127.0.0.1: try another
            host.server_close()
    raise RuntimeError("no port free on both loopback addresses")


@pytest.fixture()
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture()
def dns(monkeypatch: pytest.MonkeyPatch) -> RebindingDNS:
    for var in PROXY_VARS:
        monkeypatch.delenv(var, raising=False)
        monkeypatch.delenv(var.lower(), raising=False)
    stub = RebindingDNS(socket.getaddrinfo)
    monkeypatch.setattr(socket, "getaddrinfo", stub)
    return stub


@pytest.fixture()
def servers(request: pytest.FixtureRequest, ca: trustme.CA) -> Iterator[tuple[MediaHost, Recorder]]:
    names = getattr(request, "param", (NAME,))
    host, recorder = _start(ca, names)
    threading.Thread(target=host.serve_forever, daemon=True).start()
    yield host, recorder
    host.shutdown()
    host.server_close()
    recorder.close()


@pytest.fixture()
def fetcher(ca: trustme.CA, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> MediaFetcher:
    """The app's fetcher, trusting the throwaway CA the way an operator would (REQUESTS_CA_BUNDLE)."""
    bundle = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(bundle))
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(bundle))
    return MediaFetcher(Settings(router_url="http://127.0.0.1:9", connect_timeout=3, read_timeout=3),
                        is_allowed=lambda address: address == PUBLIC)


# --- behaviour ------------------------------------------------------------------------------------------------

def test_a_name_that_rebinds_to_a_private_address_is_fetched_from_the_checked_one(
        dns: RebindingDNS, servers: tuple[MediaHost, Recorder], fetcher: MediaFetcher) -> None:
    host, recorder = servers
    port = host.server_address[1]
    dns.script[NAME] = [PUBLIC, PRIVATE]

    media = fetcher.fetch(f"https://{NAME}:{port}/a.png")

    assert (media.data, media.media_type, media.url) == (PNG, "image/png", f"https://{NAME}:{port}/a.png")
    assert dns.calls[NAME] == 1, "resolved once: the check's answer is the one connected to"
    assert recorder.hits == [], "nothing reached the address of the second answer"
    assert host.requests == [("/a.png", f"{NAME}:{port}")], "the Host header keeps the name and its port"
    # The certificate names media.test only (no IP), so the handshake passing means it was checked for the name.
    assert host.sni == [NAME]


def test_each_redirect_hop_is_resolved_and_checked_again_so_a_rebound_hop_is_refused(
        dns: RebindingDNS, servers: tuple[MediaHost, Recorder], fetcher: MediaFetcher) -> None:
    host, recorder = servers
    dns.script[NAME] = [PUBLIC, PRIVATE]

    with pytest.raises(BadResponse, match="private address"):
        fetcher.fetch(f"https://{NAME}:{host.server_address[1]}/hop")

    assert dns.calls[NAME] == 2 and [path for path, _ in host.requests] == ["/hop"]
    assert recorder.hits == []


def test_a_hop_that_stays_public_is_followed_to_the_file(
        dns: RebindingDNS, servers: tuple[MediaHost, Recorder], fetcher: MediaFetcher) -> None:
    host, recorder = servers
    dns.script[NAME] = [PUBLIC]

    media = fetcher.fetch(f"https://{NAME}:{host.server_address[1]}/hop")

    assert media.data == PNG and media.url.endswith("/a.png") and dns.calls[NAME] == 2
    assert [path for path, _ in host.requests] == ["/hop", "/a.png"] and recorder.hits == []


@pytest.mark.parametrize("servers", [("other.test",)], indirect=True)
def test_a_certificate_for_another_name_is_refused_at_the_pinned_address(
        dns: RebindingDNS, servers: tuple[MediaHost, Recorder], fetcher: MediaFetcher) -> None:
    host, recorder = servers
    dns.script[NAME] = [PUBLIC, PRIVATE]

    with pytest.raises(ConnectionFailed, match="could not be reached"):
        fetcher.fetch(f"https://{NAME}:{host.server_address[1]}/a.png")

    assert host.sni == [NAME] and host.requests == [] and recorder.hits == []


def test_through_a_proxy_the_name_goes_to_the_proxy_and_nothing_is_pinned(
        dns: RebindingDNS, servers: tuple[MediaHost, Recorder], fetcher: MediaFetcher,
        monkeypatch: pytest.MonkeyPatch) -> None:
    host, recorder = servers
    port = host.server_address[1]
    dns.script[NAME] = [PUBLIC, PRIVATE]
    proxy = Recorder(PRIVATE, 0)
    monkeypatch.setenv("HTTPS_PROXY", f"http://{PRIVATE}:{proxy.sock.getsockname()[1]}")
    try:
        with pytest.raises(ConnectionFailed):  # this proxy answers 403 to everything
            fetcher.fetch(f"https://{NAME}:{port}/a.png")
    finally:
        proxy.close()

    assert proxy.hits and proxy.hits[0].startswith(f"CONNECT {NAME}:{port} ".encode())
    assert dns.calls[NAME] == 1 and recorder.hits == [] and host.requests == []


# --- the pinned request itself ------------------------------------------------------------------------------

@pytest.mark.parametrize("url,address,target,host", [
    ("https://fal.media/a.png?x=1", "93.184.216.34", "https://93.184.216.34/a.png?x=1", "fal.media"),
    ("https://fal.media:443/a.png", "93.184.216.34", "https://93.184.216.34:443/a.png", "fal.media"),
    ("https://fal.media:8443/a.png", "93.184.216.34", "https://93.184.216.34:8443/a.png", "fal.media:8443"),
    ("https://fal.media/a.png", "2606:4700::1", "https://[2606:4700::1]/a.png", "fal.media"),
    ("https://[2606:4700::1]:8443/a", "2606:4700::1", "https://[2606:4700::1]:8443/a", "[2606:4700::1]:8443"),
    ("https://bücher.example/a.png", "93.184.216.34", "https://93.184.216.34/a.png", "xn--bcher-kva.example"),
])
def test_a_pinned_request_puts_the_address_in_the_url_and_the_name_in_host(url: str, address: str,
                                                                         target: str, host: str) -> None:
    request = pinned_request(url, address)
    assert (request.url, request.headers) == (target, {"Host": host})


@pytest.mark.parametrize("addresses,pinned", [
    (["93.184.216.34"], "93.184.216.34"),
    (["2606:4700::1", "93.184.216.34"], "93.184.216.34"),
    (["2606:4700::1"], "2606:4700::1"),
])
def test_the_pinned_address_is_the_first_ipv4_one_when_there_is_one(addresses: list[str], pinned: str) -> None:
    assert preferred_address(addresses) == pinned
