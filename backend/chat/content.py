"""A user message's `content` for chat completions: plain text, or OpenAI content parts with an image."""
from __future__ import annotations

import base64
import re
from typing import Any

from ..errors import InvalidParameters

__all__ = ["user_message_content", "MAX_IMAGE_BYTES"]

MAX_IMAGE_BYTES = 10 * 2**20
_IMAGE_TYPE = re.compile(r"^image/[a-z0-9][a-z0-9.+-]{0,40}$")


def user_message_content(text: str, image_bytes: bytes | None = None,
                         image_type: str = "image/png") -> str | list[dict[str, Any]]:
    """A user message's `content`: the text, or OpenAI content parts with the image as a `data:` URL.

    For image-text-to-text models. Raises InvalidParameters for an odd MIME type or an oversized image.
    """
    if not image_bytes:
        return text
    mime = (image_type or "").strip().lower()
    if not _IMAGE_TYPE.fullmatch(mime):
        raise InvalidParameters(f"'{mime[:40]}' is not an image type (expected e.g. image/png).", field="image")
    if len(image_bytes) > MAX_IMAGE_BYTES:
        raise InvalidParameters(f"The image is {len(image_bytes) / 2**20:.1f} MB; the limit is "
                                f"{MAX_IMAGE_BYTES / 2**20:.0f} MB.", field="image")
    url = f"data:{mime};base64,{base64.b64encode(image_bytes).decode('ascii')}"
    parts: list[dict[str, Any]] = [{"type": "text", "text": text}] if text.strip() else []
    return [*parts, {"type": "image_url", "image_url": {"url": url}}]
