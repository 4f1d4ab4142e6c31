"""The recorded HF exchanges in `recorded/*.json` (a copy of shared/hf-recorded): where each one is
served now, and which one answers a request.

Routes: router URLs keep their path; the 2025 `/hf-inference/pipeline/{task}/{model}` route moves to
`/hf-inference/models/{model}/pipeline/{task}`; legacy `api-inference.huggingface.co` cases move to
their router equivalent, except the legacy host's own 410 (recording 91), which stays on its path.

Choosing among cases that share a route (`choose`):
1. a request header `X-Fake-Case: <file number>` picks that case outright (34 and 35 have identical
   requests, so this is the only way to reach 35);
2. error cases (status >= 400) take part only on an exact body match, unless the route has nothing else;
3. the winner is the best by, in order: exact body match (equal JSON, or the sha256 of a binary upload),
   same `stream` flag, recorded for the wanted provider (router chat), recorded on hf-inference, most
   shared body features (top-level and `parameters` keys, their types and scalar values), lowest number.
"""
from __future__ import annotations

import base64
import hashlib
import json
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from .replies import JSON, SSE, TEXT, Received, Reply, encode_json, sse_reply

LEGACY_HOST = "api-inference.huggingface.co"
EMBEDDING_TASKS = ("feature-extraction", "sentence-similarity")
_INFERENCE = re.compile(
    r"/hf-inference/models/(?P<model>.+?)(?P<suffix>/v1/chat/completions|/v1/completions|/pipeline/[^/]+)?"
)
_PIPELINE = re.compile(r"(?:/hf-inference)?/pipeline/(?P<task>[^/]+)/(?P<model>.+)")


@dataclass(frozen=True)
class Case:
    """One recorded exchange, ready to replay."""

    number: int
    name: str
    task: str
    method: str
    route: str
    query: str
    request_body: Any
    status: int
    headers: tuple[tuple[str, str], ...]
    payload: bytes | tuple[str, ...]  # bytes, or the SSE events of a stream

    @property
    def provider(self) -> str:
        return self.route.split("/")[1]

    @property
    def is_error(self) -> bool:
        return self.status >= 400

    @property
    def is_stream(self) -> bool:
        return isinstance(self.request_body, dict) and self.request_body.get("stream") is True

    @property
    def model_id(self) -> str | None:
        """The Hub model id of an hf-inference case."""
        parts = split_inference_path(self.route)
        return parts[0] if parts else None

    @property
    def body(self) -> bytes:
        """The whole response body (a stream's events joined)."""
        return self.payload if isinstance(self.payload, bytes) else "".join(self.payload).encode()

    def json_body(self) -> Any:
        return json.loads(self.body)

    @property
    def events(self) -> tuple[str, ...]:
        """The recorded server-sent events (empty unless a stream)."""
        return self.payload if isinstance(self.payload, tuple) else ()

    def matches_exactly(self, request: Received) -> bool:
        recorded = self.request_body
        if recorded is None:
            return not request.body
        if isinstance(recorded, dict) and recorded.get("binary"):
            return hashlib.sha256(request.body).hexdigest() == recorded.get("sha256")
        return request.json == recorded

    def reply(self, pace: float = 0.0) -> Reply:
        if isinstance(self.payload, tuple):
            return sse_reply(self.payload, pace, self.headers, status=self.status)
        return Reply(self.status, list(self.headers), self.payload)


class Recordings:
    """All cases of a directory, indexed by method and current route."""

    def __init__(self, directory: Path) -> None:
        self.cases = load_cases(directory)
        if not self.cases:
            raise SystemExit(f"fake_hf: no recorded exchanges in {directory}. The repository carries them in "
                             "tests/fake_hf/recorded/; pass --recordings DIR to use others.")
        self._by_route: dict[tuple[str, str], list[Case]] = defaultdict(list)
        for case in self.cases:
            self._by_route[(case.method, case.route)].append(case)

    def for_route(self, method: str, path: str) -> list[Case]:
        return self._by_route.get((method, path), [])

    def for_task(self, task: str) -> list[Case]:
        """Successful hf-inference cases of `task`: the answer template for models never recorded."""
        return [c for c in self.cases if c.task == task and c.provider == "hf-inference" and not c.is_error]

    def case(self, number: int) -> Case:
        return next(c for c in self.cases if c.number == number)

    def with_status(self, status: int) -> Case:
        """The first case answering `status`: 401 is the router's auth error, 410 the legacy host's."""
        return next(c for c in self.cases if c.status == status)


