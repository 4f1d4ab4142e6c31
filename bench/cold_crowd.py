"""A fast run's latency while 20 other sessions wait on a cold model, over the same fast run alone.

The playground runs as `python app.py` against the fake in another process. The fast run (a recorded
text classification) is timed alone, then while 20 gradio_client sessions each wait on `fake/cold-60`
(retrying every 10 s and ticking a countdown every second), then alone again; the figure is the ratio
of the crowded median to the median of both quiet phases. The app's CPU use with nobody running and
with the crowd only waiting says what the waiting itself costs, whatever else the machine is doing.
"""
from __future__ import annotations

import statistics
import time

import httpx
from gradio_client import Client

from bench.app_process import PLAYGROUND, cores_used, served
from bench.fake_server import fake_hf_process
from bench.figures import ratio_line
from bench.load import RunCaller

CROWD = 20
RUNS = 20
CPU_WINDOW = 3.0  # seconds over which the app's CPU use is read
FAST = {"task": "text-classification", "model": "distilbert/distilbert-base-uncased-finetuned-sst-2-english"}
COLD = {"task": "text-classification", "model": "fake/cold-60"}


def _timed(caller: RunCaller, runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        outputs = caller(**FAST)
        times.append(time.perf_counter() - started)
        assert "HTTP 200" in outputs["status"], outputs["status"]
    return times


def _wait_until_all_waiting(base: str, crowd: int, timeout: float = 30.0) -> None:
    """Until the fake has had one request per crowd session for the cold model."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        log = httpx.get(f"{base}/_fake/requests", timeout=10).json()
        if sum(entry["path"].endswith(COLD["model"]) for entry in log) >= crowd:
            return
        time.sleep(0.1)
    raise RuntimeError("the crowd did not reach the cold model")


def measure(crowd: int = CROWD, runs: int = RUNS) -> dict[str, float]:
    """Median seconds of the fast run alone (before and after) and beside the waiting crowd, and the
    app's CPU use (in cores) idle and while the crowd waits."""
    with fake_hf_process() as base, served(PLAYGROUND, {"HF_ROUTER_URL": base, "HF_ENDPOINT": base,
                                                        "HF_TOKEN": "hf_benchOPERATOR0000000000"}) as app:
        caller = RunCaller(Client(app.url, verbose=False, download_files=False))
        _timed(caller, 3)  # warm up connections and imports
        before = _timed(caller, runs)
        idle_cores = cores_used(app.pid, CPU_WINDOW)
        waiting = [RunCaller(Client(app.url, verbose=False, download_files=False)).submit(**COLD)
                   for _ in range(crowd)]
        _wait_until_all_waiting(base, crowd)
        waiting_cores = cores_used(app.pid, CPU_WINDOW)
        crowded = _timed(caller, runs)
        for job in waiting:
            job.cancel()
        after = _timed(caller, runs)
    return {"alone": statistics.median(before + after), "crowded": statistics.median(crowded),
            "idle_cores": idle_cores, "waiting_cores": waiting_cores}


def report(crowd: int = CROWD, runs: int = RUNS) -> list[str]:
    figures = measure(crowd, runs)
    ratio = figures["crowded"] / figures["alone"]
    return [
        f"fast run, median of {runs}: alone {figures['alone'] * 1000:.0f} ms, beside {crowd} sessions waiting on "
        f"fake/cold-60 {figures['crowded'] * 1000:.0f} ms",
        ratio_line("crowded / alone", ratio, 1.5),
        f"the app's CPU: {figures['idle_cores']:.2f} cores idle, {figures['waiting_cores']:.2f} cores while the "
        f"{crowd} sessions only wait ({figures['waiting_cores'] / crowd * 100:.1f}% of a core per waiting session)",
    ]


if __name__ == "__main__":
    print("\n".join(report()))
