"""Shared test fixtures: a clean environment (no real tokens, no proxies, no telemetry) and secrets helpers."""
from __future__ import annotations

import json
import os

import pytest

SENTINEL = "hf_SENTINELtoken0123456789abcdef"

os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
os.environ["HF_HUB_DISABLE_TELEMETRY"] = "1"
os.environ["NO_PROXY"] = "127.0.0.1,localhost"


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    """No test may pick up the developer's own token, token file or proxy."""
    for name in ("HF_TOKEN", "HUGGING_FACE_HUB_TOKEN", "HTTP_PROXY", "HTTPS_PROXY", "http_proxy",
                 "https_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HF_TOKEN_PATH", str(tmp_path / "no-token-file"))


def assert_no_secret(obj: object, secret: str = SENTINEL) -> None:
    """Fail if `secret` (or a live Bearer header) shows up in the JSON form or repr of `obj`."""
    text = json.dumps(obj, default=repr) + repr(obj)
    assert secret not in text, "the token leaked"
    assert secret[3:] not in text, "part of the token leaked"
