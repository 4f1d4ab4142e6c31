"""The facade the UI and scripts use: build a checked request, then run it with polling.

    pg = Playground(load_settings())
    request = pg.build_request(task="fill-mask", model_id="google-bert/bert-base-uncased",
                               inputs={"text": "Paris is the [MASK] of France."})
    result = pg.run_to_end(request, token="hf_...")
Invalid input raises an `InvalidInput` from `build_request`, before anything is sent.
"""
from __future__ import annotations

import time
from typing import Any, Callable, Iterator, Mapping

import requests

from .client import Transport
from .errors import BadRequest, InvalidInput
from .polling import Finished, PollEvent, poll
from .result import InferenceRequest, InferenceResult
from .settings import Settings, resolve_token
from .targets import check_endpoint_url, chat_url_for, router_url_for, split_provider, validate_model_id, \
    with_model
from .tasks import get_task, parse_extra_parameters

__all__ = ["Playground"]


class Playground:
    """One per app: owns the HTTP transport; holds no per-user state, so it is shared by all visitors."""

    def __init__(self, settings: Settings, session: requests.Session | None = None,
                 clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep
                 ) -> None:
        self.settings = settings
        self.transport = Transport(settings, session, clock)
        self._clock, self._sleep = clock, sleep

    def __repr__(self) -> str:
        return f"Playground(router={self.settings.router_url!r}, hub={self.settings.hub_url!r})"

    def build_request(self, *, task: str, inputs: Mapping[str, Any], model_id: str = "",
                      params: Mapping[str, Any] | None = None, extra_params: str = "",
                      provider: str = "", endpoint_url: str = "") -> InferenceRequest:
        """Validate everything the user typed and build the exact request; raises InvalidInput."""
        spec = get_task(task)
        merged = {**(params or {}), **parse_extra_parameters(extra_params)}
        payload = spec.build_payload(inputs, merged)
        common: dict[str, Any] = dict(json_body=payload.json_body, data=payload.data,
                                      headers=dict(payload.headers), stream=payload.stream, task=spec.name)
        if endpoint_url.strip():
            endpoint = check_endpoint_url(endpoint_url, self.settings)
            model = validate_model_id(model_id) if model_id.strip() else ""
            if spec.route == "chat":
                common["json_body"] = with_model(payload.json_body, model or "tgi")
                return InferenceRequest("POST", endpoint.chat_url(), token_kind=endpoint.token_kind,
                                        model_id=model, is_endpoint=True, **common)
            return InferenceRequest("POST", endpoint.url, token_kind=endpoint.token_kind, model_id=model,
                                    is_endpoint=True, **common)
        if spec.route == "chat":
            model, chosen = split_provider(f"{model_id}:{provider}" if provider and ":" not in model_id else model_id)
            common["json_body"] = with_model(payload.json_body, f"{model}:{chosen}" if chosen else model)
            return InferenceRequest("POST", chat_url_for(self.settings), model_id=model, **common)
        if provider and provider not in ("auto", "hf-inference"):
            raise InvalidInput(f"The task routes only reach hf-inference; provider '{provider}' applies to chat.")
        model = validate_model_id(model_id)
        url = router_url_for(self.settings, model, spec.name, spec.route)
        return InferenceRequest("POST", url, model_id=model, **common)

    def run(self, request: InferenceRequest, token: str | None = None, endpoint_key: str | None = None,
            deadline: float | None = None) -> Iterator[PollEvent]:
        """Run with polling; yields Sending / Waiting / Streaming events and one Finished.

        `token` is the visitor's HF token (falls back to the operator's); `endpoint_key` is sent
        instead to a non-HF custom endpoint, so the HF token never goes there.
        """
        credential = resolve_token(token, self.settings) if request.token_kind == "hf" else (endpoint_key or None)
        events = poll(self.transport, request, credential, deadline=deadline, clock=self._clock, sleep=self._sleep)
        try:
            for event in events:
                if isinstance(event, Finished) and isinstance(event.result.error, BadRequest):
                    # A 400 is most useful with the shape this task expects beside it.
                    event.result.error.details.setdefault("expected_input", get_task(request.task).expected_input)
                yield event
        finally:
            events.close()

    def run_to_end(self, request: InferenceRequest, token: str | None = None, endpoint_key: str | None = None,
                   deadline: float | None = None) -> InferenceResult:
        """`run()` for scripts: wait it out and return the final result."""
        for event in self.run(request, token, endpoint_key, deadline):
            if isinstance(event, Finished):
                return event.result
        raise AssertionError("poll ended without a result")  # pragma: no cover
