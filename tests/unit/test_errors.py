"""Error bodies in every shape HF sends, mapped to one escaped, actionable message (T4)."""
from __future__ import annotations

import json

import pytest

from backend import errors as E
from backend.errors import error_for_status, server_message, user_message
from tests.conftest import SENTINEL

RECORDED_SHAPES = [
    ({"error": "Invalid username or password."}, "application/json", "Invalid username or password."),
    ({"error": ["Error in `inputs.context`: field required"]}, "application/json",
     "Error in `inputs.context`: field required"),
    ({"error": "Template error: template not found", "error_type": "template_error"}, "application/json",
     "Template error: template not found"),
    ({"error": {"message": "Model not found", "type": "invalid_request_error"}}, "application/json", "Model not found"),
    ({"message": "upstream said no"}, "application/json", "upstream said no"),
    ({"detail": "Not authenticated"}, "application/json", "Not authenticated"),
    ("Failed to deserialize the JSON body into the target type", "text/plain",
     "Failed to deserialize the JSON body into the target type"),
    ("<!DOCTYPE html><html><body>502 Bad Gateway</body></html>", "text/html", ""),
    ("Not Found", "text/plain", "Not Found"),
]


@pytest.mark.parametrize("body, content_type, expected", RECORDED_SHAPES)
def test_server_message_shapes(body: object, content_type: str, expected: str) -> None:
    raw = body if isinstance(body, str) else json.dumps(body)
    assert server_message(raw.encode(), content_type) == expected


def test_x_error_message_header_is_used_when_the_body_says_nothing() -> None:
    assert server_message(b"{}", "application/json", {"X-Error-Message": "from header"}) == "from header"


@pytest.mark.parametrize("status, cls, fix", [
    (400, E.BadRequest, "rejected the input"), (401, E.AuthError, "settings/tokens"),
    (402, E.PaymentRequired, "billing"), (403, E.Forbidden, "Inference Providers"),
    (404, E.NotFound, "Inference Providers"), (410, E.Gone, "router.huggingface.co"),
    (422, E.BadRequest, "rejected the input"), (429, E.RateLimited, "rate limited"),
    (503, E.ModelLoading, "starting"), (500, E.UpstreamError, "Try again"), (504, E.UpstreamError, "Try again"),
])
def test_each_status_has_its_class_and_fix(status: int, cls: type, fix: str) -> None:
    err = error_for_status(status, body=b'{"error": "boom"}', content_type="application/json",
                           headers={"x-request-id": "Root=1-abc"}, model_id="org/m")
    assert type(err) is cls
    message = user_message(err)
    assert f"HTTP {status}" in message and fix in message and "boom" in message


def test_gated_model_points_to_its_licence_page() -> None:
    err = error_for_status(403, body=b'{"error": "Access to model org/m is restricted"}',
                           headers={"X-Error-Code": "GatedRepo"}, model_id="org/m")
    assert "https://huggingface.co/org/m" in user_message(err) and "gated" in user_message(err)


def test_bad_request_shows_the_expected_input() -> None:
    err = error_for_status(400, body=b'{"error": "x"}', content_type="application/json")
    err.details["expected_input"] = '{"inputs": {"question": "...", "context": "..."}}'
    assert "expects input like" in user_message(err)


def test_loading_and_rate_limit_carry_their_numbers() -> None:
    loading = error_for_status(503, body=b'{"error": "loading", "estimated_time": 20.0}', content_type="application/json")
    assert loading.estimated_time == 20.0 and "20 s" in user_message(loading)
    limited = error_for_status(429, body=b"{}", retry_after=42)
    assert limited.retry_after == 42 and "Retry in 42 s" in user_message(limited)


def test_html_error_pages_are_summarised_not_shown() -> None:
    err = error_for_status(502, body=b"<html><script>alert(1)</script></html>", content_type="text/html")
    message = user_message(err)
    assert "HTML error page" in message and "<script" not in message


@pytest.mark.parametrize("payload", ["<img src=x onerror=alert(1)>", "<script>alert(1)</script>",
                                     f"token {SENTINEL} leaked", f"Bearer {SENTINEL}"])
def test_messages_never_carry_markup_or_secrets(payload: str) -> None:
    err = error_for_status(400, body=json.dumps({"error": payload}).encode(), content_type="application/json")
    message = user_message(err)
    assert SENTINEL not in message and "<img" not in message and "<script" not in message
    assert SENTINEL not in repr(err) and SENTINEL not in str(err)


def test_server_messages_are_truncated() -> None:
    err = error_for_status(500, body=json.dumps({"error": "x" * 5000}).encode(), content_type="application/json")
    assert len(err.server_message) == E.MAX_SERVER_MESSAGE


@pytest.mark.parametrize("err, words", [
    (E.Timeout("router did not answer"), "Timed out"), (E.ConnectionFailed("refused"), "Could not connect"),
    (E.BadResponse("not JSON"), "could not be used"), (E.Cancelled(), "Cancelled"),
    (E.InvalidModelId("'x' is not a valid model id"), "not a valid model id"), (ValueError("internal"), "Unexpected"),
])
def test_non_http_errors(err: BaseException, words: str) -> None:
    assert words in user_message(err)


@pytest.mark.parametrize("body", [b"[" * 100_000 + b"]" * 100_000, b'{"error":' * 500 + b'"x"' + b"}" * 500,
                                  json.dumps({"error": [[["deep"]] * 1000]}).encode()])
def test_hostile_error_bodies_do_not_crash(body: bytes) -> None:
    err = error_for_status(400, body=body, content_type="application/json")
    assert "HTTP 400" in user_message(err)
