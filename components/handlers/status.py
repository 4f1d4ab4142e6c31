"""The status line, the attempt log and the numbers beside a chat answer, as text: what is happening
now, and how the run went.

Header values come from the server, so each one passes `inert()` before it reaches Markdown.
"""
from __future__ import annotations

import math
from typing import Any

from backend import Attempt, ChatStream, InferenceResult, Waiting
from backend.providers import CancelOutcome, JobUpdate

from ..markup import inert

__all__ = ["sending_line", "waiting_line", "job_line", "streaming_line", "finished_line", "attempt_rows", "answer_numbers",
           "cancelled_job_line", "ATTEMPT_HEADERS", "NOT_SENT", "CANCELLED"]

NOT_SENT = "✗ **Not sent.** Fix the input and run again; nothing went to the server."
CANCELLED = "■ **Cancelled.** Nothing more will be sent."
ATTEMPT_HEADERS = ["attempt", "at (s)", "HTTP", "what happened", "next wait (s)"]

# Polling reasons (backend/polling.py) → the word the status line leads with.
_WAIT_LABELS = (("model loading", "Loading"), ("service unavailable", "Unavailable (503)"),
                ("endpoint scaling", "Endpoint waking up"), ("endpoint not accepting", "Endpoint not ready"),
                ("rate limited", "Rate limited"))


def _seconds(value: float) -> str:
    if value < 1:
        return f"{value * 1000:.0f} ms"
    return f"{value:.2f} s" if value < 10 else f"{value:.0f} s"


def sending_line(attempt: int) -> str:
    return "→ **Sending** the request…" if attempt == 1 else f"→ **Sending** attempt {attempt}…"


def _wait_label(reason: str) -> str:
    return next((label for prefix, label in _WAIT_LABELS if reason.startswith(prefix)), reason.capitalize())


def _server_estimate_left(event: Waiting) -> float | None:
    """Seconds the server's `estimated_time` says are left now, counting down during the wait."""
    if event.estimated_time is None or not event.log or event.log[-1].next_wait is None:
        return None
    waited = event.log[-1].next_wait - event.next_try_in
    return max(event.estimated_time - waited, 0.0)


def waiting_line(event: Waiting) -> str:
    """`Loading — attempt 3, next try in 7 s, about 18 s left by the server's estimate`."""
    text = f"↻ **{inert(_wait_label(event.reason))}** — attempt {event.attempt}, next try in " \
           f"{math.ceil(event.next_try_in)} s"
    left = _server_estimate_left(event)
    if left is not None:
        text += f", about {math.ceil(left)} s left by the server's estimate"
    return text + f" (gives up in {math.ceil(event.deadline_left)} s; Cancel stops now)"


def job_line(event: JobUpdate) -> str:
    """`In fal-ai's queue, position 3 · 12 s` / `Running on replicate · 41 s · step 18/30`, with the limit."""
    provider = inert(event.provider)
    if event.state == "downloading":
        return f"⇣ **Fetching the result** from {provider}'s media link · {_seconds(event.elapsed)}"
    if event.state == "queued":
        place = f", position {event.position}" if event.position is not None else ""
        head = f"↻ **In {provider}'s queue**{place}"
    else:
        head = f"↻ **Running on {provider}**"
    facts = [head, f"{math.floor(event.elapsed)} s"]
    if event.progress:
        facts.append(inert(event.progress))
    stop = "Cancel stops it upstream" if event.can_cancel else "Cancel stops waiting (the job may still finish " \
        "and be billed)"
    return " · ".join(facts) + f" (gives up in {math.ceil(event.deadline_left)} s; {stop})"


def cancelled_job_line(outcome: CancelOutcome | None) -> str:
    """What became of a provider job the visitor cancelled: confirmed upstream, refused, or not stoppable."""
    if outcome is None:
        return "■ **Cancelled** here. The provider has not answered the cancel yet: the job may still finish " \
               "and be billed. Nothing more will be sent."
    provider = inert(outcome.provider)
    if not outcome.sent:
        return f"■ **Cancelled** here. {provider} has no cancel call: the job may still finish and be billed. " \
               "Nothing more will be sent."
    said = f": {inert(outcome.said)}" if outcome.said else ""
    if outcome.confirmed:
        return f"■ **Cancelled upstream.** {provider} confirmed it (HTTP {outcome.status}{said}). " \
               "Nothing more will be sent."
    answer = f"HTTP {outcome.status}{said}" if outcome.status is not None else "no answer"
    return f"■ **Cancelled** here, but {provider} did not confirm stopping the job ({answer}): it may still " \
           "finish and be billed. Nothing more will be sent."


