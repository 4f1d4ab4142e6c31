"""Run history: what an entry keeps (and never keeps), the caps, and demo-script export/import."""
from __future__ import annotations

import dataclasses
import hashlib
import inspect
import json

import pytest

from backend.entry_schema import FIELD_CHECKS, MAX_RESPONSE
from backend.errors import InvalidInput, ModelLoading, user_message
from backend.provenance import Provenance
from backend.history import (FORMAT, FORMAT_VERSION, MAX_IMPORT_BYTES, ROW_HEADERS, History, HistoryEntry,
                             entry_from_run)
from backend.plain_json import INLINE_BYTES, MAX_STRING, plain
from backend.result import Attempt, InferenceRequest, InferenceResult
from tests.conftest import SENTINEL, assert_no_secret

MODEL = "distilbert/distilbert-base-uncased-finetuned-sst-2-english"
LABELS = [{"label": "POSITIVE", "score": 0.9998}, {"label": "NEGATIVE", "score": 0.0002}]


def run(body: object = LABELS, *, status: int = 200, content_type: str = "application/json",
        error: Exception | None = None, **kw: object) -> tuple[InferenceRequest, InferenceResult]:
    request = InferenceRequest("POST", f"https://router.huggingface.co/hf-inference/models/{MODEL}",
                               json_body={"inputs": "I like you"}, model_id=MODEL, task="text-classification")
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    result = InferenceResult(request, status=status, elapsed=0.25, content_type=content_type, body=raw,
                             headers={"x-compute-time": "0.052"}, error=error,
                             attempts=(Attempt(1, 0.4, 503, "loading", 1.0), Attempt(2, 1.65, status, "done")), **kw)
    return request, result


def entry(**overrides: object) -> HistoryEntry:
    request, result = run()
    return dataclasses.replace(entry_from_run(request, result, {"text": "I like you"}, when=1_700_000_000), **overrides)


def test_an_entry_records_the_request_the_answer_and_the_timings() -> None:
    request, result = run()
    recorded = entry_from_run(request, result, {"text": "I like you"}, {"top_k": 2}, extra_params='{"x": 1}',
                              when=1_700_000_000.5)
    assert (recorded.model, recorded.task, recorded.status, recorded.ok) == (MODEL, "text-classification", 200, True)
    assert (recorded.latency, recorded.total_time, recorded.compute_time) == (0.25, 1.65, 0.052)
    assert recorded.response == LABELS and not recorded.truncated
    assert (recorded.inputs, recorded.params) == ({"text": "I like you"}, {"top_k": 2})
    assert recorded.extra_params == '{"x": 1}'


def test_no_token_field_and_no_token_parameter_exist() -> None:
    names = {f.name for f in dataclasses.fields(HistoryEntry)}
    assert not {"token", "headers", "authorization"} & names
    assert "token" not in inspect.signature(entry_from_run).parameters
    assert set(FIELD_CHECKS) == names - {"mark"}, "the import schema and the dataclass list the same fields"
    assert "mark" not in FIELD_CHECKS, "an import never brings a provenance mark in"


def test_secrets_typed_or_echoed_anywhere_are_redacted_before_storage() -> None:
    request, result = run({"headers": {"Authorization": f"Bearer {SENTINEL}"}, "echo": SENTINEL})
    recorded = entry_from_run(request, result, {"text": f"my token is {SENTINEL}"}, {"api_key": SENTINEL},
                              extra_params=json.dumps({"token": SENTINEL}))
    assert_no_secret(History().add(recorded).to_json())
    assert_no_secret(recorded)


