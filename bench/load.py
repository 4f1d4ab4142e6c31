"""Many visitors at once: 50 gradio_client sessions, each with its own token and marker, running mixed tasks.

Every session opens its own `Client` (its own Gradio session), types its own token in the token field
and its own marker as the prompt, then runs a cold model (503 for its first second) or a paced chat
stream, then an echo. Afterwards the fake's request log must pair every marker with its session's
token, and every answer must carry its own marker and no other session's marker or any token.
`tests/ui/test_load.py` runs a short version of this in CI.
"""
from __future__ import annotations

import json
import re
import statistics
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import httpx
from gradio_client import Client

__all__ = ["Visitor", "LoadReport", "PeakMemory", "RunCaller", "run_load", "report", "RUNS"]

SESSIONS = 50
# What each kind of run sets on the form; the marker goes in the prompt, the token in the token field.
RUNS: dict[str, dict[str, Any]] = {
    "echo": {"task": "text-classification", "model": "fake/echo"},
    "cold": {"task": "text-classification", "model": "fake/cold-1"},
    "stream": {"task": "chat-completion", "model": "fake/chat-pace-20", "system": "",
               "parameters": {"chat_completion__stream": True}},
}
MARKER = re.compile(r"marker-\d{4}-[0-9a-f]{8}")
Seen = tuple[str, str]  # (Authorization header, request body) of one request the fake received


@dataclass(frozen=True)
class Visitor:
    """One session: its token, its marker, and the runs it makes in order."""

    index: int
    nonce: str

    @property
    def token(self) -> str:
        return f"hf_load{self.index:04d}visitor{self.nonce}"

    @property
    def marker(self) -> str:
        return f"marker-{self.index:04d}-{self.nonce}"

    @property
    def runs(self) -> tuple[str, ...]:
        return ("cold" if self.index % 2 else "stream", "echo")


@dataclass
class Record:
    """One run as the session saw it: its outputs by elem_id, or the exception it raised."""

    visitor: Visitor
    kind: str
    seconds: float
    outputs: dict[str, Any] = field(default_factory=dict)
    error: str = ""


@dataclass
class LoadReport:
    """What the load run showed: latencies, failures, cross-session leaks and memory."""

    sessions: int
    records: list[Record]
    errors: list[str]
    leaks: list[str]
    peak_rss_mb: float
    wall: float

    @property
    def latencies(self) -> list[float]:
        return sorted(record.seconds for record in self.records)

    def percentile(self, p: int) -> float:
        return statistics.quantiles(self.latencies, n=100, method="inclusive")[p - 1]

    def lines(self) -> list[str]:
        kinds = {kind: statistics.median(r.seconds for r in self.records if r.kind == kind)
                 for kind in sorted({r.kind for r in self.records})}
        return [
            f"{self.sessions} sessions, {len(self.records)} runs in {self.wall:.1f} s: "
            f"{len(self.errors)} errors, {len(self.leaks)} cross-session leaks",
            f"latency per run: p50 {self.percentile(50) * 1000:.0f} ms, p95 {self.percentile(95) * 1000:.0f} ms "
            f"(median by kind: " + ", ".join(f"{k} {v * 1000:.0f} ms" for k, v in kinds.items()) + ")",
            f"peak RSS during the run: {self.peak_rss_mb:.0f} MiB",
        ]


class PeakMemory:
    """Samples a process's resident memory (VmRSS) in a background thread while the block runs."""

    def __init__(self, pid: int, every: float = 0.05) -> None:
        self._status = Path(f"/proc/{pid}/status")
        self._every = every
        self._stop = threading.Event()
        self.peak_mb = 0.0

    def _sample(self) -> None:
        while not self._stop.is_set():
            for line in self._status.read_text().splitlines():
                if line.startswith("VmRSS:"):
                    self.peak_mb = max(self.peak_mb, int(line.split()[1]) / 1024)
            self._stop.wait(self._every)

    def __enter__(self) -> PeakMemory:
        self._thread = threading.Thread(target=self._sample, daemon=True, name="peak-memory")
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        self._thread.join()


class RunCaller:
    """Calls the page's /run by parameter name, every other field at the page's initial value."""

    def __init__(self, client: Client) -> None:
        self.client = client
        info = client.view_api(return_format="dict", print_info=False)["named_endpoints"]["/run"]
        self.defaults = {p["parameter_name"]: p.get("parameter_default") for p in info["parameters"]}
        components = {c["id"]: c for c in client.config["components"]}
        run = next(d for d in client.config["dependencies"] if d.get("api_name") == "run")
        self.ids = [components[i]["props"].get("elem_id") for i in run["outputs"]
                    if components[i]["type"] != "state" and not components[i].get("skip_api")]

    def __call__(self, **values: Any) -> dict[str, Any]:
        """Run to the end; the final outputs keyed by elem_id (`status`, `raw-json`, ...)."""
        outputs = self.client.predict(**{**self.defaults, **values}, api_name="/run")
        return dict(zip(self.ids, outputs, strict=True))

    def submit(self, **values: Any) -> Any:
        """Start a run without waiting for it; returns gradio_client's Job (`.cancel()` stops it)."""
        return self.client.submit(**{**self.defaults, **values}, api_name="/run")


