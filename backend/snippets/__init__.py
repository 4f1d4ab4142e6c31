"""Copy-as-code: one `InferenceRequest` written out as curl, Python or JavaScript that sends it again.

There is no token parameter anywhere (SECURITY.md T2): a snippet reads `HF_TOKEN` from the environment,
or `API_TOKEN` for a host that is not Hugging Face's. curl, requests and fetch send the very bytes the
playground sent. Layout: `plan` (what the request is: route, chat or not, answer file), `plain_http`
(curl, requests, fetch), `calls` (the task → client-method table), `clients` (huggingface_hub, the
OpenAI client, @huggingface/inference) and `literals` (values spelled as Python or JavaScript source).
"""
from __future__ import annotations

from typing import Callable, Mapping

from ..result import InferenceRequest
from .clients import write_hub, write_javascript, write_openai
from .plain_http import write_curl, write_node, write_python
from .plan import TOKEN_VARIABLES, Plan, make_plan

__all__ = ["LANGUAGES", "LANGUAGE_LABELS", "TOKEN_VARIABLES", "build_snippet", "build_all"]

LANGUAGES = ("curl", "python", "huggingface_hub", "openai", "node", "javascript")
LANGUAGE_LABELS = {
    "curl": "curl", "python": "Python (requests)", "huggingface_hub": "Python (huggingface_hub)",
    "openai": "Python (openai client)", "node": "Node.js (fetch)", "javascript": "JavaScript (@huggingface/inference)",
}

_WRITERS: Mapping[str, Callable[[Plan], str]] = {
    "curl": write_curl, "python": write_python, "huggingface_hub": write_hub, "openai": write_openai,
    "node": write_node, "javascript": write_javascript,
}


def build_snippet(request: InferenceRequest, language: str, *, upload_name: str = "input.bin") -> str:
    """Code in `language` (one of LANGUAGES) that sends `request` again, token read from the environment.

    `upload_name` is the file a snippet reads the bytes of an upload from (image, audio).
    """
    writer = _WRITERS.get(language)
    if writer is None:
        raise ValueError(f"unknown snippet language {language!r}; choose one of {', '.join(LANGUAGES)}")
    return writer(make_plan(request, upload_name or "input.bin"))


def build_all(request: InferenceRequest, *, upload_name: str = "input.bin") -> dict[str, str]:
    """Every language's snippet, keyed as in LANGUAGES."""
    return {language: build_snippet(request, language, upload_name=upload_name) for language in LANGUAGES}
