"""Whose token a run uses and who that is: the visitor's typed token, their Hugging Face login, or
the operator's. Hub `whoami` answers are cached by sha256(token) only, so no shared structure ever
holds a token (SECURITY.md T6), and only the account name and token role are kept.
"""
from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass

from backend import Hub, PlaygroundError, Settings, user_message
from backend.errors import TOKENS_URL
from backend.redact import mask_token

from ..markup import hf_link, inert, inert_with_links

__all__ = ["Identity", "WhoAmICache", "visitor_token", "describe_identity"]

# Gradio's local stand-in for "Sign in with HF" injects this, not a real token.
_MOCK_OAUTH_PREFIX = "mock-"


def visitor_token(typed: str | None, oauth_token: str | None) -> str | None:
    """The visitor's own token, if any: a typed one wins over the login; a mocked login is none."""
    typed = (typed or "").strip()
    if typed:
        return typed
    if oauth_token and not oauth_token.startswith(_MOCK_OAUTH_PREFIX):
        return oauth_token
    return None


@dataclass(frozen=True)
class Identity:
    """The account behind a token, as far as the page needs it."""

    name: str
    role: str = ""


class WhoAmICache:
    """Bounded cache of `Hub.whoami` answers keyed by the token's sha256; thread-safe."""

    def __init__(self, hub: Hub, capacity: int = 512) -> None:
        self._hub = hub
        self._capacity = capacity
        self._lock = threading.Lock()
        self._answers: OrderedDict[str, Identity] = OrderedDict()

    def identity(self, token: str) -> Identity:
        """Who `token` belongs to; raises PlaygroundError (e.g. AuthError) when the Hub says no."""
        key = hashlib.sha256(token.encode()).hexdigest()
        with self._lock:
            if key in self._answers:
                self._answers.move_to_end(key)
                return self._answers[key]
        answer = self._hub.whoami(token)
        role = ((answer.get("auth") or {}).get("accessToken") or {}).get("role", "")
        found = Identity(name=str(answer.get("name", "?")), role=str(role))
        with self._lock:
            self._answers[key] = found
            while len(self._answers) > self._capacity:
                self._answers.popitem(last=False)
        return found


def _how_to_add_token(can_sign_in: bool) -> str:
    login = " or sign in with Hugging Face above" if can_sign_in else ""
    return (f"**No token yet.** Anonymous calls are refused or tightly rate-limited. Create a token at "
            f"{hf_link(TOKENS_URL)} (tick *Make calls to Inference Providers*) and paste it below{login}"
            f", or set `HF_TOKEN` before starting the app.")


def describe_identity(cache: WhoAmICache, settings: Settings, visitor: str | None, can_sign_in: bool = False) -> str:
    """A Markdown line saying which token runs will use and whose it is, or how to add one."""
    token = visitor or settings.hf_token
    if not token:
        return _how_to_add_token(can_sign_in)
    whose = "your token" if visitor else "the server's token"
    if not visitor and not settings.show_server_account:  # whose account it is stays the operator's business
        return ("Runs use **the server's token** for Hugging Face's router (not for endpoints you name). "
                "Paste your own below to use your account instead.")
    masked = inert(mask_token(token))
    try:
        who = cache.identity(token)
    except PlaygroundError as err:
        return f"Runs use **{whose}** ({masked}), but it could not be checked: " + \
            inert_with_links(user_message(err), already_html_escaped=True)
    role = f", {inert(who.role)} token" if who.role else ""
    hint = "" if visitor else " Paste your own below to use your account instead."
    return f"Runs use **{whose}** ({masked}): signed in as **{inert(who.name)}**{role}.{hint}"
