"""`python app.py` from process start to its first HTTP 200, over a trivial Gradio app's.

Both start the same way (same interpreter, same environment, GRADIO_ANALYTICS_ENABLED=False, a free
port), alternately, and are timed until `GET /` answers 200; the figure is the ratio of medians.
"""
from __future__ import annotations

import statistics

from bench.app_process import PLAYGROUND, TRIVIAL, time_to_first_200
from bench.figures import ratio_line

STARTS = 3


def measure(starts: int = STARTS) -> dict[str, float]:
    """Median seconds to the first 200 for each app, `starts` starts each, interleaved."""
    times: dict[str, list[float]] = {"playground": [], "trivial": []}
    time_to_first_200(TRIVIAL)  # warm the OS file cache so the first start is not the odd one out
    for _ in range(starts):
        times["playground"].append(time_to_first_200(PLAYGROUND))
        times["trivial"].append(time_to_first_200(TRIVIAL))
    return {name: statistics.median(values) for name, values in times.items()}


def report(starts: int = STARTS) -> list[str]:
    figures = measure(starts)
    ratio = figures["playground"] / figures["trivial"]
    return [
        f"start to first HTTP 200, median of {starts}: python app.py {figures['playground']:.2f} s, "
        f"trivial Gradio app {figures['trivial']:.2f} s",
        ratio_line("playground / trivial", ratio, 1.3),
    ]


if __name__ == "__main__":
    print("\n".join(report()))