@pytest.mark.parametrize("size, inline", [(10, True), (INLINE_BYTES, True), (INLINE_BYTES + 1, False)])
def test_uploads_keep_a_digest_and_their_bytes_only_when_small(size: int, inline: bool) -> None:
    data = bytes(range(256)) * (size // 256) + b"x" * (size % 256)
    request, result = run()
    recorded = entry_from_run(request, result, {"image": data, "image_type": "image/png"})
    about = recorded.inputs["image"]["$bytes"]
    assert (about["sha256"], about["size"]) == (hashlib.sha256(data).hexdigest(), size)
    assert ("base64" in about) is inline
    assert recorded.size < 2 * INLINE_BYTES, "a large upload never bloats the entry"
    if inline:
        assert recorded.build_arguments()["inputs"] == {"image": data, "image_type": "image/png"}
    else:
        with pytest.raises(InvalidInput, match="upload it again"):
            recorded.build_arguments()


def test_a_large_answer_is_cut_to_the_cap_and_flagged() -> None:
    big = [{"label": f"L{n}", "score": 0.5} for n in range(20_000)]
    recorded = entry_from_run(*run(big), {"text": "x"})
    assert recorded.truncated and isinstance(recorded.response, str) and len(recorded.response) == MAX_RESPONSE
    assert recorded.as_result().truncated


def test_a_long_input_string_is_cut_and_flagged() -> None:
    recorded = entry_from_run(*run(), {"text": "y" * (MAX_STRING + 10)})
    assert recorded.truncated and len(recorded.inputs["text"]) == MAX_STRING


def test_media_answers_are_kept_as_a_descriptor_and_shown_again() -> None:
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 100
    recorded = entry_from_run(*run(png, content_type="image/png"), {"text": "a cat"})
    assert recorded.response["$bytes"]["type"] == "image/png"
    shown = HistoryEntry.from_dict(json.loads(json.dumps(recorded.to_dict()))).as_result()
    assert (shown.body, shown.media_type) == (png, "image")


def test_an_error_run_keeps_the_message_as_plain_text_and_shows_it_once_escaped() -> None:
    error = ModelLoading(status=503, server_message="<b>loading</b>", model_id=MODEL, estimated_time=20)
    recorded = entry_from_run(*run({"error": "loading"}, status=503, error=error), {"text": "x"})
    assert not recorded.ok and "<b>loading</b>" in recorded.error
    assert user_message(recorded.as_result().error) == user_message(error)
    assert recorded.row()[3] == "503 Service Unavailable · imported", "not vouched for until the page records it"


def test_add_returns_a_new_history_newest_first_within_the_count_cap() -> None:
    empty = History(max_entries=3)
    history = empty
    for n in range(5):
        history = history.add(entry(when=float(n)))
    assert len(empty) == 0
    assert [e.when for e in history.entries] == [4.0, 3.0, 2.0]


def test_the_byte_budget_drops_the_oldest_entries() -> None:
    one = entry()
    history = History(max_bytes=int(one.size * 2.5))
    for n in range(4):
        history = history.add(entry(when=float(n)))
    assert [e.when for e in history.entries] == [3.0, 2.0]


def test_rows_give_time_model_task_status_latency() -> None:
    ours = Provenance(b"k" * 32).vouch
    rows = History().add(ours(entry())).add(ours(entry(status=None, error="Timed out", latency=None,
                                                       total_time=None))).add(entry(when=1.0)).rows()
    assert ROW_HEADERS == ("time", "model", "task", "status", "latency")
    # The latency shown is the run's wall clock, waits included (1.65 s), not the last request's 0.25 s.
    # A run this playground did not finish itself (imported) says so.
    assert [row[1:] for row in rows] == [(MODEL, "text-classification", "200 OK · imported", "1.65 s"),
                                         (MODEL, "text-classification", "no answer", ""),
                                         (MODEL, "text-classification", "200 OK", "1.65 s")]
    assert all(len(row[0]) == 8 and row[0].count(":") == 2 for row in rows)


def test_export_and_import_round_trip() -> None:
    history = History().add(entry(inputs={"text": "<script>alert(1)</script>"})).add(entry(provider="together"))
    text = history.to_json()
    document = json.loads(text)
    assert (document["format"], document["version"]) == (FORMAT, FORMAT_VERSION)
    assert History.from_json(text) == history
    assert History.from_json(text.encode()) == history
    assert History.from_json(text).entries[1].inputs["text"] == "<script>alert(1)</script>", "hostile text is data"


def script(*entries: object, **top: object) -> str:
    return json.dumps({"format": FORMAT, "version": FORMAT_VERSION, "entries": list(entries), **top})


GOOD = entry().to_dict()
BAD_SHA = {"$bytes": {"sha256": "0" * 64, "size": 1, "type": "", "base64": "eA=="}}
REJECTED = [
    ("not json", "{", "not valid JSON"),
    ("NaN", script(GOOD).replace('"latency": 0.25', '"latency": NaN'), "not valid JSON"),
    ("too large", " " * (MAX_IMPORT_BYTES + 1), "too large"),
    ("not a script", json.dumps({"entries": []}), "not a playground demo script"),
    ("future version", script(version=2), "version 2"),
    ("version as text", script(version="1"), 'version "1"'),
    ("version as bool", script(version=True), "version"),
    ("entries not a list", script(entries={}), "list"),
    ("too many entries", script(*[GOOD] * 51), "at most 50"),
    ("entry not an object", script([1]), "entry 1: must be a JSON object"),
    ("unknown field", script({**GOOD, "token": SENTINEL}), "unknown field 'token'"),
    ("missing field", script({k: v for k, v in GOOD.items() if k != "task"}), "'task' is missing"),
    ("status as text", script({**GOOD, "status": "200"}), "'status' must be an HTTP status"),
    ("status out of range", script({**GOOD, "status": 700}), "'status'"),
    ("status as bool", script({**GOOD, "status": True}), "'status'"),
    ("negative latency", script({**GOOD, "latency": -1}), "'latency' must be a number"),
    ("time as text", script({**GOOD, "when": "yesterday"}), "'when'"),
    ("traversal model id", script({**GOOD, "model": "../../api/whoami-v2"}), "not a valid model id"),
    ("bad provider", script({**GOOD, "provider": "Bad Provider!"}), "not a provider name"),
    ("inputs as list", script({**GOOD, "inputs": []}), "'inputs' must be a JSON object"),
    ("flag as text", script({**GOOD, "truncated": "yes"}), "'truncated' must be true or false"),
    ("huge task name", script({**GOOD, "task": "t" * 65}), "'task' must be text"),
    ("oversized response", script({**GOOD, "response": "r" * (MAX_RESPONSE + 1)}), "'response' must be at most"),
    ("damaged upload", script({**GOOD, "inputs": {"image": BAD_SHA}}), "damaged"),
    ("bad descriptor", script({**GOOD, "response": {"$bytes": {"sha256": "x"}}}), "descriptor"),
    ("deep nesting", script({**GOOD, "response": json.loads("[" * 100 + "]" * 100)}), "nested"),
    ("absurd nesting", "[" * 100_000 + "]" * 100_000, "not valid JSON"),
]


@pytest.mark.parametrize("text, reason", [case[1:] for case in REJECTED], ids=[case[0] for case in REJECTED])
def test_import_refuses_anything_that_is_not_a_valid_demo_script(text: str, reason: str) -> None:
    with pytest.raises(InvalidInput, match=reason.replace("(", r"\(")):
        History.from_json(text)


def test_import_applies_the_byte_budget() -> None:
    text = History().add(entry(when=1.0)).add(entry(when=2.0)).to_json()
    assert [e.when for e in History.from_json(text, max_bytes=int(entry().size * 1.5)).entries] == [2.0]


@pytest.mark.parametrize("value, expected", [
    (float("nan"), None), (float("inf"), None), ((1, 2), [1, 2]), ({1: "a"}, {"1": "a"}), (object, str(object)),
    ({"nested": [b"ab"]}, {"nested": [{"$bytes": {"sha256": hashlib.sha256(b"ab").hexdigest(), "size": 2,
                                                  "type": "", "base64": "YWI="}}]}),
])
def test_plain_turns_run_data_into_json_values(value: object, expected: object) -> None:
    assert plain(value) == (expected, False)


def test_plain_cuts_absurd_nesting_and_what_it_keeps_imports_again() -> None:
    value: list = []
    for _ in range(200):
        value = [value]
    kept, cut = plain(value)
    assert cut
    history = History().add(entry(response=kept, inputs={"deep": kept}))
    assert History.from_json(history.to_json()) == history
