"""Verdicts shared by the bad-input, fault and security tests: is a message fit to show a person,
and how many cases a module tried (printed where CI logs show it, and checked against the table).
"""
from __future__ import annotations

import functools
import re
from typing import Any, Callable, Iterable, TypeVar

import pytest

from tests.conftest import SENTINEL, assert_no_secret
from tests.ui.conftest import plain, value

__all__ = ["assert_clear_message", "assert_form_kept", "message_of", "Tally"]

Test = TypeVar("Test", bound=Callable[..., Any])

TRACEBACK = re.compile(r"Traceback \(most recent call last\)|File \"[^\"]+\", line \d+|\w+Error: ")
# Tags that would do something if a browser parsed them; escaped text shows them as characters.
LIVE_MARKUP = re.compile(r"<\s*/?\s*(script|img|iframe|svg|style|a|form|input|object|embed|link|meta)\b", re.I)


def message_of(outputs: dict[str, Any]) -> str:
    """The explanation the page shows, as the Markdown sent to it: beside the form (`#output-message`),
    or in chat mode the error note under the transcript (`#chat`)."""
    message = value(outputs["output-message"])
    if message:
        return message
    notes = [turn for turn in value(outputs["chat"]) or []
             if (turn.get("metadata") or {}).get("title", "").startswith("⚠")]
    return "".join(part.get("text", "") for part in notes[-1]["content"]) if notes else ""


def assert_form_kept(outputs: dict[str, Any], form_ids: Iterable[str]) -> None:
    """Run left every field it may write (chat empties the message box once sent) as the visitor typed it."""
    for elem_id in form_ids:
        assert outputs[elem_id] == {"__type__": "update"}, f"#{elem_id} was changed: {outputs[elem_id]!r}"


def assert_clear_message(markdown: str, secrets: Iterable[str] = ()) -> str:
    """Fail unless `markdown` is a non-empty, escaped sentence with no traceback and no secret; return it
    as a person reads it (escapes undone), for checking its words."""
    assert isinstance(markdown, str) and markdown.strip(), "a message is shown"
    assert not LIVE_MARKUP.search(markdown), f"markup is escaped: {markdown[:200]!r}"
    text = plain(markdown)
    assert not TRACEBACK.search(text), f"no traceback or exception text: {text[:200]!r}"
    for secret in (SENTINEL, *secrets):
        assert_no_secret(markdown, secret)
    return text


class Tally:
    """Counts the cases a module tried, so the module can say how many and prove none was skipped.

    Decorate each test whose parameters are cases with `@TALLY.case`; the module's last test calls
    `report()`.
    """

    def __init__(self, what: str) -> None:
        self.what = what
        self.tests: set[str] = set()
        self.count = 0

    def case(self, test: Test) -> Test:
        """Count every run of `test` (each parameter set is one input tried), whatever its outcome."""
        self.tests.add(test.__name__)

        @functools.wraps(test)
        def counted(*args: Any, **kwargs: Any) -> Any:
            self.count += 1
            return test(*args, **kwargs)
        return counted  # type: ignore[return-value]

    def report(self, request: pytest.FixtureRequest, capsys: pytest.CaptureFixture[str]) -> int:
        """Print the count (shown even without -s), check it matches the cases this session selected,
        and return it."""
        selected = sum(1 for item in request.session.items
                       if item.module is request.module and getattr(item, "originalname", "") in self.tests)
        with capsys.disabled():
            print(f"\n{self.what}: {self.count} inputs tried")
        assert self.count == selected, "every selected case ran"
        return self.count
