"""A stand-in for an HTTPS endpoint on any host name (an Inference Endpoint someone owns), reached
through a local CONNECT proxy, that logs the credential each request carried (issue 19).

The app honours `HTTPS_PROXY` and `REQUESTS_CA_BUNDLE`, so pointing them here sends every https call
for `names` to one local TLS server whose certificate a throwaway CA (trustme) signed for those names:
the app verifies TLS as it would against the real host, and the log shows what left it.

    with StandInEndpoint(["abc.us-east-1.aws.endpoints.huggingface.cloud"]) as standin:
        env = standin.environ()          # HTTPS_PROXY, REQUESTS_CA_BUNDLE, NO_PROXY for 127.0.0.1
        ... run the app with env ...
        standin.credentials("abc.us-east-1.aws.endpoints.huggingface.cloud")  # ["Bearer hf_..."]
"""
from __future__ import annotations

import json
import select
import socket
import socketserver
import ssl
import tempfile
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Iterable

import trustme

__all__ = ["StandInEndpoint", "Seen"]

LABELS = [[{"label": "POSITIVE", "score": 0.9991}, {"label": "NEGATIVE", "score": 0.0009}]]


@dataclass(frozen=True)
class Seen:
    """One request the stand-in received: the host it was for, its path and its Authorization header."""

    host: str
    path: str
    authorization: str


class _Handler(BaseHTTPRequestHandler):
    server: _EndpointServer
    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:  # noqa: N802 - http.server's name
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        host = (self.headers.get("Host") or "").split(":")[0]
        self.server.log(Seen(host, self.path, self.headers.get("Authorization", "")))
        if self.path.endswith("/chat/completions"):
            asked = json.loads(body or b"{}")
            answer: Any = {"id": "standin", "object": "chat.completion", "model": asked.get("model", "tgi"),
                           "choices": [{"index": 0, "finish_reason": "stop",
                                        "message": {"role": "assistant", "content": "Hello from the stand-in."}}],
                           "usage": {"prompt_tokens": 5, "completion_tokens": 5, "total_tokens": 10}}
        else:
            answer = LABELS
        data = json.dumps(answer).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


class _EndpointServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, context: ssl.SSLContext) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.socket = context.wrap_socket(self.socket, server_side=True)
        self.seen: list[Seen] = []
        self._lock = threading.Lock()

    def log(self, seen: Seen) -> None:
        with self._lock:
            self.seen.append(seen)


class _ProxyHandler(socketserver.BaseRequestHandler):
    """CONNECT host:port -> a tunnel to the stand-in's TLS server, whatever the host."""

    server: _Proxy

    def handle(self) -> None:
        head = b""
        while b"\r\n\r\n" not in head and len(head) < 8192:
            chunk = self.request.recv(1024)
            if not chunk:
                return
            head += chunk
        line = head.split(b"\r\n", 1)[0].decode("latin-1").split()
        if len(line) < 2 or line[0] != "CONNECT":
            self.request.sendall(b"HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n")
            return
        self.server.connects.append(line[1])
        upstream = socket.create_connection(("127.0.0.1", self.server.target_port))
        self.request.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
        sockets = [self.request, upstream]
        try:
            while True:
                readable, _, _ = select.select(sockets, [], [], 30)
                if not readable:
                    return
                for source in readable:
                    data = source.recv(65536)
                    if not data:
                        return
                    (upstream if source is self.request else self.request).sendall(data)
        except OSError:
            return
        finally:
            upstream.close()


class _Proxy(socketserver.ThreadingTCPServer):
    daemon_threads, allow_reuse_address = True, True

    def __init__(self, target_port: int) -> None:
        super().__init__(("127.0.0.1", 0), _ProxyHandler)
        self.target_port = target_port
        self.connects: list[str] = []


class StandInEndpoint:
    """The TLS endpoint, the proxy in front of it and the CA file, for as long as the `with` lasts."""

    def __init__(self, names: Iterable[str]) -> None:
        self.names = list(names)
        self._ca = trustme.CA()
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self._ca.issue_cert(*self.names).configure_cert(context)
        self._endpoint = _EndpointServer(context)
        self._proxy = _Proxy(self._endpoint.server_address[1])
        self._folder = tempfile.TemporaryDirectory(prefix="standin-ca-")
        self.ca_file = Path(self._folder.name) / "ca.pem"
        self._ca.cert_pem.write_to_path(str(self.ca_file))

    def __enter__(self) -> StandInEndpoint:
        for server in (self._endpoint, self._proxy):
            threading.Thread(target=server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        for server in (self._proxy, self._endpoint):
            server.shutdown()
            server.server_close()
        self._folder.cleanup()

    @property
    def proxy_url(self) -> str:
        return f"http://127.0.0.1:{self._proxy.server_address[1]}"

    def environ(self) -> dict[str, str]:
        """What the app's environment needs so its https calls go through the stand-in (local ones not)."""
        return {"HTTPS_PROXY": self.proxy_url, "https_proxy": self.proxy_url, "REQUESTS_CA_BUNDLE": str(self.ca_file),
                "NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost"}

    @property
    def seen(self) -> list[Seen]:
        return list(self._endpoint.seen)

    def credentials(self, host: str) -> list[str]:
        """The Authorization header of each request made to `host` (empty strings for none)."""
        return [seen.authorization for seen in self._endpoint.seen if seen.host == host]

    def reset(self) -> None:
        self._endpoint.seen.clear()
        self._proxy.connects.clear()
