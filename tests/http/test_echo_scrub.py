"""An upstream that echoes the credential back, disguised (issue 19 item 4): JSON `\\u` escapes, invisible
characters, base64 of the token, of `Bearer token`, of `user:token`, at every alignment. A real local
server reads the Authorization header it was sent and echoes it in a JSON answer, an error, headers,
a PNG and an SSE stream; nothing the playground keeps or shows may let a reader recover the token.
"""
from __future__ import annotations

import http.server
import json
import threading
from typing import Any, Iterator
from urllib.parse import parse_qs, urlsplit

import pytest

from backend import Playground, load_settings, user_message
from backend.result import InferenceRequest, InferenceResult
from backend.sse import SSEEvent
from tests.token_disguises import DISGUISES, ENDPOINT_KEY, HF_TOKEN, revealed

CREDENTIALS = [pytest.param(HF_TOKEN, "hf", id="hf-token"), pytest.param(ENDPOINT_KEY, "endpoint", id="endpoint-key")]
EVERY_DISGUISE = range(len(DISGUISES))
PNG_HEAD = b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"


def _line(disguise: int, secret: str) -> str:
    return f"before << {DISGUISES[disguise][1](secret)} >> after (#{disguise})"


class _Echo(http.server.BaseHTTPRequestHandler):
    """Answers every POST with the credential it received, disguised as the path asks."""

    seen: list[str] = []

    def do_POST(self) -> None:  # noqa: N802 (http.server's name)
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        secret = (self.headers.get("Authorization") or "").removeprefix("Bearer ")
        type(self).seen.append(secret)
        url = urlsplit(self.path)
        only = [int(n) for n in parse_qs(url.query).get("d", [])] or list(EVERY_DISGUISE)
        status, kind, body, headers = getattr(self, "_" + url.path.strip("/"))(secret, only)
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass

    # Strings go into the JSON text as they are, so `\u` escapes stay escapes for the parser.
    def _json(self, secret: str, only: list[int]) -> tuple[int, str, bytes, dict[str, str]]:
        lines = ", ".join(f'"{_line(n, secret)}"' for n in only)
        return 200, "application/json", f'{{"echo": [{lines}], "ok": true}}'.encode(), {}

    def _unauthorized(self, secret: str, only: list[int]) -> tuple[int, str, bytes, dict[str, str]]:
        return 401, "application/json", f'{{"error": "Invalid credentials {_line(only[0], secret)}"}}'.encode(), {}

    def _stream(self, secret: str, only: list[int]) -> tuple[int, str, bytes, dict[str, str]]:
        chunks = [f'data: {{"choices": [{{"index": 0, "delta": {{"content": "{_line(n, secret)}"}}}}]}}\n\n'
                  for n in only]
        return 200, "text/event-stream", ("".join(chunks) + "data: [DONE]\n\n").encode(), {}

    def _stream_error(self, secret: str, only: list[int]) -> tuple[int, str, bytes, dict[str, str]]:
        event = f'data: {{"error": {{"message": "provider rejected {_line(only[0], secret)}"}}}}\n\n'
        return 200, "text/event-stream", event.encode(), {}

    def _headers(self, secret: str, only: list[int]) -> tuple[int, str, bytes, dict[str, str]]:
        # Header bytes go out as UTF-8; the client reads them as Latin-1, as http.client does.
        as_sent = {"X-Error-Message": _line(only[0], secret), "X-Request-Id": _line(only[-1], secret)}
        return 200, "application/json", b"{}", {k: v.encode().decode("latin-1") for k, v in as_sent.items()}

    def _failed(self, secret: str, only: list[int]) -> tuple[int, str, bytes, dict[str, str]]:
        # An error whose body says nothing: the message shown is the X-Error-Message header's.
        return 500, "application/json", b"{}", {"X-Error-Message": _line(only[0], secret).encode().decode("latin-1")}

    def _image(self, secret: str, only: list[int]) -> tuple[int, str, bytes, dict[str, str]]:
        comment = b"Comment\x00" + secret.encode()
        chunk = len(comment).to_bytes(4, "big") + b"tEXt" + comment + b"\x00\x00\x00\x00"
        return 200, "image/png", PNG_HEAD + chunk + b"\x00\x00\x00\x00IEND\xaeB`\x82", {}


@pytest.fixture(scope="module")
def upstream() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Echo)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def playground() -> Playground:
    return Playground(load_settings({}, None, read_token_file=False))


def _send(playground: Playground, url: str, secret: str, kind: str) -> tuple[list[SSEEvent], InferenceResult]:
    request = InferenceRequest("POST", url, json_body={"inputs": "hi"}, token_kind=kind, model_id="m/echo")
    _Echo.seen.clear()
    items = list(playground.transport.send_iter(request, secret))
    assert _Echo.seen == [secret], "the upstream was sent the credential (and so could echo it)"
    streamed, result = items[:-1], items[-1]
    assert isinstance(result, InferenceResult)
    return streamed, result


