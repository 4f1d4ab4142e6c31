"""The page layout: the header over three tabs. Playground: model picker and token panel on top,
the inputs beside the status and the answer, then the request inspector and its code, then the
session's history and share links. Compare and Warm-up are the demo tools. `build_demo` makes no
network call.

    ┌ Playground │ Compare │ Warm-up ───────────────────────────┐
    ├ model · task · provider ───────────────┬ token / who am I ┤
    ├ custom endpoint (folded)               │                  │
    ├ inputs, examples, parameters, Run ─────┼ status · attempts ┤
    │                                        │ chat (chat mode) │
    │                                        │ answer │ raw JSON │
    ├ request as sent · response headers ────┼ copy as code     ┤
    ├ share links · history table · export / import ─────────────┤

Chat mode follows the task: a conversational model's card says chat-completion, the task switch
shows the chat transcript (`components/chat.py`) in place of the answer views, and Run sends the
message box as the next turn of the conversation.
"""
from __future__ import annotations

from pathlib import Path

import gradio as gr

from backend import Hub, Playground, RouterCatalog, Settings
from backend.tasks import TASKS

from . import showing
from .chat import build_chat_panel
from .compare import build_compare_tab
from .chat_events import wire_chat
from .conversations_events import wire_conversations
from .endpoint import build_endpoint_panel
from .events import Page, Services, wire
from .handlers.forms import example_title, stock_example, values_from_example
from .handlers.media import configure_media
from .handlers.tokens import WhoAmICache
from .history import build_history_panel
from .history_events import wire_history
from .inputs import build_input_panel
from .links import build_link_notice, build_link_panel
from .links_events import wire_links
from .model_picker import build_model_picker
from .output import build_output_panel
from .request_view import build_request_panel
from .side_by_side import PATH as SIDE_BY_SIDE_PATH, build_side_by_side
from .status import build_status_panel
from .token_panel import build_token_panel
from .warmup import build_warmup_panel, wire_warmup

__all__ = ["build_demo", "DEFAULT_TASK", "TITLE", "PAGE_CSS", "PAGE_JS", "THEME"]

TITLE = "HF Inference Playground"
DEFAULT_TASK = "text-classification"
HEADER = (f"# {TITLE}\n"
          "Try any Hugging Face model in your browser: pick a model, give it an input and press **Run**. "
          "You get the rendered answer beside the raw JSON, the exact request, and code to send it yourself.")
_ASSETS = Path(__file__).resolve().parent / "assets"
PAGE_CSS = (_ASSETS / "page.css").read_text(encoding="utf-8") + "\n" + showing.CSS
PAGE_JS = (_ASSETS / "shortcuts.js").read_text(encoding="utf-8")
# System fonts only: the page must not fetch anything from another host (it also runs offline).
THEME = gr.themes.Soft(primary_hue="indigo", secondary_hue="violet",
                       font=["ui-sans-serif", "system-ui", "sans-serif"],
                       font_mono=["ui-monospace", "SFMono-Regular", "monospace"])


def _layout(services: Services) -> Page:
    """Render the Playground tab's panels inside the current Blocks and return the page's handles."""
    spec = TASKS[DEFAULT_TASK]
    example = stock_example(spec)
    link_notice = build_link_notice()
    with gr.Row(equal_height=False):
        with gr.Column(scale=2):  # two thirds: a search result's label (id · task · downloads · providers) fits
            picker = build_model_picker(spec)
            endpoint = build_endpoint_panel(services.settings)
        with gr.Column(scale=1):
            tokens = build_token_panel(services.settings)
    with gr.Row(equal_height=False):
        with gr.Column(scale=2, min_width=320):
            inputs = build_input_panel(spec, values_from_example(spec, example), [example_title(example)])
        with gr.Column(scale=3, min_width=420):
            status = build_status_panel()
            chat = build_chat_panel(visible=spec.input_kind == "chat", settings=services.settings)
            output = build_output_panel()
    chat.library.library.render()  # at the page's top level, shown or not (see conversations.py)
    with gr.Accordion("Request and code", open=False, elem_id="inspector"):
        requests = build_request_panel()
    with gr.Accordion("History and share links", open=True, elem_id="history"):
        links = build_link_panel(link_notice)
        history = build_history_panel(services.settings)
    return Page(services, picker=picker, tokens=tokens, inputs=inputs, status=status, output=output,
                requests=requests, chat=chat, endpoint=endpoint, links=links, history=history,
                running=gr.State(False), finished=gr.State(()))


def build_demo(settings: Settings, playground: Playground | None = None, hub: Hub | None = None) -> gr.Blocks:
    """The whole page for `settings`; pass `playground`/`hub` to share or fake the backend."""
    hub = hub or Hub(settings)
    playground = playground or Playground(settings, hub=hub)
    configure_media(settings.media_disk_bytes)
    services = Services(settings, playground, hub, WhoAmICache(hub), RouterCatalog(playground.transport))
    with gr.Blocks(title=TITLE, analytics_enabled=False) as demo:
        gr.Markdown(HEADER, elem_id="header")
        with gr.Tabs(elem_id="tabs"):
            with gr.Tab("Playground", id="playground", elem_id="tab-playground"):
                page = _layout(services)
            with gr.Tab("Compare", id="compare", elem_id="tab-compare") as compare_tab:
                build_compare_tab(compare_tab, page)
            with gr.Tab("Warm-up", id="warmup", elem_id="tab-warmup"):
                warmup = build_warmup_panel()
        wire(page, answer_events=wire_chat(page))
        wire_history(page, demo)
        wire_links(page, demo)
        wire_conversations(page, demo)
        wire_warmup(warmup, page)
        # A page's form is shaped for the model its box shows; Run checks that against the box (an API
        # call leaves `picked` empty: its model and task are taken as given).
        demo.load(lambda model: model, page.picker.model, page.picker.picked, api_visibility="private", queue=False,
                  show_progress="hidden")
        demo.load(page.on_identity, page.tokens.token, page.tokens.identity, api_visibility="private",
                  concurrency_limit=None, concurrency_id="hub")
    with demo.route("Side by side", SIDE_BY_SIDE_PATH):  # a page of its own: the Playground's carries none of it
        build_side_by_side(services)
    return demo
