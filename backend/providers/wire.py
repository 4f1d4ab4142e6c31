"""What goes on the wire for one (provider, task) pair: route, headers and body, built by huggingface_hub's
own provider helper, so the request is the one the official client sends.

`client_arguments` turns the page's inputs into the (inputs, parameters, extra payload) that the
matching `InferenceClient` method hands its helper; `provider_request` runs the helper's pure steps
(`_prepare_headers`, `_prepare_route`, `_prepare_payload_as_dict/_bytes`) in `prepare_request`'s order,
skipping its network steps (the mapping comes from our Hub call; no token is ever given to it).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping
from urllib.parse import quote, urlsplit

from huggingface_hub.hf_api import InferenceProviderMapping
from huggingface_hub.inference._common import MimeBytes
from huggingface_hub.inference._providers import PROVIDERS
from huggingface_hub.inference._providers._common import TaskProviderHelper, filter_none, recursive_merge

from ..errors import InvalidInput, InvalidModelId, InvalidParameters
from ..result import InferenceRequest
from ..settings import Settings
from .mapping import ProviderMapping

__all__ = ["ClientArguments", "client_arguments", "provider_request", "helper_for", "provider_pairs",
           "DROPPED_HEADERS"]

# Makes the helpers choose their router form (`hf_...` keys go through the router); never sent anywhere.
_ROUTED_KEY = "hf_routed"
# The client's own identity and credential headers: ours are added by client.py at send time.
DROPPED_HEADERS = frozenset({"authorization", "user-agent", "x-amzn-trace-id"})
# Our task names for the Hub's tasks where they differ.
_HUB_TASK = {"chat-completion": "conversational"}


def provider_pairs() -> list[tuple[str, str]]:
    """Every (provider, task) pair huggingface_hub's table serves, in its order."""
    return [(provider, task) for provider, tasks in PROVIDERS.items() for task in tasks]


def helper_for(provider: str, task: str) -> TaskProviderHelper:
    """The huggingface_hub helper for a pair; InvalidInput when the pair does not exist."""
    tasks = PROVIDERS.get(provider)  # type: ignore[call-overload]
    if tasks is None:
        raise InvalidParameters(f"'{provider}' is not an Inference Provider this playground knows.")
    helper = tasks.get(_HUB_TASK.get(task, task))
    if helper is None:
        served = ", ".join(sorted(tasks))
        raise InvalidParameters(f"{provider} does not serve {task} (it serves {served}).")
    return helper


@dataclass(frozen=True)
class ClientArguments:
    """What an `InferenceClient` method passes to `prepare_request`."""

    inputs: Any
    parameters: dict[str, Any] = field(default_factory=dict)
    extra_payload: dict[str, Any] | None = None


def _upload(inputs: Mapping[str, Any], kind: str) -> MimeBytes:
    data = inputs.get(kind)
    if not data:
        raise InvalidInput(f"Add {'an' if kind == 'image' else 'an'} {kind} first.")
    return MimeBytes(bytes(data), inputs.get(f"{kind}_type") or None)


def _set(params: Mapping[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in params.items() if value is not None and value != ""}


def _target_size(params: dict[str, Any]) -> dict[str, Any]:
    # The client takes `target_size={width, height}` for image-to-image and image-to-video.
    if "width" in params and "height" in params:
        params["target_size"] = {"width": params.pop("width"), "height": params.pop("height")}
    return params


def client_arguments(task: str, inputs: Mapping[str, Any], params: Mapping[str, Any]) -> ClientArguments:
    """The arguments `InferenceClient.<task>()` would build from the same inputs and parameters."""
    params = _set(params)
    text = inputs.get("text") or ""
    prompt = {key: inputs[key] for key in ("negative_prompt",) if inputs.get(key)}
    if task in ("automatic-speech-recognition",):
        return ClientArguments(_upload(inputs, "audio"), params)
    if task in ("image-to-image", "image-to-video"):
        lead = {"prompt": text} if text else {}
        return ClientArguments(_upload(inputs, "image"), _target_size({**lead, **prompt, **params}))
    if task == "image-segmentation":
        return ClientArguments(_upload(inputs, "image"), params)
    if not str(text).strip():
        raise InvalidInput("Type a text first.")
    if task == "text-generation":
        # The client sends `stream` only when it streams.
        return ClientArguments(text, params, {"stream": True} if params.pop("stream", False) else None)
    if task in ("text-to-image", "text-to-video"):
        return ClientArguments(text, {**prompt, **params})
    return ClientArguments(text, params)  # feature-extraction, text-to-speech


def _hub_mapping(mapping: ProviderMapping, model_id: str) -> InferenceProviderMapping:
    return InferenceProviderMapping(provider=mapping.provider, hf_model_id=mapping.hf_model_id or model_id,
                                    providerId=mapping.provider_id, task=mapping.task, status=mapping.status,
                                    adapter=mapping.adapter, adapterWeightsPath=mapping.adapter_weights_path)


def provider_request(settings: Settings, mapping: ProviderMapping, model_id: str, task: str,
                     inputs: Mapping[str, Any], params: Mapping[str, Any]) -> InferenceRequest:
    """The request for one provider call through the router, checked; raises InvalidInput."""
    helper = helper_for(mapping.provider, task)
    args = client_arguments(task, inputs, params)
    info = _hub_mapping(mapping, model_id)
    parameters = dict(args.parameters)  # helpers pop from it, and bytes builders see what dict builders left
    try:
        headers = helper._prepare_headers({}, _ROUTED_KEY)
        route = helper._prepare_route(info.provider_id, _ROUTED_KEY)
        payload = helper._prepare_payload_as_dict(args.inputs, parameters, info)
        if payload is not None:
            payload = recursive_merge(payload, filter_none(args.extra_payload or {}))
        data = helper._prepare_payload_as_bytes(args.inputs, parameters, info, args.extra_payload)
    except (TypeError, ValueError, KeyError) as err:
        raise InvalidParameters(f"{mapping.provider} cannot take these inputs for {task}: {err}") from None
    normalized = helper._normalize_headers(headers, payload, data)
    sent = {key: str(value) for key, value in normalized.items() if key not in DROPPED_HEADERS}
    if payload is not None:
        sent.pop("content-type", None)  # requests writes it with the JSON body, as the client's session does
    url = _routed_url(settings, mapping.provider, route)
    stream = bool(isinstance(payload, dict) and payload.get("stream") is True)
    return InferenceRequest("POST", url, json_body=payload, data=bytes(data) if data is not None else None,
                            headers=sent, stream=stream, model_id=model_id, task=task,
                            provider=mapping.provider, provider_id=mapping.provider_id,
                            client_args={"inputs": None if isinstance(args.inputs, bytes) else args.inputs,
                                         "parameters": {**args.parameters, **(args.extra_payload or {})}})


def _routed_url(settings: Settings, provider: str, route: str) -> str:
    prefix = f"{settings.router_url}/{quote(provider, safe='')}/"
    path, _, query = route.lstrip("/").partition("?")
    url = prefix + quote(path, safe="/:@") + (f"?{query}" if query else "")
    got = urlsplit(url)
    if got.netloc != urlsplit(prefix).netloc or not got.path.startswith(urlsplit(prefix).path) \
            or "/../" in f"{got.path}/" or "/./" in f"{got.path}/":
        raise InvalidModelId("The provider's model id would change where the request goes; refused.")
    return url
