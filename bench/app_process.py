"""Start a Gradio app (the playground's `app.py`, or the trivial yardstick) in its own process, the
way an operator does, and time it from process start to its first HTTP 200.
"""
from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Mapping

import httpx

from bench.fake_server import ROOT, free_port

__all__ = ["PLAYGROUND", "TRIVIAL", "UNWIRED", "AppProcess", "served", "time_to_first_200", "peak_rss_mb", "cores_used"]

PLAYGROUND = [sys.executable, "app.py"]
TRIVIAL = [sys.executable, "-m", "bench.trivial_app"]
UNWIRED = [sys.executable, "-m", "bench.unwired_app"]  # the playground's page without its listeners
START_TIMEOUT = 60.0


@dataclass(frozen=True)
class AppProcess:
    """A running app: its base URL, its process, and how long it took to answer its first 200."""

    url: str
    process: subprocess.Popen[bytes]
    startup: float

    @property
    def pid(self) -> int:
        return self.process.pid


def _environment(port: int, extra: Mapping[str, str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HF_", "GRADIO_", "PLAYGROUND_"))}
    return {**env, "GRADIO_ANALYTICS_ENABLED": "False", "NO_PROXY": "127.0.0.1,localhost",
            "GRADIO_SERVER_NAME": "127.0.0.1", "GRADIO_SERVER_PORT": str(port), **extra}


def _wait_for_200(url: str, process: subprocess.Popen[bytes], started: float) -> float:
    """Poll `url` until it answers 200; seconds since `started` (a perf_counter reading)."""
    with httpx.Client(timeout=1.0) as client:
        while time.perf_counter() - started < START_TIMEOUT:
            if process.poll() is not None:
                raise RuntimeError(f"the app exited with code {process.returncode}")
            with contextlib.suppress(httpx.TransportError):
                if client.get(url).status_code == 200:
                    return time.perf_counter() - started
            time.sleep(0.01)
    raise RuntimeError(f"{url} did not answer within {START_TIMEOUT:.0f} s")


@contextlib.contextmanager
def served(command: list[str], env: Mapping[str, str] | None = None) -> Iterator[AppProcess]:
    """Run `command` from the repo root on a free port (GRADIO_SERVER_PORT) until the block ends."""
    port = free_port()
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, env=_environment(port, env or {}),
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        url = f"http://127.0.0.1:{port}"
        yield AppProcess(url, process, _wait_for_200(url + "/", process, started))
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def time_to_first_200(command: list[str], env: Mapping[str, str] | None = None) -> float:
    """Seconds from starting `command` to its first HTTP 200 on `/`."""
    with served(command, env) as app:
        return app.startup


def peak_rss_mb(pid: int) -> float:
    """The highest resident memory the process has had so far (VmHWM), in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc: not Linux?")


def cores_used(pid: int, seconds: float) -> float:
    """The process's CPU time over the next `seconds` of wall time, in cores (1.0 = one core busy)."""
    def cpu() -> float:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime

    before, started = cpu(), time.perf_counter()
    time.sleep(seconds)
    return (cpu() - before) / (time.perf_counter() - started)
