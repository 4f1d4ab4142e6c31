"""Secret redaction: the one place that knows what a token looks like.

Used by error messages, the logging filter, result headers and anything that could show a secret.
"""
from __future__ import annotations

import logging
import re

__all__ = ["redact", "mask_token", "RedactingFilter", "SENSITIVE_HEADERS"]

# hf_ tokens, bearer credentials of any kind, and `api_key=...`-style pairs.
_PATTERNS = (
    re.compile(r"hf_(?:oauth_)?[A-Za-z0-9]{6,}"),  # user access tokens, and OAuth ones ("hf_oauth_...")
    re.compile(r"(?i)(bearer\s+)[^\s\"',;]+"),
    re.compile(r"(?i)((?:api[_-]?key|token|authorization)[\"']?\s*[:=]\s*[\"']?)[^\s\"',;&]{6,}"),
)

SENSITIVE_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key"})


def redact(text: str, *secrets: str | None) -> str:
    """Return `text` with known secrets and anything token-shaped replaced by `***`."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    text = _PATTERNS[0].sub("hf_***", text)
    for pattern in _PATTERNS[1:]:
        text = pattern.sub(lambda m: m.group(1) + "***", text)
    return text


def mask_token(token: str | None) -> str:
    """`hf_****abcd` for display, as huggingface_hub lists tokens; '' for no token."""
    if not token:
        return ""
    prefix = "hf_" if token.startswith("hf_") else ""
    return f"{prefix}****{token[-4:]}" if len(token) > 12 else f"{prefix}****"


class RedactingFilter(logging.Filter):
    """A logging filter that redacts every record's rendered message."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True
