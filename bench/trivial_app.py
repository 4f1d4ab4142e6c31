"""The yardstick: the smallest Gradio app with the playground's shape, a text box, a button and a text
box (`#prompt` → `#run` → `#output`), launched the same way: `python -m bench.trivial_app`.

With BENCH_INPUTS / BENCH_OUTPUTS / BENCH_GENERATOR set, the same echo gets as many (unused) extra
text boxes as the playground's Run has inputs and outputs, as a generator: what Gradio itself costs
for an event of that shape, with no work in it.
"""
from __future__ import annotations

import os
from typing import Any, AsyncIterator

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

import gradio as gr  # noqa: E402

__all__ = ["build_demo"]


def build_demo(inputs: int = 1, outputs: int = 1, generator: bool = False) -> gr.Blocks:
    with gr.Blocks(title="Echo") as demo:
        prompt = gr.Textbox(label="Prompt", elem_id="prompt")
        more_inputs = [gr.Textbox(label=f"input {n}") for n in range(2, inputs + 1)]
        run = gr.Button("Run", elem_id="run")
        output = gr.Textbox(label="Answer", elem_id="output")
        more_outputs = [gr.Textbox(label=f"output {n}") for n in range(2, outputs + 1)]

        def echo(text: str, *_: Any) -> Any:
            return text if outputs == 1 else [text, *("" for _ in more_outputs)]

        async def echo_once(text: str, *rest: Any) -> AsyncIterator[Any]:
            yield echo(text, *rest)

        run.click(echo_once if generator else echo, [prompt, *more_inputs], [output, *more_outputs], api_name="run",
                  show_progress="hidden")
    return demo


if __name__ == "__main__":
    build_demo(int(os.environ.get("BENCH_INPUTS", "1")), int(os.environ.get("BENCH_OUTPUTS", "1")),
               os.environ.get("BENCH_GENERATOR") == "1").launch()
