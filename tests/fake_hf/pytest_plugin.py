"""Pytest fixtures for the fake HF server; enable with `pytest_plugins = ["tests.fake_hf.pytest_plugin"]`.

`fake_hf`: one server per session, reset (log, cold timers, counters, stream pace) for every test.
"""
from __future__ import annotations

from collections.abc import Iterator

import pytest

from .server import FakeHF


@pytest.fixture(scope="session")
def fake_hf_server() -> Iterator[FakeHF]:
    with FakeHF() as server:
        yield server


@pytest.fixture
def fake_hf(fake_hf_server: FakeHF) -> Iterator[FakeHF]:
    fake_hf_server.reset()
    yield fake_hf_server
    fake_hf_server.sse_pace = 0.0
