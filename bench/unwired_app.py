"""A second yardstick for page load: the playground's own page with none of its listeners. The same
components, theme, CSS and script, launched with the same options (`python -m bench.unwired_app`, in
app.py's environment), so what Gradio itself costs to build this page tells apart from what the
page's listeners add.
"""
from __future__ import annotations

import os
from typing import Any
from unittest import mock

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

import gradio as gr  # noqa: E402

import app  # noqa: E402
from backend import Settings, load_settings  # noqa: E402
from components import page  # noqa: E402

__all__ = ["build_demo"]


def _nothing(*_args: Any, **_kwargs: Any) -> None:
    return None


def build_demo(settings: Settings) -> gr.Blocks:
    """The playground's page, every `wire*` step and page-load listener skipped (and the Compare tab's
    build on first opening, whose components are not in the first load's config either way)."""
    steps = ("wire", "wire_chat", "wire_history", "wire_links", "wire_conversations", "wire_warmup",
             "build_compare_tab")
    wiring = {name: _nothing for name in steps}
    with mock.patch.multiple(page, **wiring), mock.patch.object(gr.Blocks, "load", _nothing):
        return page.build_demo(settings)


if __name__ == "__main__":
    settings = load_settings()
    build_demo(settings).launch(**app.launch_kwargs(settings))
