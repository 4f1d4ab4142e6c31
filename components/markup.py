"""Turning untrusted text (model output, server messages, Hub metadata) into inert Markdown.

Everything shown through `gr.Markdown` passes `inert()`: HTML is escaped and Markdown syntax is
backslash-escaped, so no image, link or tag can come from data (SECURITY.md T10). Only links to
huggingface.co that *we* mean to show (licence pages, token settings) are turned back into links.
Chat answers are the one exception: `chat_markdown()` keeps their Markdown (lists, emphasis, code
blocks, web links) but still escapes HTML and stops images.
"""
from __future__ import annotations

import html
import re
from typing import Iterator

__all__ = ["inert", "inert_with_links", "hf_link", "chat_markdown"]

# Every ASCII punctuation mark Markdown may give meaning to; escaping them all is always safe.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~>:])")
# Only Hub pages are linked back: a fixed host and a conservative path alphabet (no parentheses,
# quotes or spaces), so the link target cannot break out of the Markdown link syntax.
_HF_URL = re.compile(r"https://huggingface\.co(?:/[A-Za-z0-9_.\-/]*)?")
_FENCE = re.compile(r" {0,3}(?P<fence>`{3,}|~{3,})(?P<info>.*)")
_BACKTICKS = re.compile(r"`+")
# `![alt](url)` or `![alt][ref]`: the browser would fetch the URL (a tracking pixel, an exfiltration).
_IMAGE = re.compile(r"!\[")
# A link whose target is not a web page (javascript:, data:, a relative path) stays plain text.
_NON_WEB_LINK = re.compile(r"\]\((?!https?://)", re.IGNORECASE)


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


def _blocks(text: str) -> Iterator[tuple[str | None, str]]:
    """Split Markdown into prose (info None) and fenced code blocks (info: the fence's language)."""
    lines: list[str] = []
    fence, info = "", None
    for line in text.split("\n"):
        opener = None if fence else _FENCE.fullmatch(line)
        if opener and not (opener["fence"][0] == "`" and "`" in opener["info"]):  # CommonMark's rule
            yield None, "\n".join(lines)
            lines, fence, info = [], opener["fence"], opener["info"]
        elif fence and re.fullmatch(rf" {{0,3}}{re.escape(fence[0])}{{{len(fence)},}}[ \t]*", line):
            yield info, "\n".join(lines)
            lines, fence, info = [], "", None
        else:
            lines.append(line)
    yield info, "\n".join(lines)  # a block still open (a stream in progress) ends with the text


def _code_block(info: str, code: str) -> str:
    # Written out again with a fence no line of the code can close, so the browser's Markdown
    # renderer sees exactly this code block, whose text it shows as is (no escaping needed).
    fence = "`" * max(3, 1 + max((len(run) for run in _BACKTICKS.findall(code)), default=0))
    language = re.sub(r"[^\w+#.-]", "", (info.split() or [""])[0])[:20]
    return f"\n\n{fence}{language}\n{code}\n{fence}\n\n"


def _prose(text: str) -> str:
    return _NON_WEB_LINK.sub(r"]\\(", _IMAGE.sub(r"!\\[", html.escape(text, quote=False)))


def chat_markdown(text: str) -> str:
    """Model text for the chat transcript: its Markdown renders, but HTML shows as text, no image
    loads and only http(s) targets stay links (SECURITY.md T10). The Chatbot's sanitizer stays on
    as a second line; code blocks keep their `<` and `&` readable."""
    return "".join(_prose(part) if info is None else _code_block(info, part) for info, part in _blocks(text))
