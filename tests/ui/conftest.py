"""UI-test fixtures: one fake HF server and one launched playground per module, and a helper that
calls the `/run` endpoint by parameter name with every other parameter left at the page's default.
"""
from __future__ import annotations

import asyncio
import concurrent.futures
import html
import re
from typing import Any, Callable, Iterator

import pytest
from gradio_client import Client

import gradio as gr

from tests.fake_hf import FakeHF
from tests.ui.launch import fake_settings, launched, output_ids

OPERATOR_TOKEN = "hf_operatorTOKENforUItests0000"


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeHF]:
    with FakeHF() as server:
        yield server


@pytest.fixture(scope="module")
def app(fake: FakeHF) -> Iterator[tuple[str, gr.Blocks]]:
    with launched(fake_settings(fake.url, OPERATOR_TOKEN, PLAYGROUND_MEDIA_HOSTS=fake.cdn.host)) as served:
        yield served


@pytest.fixture(scope="module")
def client(app: tuple[str, gr.Blocks]) -> Client:
    # download_files=False: an answer whose JSON has a "path" key must not be taken for a file to fetch.
    return Client(app[0], verbose=False, download_files=False)


@pytest.fixture
def hf(fake: FakeHF) -> FakeHF:
    """The fake server with an empty request log and fresh scripted-model clocks."""
    fake.reset()
    return fake


def endpoint_defaults(client: Client, api_name: str) -> dict[str, Any]:
    """Every parameter of an endpoint at the page's initial value."""
    info = client.view_api(return_format="dict", print_info=False)["named_endpoints"][api_name]
    return {p["parameter_name"]: p.get("parameter_default") for p in info["parameters"]}


class Runner:
    """Presses Run through the API: /run, then /record_run as the page does once the answer shows.

    Fields not given keep the page's initial value; a parameter field is given by its key
    (`fill_mask__top_k=3`) and lands in `parameters`, the way the page's fields do.
    """

    def __init__(self, client: Client, demo: gr.Blocks) -> None:
        self.client = client
        self.defaults = endpoint_defaults(client, "/run")
        self.ids = output_ids(demo, "/run")
        self.recorded_ids = output_ids(demo, "/record_run")

    def __call__(self, **values: Any) -> dict[str, Any]:
        """The final outputs of both, keyed by elem_id (`status`, `raw-json`, `history-table`, ...)."""
        fields = {key: values.pop(key) for key in list(values) if "__" in key}
        parameters = {**self.defaults["parameters"], **fields} if fields else self.defaults["parameters"]
        outputs = self.client.predict(**{**self.defaults, "parameters": parameters, **values}, api_name="/run")
        recorded = self.client.predict(api_name="/record_run")
        return {**dict(zip(self.ids, outputs, strict=True)), **dict(zip(self.recorded_ids, recorded, strict=True))}


@pytest.fixture(scope="module")
def run(client: Client, app: tuple[str, gr.Blocks]) -> Runner:
    return Runner(client, app[1])


def value(update: Any) -> Any:
    """A component's value from what an endpoint returned (a plain value or an update dict)."""
    if isinstance(update, dict) and update.get("__type__") == "update":
        return update.get("value")
    return update


def plain(markdown: str) -> str:
    """What inert Markdown reads as on the page: escapes and HTML entities undone."""
    return html.unescape(re.sub(r"\\(.)", r"\1", markdown))


def shown(update: Any) -> bool:
    """Whether an answer view shows: the page shows exactly the views given a value (`showing.py`); an
    empty one reaches the API as its component's empty value (`{}` for a Label, no rows for a table)."""
    held = value(update)
    return bool(held) and not (isinstance(held, dict) and held.get("data") == [])


def run_async(coroutine: Any) -> Any:
    """`asyncio.run` in a thread of its own: after the browser tests, Playwright's sync API leaves an
    event loop running in the main thread, where `asyncio.run` refuses to start another."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def handler(demo: gr.Blocks, name: str) -> Callable[..., Any]:
    """A listener's function by name, to call it as Gradio would (with a made-up request or event)."""
    return next(fn.fn for fn in demo.fns.values() if getattr(fn.fn, "__name__", "") == name)


def compare_handler(demo: gr.Blocks) -> Callable[..., Any]:
    """The Compare tab's run handler as the tab's first opening builds it (`gr.render`, so it is in no
    listener list before a session opens the tab): a panel of its own, wired to the demo's page."""
    from components.compare import CompareHandlers, build_compare_panel

    page = handler(demo, "on_finished").__self__
    with gr.Blocks():
        panel = build_compare_panel()
    return CompareHandlers(panel, page).on_compare


def by_id(updates: dict[Any, Any]) -> dict[str, Any]:
    """A handler's updates keyed by elem_id, as the page would show them (an update may give the
    component a new one: a parameter slot takes its field's)."""
    def elem_id(component: Any, update: Any) -> str | None:
        given = update.get("elem_id") if isinstance(update, dict) else None
        return given or component.elem_id

    return {elem_id(component, update): update for component, update in updates.items()
            if elem_id(component, update)}
