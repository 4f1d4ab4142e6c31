"""The image upload field: `gr.Image`, except that a file which is not an image gets a sentence.

Gradio opens an upload with PIL while preprocessing, before any handler runs, so without this a
PDF in the image box ends in Gradio's generic error. It is a subclass (not a per-instance wrapper)
because Gradio re-creates components per session. (Gradio writes a typing stub, image_field.pyi,
beside every component subclass on import; .gitignore keeps it out of the repository.)
"""
from __future__ import annotations

from typing import Any

import gradio as gr

__all__ = ["ImageUpload", "NOT_AN_IMAGE"]

NOT_AN_IMAGE = "That file is not an image: upload a PNG, JPEG, GIF or WebP file."


class ImageUpload(gr.Image):
    is_template = True  # drawn by the frontend's own Image component

    def preprocess(self, payload: Any) -> Any:
        try:
            return super().preprocess(payload)
        except (OSError, ValueError, SyntaxError):  # PIL.UnidentifiedImageError is an OSError
            raise gr.Error(NOT_AN_IMAGE) from None
