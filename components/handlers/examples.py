"""Which examples a model and task offer (the model card's widget examples, then the task's own),
and whether the form still holds nothing of the visitor's, so picking a model may refill it.
"""
from __future__ import annotations

import json
import re
from typing import Any, Mapping

from backend.tasks import TASKS, get_task

from .forms import stock_example, values_from_example

__all__ = ["offered_examples", "is_untouched"]

Example = dict[str, Any]
_TRAILING = re.compile(r"[\s.!?…]+$")


def _same(example: Example) -> str:
    """What makes two examples the same one: their inputs, ignoring case, titles, empty fields and end
    punctuation ("I like you. I love you" is the stock "I like you. I love you.")."""
    inputs = {key: _TRAILING.sub("", str(value).strip().lower()) for key, value in example.items()
              if key != "example_title" and value not in ("", None)}
    return json.dumps(inputs, sort_keys=True)


def offered_examples(task: str, card: Mapping[str, Any]) -> list[Example]:
    """The picked model's widget examples first, then `task`'s own example, each input once."""
    stock = stock_example(get_task(task))
    offered: dict[str, Example] = {}
    for example in [*card.get("examples", []), *([stock] if stock else [])]:
        offered.setdefault(_same(example), example)
    return list(offered.values())


def _normal(text: str) -> str:
    # A stock fill-mask text whose mask was swapped for the model's own still counts as stock.
    return text.strip().replace("<mask>", "[MASK]")


_STOCK_PROMPTS = {_normal(values_from_example(spec, stock_example(spec)).prompt) for spec in TASKS.values()}


def is_untouched(kind: str, current: Mapping[str, Any], filled_by_page: str = "") -> bool:
    """True when the form holds nothing of the visitor's own for an input `kind`.

    Text is untouched when empty, a stock example, or exactly what the page last put there itself;
    an upload, once there, is always the visitor's (the bundled sample included).
    """
    if kind in ("image", "audio"):
        return not current.get(kind)
    text = _normal(current.get("prompt") or "")
    return not text or text in _STOCK_PROMPTS or text == _normal(filled_by_page)
