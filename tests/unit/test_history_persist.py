"""The browser's copy of the history (`backend.history_store`): what it never holds (tokens, keys,
media bytes, base64 blobs), its caps, that it reads back into entries that restore, export and
freeze, and that anything else it may find in the browser gives an empty history, never an error.
Also the history's answer column (`answer_summary`): words, not raw JSON.
"""
from __future__ import annotations

import base64
import dataclasses
import hashlib
import json
from typing import Any

import pytest

from backend.history import History, HistoryEntry, answer_summary, entry_from_run
from backend.history_store import (MAX_STORED_ANSWER, MAX_STORED_BYTES, MAX_STORED_RUNS, STORED_FORMAT,
                                   STORED_VERSION, from_stored, storage_secret, to_stored)
from backend.links import FormState, form_from_query, query_from_form
from backend.plain_json import describe_bytes
from backend.settings import Settings
from tests.conftest import SENTINEL, assert_no_secret
from tests.unit.test_history import MODEL, entry, run

CHAT_MODEL = "meta-llama/Llama-3.1-8B-Instruct"
ENDPOINT_KEY = "sk-live-EndpointKey42"  # not token-shaped: only known by value
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8


def chunk(content: str, finish: str | None = None) -> dict[str, Any]:
    return {"id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 1, "model": CHAT_MODEL,
            "choices": [{"index": 0, "delta": {"role": "assistant", "content": content}, "finish_reason": finish}]}


def chat_entry(*parts: str, **overrides: Any) -> HistoryEntry:
    events = [chunk(part) for part in parts] + [chunk("", "stop")]
    fields: dict[str, Any] = dict(when=1_700_000_000.0, model=CHAT_MODEL, task="chat-completion", status=200,
                                  inputs={"messages": [{"role": "user", "content": "Hi"}]}, response=events,
                                  content_type="text/event-stream")
    return HistoryEntry(**{**fields, **overrides})


def stored_text(history: History, *secrets: str) -> str:
    return json.dumps(to_stored(history, secrets))


# --- what is never stored -----------------------------------------------------------------------

def test_tokens_keys_and_credential_fields_never_reach_the_browser() -> None:
    echoed = {"headers": {"Authorization": f"Bearer {SENTINEL}", "X-Api-Key": ENDPOINT_KEY, "cookie": "s=1"},
              "token": "opaque-session-value", "echo": f"key={ENDPOINT_KEY}"}
    recorded = dataclasses.replace(
        entry_from_run(*run(echoed), {"text": f"my token is {SENTINEL} and my key {ENDPOINT_KEY}"},
                       {"api_key": ENDPOINT_KEY}, extra_params=json.dumps({"token": SENTINEL})),
        endpoint_url=f"https://user:{ENDPOINT_KEY}@my-llm.example/v1?api_key={ENDPOINT_KEY}#{SENTINEL}")
    text = stored_text(History().add(recorded), ENDPOINT_KEY)

    assert_no_secret(text)
    assert ENDPOINT_KEY not in text and "opaque-session-value" not in text and "s=1" not in text
    kept = json.loads(text)["entries"][0]
    assert kept["endpoint_url"] == "https://my-llm.example/v1"
    assert kept["inputs"]["text"] == "my token is hf_*** and my key ***"
    assert kept["response"]["headers"] == {"Authorization": "***", "X-Api-Key": "***", "cookie": "***"}


def test_ordinary_fields_that_merely_mention_tokens_are_kept() -> None:
    recorded = entry(params={"max_new_tokens": 20}, response={"token": 2003, "token_str": "capital"})
    kept = to_stored(History().add(recorded))["entries"][0]
    assert kept["params"] == {"max_new_tokens": 20}
    assert kept["response"] == {"token": 2003, "token_str": "capital"}


def test_media_is_kept_as_a_descriptor_without_its_bytes() -> None:
    picture = describe_bytes(PNG, "image/png")
    assert "base64" in picture["$bytes"], "the session's own entry carries the small picture"
    recorded = entry(task="image-classification", inputs={"image": picture, "image_type": "image/png"},
                     response=describe_bytes(PNG, "image/png"), content_type="image/png")
    kept = to_stored(History().add(recorded))["entries"][0]

    assert kept["inputs"]["image"] == {"$bytes": {"sha256": hashlib.sha256(PNG).hexdigest(), "size": len(PNG),
                                                  "type": "image/png"}}
    assert "base64" not in json.dumps(kept["response"])
    assert answer_summary(from_stored(to_stored(History().add(recorded))).entries[0]) == \
        f"image (png, {len(PNG):,} bytes)"