def streaming_line(chunks: int, first_after: float | None) -> str:
    first = f", first after {_seconds(first_after)}" if first_after is not None else ""
    return f"⇣ **Streaming** — {chunks} chunk{'s' if chunks != 1 else ''} so far{first}"


def _facts(result: InferenceResult) -> list[str]:
    total = result.total if result.total is not None else result.elapsed
    facts = [_seconds(total) + " total"]
    if total - result.elapsed >= 0.5:  # waited on a cold model, a rate limit or a job: say how long
        facts.append(f"waited {_seconds(total - result.elapsed)}, last request {_seconds(result.elapsed)}")
    if result.ttfb is not None:
        facts.append("first byte " + _seconds(result.ttfb))
    if result.compute_time:
        kind = result.headers.get("x-compute-type", "")
        facts.append(f"compute {inert(result.compute_time)} s" + (f" ({inert(kind)})" if kind else ""))
    if result.provider:
        facts.append("provider " + inert(result.provider))
    request_id = result.headers.get("x-request-id") or result.headers.get("x-inference-id")
    if request_id:
        facts.append("request id `" + request_id.replace("`", "'") + "`")
    if len(result.attempts) > 1:
        facts.append(f"{len(result.attempts)} attempts")
    return facts


def finished_line(result: InferenceResult) -> str:
    """`✓ HTTP 200 · 0.42 s total · first byte 0.40 s · compute 0.016 s (cpu) · request id …`; a failed run
    leads with its status (`✗ HTTP 503`), or `✗ Broke off after HTTP 200` when its answer failed midway."""
    if result.ok:
        head = f"✓ **HTTP {result.status}**"
    elif result.status and 200 <= result.status < 300:  # the answer began, then failed (a stream cut short)
        head = f"✗ **Broke off** after HTTP {result.status}"
    elif result.status:
        head = f"✗ **HTTP {result.status}**"
    else:
        head = f"✗ **No answer** ({inert(type(result.error).__name__)})"
    return " · ".join([head, *_facts(result)])


def attempt_rows(log: tuple[Attempt, ...]) -> list[list[Any]]:
    """The attempt log as table rows, one per try."""
    return [[a.number, round(a.at, 1), a.status if a.status is not None else "—", a.reason,
             round(a.next_wait, 1) if a.next_wait is not None else ""] for a in log]


def _tokens(chat: ChatStream) -> str:
    usage = chat.usage
    if usage.completion_tokens is None:
        return ""
    if usage.estimated:  # counted from content chunks: close, but not the server's number
        return f"~{usage.completion_tokens} completion tokens (estimated)"
    prompt = f"{usage.prompt_tokens} prompt + " if usage.prompt_tokens is not None else ""
    return f"{prompt}{usage.completion_tokens} completion tokens"


def _dollars(amount: float) -> str:
    """`$0.0000092`: two significant digits, however small, without scientific notation."""
    if amount <= 0:
        return "free"
    decimals = max(2, 1 - math.floor(math.log10(amount)))
    return f"≈ ${amount:.{decimals}f}"


def answer_numbers(chat: ChatStream, cost: float | None = None) -> str:
    """The numbers beside a chat answer, e.g. `first token 180 ms · 2.10 s total · 9.6 tok/s ·
    26 prompt + 20 completion tokens · served by fireworks-ai · ≈ $0.0000092`."""
    facts = [f"first token {_seconds(chat.ttft)}" if chat.ttft is not None else "",
             f"{_seconds(chat.total_time)} total" if chat.total_time is not None else "",
             f"{chat.tokens_per_second:.1f} tok/s" if chat.tokens_per_second is not None else
             "arrived at once" if chat.arrived_at_once else "",
             _tokens(chat), f"served by {inert(chat.provider)}" if chat.provider else "",
             _dollars(cost) if cost is not None else ""]
    return " · ".join(fact for fact in facts if fact)
