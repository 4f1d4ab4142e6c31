"""The facade the UI and scripts use: build a checked request, then run it with polling.

    pg = Playground(load_settings())
    request = pg.build_request(task="fill-mask", model_id="google-bert/bert-base-uncased",
                               inputs={"text": "Paris is the [MASK] of France."})
    result = pg.run_to_end(request, token="hf_...")
Invalid input raises an `InvalidInput` from `build_request`, before anything is sent.
"""
from __future__ import annotations

import time
from typing import Any, Callable, Iterator, Mapping, Sequence

import requests

from .client import Transport
from .errors import BadRequest, InvalidParameters
from .polling import Finished, PollEvent, poll
from .provenance import Provenance
from .providers import CancelLedger, MediaFetcher, ProviderMapping, pick, provider_request, run_provider
from .result import InferenceRequest, InferenceResult
from .credentials import Credential, choose_credential
from .settings import Settings
from .targets import PROVIDER_POLICIES, check_endpoint_url, chat_url_for, router_url_for, split_provider, \
    validate_model_id, validate_provider, with_model
from .tasks import TASKS, get_task, parse_extra_parameters

__all__ = ["Playground"]


class Playground:
    """One per app: owns the HTTP transport; holds no per-user state, so it is shared by all visitors."""

    def __init__(self, settings: Settings, session: requests.Session | None = None,
                 clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep,
                 hub: Any = None) -> None:
        self.settings = settings
        self.transport = Transport(settings, session, clock)
        self.media = MediaFetcher(settings)
        self.cancels = CancelLedger()  # what became of each provider job a visitor cancelled
        self.provenance = Provenance.for_settings(settings)  # marks the runs this playground finished
        self._clock, self._sleep = clock, sleep
        self._hub: Any = hub  # asked for a model's providers only when a run names one the caller did not list

    def __repr__(self) -> str:
        return f"Playground(router={self.settings.router_url!r}, hub={self.settings.hub_url!r})"

    def build_request(self, *, task: str, inputs: Mapping[str, Any], model_id: str = "",
                      params: Mapping[str, Any] | None = None, extra_params: str = "",
                      provider: str = "", endpoint_url: str = "", providers: Sequence[Any] | None = None
                      ) -> InferenceRequest:
        """Validate everything the user typed and build the exact request; raises InvalidInput.

        `providers` is the model's Hub mapping when the caller has it (the page does): `auto` then
        takes the first provider serving the task, as the official clients do. Without it, `auto`
        means hf-inference, and a named provider's mapping is fetched from the Hub.
        """
        spec = get_task(task)
        merged = {**(params or {}), **parse_extra_parameters(extra_params)}
        if not endpoint_url.strip() and spec.route != "chat":
            mapping = self._mapping_for(validate_model_id(model_id), spec.name, provider, providers)
            if mapping is not None and mapping.provider != "hf-inference":
                if spec.name in TASKS:  # the task's own checks of the form and parameters come first
                    spec.build_payload(inputs, merged)
                return provider_request(self.settings, mapping, validate_model_id(model_id), spec.name, inputs,
                                        merged)
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
            body = with_model(payload.json_body, f"{model}:{chosen}" if chosen else model)
            if body.get("stream") is True and "stream_options" not in body:
                # The last chunk then carries the token counts, so a streamed answer shows its usage and cost.
                body["stream_options"] = {"include_usage": True}
            common["json_body"] = body
            return InferenceRequest("POST", chat_url_for(self.settings), model_id=model, **common)
        model = validate_model_id(model_id)
        if spec.name == "table-question-answering" and isinstance(common["json_body"], dict):
            # huggingface_hub's table_question_answering passes the model id among the parameters; so do we.
            body = common["json_body"]
            common["json_body"] = {**body, "parameters": {"model": model, **(body.get("parameters") or {})}}
        url = router_url_for(self.settings, model, spec.name, spec.route)
        return InferenceRequest("POST", url, model_id=model, **common)

    def _mapping_for(self, model_id: str, task: str, provider: str, providers: Sequence[Any] | None
                     ) -> ProviderMapping | None:
        """The provider mapping a run uses; None means hf-inference's own route."""
        provider = validate_provider(provider) or "auto"
        if provider == "hf-inference" or (providers is None and provider in ("", "auto", *PROVIDER_POLICIES)):
            return None
        if providers is None:
            providers = self.hub.model_info(model_id).providers
        mappings = [p.mapping(model_id) if hasattr(p, "mapping") else p for p in providers]
        named = "" if provider in ("auto", *PROVIDER_POLICIES) else provider
        chosen = pick(mappings, task, named)
        if chosen is None and named:
            serving = ", ".join(m.provider for m in mappings if m.serves(task)) or "none"
            raise InvalidParameters(f"{named} does not serve {model_id} for {task} (providers that do: {serving}).")
        return chosen

    @property
    def hub(self) -> Any:
        if self._hub is None:
            from .hub import Hub  # the Hub client only when a named provider needs a mapping

            self._hub = Hub(self.settings)
        return self._hub

    def run(self, request: InferenceRequest, token: str | None = None, endpoint_key: str | None = None,
            deadline: float | None = None) -> Iterator[PollEvent]:
        """Run with polling; yields Sending / Waiting / Streaming events and one Finished.

        `token` is the visitor's own HF token, `endpoint_key` the key they typed for a custom endpoint;
        `credentials.choose_credential` picks what is sent (the operator's token only to Hugging Face and
        the endpoints the operator lists) and raises InvalidInput, before anything is sent, when a
        Hugging Face endpoint the visitor named has no credential of theirs.
        """
        credential = self.credential(request, token, endpoint_key).value
        if request.provider:
            yield from run_provider(self.transport, self.media, request, credential, deadline=deadline,
                                    clock=self._clock, sleep=self._sleep, cancels=self.cancels)
            return
        events = poll(self.transport, request, credential, deadline=deadline, clock=self._clock, sleep=self._sleep)
        try:
            for event in events:
                if isinstance(event, Finished) and isinstance(event.result.error, BadRequest):
                    # A 400 is most useful with the shape this task expects beside it.
                    event.result.error.details.setdefault("expected_input", get_task(request.task).expected_input)
                yield event
        finally:
            events.close()

    def credential(self, request: InferenceRequest, token: str | None = None, endpoint_key: str | None = None
                   ) -> Credential:
        """What `run` would send with `request`, and whose it is; raises InvalidInput when nothing may be."""
        return choose_credential(request, token, endpoint_key, self.settings)

    def run_to_end(self, request: InferenceRequest, token: str | None = None, endpoint_key: str | None = None,
                   deadline: float | None = None) -> InferenceResult:
        """`run()` for scripts: wait it out and return the final result."""
        for event in self.run(request, token, endpoint_key, deadline):
            if isinstance(event, Finished):
                return event.result
        raise AssertionError("poll ended without a result")  # pragma: no cover
