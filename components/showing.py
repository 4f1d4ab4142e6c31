"""Showing one part of a panel and hiding the others with one class list on the panel's container.

A container made with `classes(...)` lists the parts it shows (`shows-label`); each part carries
`part(name)`; `CSS` (added to the page's) hides a part its container does not list. A run step
then sends plain values and one small update of the container, where `visible` updates would make
Gradio rebuild each component's config on the server, per step and per session (about 1 ms each,
5 ms for an AnnotatedImage).
"""
from __future__ import annotations

from typing import Any, Iterable

import gradio as gr

__all__ = ["PARTS", "CSS", "STALE", "part", "classes", "showing"]

# Every part name a container may show.
PARTS = ("message", "label", "entities", "boxes", "masks", "image", "audio", "video", "text", "table",
         "details", "attempts")
# A container marked STALE shows an answer that belongs to another model or task than the picker's.
STALE = "stale"
CSS = "\n".join(f".parts:not(.shows-{name}) .part-{name} {{ display: none !important; }}" for name in PARTS) + (
    "\n" + ", ".join(f".parts.{STALE} .part-{name}" for name in PARTS if name != "message") + " { opacity: 0.55; }")


def part(name: str) -> list[str]:
    """The elem_classes of the part `name`."""
    if name not in PARTS:
        raise ValueError(f"unknown part {name!r}")
    return [f"part-{name}"]


def classes(shown: Iterable[str]) -> list[str]:
    """The elem_classes of a container showing the parts `shown`."""
    return ["parts", *(f"shows-{name}" for name in shown if name in PARTS)]


def showing(shown: Iterable[str]) -> dict[str, Any]:
    """The update of a container that shows the parts `shown` and hides the rest."""
    return gr.update(elem_classes=classes(shown))
