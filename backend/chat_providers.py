"""The chat provider picker: routing policies and a model's providers, with the router's live figures.

`RouterCatalog` reads `GET {router}/v1/models` (context length, price per 1M tokens, first-token
latency, throughput per provider) through the Transport, cached briefly per router URL: the list
is the same for every token. `list_providers` merges it into the Hub's provider mapping;
`estimate_cost` turns a usage into dollars.
"""
from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

from .chat import Usage
from .client import Transport
from .hub import ModelCard
from .result import InferenceRequest

__all__ = ["Pricing", "RouterProvider", "RouterModel", "ProviderChoice", "RouterCatalog",
           "parse_router_models", "list_providers", "estimate_cost", "ROUTER_MODELS_TTL"]

ROUTER_MODELS_TTL = 300.0
_READ_TIMEOUT = 15.0  # a picker must not hang for the inference read timeout
_CHAT_TASK = "conversational"


@dataclass(frozen=True)
class Pricing:
    """USD per one million tokens."""

    input: float
    output: float


@dataclass(frozen=True)
class RouterProvider:
    """One provider of one model, as the router's `/v1/models` describes it."""

    provider: str
    status: str = ""
    context_length: int | None = None
    pricing: Pricing | None = None
    first_token_latency_ms: float | None = None
    throughput: float | None = None  # tokens per second
    supports_tools: bool | None = None
    supports_structured_output: bool | None = None


@dataclass(frozen=True)
class RouterModel:
    id: str
    input_modalities: tuple[str, ...] = ()
    providers: Mapping[str, RouterProvider] = field(default_factory=dict)

    @property
    def accepts_images(self) -> bool:
        return "image" in self.input_modalities


@dataclass(frozen=True)
class ProviderChoice:
    """One entry of the picker. `value` is what follows the ':' in the model ('auto' sends no suffix)."""

    value: str
    kind: str                          # "policy" | "provider"
    status: str = ""                   # providers: live | staging | error
    resolves_to: str = ""              # policies: the provider the router's figures say it picks
    figures: RouterProvider | None = None

    @property
    def label(self) -> str:
        """Plain text for a dropdown, e.g. 'together · live · $0.18 / $0.18 per 1M · 300 ms · 140 tok/s'."""
        if self.kind == "policy":
            name = "auto (fastest)" if self.value == "auto" else self.value
            return f"{name} → {self.resolves_to}" if self.resolves_to else name
        return " · ".join([self.value, self.status or "?", *_describe(self.figures)])


def _describe(figures: RouterProvider | None) -> list[str]:
    if figures is None:
        return []
    parts = []
    if figures.context_length:
        parts.append(f"{figures.context_length // 1000}k context")
    if figures.pricing is not None:
        parts.append(f"${figures.pricing.input:g} / ${figures.pricing.output:g} per 1M in/out")
    if figures.first_token_latency_ms is not None:
        parts.append(f"{figures.first_token_latency_ms:.0f} ms to first token")
    if figures.throughput is not None:
        parts.append(f"{figures.throughput:.0f} tok/s")
    return parts


