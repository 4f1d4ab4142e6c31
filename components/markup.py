"""Turning untrusted text (model output, server messages, Hub metadata) into inert Markdown.

Everything shown through `gr.Markdown` passes `inert()`: HTML is escaped and Markdown syntax is
backslash-escaped, so no image, link or tag can come from data (SECURITY.md T10). Only links to
huggingface.co that *we* mean to show (licence pages, token settings) are turned back into links.
"""
from __future__ import annotations

import html
import re

__all__ = ["inert", "inert_with_links", "hf_link"]

# Every ASCII punctuation mark Markdown may give meaning to; escaping them all is always safe.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~>:])")
# Only Hub pages are linked back: a fixed host and a conservative path alphabet (no parentheses,
# quotes or spaces), so the link target cannot break out of the Markdown link syntax.
_HF_URL = re.compile(r"https://huggingface\.co(?:/[A-Za-z0-9_.\-/]*)?")


def inert(text: str, *, already_html_escaped: bool = False) -> str:
    """Return `text` as Markdown that renders exactly as the characters given, and nothing more."""
    escaped = text if already_html_escaped else html.escape(text, quote=False)
    return _MARKDOWN_SPECIAL.sub(r"\\\1", escaped)


def hf_link(url: str, label: str = "") -> str:
    """A Markdown link to a huggingface.co page; anything else comes back as inert text."""
    if not _HF_URL.fullmatch(url):
        return inert(label or url)
    return f"[{inert(label or url)}]({url})"


def inert_with_links(text: str, *, already_html_escaped: bool = False) -> str:
    """Like `inert`, but https://huggingface.co/... URLs inside the text stay clickable."""
    pieces: list[str] = []
    position = 0
    for match in _HF_URL.finditer(text):
        url = match.group(0).rstrip(".")  # a sentence-final full stop is not part of the URL
        pieces.append(inert(text[position:match.start()], already_html_escaped=already_html_escaped))
        pieces.append(hf_link(url))
        position = match.start() + len(url)
    pieces.append(inert(text[position:], already_html_escaped=already_html_escaped))
    return "".join(pieces)
