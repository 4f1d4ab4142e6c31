"""Fetching a provider's generated media through the app's checked downloader, over a raw requests GET.

A local server hands out one video-sized file (8 MiB, video/mp4) and one image-sized file (300 KiB);
both clients download each in interleaved rounds, and the figure is the ratio of median times measured
in this one run. The downloader adds the host check, the size and type caps and the no-credential
session; the goal is that this costs at most a tenth.
"""
from __future__ import annotations

import contextlib
import os
import statistics
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable, Iterator

import requests

from backend import load_settings
from backend.providers import MediaFetcher
from bench.figures import ratio_line

FILES = {"/video.mp4": (b"\x00\x00\x00\x18ftypmp42" + os.urandom(8 * 2**20), "video/mp4"),
         "/image.png": (b"\x89PNG\r\n\x1a\n" + os.urandom(300 * 2**10), "image/png")}
GOAL = 1.10


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        body, kind = FILES[self.path]
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@contextlib.contextmanager
def media_server() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def _callers(host: str, path: str) -> dict[str, Callable[[], bytes]]:
    url = f"http://{host}{path}"
    session = requests.Session()
    fetcher = MediaFetcher(load_settings({"PLAYGROUND_MEDIA_HOSTS": host}, None, read_token_file=False))

    def chunked() -> bytes:  # requests' `.content` reads 10 KiB at a time; this reads as the app does
        with session.get(url, timeout=(5, 30), stream=True) as response:
            return b"".join(response.iter_content(256 * 2**10))

    return {"raw requests": lambda: session.get(url, timeout=(5, 30)).content, "raw requests, 256 KiB reads": chunked,
            "playground": lambda: fetcher.fetch(url, "video").data}


def measure(rounds: int = 10, per_round: int = 5) -> dict[str, dict[str, float]]:
    """Median seconds per download for each client and file."""
    medians: dict[str, dict[str, float]] = {}
    with media_server() as host:
        for path in FILES:
            callers = _callers(host, path)
            for fn in callers.values():
                for _ in range(3):
                    assert len(fn()) == len(FILES[path][0])
            samples: dict[str, list[float]] = {name: [] for name in callers}
            for _ in range(rounds):
                for name, fn in callers.items():
                    for _ in range(per_round):
                        started = time.perf_counter()
                        fn()
                        samples[name].append(time.perf_counter() - started)
            medians[path] = {name: statistics.median(values) for name, values in samples.items()}
    return medians


def report() -> list[str]:
    lines = []
    for path, medians in measure().items():
        raw, chunked, ours = medians["raw requests"], medians["raw requests, 256 KiB reads"], medians["playground"]
        size = len(FILES[path][0]) / 2**20
        lines.append(f"{path[1:]} ({size:.1f} MiB): raw requests .content {raw * 1000:.1f} ms, raw requests "
                     f"256 KiB reads {chunked * 1000:.1f} ms, playground {ours * 1000:.1f} ms")
        # Against the faster of the two raw downloads, so a bigger read size cannot pass for less overhead.
        lines.append(ratio_line(f"media download {path[1:]}, playground over the faster raw requests",
                                ours / min(raw, chunked), GOAL))
    return lines


if __name__ == "__main__":
    print("\n".join(report()))