def choose(cases: Sequence[Case], request: Received, provider: str | None = None) -> Case | None:
    """The case that answers `request` (rule in the module docstring), or None if there are none."""
    forced = request.headers.get("X-Fake-Case", "")
    for case in cases:
        if forced.isdigit() and case.number == int(forced):
            return case
    exact = {case.number for case in cases if case.matches_exactly(request)}
    pool = [c for c in cases if not c.is_error or c.number in exact] or list(cases)
    wanted = _features(request.json)

    def rank(case: Case) -> tuple:
        return (
            case.number in exact,
            case.is_stream == request.wants_stream,
            case.provider == provider,
            case.provider == "hf-inference",
            len(wanted & _features(case.request_body)),
            -case.number,
        )

    return max(pool, key=rank, default=None)


def split_inference_path(path: str) -> tuple[str, str] | None:
    """`/hf-inference/models/{model}{suffix}` -> (model, suffix); suffix may be ''."""
    match = _INFERENCE.fullmatch(path)
    return (match["model"], match["suffix"] or "") if match else None


def current_route(url: str, status: int) -> str:
    """Where a recorded URL is served now (see the module docstring)."""
    parts = urlsplit(url)
    path = parts.path
    if parts.hostname == LEGACY_HOST and status == 410:
        return path
    if pipeline := _PIPELINE.fullmatch(path):
        suffix = f"/pipeline/{pipeline['task']}" if pipeline["task"] in EMBEDDING_TASKS else ""
        return f"/hf-inference/models/{pipeline['model']}{suffix}"
    return "/hf-inference" + path if parts.hostname == LEGACY_HOST else path


def load_cases(directory: Path) -> list[Case]:
    files = [(path, json.loads(path.read_text(encoding="utf-8"))) for path in sorted(directory.glob("*.json"))]
    donors = {
        body["content_type"]: base64.b64decode(body["base64"])
        for _, data in files
        if _is_binary(body := data["response"]["body"]) and body.get("base64")
    }
    return [_load_case(path, data, donors) for path, data in files]


def _load_case(path: Path, data: dict, donors: dict[str, bytes]) -> Case:
    request, response = data["request"], data["response"]
    headers = dict(response["headers"])
    content_type = next((v for k, v in headers.items() if k.lower() == "content-type"), None)
    body = response["body"]
    if content_type is None:
        content_type = JSON if isinstance(body, (dict, list)) else TEXT
        headers["Content-Type"] = content_type
    return Case(
        number=int(path.name.split("_", 1)[0]),
        name=path.stem,
        task=data["task"].split()[0],
        method=request["method"],
        route=current_route(request["url"], response["status"]),
        query=urlsplit(request["url"]).query,
        request_body=request["body"],
        status=response["status"],
        headers=tuple(headers.items()),
        payload=_payload(body, content_type, donors),
    )


def _payload(body: Any, content_type: str, donors: dict[str, bytes]) -> bytes | tuple[str, ...]:
    if _is_binary(body):
        return _binary(body, donors)
    if isinstance(body, str) and content_type.startswith(SSE):
        return tuple(event.strip("\n") + "\n\n" for event in body.split("\n\n") if event.strip())
    return body.encode() if isinstance(body, str) else encode_json(body)


def _is_binary(body: Any) -> bool:
    return isinstance(body, dict) and body.get("binary") is True


def _binary(descriptor: dict, donors: dict[str, bytes]) -> bytes:
    """The stored bytes, or a stand-in of the recorded length (a valid padded JPEG when possible)."""
    if descriptor.get("base64"):
        return base64.b64decode(descriptor["base64"])
    length = descriptor.get("byte_length") or 0
    donor = donors.get(descriptor.get("content_type") or "")
    if donor and donor.startswith(b"\xff\xd8") and length > len(donor):
        return _pad_jpeg(donor, length)
    return bytes(length)


def _pad_jpeg(jpeg: bytes, length: int) -> bytes:
    """Grow a JPEG to `length` bytes with comment (COM) segments right after SOI; decoders skip them."""
    padding, segments = length - len(jpeg), b""
    while padding >= 4:
        size = min(padding - 4, 65533)
        segments += b"\xff\xfe" + (size + 2).to_bytes(2, "big") + b" " * size
        padding -= size + 4
    return jpeg[:2] + segments + jpeg[2:] + bytes(padding)


def _features(body: Any) -> set[str]:
    """Comparable traits of a request body: keys, value types and scalar values, top level and parameters."""
    if not isinstance(body, dict):
        return {f"type={type(body).__name__}"}
    features: set[str] = set()
    for prefix, mapping in (("", body), ("parameters.", body.get("parameters"))):
        for key, value in (mapping or {}).items() if isinstance(mapping, dict) else ():
            features |= {prefix + key, f"{prefix}{key}:{type(value).__name__}"}
            if value is None or isinstance(value, (bool, int, float)):
                features.add(f"{prefix}{key}={value!r}")
    return features
