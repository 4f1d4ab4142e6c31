"""Streams arrive as they are sent whatever their framing (issue 13): chunked, `Connection: close` with
no length (HTTP/1.0 style), and a `Content-Length` body written slowly. Real sockets, a raw server.
"""
from __future__ import annotations

import json
import socket
import threading
import time
from typing import Iterator

import pytest

from backend import load_settings
from backend.chat import ChatStream
from backend.client import Transport
from backend.result import InferenceRequest, InferenceResult
from backend.polling import Streaming
from backend.sse import SSEEvent, SSEParser

EVENTS = [f'data: {json.dumps({"choices": [{"index": 0, "delta": {"content": f"word{n} "}}]})}\n\n'.encode()
          for n in range(5)]
GAP = 0.4


def _read_request(conn: socket.socket) -> None:
    """Read the whole request, body included: closing a socket with unread bytes in it sends a reset,
    which the client would see as a dropped connection instead of the end of the answer."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = next((int(line.split(b":", 1)[1]) for line in head.split(b"\r\n")
                   if line.lower().startswith(b"content-length:")), 0)
    while len(body) < length and (chunk := conn.recv(65536)):
        body += chunk


def _serve(framing: str, sent_at: list[float], body: list[bytes] | None = None) -> tuple[str, threading.Thread]:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    parts = body if body is not None else EVENTS
    kind = "text/event-stream" if body is None else "application/octet-stream"

    def run() -> None:
        conn, _ = listener.accept()
        with conn, listener:
            _read_request(conn)
            head = f"HTTP/1.1 200 OK\r\nContent-Type: {kind}\r\n"
            if framing == "chunked":
                head += "Transfer-Encoding: chunked\r\n"
            elif framing == "length":
                head += f"Content-Length: {sum(len(p) for p in parts)}\r\n"
            head += "Connection: close\r\n\r\n"
            conn.sendall(head.encode())
            for part in parts:
                sent_at.append(time.monotonic())
                try:
                    conn.sendall(b"%x\r\n%s\r\n" % (len(part), part) if framing == "chunked" else part)
                except OSError:
                    return  # the client stopped reading (the cap)
                time.sleep(GAP if body is None else 0)
            if framing == "chunked":
                conn.sendall(b"0\r\n\r\n")

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return f"http://127.0.0.1:{listener.getsockname()[1]}", thread


def _transport(**env: str) -> Transport:
    return Transport(load_settings(env, None, read_token_file=False))


def _follow(items: Iterator[SSEEvent | InferenceResult]) -> tuple[list[float], InferenceResult]:
    arrived, result = [], None
    for item in items:
        if isinstance(item, SSEEvent):
            arrived.append(time.monotonic())
        else:
            result = item
    assert result is not None
    return arrived, result


@pytest.mark.slow
@pytest.mark.parametrize("framing", ["chunked", "close", "length"])
def test_each_event_shows_within_a_tenth_of_a_second_of_being_sent(framing: str) -> None:
    sent_at: list[float] = []
    url, server = _serve(framing, sent_at)
    request = InferenceRequest("POST", url + "/v1/chat/completions", json_body={"stream": True}, stream=True,
                               token_kind="none")
    chat = ChatStream()
    arrived: list[float] = []
    result = None
    for item in _transport().send_iter(request, None):
        if isinstance(item, SSEEvent):
            arrived.append(time.monotonic())
            chat.feed(Streaming(item))
        else:
            result = item
    server.join(5)
    assert result is not None and result.ok
    assert len(arrived) == len(EVENTS)
    lags = [got - sent for got, sent in zip(arrived, sent_at)]
    assert max(lags) < 0.1, f"events arrived {max(lags):.2f} s after they were sent ({framing})"
    assert chat.ttft is not None and chat.ttft < 0.1, "time to first token is measured from the first event"


def test_a_whole_answer_in_one_read_shows_no_rate_but_a_paced_one_does() -> None:
    now = [0.0]
    at_once, paced = ChatStream(clock=lambda: now[0]), ChatStream(clock=lambda: now[0])
    for event in SSEParser().feed(b"".join(EVENTS)):
        now[0] += 0.001
        at_once.feed(Streaming(event))
    for event in SSEParser().feed(b"".join(EVENTS)):
        now[0] += GAP
        paced.feed(Streaming(event))
    assert at_once.tokens_per_second is None and at_once.arrived_at_once
    assert paced.tokens_per_second is not None and not paced.arrived_at_once


@pytest.mark.parametrize("framing", ["close", "chunked"])
def test_a_streamed_body_without_a_length_keeps_the_size_cap(framing: str) -> None:
    sent_at: list[float] = []
    url, server = _serve(framing, sent_at, body=[b"x" * 65536] * 40)  # 2.5 MiB against a 1 MiB cap
    request = InferenceRequest("POST", url + "/big", json_body={}, token_kind="none")
    _, result = _follow(_transport(PLAYGROUND_MAX_BODY_MB="1").send_iter(request, None))
    server.join(5)
    assert result.truncated and len(result.body) <= 2**20
