"""HTTP: one `requests.Session`, the credential added per request, bounded time and size.

`Transport.send_iter()` makes exactly one attempt and yields SSE events as they arrive, then the
final `InferenceResult`. It never raises for HTTP or network failures: they become `result.error`.
Redirects are never followed (a token-bearing POST must not be replayed elsewhere), and a body
larger than the cap is cut off, counting decoded bytes so gzip bombs are bounded too.
"""
from __future__ import annotations

import json
import time
from dataclasses import replace
from typing import Callable, Iterator
from urllib.parse import urlsplit

import requests
import urllib3

from .errors import BadResponse, ConnectionFailed, PlaygroundError, Timeout, UpstreamError, error_for_status
from .redact import SENSITIVE_HEADERS, redact, scrub
from .result import INTERESTING_HEADERS, InferenceRequest, InferenceResult
from .retry_after import parse_retry_after
from .settings import Settings
from .sse import SSEEvent, SSEParser

__all__ = ["Transport"]

_CHUNK = 64 * 1024
USER_AGENT = "hf-inference-playground/0.1"


class Transport:
    """Sends `InferenceRequest`s. Safe to share between threads: nothing per-user is stored on it."""

    def __init__(self, settings: Settings, session: requests.Session | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.settings = settings
        self.session = session or _new_session()
        self._clock = clock

    def __repr__(self) -> str:
        return f"Transport(router={self.settings.router_url!r})"

    def send(self, request: InferenceRequest, token: str | None, read_timeout: float | None = None
             ) -> InferenceResult:
        """One attempt, read to the end; returns the result (errors included, never raised)."""
        result = None
        for item in self.send_iter(request, token, read_timeout):
            result = item
        assert isinstance(result, InferenceResult)
        return result

    def send_iter(self, request: InferenceRequest, token: str | None, read_timeout: float | None = None
                  ) -> Iterator[SSEEvent | InferenceResult]:
        """One attempt: yields each SSE event as it arrives, then the final InferenceResult.

        Closing the generator closes the connection at once (that is how Cancel stops a stream).
        """
        started = self._clock()
        timeout = (self.settings.connect_timeout, read_timeout or self.settings.read_timeout)
        try:
            response = self.session.request(
                request.method, request.url, json=request.json_body, data=request.data,
                headers=self._headers(request, token), timeout=timeout, allow_redirects=False, stream=True)
        except requests.RequestException as exc:
            yield InferenceResult(request, elapsed=self._clock() - started, error=_network_error(exc, request))
            return
        ttfb = self._clock() - started
        try:
            body, events, truncated, error = yield from self._read(response, token)
        except requests.RequestException as exc:
            body, events, truncated, error = b"", [], False, _network_error(exc, request)
        finally:
            response.close()
        headers = _shown_headers(response.headers, token)
        result = InferenceResult(
            request, status=response.status_code, elapsed=self._clock() - started, ttfb=ttfb,
            content_type=response.headers.get("Content-Type", ""), headers=headers,
            body=_scrub(body, token), truncated=truncated, events=tuple(e.json for e in events if e.json is not None))
        # What the server said goes into error text: the token (or endpoint key) in any disguise comes out first.
        said = requests.structures.CaseInsensitiveDict({name: scrub(value, token)
                                                        for name, value in response.headers.items()})
        yield replace(result, error=error or _status_error(result, said,
                                                           with_token="Authorization" in self._headers(request, token)))

    def _headers(self, request: InferenceRequest, token: str | None) -> dict[str, str]:
        headers = dict(request.headers)
        if token and request.token_kind != "none":
            headers["Authorization"] = f"Bearer {token}"
        return headers

    def _read(self, response: requests.Response, token: str | None
              ) -> Iterator[SSEEvent]:  # generator returning (body, events, truncated, error)
        cap = self.settings.max_body_bytes
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > cap:
            return b"", [], True, BadResponse(f"the answer is {int(declared) / 2**20:.0f} MB, over the "
                                              f"{cap / 2**20:.0f} MB limit; it was not downloaded")
        is_sse = response.headers.get("Content-Type", "").startswith("text/event-stream")
        parser, events, chunks, size = SSEParser(), [], [], 0
        for chunk in _arrivals(response):
            size += len(chunk)
            if size > cap:
                return b"".join(chunks), events, True, BadResponse(
                    f"the answer grew past the {cap / 2**20:.0f} MB limit; reading stopped there")
            chunks.append(chunk)
            if is_sse:
                for event in parser.feed(chunk):
                    event = _scrub_event(event, token)
                    events.append(event)
                    yield event
        if is_sse:
            for event in parser.close():
                event = _scrub_event(event, token)
                events.append(event)
                yield event
        return b"".join(chunks), events, False, _stream_error(events)


def _arrivals(response: requests.Response) -> Iterator[bytes]:
    """The body as it arrives, whatever its framing (chunked, Content-Length, or until the server closes).

    `iter_content(None)` waits for the whole of a body that is not chunked, so a stream sent with
    `Connection: close` would show only at its end; `read1` hands over what one read brings, decoded.
    Errors are mapped as `iter_content` maps them, so callers see requests' exceptions.
    """
    raw = response.raw
    if not isinstance(raw, urllib3.response.BaseHTTPResponse):  # a stand-in body (tests, adapters)
        yield from response.iter_content(_CHUNK)
        return
    try:
        while chunk := raw.read1(_CHUNK, decode_content=True):
            yield chunk
    except urllib3.exceptions.ProtocolError as exc:
        raise requests.exceptions.ChunkedEncodingError(exc) from None
    except urllib3.exceptions.DecodeError as exc:
        raise requests.exceptions.ContentDecodingError(exc) from None
    except urllib3.exceptions.ReadTimeoutError as exc:
        raise requests.exceptions.ConnectionError(exc) from None
    except urllib3.exceptions.SSLError as exc:
        raise requests.exceptions.SSLError(exc) from None


def _new_session() -> requests.Session:
    session = requests.Session()
    # A no-op auth stops requests from adding ~/.netrc credentials (CVE-2024-47081 class) while
    # still honouring proxy variables, which trust_env=False would also drop.
    session.auth = _no_netrc
    session.headers.update({"User-Agent": USER_AGENT})
    adapter = requests.adapters.HTTPAdapter(pool_connections=4, pool_maxsize=32, max_retries=0)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


def _no_netrc(request: requests.PreparedRequest) -> requests.PreparedRequest:
    return request


def _network_error(exc: requests.RequestException, request: InferenceRequest) -> PlaygroundError:
    host = urlsplit(request.url).netloc
    if isinstance(exc, requests.ConnectTimeout):
        return Timeout(f"could not connect to {host} in time")
    if isinstance(exc, requests.ReadTimeout) or "read timed out" in str(exc).lower():
        # A read timeout in the middle of a body surfaces as a ConnectionError wrapping urllib3's.
        return Timeout(f"{host} stopped sending before the answer was complete")
    if isinstance(exc, requests.exceptions.ContentDecodingError):
        return BadResponse("the answer's compression could not be decoded")
    if isinstance(exc, (requests.exceptions.ChunkedEncodingError,)):
        return ConnectionFailed(f"the connection to {host} dropped in the middle of the answer")
    if isinstance(exc, requests.ConnectionError):
        text = str(exc).lower()
        if "refused" in text:
            return ConnectionFailed(f"{host} refused the connection", refused=True)
        if "aborted" in text or "reset" in text or "remotedisconnected" in text:
            return ConnectionFailed(f"{host} closed the connection without answering")
        return ConnectionFailed(f"no connection to {host}")
    return ConnectionFailed(f"the request to {host} failed ({type(exc).__name__})")


def _status_error(result: InferenceResult, raw_headers: requests.structures.CaseInsensitiveDict,
                  with_token: bool = False) -> PlaygroundError | None:
    """The error an answer stands for, if any; `with_token`: the request carried a token (a rate limit
    then is that account's, and logging in would not lift it)."""
    status = result.status or 0
    if 300 <= status < 400:
        return BadResponse(f"the server answered with a redirect (HTTP {status}); it was not followed")
    if status >= 400:
        err = error_for_status(status, body=result.body, content_type=result.content_type,
                               headers=dict(raw_headers), model_id=result.request.model_id,
                               retry_after=parse_retry_after(raw_headers) if status == 429 else None,
                               **({"with_token": with_token} if status == 429 else {}))
        return err
    if result.media_type == "json" and result.json is None:
        return BadResponse("the server said it sent JSON, but the body is not valid JSON")
    if result.media_type == "html":
        return BadResponse(f"expected data but got an HTML page (HTTP {status})")
    return None


def _scrub_event(event: SSEEvent, token: str | None) -> SSEEvent:
    """The event without the token (see `_scrub`); its JSON parsed again from the clean text."""
    data = scrub(event.data, token)
    if data is event.data:
        return event
    try:
        parsed = json.loads(data)
    except ValueError:
        parsed = None
    return replace(event, data=data, json=parsed)


def _stream_error(events: list[SSEEvent]) -> PlaygroundError | None:
    for event in events:
        if event.error:
            return UpstreamError(status=200, server_message=event.error,
                                 message="the stream reported an error")
    return None


def _shown_headers(headers: requests.structures.CaseInsensitiveDict, token: str | None) -> dict[str, str]:
    return {name: redact(headers[name], token) for name in INTERESTING_HEADERS
            if name in headers and name not in SENSITIVE_HEADERS}


def _scrub(body: bytes, token: str | None) -> bytes:
    # A server (or a proxy) may echo the request back, the token escaped, split by invisible characters
    # or in base64; it must not come back in any of those. Binary bodies keep their length (see scrub).
    return scrub(body, token)
