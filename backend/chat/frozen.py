"""Read-only JSON values for the conversation tree: a message's figures and tool calls (`FrozenFigures`,
which Gradio can deep-copy and pickle as it does State values) and plain copies of JSON-like data.
"""
from __future__ import annotations

from typing import Any, Mapping

__all__ = ["FrozenFigures", "frozen_figures", "copy_json"]


class FrozenFigures(dict):  # type: ignore[type-arg]
    """A read-only dict: unlike a mappingproxy it copies (Gradio deep-copies and `asdict`s State values)."""

    def _refuse(self, *args: Any, **kwargs: Any) -> None:
        raise TypeError("a message's figures are read-only; use ChatTree.update")

    __setitem__ = __delitem__ = clear = pop = popitem = setdefault = update = _refuse  # type: ignore[assignment]

    def __deepcopy__(self, memo: dict[int, Any]) -> FrozenFigures:
        return self

    def __reduce__(self) -> tuple[Any, ...]:  # copy and pickle build it whole, never item by item
        return (FrozenFigures, (dict(self),))


def frozen_figures(figures: Mapping[str, Any] | None) -> Mapping[str, Any]:
    return FrozenFigures(copy_json(dict(figures or {})))


def copy_json(value: Any) -> Any:
    """A copy of JSON-like data: new dicts and lists, the same (immutable) strings and numbers."""
    if isinstance(value, Mapping):
        return {str(key): copy_json(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [copy_json(item) for item in value]
    return value