def _assert_nothing_shows(secret: str, *shown: Any) -> None:
    for value in shown:
        text = value if isinstance(value, (str, bytes)) else json.dumps(value, default=repr)
        assert not revealed(text, secret), f"the credential can be read back from {text[:300]!r}"


@pytest.mark.parametrize("secret,kind", CREDENTIALS)
def test_a_json_answer_echoing_the_credential_in_every_disguise(upstream, playground, secret, kind) -> None:
    _, result = _send(playground, f"{upstream}/json", secret, kind)
    assert result.ok and result.json["ok"] is True and len(result.json["echo"]) == len(DISGUISES)
    assert all(line.startswith("before << ") and ">> after (" in line for line in result.json["echo"])
    _assert_nothing_shows(secret, result.body, result.json, result.text, repr(result))


@pytest.mark.parametrize("disguise", EVERY_DISGUISE, ids=[name for name, _ in DISGUISES])
@pytest.mark.parametrize("secret,kind", CREDENTIALS)
def test_an_error_answer_echoing_the_credential(upstream, playground, secret, kind, disguise) -> None:
    _, result = _send(playground, f"{upstream}/unauthorized?d={disguise}", secret, kind)
    assert result.status == 401 and "the token was missing or not accepted" in user_message(result.error)
    _assert_nothing_shows(secret, result.body, user_message(result.error), result.error.server_message,
                          str(result.error), repr(result))


@pytest.mark.parametrize("disguise", EVERY_DISGUISE, ids=[name for name, _ in DISGUISES])
@pytest.mark.parametrize("secret,kind", CREDENTIALS)
def test_headers_echoing_the_credential(upstream, playground, secret, kind, disguise) -> None:
    _, result = _send(playground, f"{upstream}/headers?d={disguise}", secret, kind)
    assert result.headers["x-error-message"].startswith("before << ")
    _assert_nothing_shows(secret, result.headers, repr(result))


@pytest.mark.parametrize("secret,kind", CREDENTIALS)
def test_an_image_carrying_the_credential_keeps_its_size_and_loses_the_credential(upstream, playground, secret,
                                                                                   kind) -> None:
    _, result = _send(playground, f"{upstream}/image", secret, kind)
    assert result.media_type == "image" and result.body.startswith(PNG_HEAD)
    assert len(result.body) == len(PNG_HEAD) + 12 + 8 + len(secret.encode()) + 12
    _assert_nothing_shows(secret, result.body)


@pytest.mark.parametrize("secret,kind", CREDENTIALS)
def test_a_stream_echoing_the_credential_keeps_its_raw_body_clean(upstream, playground, secret, kind) -> None:
    _, result = _send(playground, f"{upstream}/stream", secret, kind)
    assert result.ok and result.media_type == "sse" and result.body.count(b"before << ") == len(DISGUISES)
    _assert_nothing_shows(secret, result.body, result.text, repr(result))


# The headers an error quotes are scrubbed with the credential first: an endpoint key too, not only hf_ shapes.
@pytest.mark.parametrize("disguise", EVERY_DISGUISE, ids=[name for name, _ in DISGUISES])
@pytest.mark.parametrize("secret,kind", [CREDENTIALS[0], pytest.param(ENDPOINT_KEY, "endpoint", id="endpoint-key")])
def test_an_error_message_header_echoing_the_credential(upstream, playground, secret, kind, disguise) -> None:
    _, result = _send(playground, f"{upstream}/failed?d={disguise}", secret, kind)
    assert result.status == 500 and 'The server said: "before &lt;&lt; ' in user_message(result.error)
    _assert_nothing_shows(secret, user_message(result.error), result.error.server_message, result.headers)


# Each stream event is scrubbed as it is parsed, before anyone sees it (`Transport._read`).
@pytest.mark.parametrize("secret,kind", CREDENTIALS)
def test_a_stream_echoing_the_credential_shows_it_in_no_event(upstream, playground, secret, kind) -> None:
    streamed, result = _send(playground, f"{upstream}/stream", secret, kind)
    assert len(streamed) == len(DISGUISES) + 1  # and [DONE]
    _assert_nothing_shows(secret, [event.data for event in streamed], [event.json for event in streamed],
                          result.events, result.json)


@pytest.mark.parametrize("secret,kind", CREDENTIALS)
def test_an_error_inside_a_stream_echoing_the_credential(upstream, playground, secret, kind) -> None:
    for disguise in EVERY_DISGUISE:
        streamed, result = _send(playground, f"{upstream}/stream_error?d={disguise}", secret, kind)
        assert result.error is not None and "provider reported an error" in user_message(result.error)
        _assert_nothing_shows(secret, user_message(result.error), result.error.server_message, result.events,
                              [event.data for event in streamed])
