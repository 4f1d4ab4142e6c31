"""Custom endpoint: send the run to an Inference Endpoint or a self-hosted TGI / vLLM / Ollama server
(OpenAI-compatible for chat) instead of the router, for chat and task routes alike.

The HF token only ever goes to Hugging Face hosts; any other host gets the separate endpoint key,
and a public app refuses hosts the operator did not allow (checked in `backend/targets.py`, T9).
"""
from __future__ import annotations

from dataclasses import dataclass

import gradio as gr

from backend import Settings

__all__ = ["EndpointPanel", "build_endpoint_panel"]


@dataclass
class EndpointPanel:
    """Handles of the endpoint fields; both are `run` inputs (`endpoint_url`, `endpoint_key`)."""

    accordion: gr.Accordion
    url: gr.Textbox
    key: gr.Textbox


def build_endpoint_panel(settings: Settings) -> EndpointPanel:
    """Render the fields, folded away (and hidden when the operator switched custom endpoints off)."""
    with gr.Accordion("Custom endpoint", open=False, visible=settings.custom_endpoints,
                      elem_id="endpoint") as accordion:
        url = gr.Textbox(label="Custom endpoint URL", elem_id="endpoint-url",
                         placeholder="https://xyz.endpoints.huggingface.cloud",
                         info="Leave empty to use the Hugging Face router. Chat is sent to …/v1/chat/completions.")
        key = gr.Textbox(label="Endpoint key", type="password", elem_id="endpoint-key",
                         info="Only for hosts that are not Hugging Face's: your HF token is never sent there.")
    return EndpointPanel(accordion, url, key)
