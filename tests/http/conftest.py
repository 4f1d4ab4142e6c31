"""HTTP-test fixtures: one fake HF server per module (`hf`), reset for each test that asks for `fake`."""
from __future__ import annotations

from typing import Iterator

import pytest

from tests.fake_hf import FakeHF


@pytest.fixture(scope="module")
def hf() -> Iterator[FakeHF]:
    with FakeHF() as server:
        yield server


@pytest.fixture()
def fake(hf: FakeHF) -> FakeHF:
    hf.reset()
    return hf
