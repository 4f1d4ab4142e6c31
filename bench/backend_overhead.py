"""Per-call cost of the backend, and of huggingface_hub's InferenceClient, over a raw requests POST.

All three make the same text-classification call to the same fake server, interleaved in rounds so
drift hits them alike; the figure is the ratio of median per-call times measured in this one run.
"""
from __future__ import annotations

import statistics
import time
from typing import Callable

import requests
from huggingface_hub import InferenceClient

from backend import Playground, load_settings
from bench.fake_server import fake_hf_process

MODEL = "distilbert/distilbert-base-uncased-finetuned-sst-2-english"
TOKEN = "hf_bench0000000000000000000"
BODY = {"inputs": "I like you", "parameters": {}}


def _callers(base: str) -> dict[str, Callable[[], object]]:
    url = f"{base}/hf-inference/models/{MODEL}"
    session = requests.Session()
    playground = Playground(load_settings({"HF_ROUTER_URL": base, "HF_ENDPOINT": base}, None, read_token_file=False))
    request = playground.build_request(task="text-classification", model_id=MODEL, inputs={"text": "I like you"})
    client = InferenceClient(model=url, token=TOKEN)

    def raw() -> object:
        return session.post(url, json=BODY, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=(5, 30)).json()

    def backend() -> object:
        result = playground.run_to_end(request, TOKEN)
        assert result.ok
        return result.json

    return {"raw requests": raw, "backend": backend,
            "InferenceClient": lambda: client.text_classification("I like you")}


def measure(calls: int = 500, rounds: int = 10) -> dict[str, float]:
    """Median seconds per call for each caller, `calls` calls each."""
    with fake_hf_process() as base:
        callers = _callers(base)
        for fn in callers.values():  # warm up connections and imports
            for _ in range(20):
                fn()
        samples: dict[str, list[float]] = {name: [] for name in callers}
        for _ in range(rounds):
            for name, fn in callers.items():
                for _ in range(calls // rounds):
                    started = time.perf_counter()
                    fn()
                    samples[name].append(time.perf_counter() - started)
    return {name: statistics.median(values) for name, values in samples.items()}


def report(calls: int = 500) -> list[str]:
    medians = measure(calls)
    raw = medians["raw requests"]
    return [
        f"per-call median over {calls} calls each: " + ", ".join(f"{k} {v * 1000:.2f} ms" for k, v in medians.items()),
        f"backend / raw requests POST: {medians['backend'] / raw:.2f}x (goal <= 1.10x)",
        f"InferenceClient / raw requests POST: {medians['InferenceClient'] / raw:.2f}x",
    ]


if __name__ == "__main__":
    print("\n".join(report()))
