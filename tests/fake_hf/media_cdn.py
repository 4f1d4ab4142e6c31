"""The fake media CDN: a second local server that hands out the files provider answers point to.

A provider answer names `{cdn_url}/{original host}/{path}` (fal.media, replicate.delivery, ...); the CDN
answers with a small valid file of the type the name says (PNG, JPEG, WEBP, WAV, MP4) and logs every
request with its headers, so a test can check that no credential ever reached it. Paths that script a
case: `.../redirect/...` answers 302 to the same path without it; `.../oversized/...` announces a
500 MB video and trickles zeros; `.../wrong-type/...` answers an HTML page.
"""
from __future__ import annotations

import functools
import io
import struct
import threading
import time
import wave
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from requests.structures import CaseInsensitiveDict

from .replies import Received

__all__ = ["MediaCDN", "media_bytes", "MEDIA_TYPES"]

SAMPLE_VIDEO = Path(__file__).resolve().parent / "media" / "sample.mp4"  # 2 s, 160x120, H.264 baseline
MEDIA_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".webp": "image/webp",
               ".wav": "audio/wav", ".mp3": "audio/wav", ".flac": "audio/wav", ".mp4": "video/mp4"}
OVERSIZED = 500 * 2**20


@functools.lru_cache(maxsize=None)
def media_bytes(suffix: str) -> bytes:
    """A small valid file for `suffix` (.mp3 and .flac get WAV bytes: the type says so too)."""
    if suffix == ".mp4":
        return SAMPLE_VIDEO.read_bytes()
    if suffix in (".wav", ".mp3", ".flac"):
        out = io.BytesIO()
        with wave.open(out, "wb") as sound:
            sound.setnchannels(1)
            sound.setsampwidth(2)
            sound.setframerate(16000)
            sound.writeframes(b"".join(struct.pack("<h", (n * 613) % 4000 - 2000) for n in range(8000)))
        return out.getvalue()
    from PIL import Image  # Gradio's own dependency

    image = Image.new("RGB", (64, 48), (40, 110, 200))
    for x in range(64):
        image.putpixel((x, x * 48 // 64), (250, 200, 40))
    out = io.BytesIO()
    image.save(out, format={".png": "PNG", ".webp": "WEBP"}.get(suffix, "JPEG"))
    return out.getvalue()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _CDNServer

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        self.server.log.append(Received("GET", self.path, {}, CaseInsensitiveDict(self.headers.items()), b"",
                                        time.time()))
        path = self.path.split("?")[0]
        if "/redirect/" in path:
            self._head(302, [("Location", path.replace("/redirect/", "/", 1)), ("Content-Length", "0")])
            return
        if "/wrong-type/" in path:
            body = b"<html><body>Not Found</body></html>"
            self._head(200, [("Content-Type", "text/html"), ("Content-Length", str(len(body)))])
            self.wfile.write(body)
            return
        suffix = Path(path).suffix.lower()
        if suffix not in MEDIA_TYPES:
            self._head(404, [("Content-Type", "text/plain"), ("Content-Length", "9")])
            self.wfile.write(b"not found")
            return
        if "/oversized/" in path:
            self._head(200, [("Content-Type", "video/mp4"), ("Content-Length", str(OVERSIZED))])
            try:
                for _ in range(64):  # a client that reads past its cap gets a little, then the line drops
                    self.wfile.write(b"\0" * 65536)
            except OSError:
                pass
            self.close_connection = True
            return
        body = media_bytes(suffix)
        self._head(200, [("Content-Type", MEDIA_TYPES[suffix]), ("Content-Length", str(len(body)))])
        self.wfile.write(body)

    def _head(self, status: int, headers: list[tuple[str, str]]) -> None:
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


class _CDNServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, port: int) -> None:
        self.log: list[Received] = []
        super().__init__(("127.0.0.1", port), _Handler)


class MediaCDN:
    """The CDN's socket side; `url` is its base, `received` its request log."""

    def __init__(self, port: int = 0) -> None:
        self._server = _CDNServer(port)
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="fake-cdn", daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self._server.server_address[1]}"

    @property
    def received(self) -> list[Received]:
        return list(self._server.log)

    def reset(self) -> None:
        self._server.log.clear()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