def test_base64_blobs_and_data_urls_become_a_note_while_long_plain_text_stays() -> None:
    blob = base64.b64encode(PNG * 4).decode()
    picture = {"role": "user", "content": [{"type": "text", "text": "What is this?"},
                                           {"type": "image_url", "image_url": {"url": f"data:image/png;base64,{blob}"}}]}
    dna = "ACGT" * 600
    recorded = chat_entry("A cat.", inputs={"messages": [picture], "sequence": dna})
    masks = entry(task="image-segmentation", response=[{"label": "cat", "score": 0.9, "mask": blob}])
    text = stored_text(History().add(recorded).add(masks))

    assert blob[:200] not in text
    assert "image/png of about" in text and "not kept in this browser" in text
    assert dna in text


def test_a_streamed_chat_answer_is_kept_assembled_and_reads_back_as_the_same_text() -> None:
    streamed = chat_entry("Deep learning ", "is a subset ", "of machine learning.")
    kept = to_stored(History().add(streamed))["entries"][0]

    assert kept["content_type"] == "application/json"
    assert kept["response"]["choices"][0]["message"]["content"] == "Deep learning is a subset of machine learning."
    back = from_stored({"format": STORED_FORMAT, "version": STORED_VERSION, "entries": [kept]}).entries[0]
    assert answer_summary(back) == answer_summary(streamed) == "Deep learning is a subset of machine learning."


# --- caps -----------------------------------------------------------------------------------------

def test_only_the_newest_runs_are_kept() -> None:
    history = History()
    for n in range(MAX_STORED_RUNS + 5):
        history = history.add(entry(when=float(n)))
    kept = to_stored(history)["entries"]
    assert [item["when"] for item in kept] == [float(n) for n in range(MAX_STORED_RUNS + 4, 4, -1)]


def test_the_byte_cap_drops_the_oldest_runs() -> None:
    history = History()
    for n in range(MAX_STORED_RUNS):
        history = history.add(entry(when=float(n), inputs={"text": f"{n} " + "words " * 4_000}))
    stored = to_stored(history)
    kept = [item["when"] for item in stored["entries"]]

    assert len(json.dumps(stored, separators=(",", ":"))) <= MAX_STORED_BYTES
    assert 1 < len(kept) < MAX_STORED_RUNS
    assert kept == [float(n) for n in range(MAX_STORED_RUNS - 1, MAX_STORED_RUNS - 1 - len(kept), -1)]


def test_a_long_answer_keeps_its_start_as_text_and_is_flagged() -> None:
    big = [{"label": f"L{n}", "score": 0.5} for n in range(5_000)]
    kept = to_stored(History().add(entry(response=big)))["entries"][0]
    assert kept["truncated"] and isinstance(kept["response"], str) and len(kept["response"]) == MAX_STORED_ANSWER


# --- reading back -----------------------------------------------------------------------------------

def test_a_stored_copy_reads_back_into_runs_that_export_and_freeze() -> None:
    history = History().add(entry(when=1.0)).add(entry(when=2.0, inputs={"text": "Second"}, provider="together"))
    restored = from_stored(json.loads(json.dumps(to_stored(history))))

    assert [(e.when, e.inputs, e.provider, e.response) for e in restored.entries] == \
        [(e.when, e.inputs, e.provider, e.response) for e in history.entries]
    assert History.from_json(restored.to_json()) == restored
    assert restored.entries[1].build_arguments()["model_id"] == MODEL
    link = form_from_query(dict(pair.split("=", 1) for pair in query_from_form(
        FormState(frozen=restored.entries[0]), b"k" * 32).split("&")), b"k" * 32)
    assert link.frozen is not None and link.frozen.inputs == {"text": "Second"}


def _copy(*entries: Any, **top: Any) -> dict[str, Any]:
    return {"format": STORED_FORMAT, "version": STORED_VERSION, "entries": list(entries), **top}


GOOD = entry().to_dict()
NOT_A_COPY = [
    ("nothing", None), ("text", "hello"), ("number", 0), ("list", [GOOD]), ("empty object", {}),
    ("demo script", {"format": "hf-playground-demo-script", "version": 1, "entries": [GOOD]}),
    ("older version", _copy(GOOD, version=0)), ("newer version", _copy(GOOD, version=2)),
    ("version as bool", _copy(GOOD, version=True)), ("version as text", _copy(GOOD, version="1")),
    ("entries not a list", _copy(entries={"0": GOOD})),
    ("far too large", _copy(*[{**GOOD, "inputs": {"text": "x" * 10_000}}] * 60)),
]


@pytest.mark.parametrize("value", [case[1] for case in NOT_A_COPY], ids=[case[0] for case in NOT_A_COPY])
def test_anything_but_a_copy_of_this_version_gives_an_empty_history(value: Any) -> None:
    assert from_stored(value).entries == ()


def test_deep_nesting_gives_an_empty_history() -> None:
    nested: Any = []
    for _ in range(5_000):
        nested = [nested]
    assert from_stored(_copy({**GOOD, "response": nested})).entries == ()


