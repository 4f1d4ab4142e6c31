"""The status line (`#status`): attempts, the loading countdown, then HTTP status, timings, compute
time, provider and request id; with the attempt log as a small table while retries happen.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import gradio as gr

from .handlers.run import RunView
from .handlers.status import ATTEMPT_HEADERS, CANCELLED
from .showing import classes, part, showing

__all__ = ["StatusPanel", "build_status_panel"]

READY = "Ready. Press **Run** to send the request."


@dataclass
class StatusPanel:
    """Handles of the status line and the attempt log."""

    container: gr.Column
    line: gr.Markdown
    attempts: gr.Dataframe

    @property
    def components(self) -> list[gr.components.Component]:
        return [self.container, self.line, self.attempts]

    def show(self, view: RunView) -> dict[Any, Any]:
        updates: dict[Any, Any] = {self.line: view.status}
        if view.attempts or view.phase != "progress":
            rows = [list(row) for row in view.attempts]
            updates[self.attempts] = {"headers": ATTEMPT_HEADERS, "data": rows}
            updates[self.container] = showing(["attempts"] if rows else [])
        return updates

    @staticmethod
    def cancelled() -> str:
        return CANCELLED


def build_status_panel(prefix: str = "", ready: str = READY) -> StatusPanel:
    """The status line and the attempt log; `prefix` namespaces the elem_ids (compare columns)."""
    with gr.Column(elem_classes=classes([]), elem_id=f"{prefix}status-box") as container:
        line = gr.Markdown(ready, elem_id=f"{prefix}status")
        attempts = gr.Dataframe(headers=ATTEMPT_HEADERS, label="Attempts", interactive=False,
                                elem_id=f"{prefix}attempts", max_height=220, elem_classes=part("attempts"))
    return StatusPanel(container, line, attempts)
