"""The socket side of the fake: a threaded HTTP/1.1 keep-alive server on 127.0.0.1 and `FakeHF`,
the handle tests hold (`with FakeHF() as hf: ... hf.url ... hf.received`).
"""
from __future__ import annotations

import sys
import threading
import time
import traceback
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from requests.structures import CaseInsensitiveDict

from .app import FakeHubApp
from .media_cdn import MediaCDN
from .replies import Headers, Received, Reply, json_reply

DEFAULT_RECORDINGS = Path(__file__).resolve().parent / "recorded"  # a copy of shared/hf-recorded
_FRAMING = frozenset({"content-length", "transfer-encoding", "connection", "date"})


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128

    def __init__(self, port: int, app: FakeHubApp, verbose: bool) -> None:
        self.app = app
        self.verbose = verbose
        super().__init__(("127.0.0.1", port), _Handler)

    def handle_error(self, request: object, client_address: object) -> None:
        # Clients that hang up (a cancelled run, a capped body) are part of the script, not errors.
        if not isinstance(sys.exc_info()[1], ConnectionError) or self.verbose:
            super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # else each keep-alive reply waits ~40 ms for a delayed ACK
    server: _Server

    def do_GET(self) -> None:
        request = self._read_request()
        try:
            reply = self.server.app.handle(request)
        except Exception as error:  # a bug in the fake must surface as a 500, not as a hung client
            traceback.print_exc()
            reply = json_reply(500, {"error": f"fake_hf internal error: {error!r}"})
        try:
            self._send(reply)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = do_GET

    def log_message(self, format: str, *args: object) -> None:
        if self.server.verbose:
            super().log_message(format, *args)

    def _read_request(self) -> Received:
        parts = urlsplit(self.path)
        chunked = "chunked" in self.headers.get("Transfer-Encoding", "").lower()
        body = self._read_chunked() if chunked else self.rfile.read(int(self.headers.get("Content-Length") or 0))
        query = parse_qs(parts.query, keep_blank_values=True)
        return Received(self.command, parts.path, query, CaseInsensitiveDict(self.headers.items()), body, time.time())

    def _read_chunked(self) -> bytes:
        body = bytearray()
        while size := int(self.rfile.readline().split(b";")[0].strip() or b"0", 16):
            body += self.rfile.read(size)
            self.rfile.readline()
        while self.rfile.readline() not in (b"\r\n", b"\n", b""):  # trailers
            pass
        return bytes(body)

    def _send(self, reply: Reply) -> None:
        """Headers and body in one write where possible; a streamed body is flushed chunk by chunk."""
        self.log_request(reply.status)
        self.close_connection = self.close_connection or reply.close or reply.drop
        if reply.drop:
            return
        headers = [(name, value) for name, value in reply.headers if name.lower() not in _FRAMING]
        headers.append(("Date", self.date_time_string()))
        if self.close_connection:
            headers.append(("Connection", "close"))
        if isinstance(reply.body, bytes):
            length = ("Content-Length", str(len(reply.body)))
            self.wfile.write(self._head(reply.status, [*headers, length]) + reply.body)
            return
        chunked = reply.content_length is None
        framing = ("Transfer-Encoding", "chunked") if chunked else ("Content-Length", str(reply.content_length))
        frame = _chunk if chunked else bytes
        chunks = iter(reply.body)
        self.wfile.write(self._head(reply.status, [*headers, framing]) + frame(next(chunks, b"")))
        for chunk in chunks:
            self.wfile.write(frame(chunk))
        if chunked:
            self.wfile.write(b"0\r\n\r\n")

    @staticmethod
    def _head(status: int, headers: Headers) -> bytes:
        reason = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else ""
        lines = [f"HTTP/1.1 {status} {reason}", *(f"{name}: {value}" for name, value in headers), "", ""]
        return "\r\n".join(lines).encode("latin-1")


def _chunk(data: bytes) -> bytes:
    """One chunk of chunked transfer coding (nothing for empty data, which would end the body)."""
    return b"%x\r\n%s\r\n" % (len(data), data) if data else b""


class FakeHF:
    """A fake Hugging Face (router + Hub API on one base URL) served from a background thread."""

    def __init__(self, token: str | None = None, *, port: int = 0, recordings: Path | str | None = None,
                 sse_pace: float = 0.0, verbose: bool = False, cdn_port: int = 0) -> None:
        self.cdn = MediaCDN(cdn_port)
        self.app = FakeHubApp(Path(recordings or DEFAULT_RECORDINGS), token=token, sse_pace=sse_pace,
                              cdn_url=self.cdn.url)
        self._port = port
        self._verbose = verbose
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> FakeHF:
        self._server = _Server(self._port, self.app, self._verbose)
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="fake-hf", daemon=True)
        self._thread.start()
        return self

    def wait(self) -> None:
        """Block until the server stops (the CLI's foreground)."""
        while self._thread is not None and self._thread.is_alive():
            self._thread.join(0.5)

    def stop(self) -> None:
        self.cdn.stop()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def reset(self) -> None:
        """Forget received requests (the CDN's too) and scripted state (cold timers, counters, jobs)."""
        self.app.reset()
        self.cdn.reset()

    @property
    def cdn_url(self) -> str:
        """The fake media CDN's base URL (its host goes in PLAYGROUND_MEDIA_HOSTS)."""
        return self.cdn.url

    @property
    def cdn_received(self) -> list[Received]:
        return self.cdn.received

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("FakeHF is not running; use `with FakeHF() as hf:` or call start()")
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def received(self) -> list[Received]:
        return self.app.received

    @property
    def sse_pace(self) -> float:
        """Seconds between the events of a replayed stream."""
        return self.app.sse_pace

    @sse_pace.setter
    def sse_pace(self, seconds: float) -> None:
        self.app.sse_pace = seconds

    def __enter__(self) -> FakeHF:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
