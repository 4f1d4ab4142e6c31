"""Shareable links. On page load `?model=&task=&text=&provider=` (and question, context, labels)
fills the form; "Link to this form" gives the link for what the form holds; a run from the history
travels as a frozen result (`?frozen=<token>`) that the page shows without calling the API.

A link is untrusted: `backend.links` checks every value and what fails is dropped with a visible
warning. Opening a link never sends anything: the visitor presses Run.

This module builds the notice and the share row; their listeners are in `links_events.py`.
"""
from __future__ import annotations

from dataclasses import dataclass

import gradio as gr

__all__ = ["LinkPanel", "build_link_notice", "build_link_panel"]


@dataclass
class LinkPanel:
    """Handles of the link notice (above the form) and the share row (beside the history)."""

    notice: gr.Markdown  # what an opened link filled in, or the frozen result it carried
    copy: gr.Button      # "Link to this form"
    freeze: gr.Button    # the selected history run as a frozen result
    link: gr.Textbox     # the link to copy
    hint: gr.Markdown    # what a link had to leave out


def build_link_notice() -> gr.Markdown:
    return gr.Markdown(visible=False, elem_id="link-note")


def build_link_panel(notice: gr.Markdown) -> LinkPanel:
    with gr.Row(equal_height=False, elem_id="share-row"):
        with gr.Column(scale=1, min_width=240):
            copy = gr.Button("Link to this form", size="sm", elem_id="copy-link")
            freeze = gr.Button("Frozen link to the selected run", size="sm", elem_id="freeze-link")
        link = gr.Textbox(label="Link to share", interactive=False, buttons=["copy"], scale=4, visible=False,
                          elem_id="share-link")
    hint = gr.Markdown(visible=False, elem_id="share-note", elem_classes=["hint"])
    return LinkPanel(notice, copy, freeze, link, hint)