def _visit(url: str, visitor: Visitor, start: threading.Barrier) -> list[Record]:
    caller = RunCaller(Client(url, verbose=False, download_files=False))
    start.wait()  # every session is connected before the first run starts
    records = []
    for kind in visitor.runs:
        started = time.perf_counter()
        try:
            outputs = caller(**RUNS[kind], prompt=visitor.marker, token=visitor.token)
        except Exception as error:  # noqa: BLE001 - a failed run is a finding, reported with the rest
            records.append(Record(visitor, kind, time.perf_counter() - started, error=repr(error)))
        else:
            records.append(Record(visitor, kind, time.perf_counter() - started, outputs))
    return records


def _errors(records: list[Record]) -> list[str]:
    return [f"session {r.visitor.index} {r.kind}: {r.error or r.outputs.get('status')}" for r in records
            if r.error or "HTTP 200" not in str(r.outputs.get("status"))]


def _answer_leaks(records: list[Record], visitors: list[Visitor]) -> list[str]:
    """Each answer holds its own marker (echo shows it) and no other session's marker or any token."""
    tokens = [v.token for v in visitors]
    leaks = []
    for record in records:
        shown = json.dumps(record.outputs, ensure_ascii=False)
        others = set(MARKER.findall(shown)) - {record.visitor.marker}
        if others or any(token in shown for token in tokens):
            leaks.append(f"session {record.visitor.index} {record.kind} was shown {sorted(others) or 'a token'}")
        if record.kind == "echo" and record.visitor.marker not in shown:
            leaks.append(f"session {record.visitor.index} echo answer lacks its own marker")
    return leaks


def _request_leaks(seen: list[Seen], visitors: list[Visitor]) -> list[str]:
    """Every request the fake received carries one marker, sent with that marker's session's token."""
    owner = {v.marker: v for v in visitors}
    leaks, sent = [], {v.marker: 0 for v in visitors}
    for authorization, body in seen:
        markers = set(MARKER.findall(body)) & set(owner)
        if len(markers) != 1:
            leaks.append(f"a request carried {len(markers)} markers")
            continue
        marker = markers.pop()
        sent[marker] += 1
        if authorization != f"Bearer {owner[marker].token}":
            leaks.append(f"session {owner[marker].index}'s input went out with another token")
    leaks += [f"session {owner[m].index} sent {n} requests" for m, n in sent.items() if n < len(owner[m].runs)]
    return leaks


def run_load(url: str, sessions: int, seen: Callable[[], list[Seen]], pid: int) -> LoadReport:
    """Run `sessions` visitors against the app at `url` at once; `seen` reads the upstream's request
    log afterwards and `pid` is the process whose memory is watched."""
    nonce = uuid.uuid4().hex[:8]
    visitors = [Visitor(index, nonce) for index in range(sessions)]
    start = threading.Barrier(sessions)
    started = time.perf_counter()
    with PeakMemory(pid) as memory, ThreadPoolExecutor(max_workers=sessions) as pool:
        per_visitor = list(pool.map(lambda v: _visit(url, v, start), visitors))
    wall = time.perf_counter() - started
    records = [record for records in per_visitor for record in records]
    return LoadReport(sessions, records, _errors(records),
                      _answer_leaks(records, visitors) + _request_leaks(seen(), visitors), memory.peak_mb, wall)


def _fake_log(base: str) -> Callable[[], list[Seen]]:
    def seen() -> list[Seen]:
        log = httpx.get(f"{base}/_fake/requests", timeout=30).json()
        return [(entry["headers"].get("Authorization", ""), entry["body"]) for entry in log
                if entry["path"].startswith(("/hf-inference/", "/v1/chat/"))]
    return seen


def report(sessions: int = SESSIONS) -> list[str]:
    from bench.app_process import PLAYGROUND, served
    from bench.fake_server import fake_hf_process

    with fake_hf_process() as base:
        env = {"HF_ROUTER_URL": base, "HF_ENDPOINT": base, "HF_TOKEN": "hf_benchOPERATOR0000000000"}
        with served(PLAYGROUND, env) as app:
            httpx.post(f"{base}/_fake/reset", timeout=10)
            result = run_load(app.url, sessions, _fake_log(base), app.pid)
    lines = result.lines()
    if result.errors:
        lines.append(f"first errors: {result.errors[:3]}")
    if result.leaks:
        lines.append(f"first leaks: {result.leaks[:3]}")
    return lines


if __name__ == "__main__":
    print("\n".join(report()))
