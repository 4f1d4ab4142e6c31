"""Warm-up before a demo: ping every demo model with its task's example until it answers.

All targets poll at once (through `compare.run_columns`) and each yields ready lights as it goes:
"cold", "warming (attempt 2, ~14 s left)", "ready in 1.2 s", "error: <user_message>". Pings are
kept cheap (one new token, one diffusion step). Closing the generator stops every target.
"""
from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import Any, Generator, Iterator, Sequence, Union

from .compare import run_columns
from .errors import InvalidInput, PlaygroundError, user_message
from .inference import Playground
from .polling import Finished, PollEvent, Sending, Waiting
from .result import InferenceRequest
from .tasks import get_task

__all__ = ["WarmupTarget", "WarmupStatus", "warm_up", "MAX_TARGETS"]

MAX_TARGETS = 8
ENDPOINT_EXAMPLE = {"text": "Hello"}  # a bare endpoint URL: `{"inputs": "Hello"}` suits TGI, TEI and pipelines
_CHEAP_PARAMS: dict[str, dict[str, Any]] = {
    "text-generation": {"max_new_tokens": 1}, "chat-completion": {"max_tokens": 1},
    "text-to-image": {"num_inference_steps": 1},
}

TargetLike = Union["WarmupTarget", str, Sequence[str]]


@dataclass(frozen=True)
class WarmupTarget:
    """One model (with its task) or custom endpoint to wake up."""

    model_id: str = ""
    task: str = ""
    endpoint_url: str = ""

    @property
    def label(self) -> str:
        return self.model_id or self.endpoint_url


@dataclass(frozen=True)
class WarmupStatus:
    """One ready light: `state` is "cold", "warming", "ready" or "error"; `text` is escaped, for the page."""

    target: WarmupTarget
    state: str
    text: str
    attempt: int = 0
    seconds_left: float | None = None  # warming: the server's estimate, counting down
    ready_in: float | None = None

    @property
    def is_final(self) -> bool:
        return self.state in ("ready", "error")


def _as_target(raw: TargetLike) -> WarmupTarget:
    if isinstance(raw, WarmupTarget):
        return raw
    if isinstance(raw, str) and raw.startswith(("https://", "http://")):
        return WarmupTarget(endpoint_url=raw)
    if not isinstance(raw, str) and isinstance(raw, Sequence) and len(raw) == 2 \
            and all(isinstance(part, str) for part in raw):
        first, task = raw
        is_url = first.startswith(("https://", "http://"))
        return WarmupTarget(endpoint_url=first, task=task) if is_url else WarmupTarget(model_id=first, task=task)
    raise InvalidInput("Warm up (model id, task) pairs or endpoint URLs.")


def _ping(playground: Playground, target: WarmupTarget) -> InferenceRequest:
    """The cheap example request for a target; raises InvalidInput when there is none to send."""
    spec = get_task(target.task)
    example = spec.example if target.task else ENDPOINT_EXAMPLE
    if not example:
        raise InvalidInput(f"{spec.label} needs an upload, so there is no example input to warm it up with.")
    return playground.build_request(task=target.task, inputs=example, model_id=target.model_id,
                                    params=_CHEAP_PARAMS.get(spec.name), endpoint_url=target.endpoint_url)


def _checked_ping(playground: Playground, target: WarmupTarget, token: str | None,
                  endpoint_key: str | None) -> InferenceRequest:
    """`_ping`, refused (InvalidInput) when its endpoint may get no credential, before anything is sent."""
    request = _ping(playground, target)
    playground.credential(request, token, endpoint_key)
    return request


def _seconds_left(event: Waiting) -> float:
    # estimated_time was given when the last answer came; count down from then, not from now.
    if event.estimated_time is None or not event.log:
        return event.next_try_in
    waited = (event.log[-1].next_wait or 0.0) - event.next_try_in
    return max(event.estimated_time - waited, 0.0)


def _status(target: WarmupTarget, event: PollEvent) -> WarmupStatus | None:
    if isinstance(event, Sending):
        if event.attempt == 1:
            return WarmupStatus(target, "cold", "cold")
        return WarmupStatus(target, "warming", f"warming (attempt {event.attempt})", event.attempt)
    if isinstance(event, Waiting):
        left = _seconds_left(event)
        return WarmupStatus(target, "warming", f"warming (attempt {event.attempt + 1}, ~{left:.0f} s left)",
                            event.attempt + 1, left)
    if isinstance(event, Finished):
        result = event.result
        if result.ok:
            ready_in = result.attempts[-1].at if result.attempts else result.elapsed
            return WarmupStatus(target, "ready", f"ready in {ready_in:.1f} s", len(result.attempts), ready_in=ready_in)
        reason = user_message(result.error) if result.error else f"HTTP {result.status}"
        return WarmupStatus(target, "error", f"error: {reason}", len(result.attempts))
    return None  # streamed tokens say nothing about readiness


def _error(target: WarmupTarget, err: PlaygroundError) -> WarmupStatus:
    return WarmupStatus(target, "error", f"error: {user_message(err)}")


def warm_up(playground: Playground, targets: Sequence[TargetLike], token: str | None = None, *,
            endpoint_key: str | None = None, deadline: float | None = None) -> Iterator[WarmupStatus]:
    """Wake every target; yields each light as it changes. Raises InvalidInput at once for a bad list."""
    checked = [_as_target(raw) for raw in targets]
    if not 1 <= len(checked) <= MAX_TARGETS:
        raise InvalidInput(f"Warm up 1 to {MAX_TARGETS} models at a time, not {len(checked)}.")
    return _warm(playground, checked, token, endpoint_key, deadline)


def _warm(playground: Playground, targets: list[WarmupTarget], token: str | None, endpoint_key: str | None,
          deadline: float | None) -> Generator[WarmupStatus, None, None]:
    pings: list[tuple[WarmupTarget, InferenceRequest]] = []
    for target in targets:
        try:
            pings.append((target, _checked_ping(playground, target, token, endpoint_key)))
        except PlaygroundError as err:
            yield _error(target, err)
            continue
        yield WarmupStatus(target, "cold", "cold")
    if not pings:
        return
    shown: dict[int, WarmupStatus] = {}
    requests = [request for _, request in pings]
    with contextlib.closing(run_columns(playground, requests, token, endpoint_key=endpoint_key,
                                        deadline=deadline)) as updates:
        for update in updates:
            status = _status(pings[update.column][0], update.event)
            if status is not None and status.text != getattr(shown.get(update.column), "text", "cold"):
                shown[update.column] = status
                yield status
