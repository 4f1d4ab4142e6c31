"""Following provider jobs: status requests per minute for a scripted 60 s job, seconds from the job's
completion to its answer in hand, and the app's CPU while 20 sessions wait on jobs, over 20 sessions
waiting on cold models (the polling the playground has done for cold starts all along).

The fake runs in its own process. The app's CPU is read from `python app.py` with 20 gradio_client
sessions each running `fake/video-60s` through fal-ai, then each waiting on `fake/cold-300`. The poll
count and the completion-to-answer lag come from 20 backend sessions (threads here, following
`Playground.run` as the page does) on `fake/video-60s` (queued for 20 s, done 60 s after submission);
their CPU in this process is printed too, beside 20 backend sessions waiting on a cold model.
"""
from __future__ import annotations

import threading
import time
from typing import Any

import httpx
from gradio_client import Client

from backend import Finished, Playground, load_settings
from bench.app_process import PLAYGROUND, cores_used, served
from bench.fake_server import fake_hf_process
from bench.load import RunCaller
from bench.figures import ratio_line

CROWD = 20
COLD_WINDOW = 20.0      # seconds the cold-model crowd is measured over
JOB_SECONDS = 60.0
GOALS = {"polls": 60.0, "lag": 1.0, "cpu": 1.5}


def _playground(base: str) -> Playground:
    cdn = base.rsplit(":", 1)[0].removeprefix("http://") + f":{int(base.rsplit(':', 1)[1]) + 1}"
    return Playground(load_settings({"HF_ROUTER_URL": base, "HF_ENDPOINT": base, "PLAYGROUND_POLL_DEADLINE": "300",
                                     "PLAYGROUND_MEDIA_HOSTS": cdn}, None, read_token_file=False))


def _follow(playground: Playground, request: Any, stop: threading.Event, out: dict[str, Any]) -> None:
    events = playground.run(request, token="hf_bench")
    try:
        for event in events:
            if isinstance(event, Finished):
                out["done_at"], out["result"] = time.monotonic(), event.result
                return
            if stop.is_set():
                return
    finally:
        events.close()


def _crowd(playground: Playground, requests: list[Any], seconds: float | None) -> tuple[float, list[dict[str, Any]]]:
    """CPU seconds per wall second this process spent while the sessions ran (for `seconds`, or to the end)."""
    stop, outs = threading.Event(), [dict() for _ in requests]
    threads = [threading.Thread(target=_follow, args=(playground, r, stop, o), daemon=True)
               for r, o in zip(requests, outs)]
    cpu, wall = time.process_time(), time.monotonic()
    for thread in threads:
        thread.start()
    if seconds is None:
        for thread in threads:
            thread.join()
    else:
        time.sleep(seconds)
    used = (time.process_time() - cpu) / (time.monotonic() - wall)
    stop.set()
    for thread in threads:
        thread.join(15)
    return used, outs


CPU_WINDOW = 5.0


def _waiting_cores(base: str, app: Any, values: dict[str, str], marker: str) -> float:
    """The app's cores while CROWD sessions wait on `values`' run, read once all of them are waiting."""
    httpx.post(f"{base}/_fake/reset", timeout=10)
    jobs = [RunCaller(Client(app.url, verbose=False, download_files=False)).submit(**values) for _ in range(CROWD)]
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        log = httpx.get(f"{base}/_fake/requests", timeout=10).json()
        if sum(marker in entry["path"] and entry["method"] == "POST" for entry in log) >= CROWD:
            break
        time.sleep(0.2)
    time.sleep(2.0)  # past the first ticks: only the waiting is measured
    cores = cores_used(app.pid, CPU_WINDOW)
    for job in jobs:
        job.cancel()
    return cores


def app_cores() -> dict[str, float]:
    with fake_hf_process() as base, served(PLAYGROUND, {"HF_ROUTER_URL": base, "HF_ENDPOINT": base,
                                                        "HF_TOKEN": "hf_benchOPERATOR0000000000"}) as app:
        cold = _waiting_cores(base, app, {"task": "text-classification", "model": "fake/cold-300"}, "fake/cold-300")
        jobs = _waiting_cores(base, app, {"task": "text-to-video", "model": "fake/video-60s", "provider": "fal-ai",
                                          "prompt": "waves"}, "fal-ai/fake/seconds-60")
    return {"app_cold_cores": cold, "app_job_cores": jobs}


def measure() -> dict[str, float]:
    with fake_hf_process() as base:
        playground = _playground(base)
        cold = [playground.build_request(task="text-classification", model_id="fake/cold-300",
                                         inputs={"text": "hi"}) for _ in range(CROWD)]
        cold_cpu, _ = _crowd(playground, cold, COLD_WINDOW)
        video = playground.hub.model_info("fake/video-60s").providers
        jobs = [playground.build_request(task="text-to-video", model_id="fake/video-60s", inputs={"text": "waves"},
                                         providers=video) for _ in range(CROWD)]
        httpx.post(f"{base}/_fake/reset", timeout=10)
        submitted = time.monotonic()
        job_cpu, outs = _crowd(playground, jobs, None)
        log = httpx.get(f"{base}/_fake/requests", timeout=10).json()
    polls = sum(entry["path"].endswith("/status") for entry in log) / CROWD
    first = outs[0]
    assert first["result"].ok, first["result"].error
    return {"polls_per_minute": polls / (JOB_SECONDS / 60), "lag": first["done_at"] - submitted - JOB_SECONDS,
            "job_cpu": job_cpu, "cold_cpu": cold_cpu}


def report() -> list[str]:
    figures = {**measure(), **app_cores()}
    return [
        f"status requests per minute for a 60 s job: {figures['polls_per_minute']:.0f} "
        f"(goal <= {GOALS['polls']:.0f}: {'met' if figures['polls_per_minute'] <= GOALS['polls'] else 'NOT met'})",
        f"seconds from the job's completion to its answer in hand: {figures['lag']:.2f} "
        f"(goal <= {GOALS['lag']:g}: {'met' if figures['lag'] <= GOALS['lag'] else 'NOT met'})",
        f"the app's CPU with {CROWD} sessions waiting: on jobs {figures['app_job_cores']:.2f} cores, on cold "
        f"models {figures['app_cold_cores']:.2f} cores",
        ratio_line("the app's CPU waiting on jobs over waiting on cold models",
                   figures["app_job_cores"] / figures["app_cold_cores"], GOALS["cpu"]),
        f"the backend alone ({CROWD} threads here): on jobs {figures['job_cpu'] * 100:.1f}% of a core, on cold "
        f"models {figures['cold_cpu'] * 100:.1f}% (a job is asked each second while it runs, a cold model every "
        "10 s)",
    ]


if __name__ == "__main__":
    print("\n".join(report()))
