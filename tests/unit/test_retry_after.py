"""Retry-After and RateLimit parsing (T12), with urllib3's edge cases."""
from __future__ import annotations

from email.utils import formatdate

import pytest

from backend.retry_after import parse_retry_after

NOW = 1_800_000_000.0


@pytest.mark.parametrize("value, expected", [
    ("120", 120.0), ("0", 0.0), ("\t5 ", 5.0), ("-1", None), ("1.0", None), ("abc", None), ("", None),
    ("\xb2", None), (formatdate(NOW + 5, usegmt=True), 5.0), (formatdate(NOW - 60, usegmt=True), 0.0),
    ("Wed, 21 Oct 2015 07:28:00", None),
])
def test_retry_after(value: str, expected: float | None) -> None:
    assert parse_retry_after({"Retry-After": value}, now=lambda: NOW) == expected


@pytest.mark.parametrize("headers, expected", [
    ({"RateLimit": '"api";r=0;t=7'}, 7.0),
    ({"ratelimit": '"api";r=12;t=7'}, None),
    ({"RateLimit": "garbage"}, None),
    ({"Retry-After": "3", "RateLimit": '"api";r=0;t=7'}, 3.0),
    ({"Retry-After": "soon", "RateLimit": '"api";r=0;t=7'}, 7.0),
    ({}, None),
])
def test_ratelimit_header(headers: dict[str, str], expected: float | None) -> None:
    assert parse_retry_after(headers, now=lambda: NOW) == expected
