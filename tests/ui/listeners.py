"""Call any of the page's listeners over HTTP the way the browser does, private ones included: by
index, queued listeners through `/gradio_api/queue/join` (carrying the page's query string, which
`gr.Request.query_params` reads, as Gradio's JS client sends it) and the others through
`/gradio_api/run/predict`. gradio_client only reaches the public ones.
"""
from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any, Mapping
from urllib.parse import urlencode

import httpx

__all__ = ["Answer", "Listeners"]

TIMEOUT = 30


@dataclass(frozen=True)
class Answer:
    """What one call sent back: every byte as text, and the final outputs by elem_id when it succeeded."""

    text: str
    outputs: dict[str, Any] | None


class Listeners:
    """The listeners of the page served at `url`, read from its /config."""

    def __init__(self, url: str) -> None:
        self.url = url
        config = httpx.get(f"{url}/config", timeout=TIMEOUT).json()
        self.components = {c["id"]: c for c in config["components"]}
        # Listeners without a Python function (pure JavaScript) have nothing to call on the server.
        self.all = [d for d in config["dependencies"] if d.get("backend_fn", True)]

    def named(self, api_name: str) -> dict[str, Any]:
        return next(d for d in self.all if d.get("api_name") == api_name)

    def elem_id(self, component_id: int) -> str | None:
        return self.components[component_id]["props"].get("elem_id")

    def page_values(self, listener: Mapping[str, Any], typed: Mapping[str | int, Any] | None = None) -> list[Any]:
        """The inputs the browser sends: each component's initial value, state as null (it stays on the
        server), and `typed` values (keyed by elem_id, or by component id) in place of those."""
        typed = typed or {}
        values = []
        for component_id in listener["inputs"]:
            component = self.components[component_id]
            key = component_id if component_id in typed else self.elem_id(component_id)
            if key in typed:
                values.append(typed[key])
            else:
                values.append(None if component["type"] == "state" else component["props"].get("value"))
        return values

    def call(self, listener: Mapping[str, Any], data: list[Any], query: Mapping[str, str] | None = None) -> Answer:
        """Call `listener` with `data` as a page opened with `?query` would."""
        session = uuid.uuid4().hex
        body = {"data": data, "fn_index": listener["id"], "session_hash": session, "trigger_id": None,
                "event_data": None}
        if not listener.get("queue", True):
            answer = httpx.post(f"{self.url}/gradio_api/run/predict", json=body, timeout=TIMEOUT)
            return Answer(answer.text, self._outputs(listener, answer.json().get("data")))
        search = "?" + urlencode(query) if query else ""
        httpx.post(f"{self.url}/gradio_api/queue/join{search}", json=body, timeout=TIMEOUT).raise_for_status()
        lines: list[str] = []
        with httpx.stream("GET", f"{self.url}/gradio_api/queue/data", params={"session_hash": session},
                          timeout=TIMEOUT) as stream:
            for line in stream.iter_lines():
                lines.append(line)
                if '"process_completed"' in line:
                    message = json.loads(line.removeprefix("data:"))
                    data = message["output"].get("data") if message.get("success") else None
                    return Answer("\n".join(lines), self._outputs(listener, data))
        return Answer("\n".join(lines), None)

    def _outputs(self, listener: Mapping[str, Any], data: list[Any] | None) -> dict[str, Any] | None:
        if data is None:
            return None
        return {self.elem_id(i): value for i, value in zip(listener["outputs"], data, strict=True)
                if self.elem_id(i) is not None}
