"""The answer area shows one view at a time through its container's classes (`components/showing.py`):
every step sends plain values and one class update, never a `visible` update per component, except
the one that builds the view a finished answer shows (the page builds media views only when needed).
"""
from __future__ import annotations

from typing import Any

import gradio as gr
import pytest

from backend.render import Rendered
from components import showing
from components.handlers.run import RunView
from components.output import OutputPanel, build_output_panel
from components.status import build_status_panel


@pytest.fixture(scope="module")
def panel() -> OutputPanel:
    with gr.Blocks():
        return build_output_panel()


def _classes(updates: dict[Any, Any], container: Any) -> set[str]:
    return set(updates[container]["elem_classes"])


def _no_prop_updates(updates: dict[Any, Any], container: Any, built: Any = None) -> None:
    props = {c.elem_id: u for c, u in updates.items() if c is not container and isinstance(u, dict)
             and u.get("__type__") == "update"}
    if built is not None and built.elem_id in props:  # the shown view is built: visible, with its value
        assert set(props.pop(built.elem_id)) == {"__type__", "visible", "value"}
    assert props == {}, "only the container's classes change; the rest are plain values"


@pytest.mark.parametrize("rendered, view", [
    (Rendered(kind="labels", labels=(("POSITIVE", 0.9),)), "label"),
    (Rendered(kind="text", text="Paris"), "text"),
    (Rendered(kind="table", table=(("a", "b"), (("x", 1.0),))), "table"),
])
def test_a_finished_run_shows_its_own_view_only(panel: OutputPanel, rendered: Rendered, view: str) -> None:
    updates = panel.show(RunView("done", "HTTP 200", rendered=rendered, raw={"ok": True}))

    assert _classes(updates, panel.container) == {"parts", f"shows-{view}"}
    assert updates[panel.views[view]] is not None
    assert all(updates[v] is None for name, v in panel.views.items() if name != view)
    _no_prop_updates(updates, panel.container, built=panel.views[view])


def test_an_error_shows_the_message_and_empties_every_view(panel: OutputPanel) -> None:
    updates = panel.show(RunView("done", "HTTP 404", rendered=Rendered(kind="json"), error="Model not found."))

    assert _classes(updates, panel.container) == {"parts", "shows-message"}
    assert "Model not found" in updates[panel.message]
    assert all(updates[v] is None for v in panel.views.values())
    _no_prop_updates(updates, panel.container)


def test_the_attempt_log_shows_only_when_there_were_retries() -> None:
    with gr.Blocks():
        status = build_status_panel()
    waiting = status.show(RunView("progress", "Loading", attempts=(("1", "503", "", "", ""),)))
    done = status.show(RunView("done", "HTTP 200"))

    assert "shows-attempts" in waiting[status.container]["elem_classes"]
    assert "shows-attempts" not in done[status.container]["elem_classes"]


def test_every_part_has_a_rule_that_hides_it() -> None:
    for name in showing.PARTS:
        assert f".parts:not(.shows-{name}) .part-{name} {{ display: none !important; }}" in showing.CSS
    with pytest.raises(ValueError):
        showing.part("nonsense")
