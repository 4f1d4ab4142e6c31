"""Custom endpoint: send the run to an Inference Endpoint or a self-hosted TGI / vLLM / Ollama server
(OpenAI-compatible for chat) instead of the router, for chat and task routes alike.

An endpoint the visitor names gets their own HF token (Hugging Face hosts only) or the key they type;
the server's token goes only to the endpoints the operator lists (`backend/credentials.py`, T9, T16).
A link or an imported run never fills the URL: it is offered, as text and a button the visitor presses.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import gradio as gr

from backend import Settings
from backend.credentials import ENDPOINT_KEY, NONE, OPERATOR, VISITOR, endpoint_credential
from backend.errors import InvalidInput, user_message

from .markup import inert

__all__ = ["EndpointPanel", "build_endpoint_panel", "offer_endpoint", "endpoint_note", "wire_endpoint"]


@dataclass
class EndpointPanel:
    """Handles of the endpoint fields; both are `run` inputs (`endpoint_url`, `endpoint_key`)."""

    accordion: gr.Accordion
    url: gr.Textbox
    key: gr.Textbox
    offer_row: gr.Row       # an endpoint a link or an imported run was recorded against, not filled in
    offer_note: gr.Markdown
    offer: gr.Button        # "Use this endpoint": the visitor's own choice fills the URL
    offered: gr.State       # the URL offered


def build_endpoint_panel(settings: Settings) -> EndpointPanel:
    """Render the fields, folded away (and hidden when the operator switched custom endpoints off)."""
    with gr.Row(visible=False, elem_id="endpoint-offer-row") as offer_row:
        offer_note = gr.Markdown(elem_id="endpoint-offer-note")
        offer = gr.Button("Use this endpoint", size="sm", scale=0, min_width=160, elem_id="endpoint-offer")
    with gr.Accordion("Custom endpoint", open=False, visible=settings.custom_endpoints,
                      elem_id="endpoint") as accordion:
        url = gr.Textbox(label="Custom endpoint URL", elem_id="endpoint-url",
                         placeholder="https://xyz.endpoints.huggingface.cloud",
                         info="Leave empty to use the Hugging Face router. Chat is sent to …/v1/chat/completions.")
        key = gr.Textbox(label="Endpoint key", type="password", elem_id="endpoint-key",
                         info="Sent instead of any HF token. An endpoint you name gets this key or your own "
                              "HF token, never the server's; a host that is not Hugging Face's never gets an HF token.")
    return EndpointPanel(accordion, url, key, offer_row, offer_note, offer, gr.State(""))


_WHOSE = {VISITOR: "**your own token**", ENDPOINT_KEY: "**the endpoint key you typed**",
          OPERATOR: "**the server's token** (its operator lists this endpoint)", NONE: "**no credential**"}


def endpoint_note(url: str, visitor: str | None, key: str | None, settings: Settings) -> str:
    """Which credential a run would send to `url`, in words, or why none may go and what to paste."""
    try:
        whose = _WHOSE[endpoint_credential(url, visitor, key, settings).whose]
    except InvalidInput as err:
        return "⚠ " + inert(user_message(err), already_html_escaped=True)
    return f"Runs will send {whose} to {inert(_host(url))}."


def offer_endpoint(panel: EndpointPanel, url: str, why: str) -> dict[Any, Any]:
    """Updates that leave the URL field empty and offer `url` (recorded by a link or an import) instead."""
    if not url:
        return {panel.url: "", panel.offered: "", panel.offer_row: gr.Row(visible=False),
                panel.offer_note: "", panel.offer: gr.Button(visible=False)}
    note = (f"🔒 This run was recorded against the endpoint **{inert(_host(url))}**. {why} never chooses where "
            "your credentials go: press **Use this endpoint** to send your run there yourself.")
    return {panel.url: "", panel.offered: url, panel.offer_row: gr.Row(visible=True), panel.offer_note: note,
            panel.offer: gr.Button(visible=True)}


def _host(url: str) -> str:
    try:
        return urlsplit(url).netloc or url[:80]
    except ValueError:
        return url[:80]


class EndpointHandlers:
    def __init__(self, panel: EndpointPanel, settings: Settings, visitor: Any) -> None:
        self.panel, self.settings, self.visitor = panel, settings, visitor

    def on_offer(self, offered: str, token: str | None, key: str | None,
                 oauth_token: gr.OAuthToken | None = None) -> dict[Any, Any]:
        """Fill the URL the visitor chose to use, saying which credential will go there."""
        if not offered:
            return {self.panel.offer_row: gr.Row(visible=False)}
        note = endpoint_note(offered, self.visitor(token, oauth_token), key, self.settings)
        return {self.panel.url: offered, self.panel.accordion: gr.Accordion(open=True),
                self.panel.offer_note: f"✓ Endpoint filled in. {note}", self.panel.offer: gr.Button(visible=False)}


def wire_endpoint(panel: EndpointPanel, settings: Settings, visitor: Any, token: gr.Textbox) -> None:
    handlers = EndpointHandlers(panel, settings, visitor)
    panel.offer.click(handlers.on_offer, [panel.offered, token, panel.key],
                      [panel.url, panel.accordion, panel.offer_note, panel.offer, panel.offer_row],
                      api_visibility="private", queue=False)
