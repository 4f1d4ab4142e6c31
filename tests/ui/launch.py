"""Start the playground against a fake HF server, the way `app.main()` would (same launch options).

Shared by the gradio_client tests here and the browser tests in `tests/browser/`.
"""
from __future__ import annotations

import contextlib
from typing import Any, Iterator

import gradio as gr

from backend import Settings, load_settings

from app import build_demo, launch_kwargs


def fake_settings(fake_url: str, token: str | None = None, **extra: str) -> Settings:
    """Settings pointing every HF call at `fake_url`; `token` plays the operator's HF_TOKEN."""
    environ = {"HF_ROUTER_URL": fake_url, "HF_ENDPOINT": fake_url, "PLAYGROUND_POLL_DEADLINE": "60", **extra}
    if token:
        environ["HF_TOKEN"] = token
    return load_settings(environ, env_file=None, read_token_file=False)


@contextlib.contextmanager
def launched(settings: Settings) -> Iterator[tuple[str, gr.Blocks]]:
    """Launch the page on a free local port with the app's own launch options; yield URL and Blocks."""
    demo = build_demo(settings)
    kwargs = {**launch_kwargs(settings), "server_name": "127.0.0.1", "server_port": None}
    _app, url, _share = demo.launch(prevent_thread_lock=True, quiet=True, **kwargs)
    try:
        yield url.rstrip("/"), demo
    finally:
        demo.close()


def output_ids(demo: gr.Blocks, api_name: str) -> list[str]:
    """The elem_ids of an endpoint's outputs, in the order gradio_client returns them (no State, no layout)."""
    fn: Any = next(f for f in demo.fns.values() if f.api_name == api_name.strip("/"))
    return [c.elem_id for c in fn.outputs if not isinstance(c, gr.State) and not c.skip_api]
