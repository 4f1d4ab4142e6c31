"""The router's OpenAI-compatible surface: `POST /v1/chat/completions` with `"model": "<id>[:suffix]"`
and `GET /v1/models[/{id}]`.

A suffix names a provider from the model's mapping or a policy: `fastest` (the default, highest
throughput), `cheapest` (lowest output price) or `preferred` (first live provider: recording 37's order).
The answer replays the model's recorded chat cases (`recordings.choose`, preferring the chosen provider's
recording) and names the provider in `x-inference-provider`: the one whose route a case was recorded on,
or, for cases recorded on hf-inference, the chosen one. Scripted chat models answer as hf-inference.
"""
from __future__ import annotations

from collections import defaultdict

from .catalog import DEFAULT_STATS, PROVIDER_STATS, Catalog, ModelCard, ProviderStats
from .recordings import Case, Recordings, choose
from .replies import Received, Reply, json_reply
from .scripted import Scripts

POLICIES = {
    "fastest": lambda providers: max(providers, key=lambda p: _stats(p).throughput),
    "cheapest": lambda providers: min(providers, key=lambda p: _stats(p).output_price),
    "preferred": lambda providers: providers[0],
}


class Router:
    def __init__(self, catalog: Catalog, recordings: Recordings, scripts: Scripts) -> None:
        self.catalog = catalog
        self.scripts = scripts
        self._chat_cases: dict[str, list[Case]] = defaultdict(list)
        for case in recordings.cases:
            if case.task == "chat-completion" and (card := self._card_of(case)):
                self._chat_cases[card.id].append(case)

    def chat(self, request: Received, pace: float) -> Reply:
        name = request.json.get("model") if isinstance(request.json, dict) else None
        if not isinstance(name, str):
            return json_reply(400, {"error": "Missing required field `model` in the request body."})
        model_id, _, suffix = name.partition(":")
        scripted = self.scripts.answer(model_id, request, chat=True)
        if scripted is not None:
            return _served_by(scripted, "hf-inference")
        card = self.catalog.resolve(model_id)
        provider = choose_provider(card, suffix or "fastest") if card else None
        # A model with no chat recording of its own (the provider catalog's) answers with the recorded ones.
        cases = (self._chat_cases.get(card.id) or [c for group in self._chat_cases.values() for c in group]) \
            if card else []
        case = choose(cases, request, provider) if card and provider else None
        if case is None or provider is None:
            message = f"The requested model '{model_id}' is not supported by any provider you have enabled."
            return json_reply(400, {"error": message})
        return _served_by(case.reply(pace), provider if case.provider == "hf-inference" else case.provider)

    def models(self) -> Reply:
        cards = [card for card in self.catalog.cards() if card.conversational and _live(card)]
        return json_reply(200, {"object": "list", "data": [model_entry(card) for card in cards]})

    def model(self, model_id: str) -> Reply:
        card = self.catalog.get(model_id)
        if card is None or not card.conversational:
            return json_reply(404, {"error": f"Model '{model_id}' not found"})
        return json_reply(200, model_entry(card))

    def _card_of(self, case: Case) -> ModelCard | None:
        body = case.request_body if isinstance(case.request_body, dict) else {}
        return self.catalog.resolve(case.model_id or str(body.get("model")))


def choose_provider(card: ModelCard, suffix: str) -> str | None:
    """The provider a suffix picks for `card`, or None when it names one the model is not mapped to."""
    if suffix in card.mapping:
        return suffix
    if suffix not in POLICIES:
        return None
    providers = _live(card)
    return POLICIES[suffix](providers) if providers else "hf-inference"


def model_entry(card: ModelCard) -> dict:
    return {
        "id": card.id, "object": "model", "created": 1735689600, "owned_by": card.author,
        "architecture": {"input_modalities": ["text"], "output_modalities": ["text"]},
        "providers": [_provider_entry(provider, tools=provider not in card.no_tools) for provider in _live(card)],
    }


def _provider_entry(provider: str, tools: bool = True) -> dict:
    stats = _stats(provider)
    return {
        "provider": provider, "status": "live", "context_length": stats.context_length,
        "pricing": {"input": stats.input_price, "output": stats.output_price},
        "is_free": stats.output_price == 0, "supports_tools": tools, "supports_structured_output": True,
        "first_token_latency_ms": stats.first_token_latency_ms, "throughput": stats.throughput,
        "is_model_author": False,
    }


def _live(card: ModelCard) -> list[str]:
    return [provider for provider, entry in card.mapping.items() if entry.get("status") == "live"]


def _stats(provider: str) -> ProviderStats:
    return PROVIDER_STATS.get(provider, DEFAULT_STATS)


def _served_by(reply: Reply, provider: str) -> Reply:
    reply.headers.append(("x-inference-provider", provider))
    return reply
