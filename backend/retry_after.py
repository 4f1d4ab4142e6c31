"""How long a server asks us to wait: `Retry-After` (seconds or HTTP-date) and the IETF `RateLimit` header.

Same semantics as urllib3's `parse_retry_after` (digits only, or an RFC 7231 date; past dates mean 0),
plus huggingface_hub's reading of `RateLimit: "api";r=0;t=55` (reset in t seconds when r is 0).
"""
from __future__ import annotations

import re
import time
from email.utils import parsedate_to_datetime
from typing import Callable, Mapping

__all__ = ["parse_retry_after"]

_SECONDS = re.compile(r"^\s*([0-9]+)\s*$")
_RATELIMIT = re.compile(r";\s*r\s*=\s*(\d+)\s*;\s*t\s*=\s*(\d+)")


def parse_retry_after(headers: Mapping[str, str], now: Callable[[], float] = time.time) -> float | None:
    """Seconds to wait before retrying, or None when the server did not say (or said nonsense).

    `now` is the wall clock (HTTP-dates are absolute), injected for tests.
    """
    lower = {k.lower(): v for k, v in headers.items()}
    value = lower.get("retry-after")
    if value is not None:
        seconds = _retry_after_value(value, now)
        if seconds is not None:
            return seconds
    return _ratelimit_reset(lower.get("ratelimit", ""))


def _retry_after_value(value: str, now: Callable[[], float]) -> float | None:
    match = _SECONDS.match(value)
    if match:
        return float(match.group(1))
    try:
        when = parsedate_to_datetime(value.strip())
    except (TypeError, ValueError, IndexError):
        return None
    if when is None or when.tzinfo is None:
        return None
    return max(0.0, when.timestamp() - now())


def _ratelimit_reset(value: str) -> float | None:
    match = _RATELIMIT.search(value)
    if match and int(match.group(1)) == 0:
        return float(match.group(2))
    return None
