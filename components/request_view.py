"""The request as sent (`#request`: method, URL, headers with the token masked, body), the response
headers worth seeing, and copy-as-code (`#code`) for that exact request in several languages.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

import gradio as gr

from backend.snippets import LANGUAGE_LABELS, LANGUAGES

from .handlers.run import RunView

__all__ = ["RequestPanel", "build_request_panel", "code_for"]

NO_CODE_YET = "# Run a request first: its code appears here, ready to copy."
# gr.Code highlighting per snippet language.
_HIGHLIGHT = {"curl": "shell", "python": "python", "huggingface_hub": "python", "openai": "python",
              "node": "javascript", "javascript": "javascript"}


def code_for(snippets: Mapping[str, str], language: str) -> dict[str, Any]:
    """The code panel's value and highlighting for `language`."""
    return {"value": snippets.get(language, NO_CODE_YET), "language": _HIGHLIGHT.get(language, "shell")}


@dataclass
class RequestPanel:
    """Handles of the request inspector and the code panel; `snippets` keeps this session's code."""

    request: gr.JSON
    response_headers: gr.JSON
    language: gr.Radio
    code: gr.Code
    snippets: gr.State

    @property
    def components(self) -> list[Any]:
        return [self.request, self.response_headers, self.code, self.snippets]

    def show(self, view: RunView, language: str) -> dict[Any, Any]:
        """The request when it is sent (cleared when nothing was), its response headers when done."""
        if view.phase == "progress":
            return {}
        # Only the code's text: its highlighting follows the language picker (`code_for`).
        return {self.request: view.request, self.snippets: dict(view.snippets),
                self.code: code_for(view.snippets, language)["value"],
                self.response_headers: dict(view.response_headers) if view.phase == "done" else None}


def build_request_panel() -> RequestPanel:
    """Render the request (left) and its code (right)."""
    with gr.Row(equal_height=False):
        with gr.Column(scale=1, min_width=300):
            request = gr.JSON(label="Request as sent (token masked)", open=True, elem_id="request")
            response_headers = gr.JSON(label="Response headers", open=True, elem_id="response-headers")
        with gr.Column(scale=1, min_width=300):
            language = gr.Radio([(LANGUAGE_LABELS[name], name) for name in LANGUAGES], value=LANGUAGES[0],
                                label="Copy as code", elem_id="code-language")
            # Long lines wrap: a box that scrolls sideways cannot be scrolled from the keyboard (axe).
            code = gr.Code(NO_CODE_YET, language="shell", label="Code for this request", elem_id="code",
                           interactive=False, lines=12, wrap_lines=True)
    snippets = gr.State({})
    return RequestPanel(request, response_headers, language, code, snippets)