class RouterCatalog:
    """`GET {router}/v1/models`, cached for `ttl` seconds per router URL; one per app, thread-safe."""

    def __init__(self, transport: Transport, ttl: float = ROUTER_MODELS_TTL,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._transport = transport
        self._ttl, self._clock = ttl, clock
        self._cache: dict[str, tuple[float, dict[str, RouterModel]]] = {}
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"RouterCatalog(router={self._transport.settings.router_url!r}, ttl={self._ttl:g})"

    def models(self, token: str | None = None) -> dict[str, RouterModel]:
        """Chat models by id. Raises the PlaygroundError of a failed fetch (failures are not cached)."""
        url = f"{self._transport.settings.router_url}/v1/models"
        with self._lock:
            cached = self._cache.get(url)
            if cached is not None and self._clock() - cached[0] < self._ttl:
                return cached[1]
        request = InferenceRequest("GET", url, token_kind="hf", task="router-models")
        result = self._transport.send(request, token, read_timeout=_READ_TIMEOUT)
        if result.error is not None:
            raise result.error
        models = parse_router_models(result.json)
        with self._lock:
            self._cache[url] = (self._clock(), models)
        return models


def parse_router_models(payload: Any) -> dict[str, RouterModel]:
    """`{"data": [{id, architecture, providers: [...]}, ...]}` (or one model) → models by id; junk skipped."""
    items = payload.get("data", [payload]) if isinstance(payload, Mapping) else []
    models = {}
    for item in items if isinstance(items, list) else []:
        if isinstance(item, Mapping) and isinstance(item.get("id"), str):
            models[item["id"]] = _router_model(item)
    return models


def _router_model(item: Mapping[str, Any]) -> RouterModel:
    architecture = item.get("architecture") if isinstance(item.get("architecture"), Mapping) else {}
    modalities = architecture.get("input_modalities") or ()
    entries = [_router_provider(p) for p in item.get("providers") or () if isinstance(p, Mapping)]
    return RouterModel(item["id"], tuple(str(m) for m in modalities if isinstance(m, str)),
                       {entry.provider: entry for entry in entries if entry.provider})


def _router_provider(entry: Mapping[str, Any]) -> RouterProvider:
    pricing = entry.get("pricing")
    prices = (_number(pricing.get("input")), _number(pricing.get("output"))) if isinstance(pricing, Mapping) \
        else (None, None)
    context = _number(entry.get("context_length"))
    return RouterProvider(
        provider=str(entry.get("provider") or ""), status=str(entry.get("status") or ""),
        context_length=int(context) if context is not None else None,
        pricing=Pricing(*prices) if None not in prices else None,  # type: ignore[arg-type]
        first_token_latency_ms=_number(entry.get("first_token_latency_ms")),
        throughput=_number(entry.get("throughput")),
        supports_tools=_flag(entry.get("supports_tools")),
        supports_structured_output=_flag(entry.get("supports_structured_output")))


def _number(value: Any) -> float | None:
    ok = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value) and value >= 0
    return float(value) if ok else None


def _flag(value: Any) -> bool | None:
    return value if isinstance(value, bool) else None


_POLICIES: dict[str, Callable[[list[RouterProvider]], RouterProvider | None]] = {
    # The router's own rules (HF_PROTOCOL.md §1.1b): highest throughput; lowest output price;
    # the user's order at hf.co/settings/inference-providers, which only the router knows.
    "auto": lambda live: max((p for p in live if p.throughput is not None), key=lambda p: p.throughput or 0,
                             default=None),
    "cheapest": lambda live: min((p for p in live if p.pricing is not None),
                                 key=lambda p: p.pricing.output if p.pricing else 0, default=None),
    "preferred": lambda live: None,
}


def list_providers(card: ModelCard, router_models: Mapping[str, RouterModel] | None = None
                   ) -> list[ProviderChoice]:
    """The picker's choices: auto (fastest, the default), cheapest, preferred, then each chat provider
    of the model's mapping in the Hub's order, then any the router lists beyond it; with figures.
    """
    router = (router_models or {}).get(card.id)
    figures = dict(router.providers) if router is not None else {}
    live = [p for p in figures.values() if p.status in ("", "live")]
    choices = []
    for policy, pick in _POLICIES.items():
        chosen = pick(live)
        choices.append(ProviderChoice(policy, "policy", resolves_to=chosen.provider if chosen else ""))
    mapped = [p for p in card.providers if p.task in ("", _CHAT_TASK)]
    for status in mapped:
        entry = figures.get(status.provider)
        shown = "error" if entry is not None and entry.status == "error" else status.status
        choices.append(ProviderChoice(status.provider, "provider", shown, figures=entry))
    known = {p.provider for p in mapped}
    choices += [ProviderChoice(name, "provider", entry.status, figures=entry)
                for name, entry in figures.items() if name not in known]
    return choices


def estimate_cost(usage: Usage | Mapping[str, Any], pricing: Pricing | Mapping[str, Any] | None
                  ) -> float | None:
    """USD for `usage` at `pricing` (per 1M tokens); None when a price or a token count is unknown."""
    if isinstance(pricing, Mapping):
        prices = (_number(pricing.get("input")), _number(pricing.get("output")))
    elif pricing is not None:
        prices = (_number(pricing.input), _number(pricing.output))
    else:
        return None
    counts = usage.as_dict() if isinstance(usage, Usage) else usage
    tokens = (_number(counts.get("prompt_tokens")), _number(counts.get("completion_tokens")))
    if None in prices or None in tokens:
        return None
    return (tokens[0] * prices[0] + tokens[1] * prices[1]) / 1_000_000  # type: ignore[operator]
