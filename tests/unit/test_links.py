"""Shareable links: every query value checked and dropped with a warning when bad, and frozen results
that round-trip through a URL-safe token but unpack strictly (caps, versions, no pickle, no zip bombs).
"""
from __future__ import annotations

import base64
import hashlib
import inspect
import json
import pickle
import re
import socket
import zlib
from urllib.parse import parse_qsl

import pytest

import backend.links
from backend.errors import InvalidInput
from backend.history import HistoryEntry
from backend.links import MAX_FROZEN_CHARS, MAX_TEXT, FormState, form_from_query, freeze, query_from_form, thaw

MODEL = "facebook/bart-large-mnli"
ENTRY = HistoryEntry(when=1_700_000_000.0, model=MODEL, task="zero-shot-classification",
                     inputs={"text": "<img src=x onerror=alert(1)>", "labels": ["refund", "legal"]},
                     status=200, latency=0.31, response={"labels": ["refund", "legal"], "scores": [0.9, 0.1]},
                     content_type="application/json")


def pack(payload: bytes, version: int = 1) -> str:
    return base64.urlsafe_b64encode(bytes([version]) + zlib.compress(payload, 9)).rstrip(b"=").decode()


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Reading a link never resolves or connects anywhere."""
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("a link triggered network access")
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


def test_a_full_link_fills_the_form() -> None:
    form = form_from_query({"model": MODEL, "task": "zero-shot-classification", "text": "I want a refund",
                            "labels": " refund, legal ,,faq ", "provider": "hf-inference",
                            "endpoint": "https://xyz.us-east-1.aws.endpoints.huggingface.cloud", "question": "q?",
                            "context": "c", "utm_source": "slack", "__theme": "dark"})
    assert form == FormState(model=MODEL, task="zero-shot-classification", text="I want a refund",
                             question="q?", context="c", labels=("refund", "legal", "faq"), provider="hf-inference",
                             warnings=form.warnings)
    # A link never chooses where a credential goes: even a Hugging Face endpoint is dropped, and named.
    assert len(form.warnings) == 1 and "Ignored 'endpoint' from the link" in form.warnings[0]
    assert "xyz.us-east-1.aws.endpoints.huggingface.cloud" in form.warnings[0]


BAD_VALUES = [
    ("model", "../../api/whoami-v2"), ("model", "https://evil.example/m"), ("model", "a/b/c"),
    ("task", "rm -rf"), ("task", "conversational"), ("task", "t" * 1000),
    ("text", "x" * (MAX_TEXT + 1)), ("question", "q" * (MAX_TEXT + 1)), ("context", "c" * (MAX_TEXT + 1)),
    ("labels", ",".join(f"l{n}" for n in range(21))), ("labels", "a" * 101),
    ("provider", "Evil Provider"), ("provider", "p" * 41),
    ("endpoint", "http://xyz.endpoints.huggingface.cloud"), ("endpoint", "https://evil.example"),
    ("endpoint", "https://xyz.endpoints.huggingface.cloud.evil.example"),
    ("endpoint", "https://user:pw@xyz.endpoints.huggingface.cloud"),
    ("endpoint", "https://xyz.endpoints.huggingface.cloud:8443"),
    ("endpoint", "https://xyz.endpoints.huggingface.cloud/?x=1"), ("endpoint", "https://127.0.0.1"),
    ("endpoint", "javascript:alert(1)"), ("endpoint", "https://[::1"),
    ("endpoint", "https://x.endpoints.huggingface.cloud/" + "a" * 2048),
    ("frozen", "not a token!"), ("frozen", "A" * (MAX_FROZEN_CHARS + 1)), ("frozen", "AQ"), ("frozen", "A"),
    ("frozen", pack(json.dumps(ENTRY.to_dict()).encode(), version=2)),
    ("frozen", pack(b"not json")), ("frozen", pack(b'{"when": 1}')), ("frozen", pack(b"[1, 2]")),
    ("frozen", pack(pickle.dumps({"when": 1.0, "model": MODEL, "task": "fill-mask"}))),
    ("frozen", freeze(ENTRY)[:-12]), ("frozen", freeze(ENTRY) + "AAAA"),
]


@pytest.mark.parametrize("key, value", BAD_VALUES, ids=[f"{k}-{n}" for n, (k, _) in enumerate(BAD_VALUES)])
def test_a_bad_value_is_dropped_with_a_warning_and_the_rest_kept(key: str, value: str) -> None:
    form = form_from_query({key: value, "model": "gpt2"} if key != "model" else {key: value, "task": "fill-mask"})
    assert getattr(form, key, None) in ("", (), None)
    assert len(form.warnings) == 1 and form.warnings[0].startswith(f"Ignored '{key}' from the link:")
    assert form.model == "gpt2" or form.task == "fill-mask"


def test_warnings_are_escaped_text() -> None:
    form = form_from_query({"model": "<script>alert(1)</script>"})
    assert "<script" not in form.warnings[0] and "&lt;script&gt;" in form.warnings[0]


@pytest.mark.parametrize("params", [{}, {"model": ""}, {"utm": "x"}, {"model": ["gpt2"]}, {"text": None}])
def test_odd_queries_never_raise(params: dict) -> None:
    form = form_from_query(params)
    assert form.model == "" and len(form.warnings) == (1 if params.get("model") == ["gpt2"] else 0)


def test_auto_provider_means_no_provider() -> None:
    assert form_from_query({"provider": "auto"}).provider == ""


def test_copy_link_round_trips_through_the_query_string() -> None:
    form = FormState(model=MODEL, task="zero-shot-classification", text="a & b = c?", labels=("x", "y z"),
                     provider="hf-inference", frozen=ENTRY)
    query = query_from_form(form)
    assert query.startswith("model=facebook%2Fbart-large-mnli&task=zero-shot-classification&text=a+%26+b")
    assert form_from_query(dict(parse_qsl(query))) == form
    assert query_from_form(FormState()) == ""


def test_freeze_makes_a_compact_url_safe_token_that_thaws_to_the_same_entry() -> None:
    token = freeze(ENTRY)
    assert re.fullmatch(r"[A-Za-z0-9_-]+", token) and len(token) < 1000
    assert thaw(token) == ENTRY
    assert thaw(token).inputs["text"] == "<img src=x onerror=alert(1)>", "hostile text stays data"


def test_a_result_too_large_for_a_link_is_refused_with_advice() -> None:
    noise = "".join(hashlib.sha256(str(n).encode()).hexdigest() for n in range(400))  # incompressible
    noisy = HistoryEntry(when=1.0, model=MODEL, task="fill-mask", response=noise)
    with pytest.raises(InvalidInput, match="demo script"):
        freeze(noisy)


def test_a_small_token_that_inflates_hugely_is_refused() -> None:
    bomb = pack(b'{"when": 1, "model": "gpt2", "task": "' + b"a" * 4_000_000 + b'"}')
    assert len(bomb) <= MAX_FROZEN_CHARS, "the bomb fits in a link"
    with pytest.raises(InvalidInput, match="too large"):
        thaw(bomb)


def test_links_never_unpickle() -> None:
    assert "import pickle" not in inspect.getsource(backend.links)
    with pytest.raises(InvalidInput, match="not valid JSON"):
        thaw(pack(pickle.dumps(ENTRY.to_dict())))
