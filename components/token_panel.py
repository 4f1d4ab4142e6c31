"""The token panel: who runs are made as, a per-session token field that overrides the operator's
token, and on a Space the "Sign in with Hugging Face" button.

The field is a password box whose value lives only in this browser tab: the app launches with
run history off, so Gradio keeps nothing in localStorage, and the server's token is never a value.
"""
from __future__ import annotations

import importlib.util
from dataclasses import dataclass

import gradio as gr

from backend import Settings

__all__ = ["TokenPanel", "build_token_panel", "can_sign_in"]

CHECKING = "Checking the token…"


@dataclass
class TokenPanel:
    """Handles of the token panel; `login` exists only on a Space."""

    identity: gr.Markdown
    token: gr.Textbox   # its "Check" button is the box's own submit button
    login: gr.LoginButton | None


def can_sign_in(settings: Settings) -> bool:
    """"Sign in with Hugging Face" only on a Space with OAuth enabled, and only when gradio[oauth] is
    installed (without it Gradio cannot even build the page). Anywhere else Gradio would mock the
    login with the machine's own token, which must never stand in for a visitor's."""
    return settings.space_oauth and all(importlib.util.find_spec(name) for name in ("authlib", "itsdangerous"))


def build_token_panel(settings: Settings) -> TokenPanel:
    """Render the panel. The identity line is filled on page load, not at build time."""
    with gr.Group(elem_id="token-panel"):
        identity = gr.Markdown(CHECKING if settings.hf_token else "", elem_id="whoami")
        login = gr.LoginButton(size="sm") if can_sign_in(settings) else None
        token = gr.Textbox(label="Your Hugging Face token (this tab only)", type="password", placeholder="hf_…",
                           elem_id="token", submit_btn="Check", info="Overrides the server's token; never stored.")
    return TokenPanel(identity, token, login)
