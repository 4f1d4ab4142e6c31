"""Side by side chat: the app's own CPU time per streamed token with 4 columns over 1 column.

The playground runs in its own process (`python app.py` against the fake HF server, itself in another
process), and one turn at a time is sent through the Side by side page's `/side_by_side_send` with
gradio_client: the same message to column 1 only, or to all 4 columns, every column on
`fake/chat-pace-<MS>` (20 tokens). Turns of both kinds alternate, each from a fresh session (a fresh
conversation), and the app process's CPU time (user + system, from /proc) is read right before and
after each turn, so connecting a client is not counted. Per token = the CPU of all turns of a kind
over the tokens they streamed; Gradio's own idle work (its queue loop, measured before the turns) is
counted in both, and shown. The page refreshes every column at most every STREAM_REFRESH seconds
whatever the number streaming, so per token, 4 columns should cost no more than one (goal <= 1.2x).
"""
from __future__ import annotations

import os
import time
from pathlib import Path

from gradio_client import Client

from bench.app_process import PLAYGROUND, cores_used, served
from bench.fake_server import fake_hf_process
from bench.figures import ratio_line

__all__ = ["measure", "report", "TURNS"]

TURNS = 8          # of each kind, alternated
PACE_MS = 50       # 20 tokens a second per column: a fast model
MODEL = f"fake/chat-pace-{PACE_MS}"
TOKENS = 20        # what one fake/chat-pace answer streams
COLUMNS = 4
GOAL = 1.2


def process_cpu(pid: int) -> float:
    """Seconds of CPU (user + system) the process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _turn(url: str, pid: int, send_to: str) -> tuple[float, float]:
    """CPU seconds and wall seconds the app spent on one turn sent to `send_to` ("1" or "all")."""
    client = Client(url, verbose=False, download_files=False)
    before, started = process_cpu(pid), time.perf_counter()
    outputs = client.predict(message="Count to twenty.", send_to=send_to, count=COLUMNS, system="", token="", key="",
                             model_1=MODEL, model_2=MODEL, model_3=MODEL, model_4=MODEL,
                             api_name="/side_by_side_send")
    cpu, wall = process_cpu(pid) - before, time.perf_counter() - started
    client.close()
    answered = [figures for figures in outputs[-COLUMNS:] if str(figures).startswith("✓")]
    expected = COLUMNS if send_to == "all" else 1
    if len(answered) != expected:
        raise RuntimeError(f"{len(answered)} of {expected} columns answered: {outputs[-COLUMNS:]}")
    return cpu, wall


def measure(turns: int = TURNS) -> dict[str, float]:
    """CPU milliseconds per streamed token and median wall seconds per turn, for 1 and for 4 columns."""
    with fake_hf_process() as base, served(PLAYGROUND, {"HF_ROUTER_URL": base, "HF_ENDPOINT": base,
                                                        "HF_TOKEN": "hf_benchOPERATOR0000000000"}) as app:
        idle = cores_used(app.pid, 2.0)
        for send_to in ("1", "all"):  # warm up: imports, the router's price list, the first threads
            _turn(app.url, app.pid, send_to)
        cpu = {"1": 0.0, "all": 0.0}
        walls: dict[str, list[float]] = {"1": [], "all": []}
        for _ in range(turns):
            for send_to in ("1", "all"):
                used, wall = _turn(app.url, app.pid, send_to)
                cpu[send_to] += used
                walls[send_to].append(wall)
    one, four = cpu["1"] / (turns * TOKENS), cpu["all"] / (turns * TOKENS * COLUMNS)
    return {"one_ms": one * 1000, "four_ms": four * 1000, "ratio": four / one,
            "one_turn_ms": cpu["1"] / turns * 1000, "four_turn_ms": cpu["all"] / turns * 1000,
            "one_wall": sorted(walls["1"])[turns // 2], "four_wall": sorted(walls["all"])[turns // 2],
            "idle_cores": idle}


def report(turns: int = TURNS) -> list[str]:
    figures = measure(turns)
    return [
        f"app CPU per streamed token on {MODEL}, {turns} turns each: 1 column {figures['one_ms']:.2f} ms "
        f"({figures['one_turn_ms']:.0f} ms a turn), {COLUMNS} columns {figures['four_ms']:.2f} ms "
        f"({figures['four_turn_ms']:.0f} ms a turn)",
        f"median turn, wall: 1 column {figures['one_wall']:.2f} s, {COLUMNS} columns {figures['four_wall']:.2f} s; "
        f"the idle app uses {figures['idle_cores'] * 100:.0f}% of a core (about "
        f"{figures['idle_cores'] * figures['one_wall'] * 1000:.0f} ms of each turn's CPU)",
        ratio_line(f"CPU per token, {COLUMNS} columns over 1", figures["ratio"], GOAL),
    ]


if __name__ == "__main__":
    print("\n".join(report()))
