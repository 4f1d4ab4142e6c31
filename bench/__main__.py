"""Run every benchmark in bench/ and print its figures: `python -m bench`."""
from __future__ import annotations

import importlib
import sys

BENCHMARKS = ["bench.backend_overhead", "bench.chat_stream", "bench.chat_columns", "bench.click_latency",
              "bench.cold_crowd", "bench.startup", "bench.load", "bench.media_download",
              "bench.job_polling", "bench.page_load"]


def main(names: list[str]) -> None:
    for name in names or BENCHMARKS:
        module = importlib.import_module(name)
        print(f"== {name}: {module.__doc__.strip().splitlines()[0]}")
        for line in module.report():
            print("  " + line)


if __name__ == "__main__":
    main(sys.argv[1:])
