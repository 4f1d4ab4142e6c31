"""The yardstick: the smallest Gradio app with the playground's shape, a text box, a button and a text
box (`#prompt` → `#run` → `#output`), launched the same way: `python -m bench.trivial_app`.
"""
from __future__ import annotations

import os

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

import gradio as gr  # noqa: E402

__all__ = ["build_demo"]


def build_demo() -> gr.Blocks:
    with gr.Blocks(title="Echo") as demo:
        prompt = gr.Textbox(label="Prompt", elem_id="prompt")
        run = gr.Button("Run", elem_id="run")
        output = gr.Textbox(label="Answer", elem_id="output")
        run.click(lambda text: text, prompt, output, api_name="run")
    return demo


if __name__ == "__main__":
    build_demo().launch()
