"""The per-deployment secret that signs frozen links, and the signature itself (HMAC-SHA256).

The secret is `PLAYGROUND_LINK_SECRET`, else one generated once and kept in a file beside the app
(mode 0600), so links stay verifiable across restarts. It is never shown, logged or returned.
"""
from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import threading
from pathlib import Path

from .settings import Settings

__all__ = ["link_secret", "sign", "verify", "SIGNATURE_BYTES"]

SIGNATURE_BYTES = 16  # 128 bits: unforgeable, and short enough for a link
_CONTEXT = b"hf-playground frozen result v2\0"
_lock = threading.Lock()
_cache: dict[str, bytes] = {}


def link_secret(settings: Settings) -> bytes:
    """The deployment's signing secret: the setting, else the kept file (made on first use)."""
    if settings.link_secret:
        return settings.link_secret.encode()
    path = Path(settings.link_secret_file)
    with _lock:
        if str(path) in _cache:
            return _cache[str(path)]
        try:
            secret = path.read_bytes().strip()
        except FileNotFoundError:
            secret = b""
        if len(secret) < 32:
            secret = secrets.token_hex(32).encode()
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(secret + b"\n")
        _cache[str(path)] = secret
        return secret


def sign(secret: bytes, payload: bytes) -> bytes:
    return hmac.new(secret, _CONTEXT + payload, hashlib.sha256).digest()[:SIGNATURE_BYTES]


def verify(secret: bytes, payload: bytes, signature: bytes) -> bool:
    return hmac.compare_digest(sign(secret, payload), signature)