BAD_ENTRIES = [
    ("not an object", "entry"), ("a list", [GOOD]), ("unknown field", {**GOOD, "token": SENTINEL}),
    ("missing task", {k: v for k, v in GOOD.items() if k != "task"}), ("hostile model id", {**GOOD, "model": "../../x"}),
    ("status as text", {**GOOD, "status": "200"}), ("inputs as list", {**GOOD, "inputs": []}),
    ("damaged upload", {**GOOD, "inputs": {"image": {"$bytes": {"sha256": "0" * 64, "size": 1, "type": "",
                                                               "base64": "eA=="}}}}),
]


@pytest.mark.parametrize("bad", [case[1] for case in BAD_ENTRIES], ids=[case[0] for case in BAD_ENTRIES])
def test_a_damaged_entry_is_dropped_and_the_others_kept(bad: Any) -> None:
    newer, older = {**GOOD, "when": 2.0}, {**GOOD, "when": 1.0}
    assert [e.when for e in from_stored(_copy(newer, bad, older)).entries] == [2.0, 1.0]


def test_reading_redacts_again_what_an_older_writer_may_have_kept() -> None:
    careless = {**GOOD, "inputs": {"text": f"token {SENTINEL}"}, "response": {"authorization": "Bearer abc123456"}}
    assert_no_secret(from_stored(_copy(careless)))
    assert "abc123456" not in repr(from_stored(_copy(careless)))


def test_reading_applies_the_session_caps() -> None:
    entries = [{**GOOD, "when": float(n)} for n in range(10, 0, -1)]
    assert [e.when for e in from_stored(_copy(*entries), max_entries=3).entries] == [10.0, 9.0, 8.0]


# --- the page's key ---------------------------------------------------------------------------------

def test_the_storage_key_is_stable_derived_one_way_and_survives_an_unwritable_folder(tmp_path) -> None:
    first = storage_secret(Settings(link_secret="operator-secret-1"))
    assert first == storage_secret(Settings(link_secret="operator-secret-1")), "the same after a restart"
    assert first != storage_secret(Settings(link_secret="operator-secret-2"))
    assert "operator-secret" not in first and len(first) == 64
    nowhere = Settings(link_secret_file=str(tmp_path / "missing" / "secret"))
    assert len(storage_secret(nowhere)) == 64


# --- the answer column --------------------------------------------------------------------------------

SUMMARIES = [
    ("labels: the top one and its score", entry(), "POSITIVE 0.9998"),
    ("a streamed chat: the assistant's text", chat_entry("Hello", " there!"), "Hello there!"),
    ("a chat answer", entry(task="chat-completion", response={
        "id": "chatcmpl-9", "object": "chat.completion", "model": CHAT_MODEL,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": "Paris."}, "finish_reason": "stop"}]}),
     "Paris."),
    ("generated text", entry(task="text-generation", response=[{"generated_text": "Once upon a time"}]),
     "Once upon a time"),
    ("fill-mask", entry(task="fill-mask", response=[{"token_str": "capital", "score": 0.9, "token": 3007,
                                                    "sequence": "paris is the capital of france."}]),
     "capital 0.9000"),
    ("entities", entry(task="token-classification", response=[
        {"entity_group": "PER", "word": "Sarah", "score": 0.99, "start": 0, "end": 5}]), "Sarah (PER)"),
    ("objects", entry(task="object-detection", response=[
        {"label": "cat", "score": 0.98, "box": {"xmin": 1, "ymin": 2, "xmax": 3, "ymax": 4}}]), "cat 0.98"),
    ("embedding", entry(task="feature-extraction", response=[0.1, 0.2, 0.3]), "embedding of 3 dimensions, shape [3]"),
    ("image", entry(task="text-to-image", response=describe_bytes(PNG, "image/png"), content_type="image/png"),
     f"image (png, {len(PNG):,} bytes)"),
    ("video", entry(task="text-to-video", response={"$bytes": {"sha256": "0" * 64, "size": 5_000_000,
                                                              "type": "video/mp4"}}, content_type="video/mp4"),
     "video (mp4, 5,000,000 bytes)"),
    ("an error", entry(status=503, error="The model is loading.", response={"error": "loading"}),
     "The model is loading."),
    ("an answer of an unknown shape", entry(response={"odd": [1, 2]}), '{"odd": [1, 2]}'),
]


@pytest.mark.parametrize("recorded, expected", [case[1:] for case in SUMMARIES], ids=[case[0] for case in SUMMARIES])
def test_the_answer_column_says_what_came_back_in_words(recorded: HistoryEntry, expected: str) -> None:
    assert answer_summary(recorded) == recorded.summary == expected
    assert "chatcmpl" not in recorded.summary
