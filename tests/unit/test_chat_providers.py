"""The provider picker from recording 37's mapping and the router's /v1/models figures, the
router-list cache, and the cost arithmetic. Pure: the Transport is a stub.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from backend.chat import Usage
from backend.chat_providers import (Pricing, ProviderChoice, RouterCatalog, RouterModel, RouterProvider,
                                    estimate_cost, list_providers, parse_router_models)
from backend.errors import UpstreamError
from backend.hub import ModelCard, ProviderStatus
from backend.result import InferenceRequest, InferenceResult
from backend.settings import Settings

RECORDED = Path(__file__).resolve().parents[1] / "fake_hf" / "recorded"
MODEL = "meta-llama/Llama-3.1-8B-Instruct"


def card_from_recording_37() -> ModelCard:
    body = json.loads(next(RECORDED.glob("37_*.json")).read_text())["response"]["body"]
    providers = tuple(ProviderStatus(name, entry["status"], entry["task"])
                      for name, entry in body["inferenceProviderMapping"].items())
    return ModelCard(body["id"], "text-generation", providers=providers)


def provider(name: str, throughput: float, latency: float, price_in: float, price_out: float,
             status: str = "live", context: int = 131072) -> dict[str, Any]:
    return {"provider": name, "status": status, "context_length": context,
            "pricing": {"input": price_in, "output": price_out}, "first_token_latency_ms": latency,
            "throughput": throughput, "supports_tools": True, "is_model_author": False}


ROUTER_PAYLOAD = {"object": "list", "data": [
    {"id": MODEL, "object": "model", "architecture": {"input_modalities": ["text"], "output_modalities": ["text"]},
     "providers": [provider("fireworks-ai", 210, 180, 0.2, 0.2), provider("sambanova", 160, 240, 0.1, 0.2),
                   provider("novita", 90, 420, 0.02, 0.05), provider("cerebras", 2000, 90, 0.1, 0.1, "error"),
                   provider("groq", 700, 120, 0.05, 0.08)]},
    {"id": "Qwen/Qwen2.5-VL-7B-Instruct", "architecture": {"input_modalities": ["text", "image"]}, "providers": []},
    "junk", {"no": "id"},
]}


def test_parse_router_models_reads_every_figure() -> None:
    models = parse_router_models(ROUTER_PAYLOAD)
    assert list(models) == [MODEL, "Qwen/Qwen2.5-VL-7B-Instruct"]
    assert models[MODEL].providers["sambanova"] == RouterProvider(
        "sambanova", "live", 131072, Pricing(0.1, 0.2), 240.0, 160.0, True, None)
    assert models["Qwen/Qwen2.5-VL-7B-Instruct"].accepts_images and not models[MODEL].accepts_images


@pytest.mark.parametrize("payload", [None, [], "x", {"data": "x"}, {"data": [{"id": 3}]}])
def test_parse_router_models_survives_junk(payload: Any) -> None:
    assert parse_router_models(payload) == {}


def test_odd_figures_become_unknown() -> None:
    entry = {"provider": "p", "pricing": {"input": "1", "output": 2}, "throughput": True, "context_length": -5,
             "first_token_latency_ms": float("nan")}
    figures = parse_router_models({"id": "m", "providers": [entry]})["m"].providers["p"]
    assert (figures.pricing, figures.throughput, figures.context_length, figures.first_token_latency_ms) == \
        (None, None, None, None)


def test_provider_list_from_recording_37_without_router_figures() -> None:
    choices = list_providers(card_from_recording_37())
    assert [(c.value, c.kind, c.status) for c in choices] == [
        ("auto", "policy", ""), ("cheapest", "policy", ""), ("preferred", "policy", ""),
        ("fireworks-ai", "provider", "live"), ("sambanova", "provider", "live"),
        ("hf-inference", "provider", "live"), ("nebius", "provider", "staging"),
        ("novita", "provider", "staging")]
    assert [c.label for c in choices[:4]] == ["auto (fastest)", "cheapest", "preferred", "fireworks-ai · live"]


def test_provider_list_enriched_by_the_router() -> None:
    choices = {c.value: c for c in list_providers(card_from_recording_37(), parse_router_models(ROUTER_PAYLOAD))}
    assert choices["auto"].resolves_to == "groq"      # highest throughput among live ones (cerebras is down)
    assert choices["cheapest"].resolves_to == "novita"  # lowest output price
    assert choices["preferred"].resolves_to == ""       # the user's order lives on hf.co
    fireworks = choices["fireworks-ai"]
    assert fireworks.figures is not None and fireworks.figures.throughput == 210.0
    assert fireworks.label == ("fireworks-ai · live · 131k context · $0.2 / $0.2 per 1M in/out · "
                               "180 ms to first token · 210 tok/s")
    assert choices["hf-inference"].figures is None and choices["hf-inference"].label == "hf-inference · live"
    assert choices["cerebras"].status == "error" and choices["groq"].status == "live"  # router-only, appended
    assert choices["auto"].label == "auto (fastest) → groq"


def test_a_router_error_overrides_the_mapping_status() -> None:
    card = ModelCard(MODEL, providers=(ProviderStatus("cerebras", "live", "conversational"),))
    choices = list_providers(card, parse_router_models(ROUTER_PAYLOAD))
    assert [c.status for c in choices if c.value == "cerebras"] == ["error"]


def test_providers_mapped_for_another_task_are_left_out() -> None:
    card = ModelCard("org/m", providers=(ProviderStatus("fal-ai", "live", "text-to-image"),
                                         ProviderStatus("together", "live", "conversational")))
    assert [c.value for c in list_providers(card) if c.kind == "provider"] == ["together"]


@pytest.mark.parametrize("usage, pricing, expected", [
    (Usage(1_000_000, 1_000_000, 2_000_000), Pricing(0.2, 0.6), 0.8),
    (Usage(26, 20, 46), Pricing(0.18, 0.18), 46 * 0.18 / 1e6),
    ({"prompt_tokens": 46, "completion_tokens": 584}, {"input": 0.02, "output": 0.05}, (46 * 0.02 + 584 * 0.05) / 1e6),
    (Usage(10, 10, 20), Pricing(0.0, 0.0), 0.0),
    (Usage(None, 20, None, estimated=True), Pricing(0.2, 0.2), None),
    (Usage(10, 10, 20), None, None),
    (Usage(10, 10, 20), {"input": 0.1}, None),
    ({"prompt_tokens": "10", "completion_tokens": 1}, Pricing(1, 1), None),
])
def test_estimate_cost(usage: Any, pricing: Any, expected: float | None) -> None:
    cost = estimate_cost(usage, pricing)
    assert cost == (pytest.approx(expected) if expected is not None else None)


class StubTransport:
    """Answers GET /v1/models from a list of results, recording what was asked."""

    def __init__(self, *results: InferenceResult, router: str = "https://router.example") -> None:
        self.settings = Settings(router_url=router)
        self.results = list(results)
        self.sent: list[tuple[InferenceRequest, str | None]] = []

    def send(self, request: InferenceRequest, token: str | None, read_timeout: float | None = None
             ) -> InferenceResult:
        self.sent.append((request, token))
        return self.results.pop(0)


def ok(payload: Any) -> InferenceResult:
    request = InferenceRequest("GET", "https://router.example/v1/models")
    return InferenceResult(request, 200, content_type="application/json", body=json.dumps(payload).encode())


def test_router_catalog_gets_and_caches_per_router_url_not_per_token() -> None:
    now = [0.0]
    transport = StubTransport(ok(ROUTER_PAYLOAD), ok({"data": []}))
    catalog = RouterCatalog(transport, ttl=300, clock=lambda: now[0])  # type: ignore[arg-type]
    assert MODEL in catalog.models("hf_alice")
    now[0] = 299.0
    assert MODEL in catalog.models("hf_bob") and len(transport.sent) == 1
    request, token = transport.sent[0]
    assert (request.method, request.url, request.json_body, request.token_kind, token) == \
        ("GET", "https://router.example/v1/models", None, "hf", "hf_alice")
    now[0] = 301.0
    assert catalog.models(None) == {} and len(transport.sent) == 2


def test_router_catalog_raises_failures_and_does_not_cache_them() -> None:
    failed = InferenceResult(InferenceRequest("GET", "u"), 502, error=UpstreamError(status=502))
    transport = StubTransport(failed, ok(ROUTER_PAYLOAD))
    catalog = RouterCatalog(transport)  # type: ignore[arg-type]
    with pytest.raises(UpstreamError):
        catalog.models()
    assert MODEL in catalog.models()


def test_policy_choice_label_without_figures() -> None:
    assert ProviderChoice("cheapest", "policy", resolves_to="novita").label == "cheapest → novita"
    assert list_providers(ModelCard("org/m"), {"org/m": RouterModel("org/m")})[0].resolves_to == ""
