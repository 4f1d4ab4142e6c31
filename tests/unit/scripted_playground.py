"""A Playground whose runs replay scripted polling events per model id, for tests of code built on
`Playground.run` (compare, warm-up) without sockets or clocks.
"""
from __future__ import annotations

import threading
from collections import defaultdict
from typing import Callable, Iterator

from backend import Playground, Settings
from backend.polling import Finished, PollEvent, Sending
from backend.result import Attempt, InferenceRequest, InferenceResult

Script = Callable[[InferenceRequest], Iterator[PollEvent]]


def answered(request: InferenceRequest, at: float = 0.1, **kw: object) -> Finished:
    """A 200 JSON answer after `at` seconds."""
    fields = dict(status=200, content_type="application/json", body=b'[{"label": "POSITIVE", "score": 0.9}]',
                  elapsed=0.05, attempts=(Attempt(1, at, 200, "done"),))
    return Finished(InferenceResult(request, **{**fields, **kw}))


def warm(request: InferenceRequest) -> Iterator[PollEvent]:
    yield Sending(1, 0.0)
    yield answered(request)


class ScriptedPlayground(Playground):
    """`run()` plays `scripts[model_id]`; records sends (a Sending the caller resumed past) and closes."""

    def __init__(self, scripts: dict[str, Script]) -> None:
        super().__init__(Settings())
        self.scripts = scripts
        self.started: list[str] = []
        self.sent: dict[str, list[int]] = defaultdict(list)
        self.closed: dict[str, threading.Event] = defaultdict(threading.Event)

    def run(self, request: InferenceRequest, token: str | None = None, endpoint_key: str | None = None,
            deadline: float | None = None) -> Iterator[PollEvent]:
        self.started.append(request.model_id)
        try:
            for event in self.scripts[request.model_id](request):
                yield event
                if isinstance(event, Sending):  # polling sends when resumed after announcing it
                    self.sent[request.model_id].append(event.attempt)
        finally:
            self.closed[request.model_id].set()
