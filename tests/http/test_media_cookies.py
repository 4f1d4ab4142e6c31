"""The media session is shared by every visitor: a media host's Set-Cookie never comes back to it."""
from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Iterator

import pytest

from backend.providers import MediaFetcher
from backend.settings import Settings

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16


class _CookieSetter(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    seen: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        self.seen.append(self.headers.get("Cookie", ""))
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.send_header("Set-Cookie", "visitor=first-visitors-session; Path=/")
        self.send_header("Content-Length", str(len(PNG)))
        self.end_headers()
        self.wfile.write(PNG)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def cdn() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _CookieSetter)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_a_cookie_set_by_a_media_host_is_never_sent_back(cdn: str) -> None:
    _CookieSetter.seen = []
    fetcher = MediaFetcher(Settings(media_hosts=(cdn,)))

    for visitor in range(2):
        assert fetcher.fetch(f"http://{cdn}/out-{visitor}.png").data == PNG

    assert _CookieSetter.seen == ["", ""]
    assert not list(fetcher.session.cookies)
