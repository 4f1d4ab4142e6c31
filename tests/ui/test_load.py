"""Issue #6 load check, the CI-sized version of `bench/load.py`: LOAD_SESSIONS (default 20) gradio_client
sessions at once, each with its own token and marker, running a cold model or a paced chat stream and
then an echo against the fake server. No run fails, and no session sees or spends another's input or
token. Latency percentiles and peak memory are printed; the 50-session figures are in BENCHMARKS.md.
"""
from __future__ import annotations

import os

import gradio as gr
import pytest

from bench.load import Seen, run_load
from tests.fake_hf import FakeHF

SESSIONS = int(os.environ.get("LOAD_SESSIONS", "20"))


def inference_requests(fake: FakeHF) -> list[Seen]:
    return [(r.headers.get("Authorization", ""), r.body.decode(errors="replace")) for r in fake.received
            if r.path.startswith(("/hf-inference/", "/v1/chat/"))]


@pytest.mark.slow
def test_concurrent_sessions_each_get_only_their_own_answers(app: tuple[str, gr.Blocks], hf: FakeHF,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    report = run_load(app[0], SESSIONS, lambda: inference_requests(hf), os.getpid())

    with capsys.disabled():
        print("\nload (app, fake and clients share this process):\n  " + "\n  ".join(report.lines()))
    assert report.errors == []
    assert report.leaks == []
    assert len(report.records) == 2 * SESSIONS
