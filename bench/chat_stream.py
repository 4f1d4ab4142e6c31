"""Chat streaming: the time to first token the playground adds over a raw streamed read, and the shown tokens/s.

TTFT: the same streamed chat request, read by a bare `requests` stream up to the first body bytes
and by `Playground.run` + `ChatStream` up to the first content token, interleaved, each run closed
at that point. Tokens/s: full `fake/chat-pace-50` streams (one token every 50 ms, i.e. 20 tok/s).
"""
from __future__ import annotations

import statistics
import time

import requests

from backend import ChatStream, Playground, load_settings
from backend.result import InferenceRequest
from bench.fake_server import fake_hf_process

TOKEN = "hf_bench0000000000000000000"
PACE_MS = 50
MODEL = f"fake/chat-pace-{PACE_MS}"
MESSAGES = [{"role": "user", "content": "Count to twenty."}]


def _raw_first_byte(session: requests.Session, request: InferenceRequest) -> float:
    """Seconds until the first body bytes of the stream reach a plain `requests` reader."""
    started = time.perf_counter()
    with session.post(request.url, json=request.json_body, headers={"Authorization": f"Bearer {TOKEN}"},
                      stream=True, timeout=(5, 30)) as response:
        for chunk in response.iter_content(chunk_size=None):
            if chunk:
                return time.perf_counter() - started
    raise AssertionError("the stream ended without a byte")


def _playground_ttft(playground: Playground, request: InferenceRequest) -> float:
    """Seconds until the playground has the first content token in hand; then Cancel."""
    chat = ChatStream.for_request(request, clock=time.perf_counter)
    run = playground.run(request, TOKEN)
    try:
        for event in run:
            chat.feed(event)
            if chat.ttft is not None:
                return chat.ttft
    finally:
        run.close()
    raise AssertionError(f"no token arrived: {chat.error!r}")


def _shown_rate(playground: Playground, request: InferenceRequest) -> float:
    chat = ChatStream.for_request(request, clock=time.perf_counter)
    for event in playground.run(request, TOKEN):
        chat.feed(event)
    assert chat.tokens_per_second is not None, chat.error
    return chat.tokens_per_second


def measure(runs: int = 40, rate_runs: int = 5) -> dict[str, float]:
    """Median raw first byte, playground TTFT and shown tokens/s, in seconds and tokens per second."""
    with fake_hf_process() as base:
        playground = Playground(load_settings({"HF_ROUTER_URL": base, "HF_ENDPOINT": base}, None,
                                              read_token_file=False))
        request = playground.build_request(task="chat-completion", model_id=MODEL, inputs={"messages": MESSAGES},
                                           params={"stream": True})
        session = requests.Session()
        for _ in range(3):  # warm up imports and the server
            _raw_first_byte(session, request)
            _playground_ttft(playground, request)
        raw, ours = [], []
        for _ in range(runs):
            raw.append(_raw_first_byte(session, request))
            ours.append(_playground_ttft(playground, request))
        rates = [_shown_rate(playground, request) for _ in range(rate_runs)]
    return {"raw": statistics.median(raw), "playground": statistics.median(ours),
            "playground_p90": statistics.quantiles(ours, n=10)[-1], "rate": statistics.median(rates)}


def report(runs: int = 40) -> list[str]:
    figures = measure(runs)
    added_ms = (figures["playground"] - figures["raw"]) * 1000
    pace = 1000 / PACE_MS
    off = (figures["rate"] - pace) / pace * 100
    return [
        f"time to first token, median of {runs}: raw requests first byte {figures['raw'] * 1000:.2f} ms, "
        f"playground {figures['playground'] * 1000:.2f} ms (p90 {figures['playground_p90'] * 1000:.2f} ms)",
        f"added by the playground: {added_ms:.2f} ms (goal <= 50 ms)",
        f"shown tokens/s on {MODEL}: {figures['rate']:.2f} against the server's {pace:.0f} "
        f"({off:+.1f}%, goal within 10%)",
    ]


if __name__ == "__main__":
    print("\n".join(report()))
