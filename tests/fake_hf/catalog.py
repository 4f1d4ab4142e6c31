"""The fake Hub's model catalog: every model in the recordings (task from the case), the models of
recordings 36/37, the curated hf-inference defaults (HF_PROTOCOL.md §1.1), a few extras and the
scripted models; plus the per-provider serving stats the router advertises and routes by.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from . import scripted
from .recordings import EMBEDDING_TASKS, Recordings

Mapping = dict[str, dict[str, str]]  # provider -> {"status", "providerId", "task"}

# HF_PROTOCOL.md §1.1 "What hf-inference serves now": task -> the docs' example model.
CURATED = {
    "automatic-speech-recognition": "openai/whisper-large-v3",
    "feature-extraction": "microsoft/harrier-oss-v1-0.6b",
    "fill-mask": "google-bert/bert-base-uncased",
    "image-classification": "Falconsai/nsfw_image_detection",
    "image-segmentation": "nvidia/segformer-b0-finetuned-ade-512-512",
    "object-detection": "facebook/detr-resnet-50",
    "question-answering": "deepset/roberta-base-squad2",
    "summarization": "facebook/bart-large-cnn",
    "table-question-answering": "google/tapas-base-finetuned-wtq",
    "text-classification": "BAAI/bge-reranker-v2-m3",
    "text-to-image": "stabilityai/stable-diffusion-3-medium-diffusers",
    "token-classification": "rizzoaiacademy/rizzo-pii-0.3B",
    "translation": "google-t5/t5-small",
    "zero-shot-classification": "facebook/bart-large-mnli",
}


@dataclass(frozen=True)
class ProviderStats:
    throughput: float  # tokens/s
    first_token_latency_ms: int
    input_price: float  # USD per 1M tokens
    output_price: float
    context_length: int = 131072


# First live provider of recording 37 (fireworks-ai) is also the fastest, so ":fastest" = auto = 37's order.
PROVIDER_STATS = {
    "fireworks-ai": ProviderStats(210.0, 180, 0.20, 0.20),
    "sambanova": ProviderStats(160.0, 240, 0.10, 0.20),
    "together": ProviderStats(140.0, 300, 0.18, 0.18),
    "novita": ProviderStats(90.0, 420, 0.02, 0.05),
    "nebius": ProviderStats(110.0, 380, 0.02, 0.06),
    "hf-inference": ProviderStats(45.0, 650, 0.0, 0.0, 8192),
    "hyperbolic": ProviderStats(120.0, 350, 0.10, 0.10, 2048),  # a small context, for the context warning
}
DEFAULT_STATS = ProviderStats(100.0, 400, 0.10, 0.10)
SMALL_CONTEXT = "fake/small-context"
TOOLS_PICKY = "fake/tools-picky"  # on groq, whose entry says it cannot take tools, and together, which can


def live(provider_id: str, task: str) -> dict[str, str]:
    return {"status": "live", "providerId": provider_id, "task": task}


@dataclass
class ModelCard:
    id: str
    pipeline_tag: str
    conversational: bool = False
    gated: bool | str = False
    mapping: Mapping = field(default_factory=dict)
    recorded: dict[str, Any] = field(default_factory=dict)  # fields from a recorded model info (36/37)
    no_tools: frozenset[str] = frozenset()  # providers whose /v1/models entry says supports_tools: false

    @property
    def served(self) -> bool:
        """Served by hf-inference, i.e. `"inference": "warm"`."""
        return "hf-inference" in self.mapping

    @property
    def provider_task(self) -> str:
        return "conversational" if self.conversational else self.pipeline_tag

    @property
    def author(self) -> str | None:
        return self.id.split("/")[0] if "/" in self.id else None

    @property
    def library_name(self) -> str:
        if self.id.startswith("sentence-transformers/"):
            return "sentence-transformers"
        return "diffusers" if self.pipeline_tag == "text-to-image" else "transformers"

    @property
    def tags(self) -> list[str]:
        extra = ["conversational"] if self.conversational else []
        if self.library_name == "sentence-transformers":
            extra = ["feature-extraction", "sentence-similarity"]
        return [self.library_name, self.pipeline_tag, *extra, "endpoints_compatible", "region:us"]

    def task_at(self, suffix: str) -> str | None:
        """The recorded task that answers this model after `/hf-inference/models/{id}` + `suffix`."""
        if suffix.endswith("/chat/completions"):
            return "chat-completion" if self.conversational else None
        task = suffix.removeprefix("/pipeline/") or self.pipeline_tag
        return task if task == self.pipeline_tag or {task, self.pipeline_tag} <= set(EMBEDDING_TASKS) else None

    def hex_id(self, salt: str, length: int) -> str:
        """A stable pseudo-random hex string (`_id`, `sha`) derived from the model id."""
        return hashlib.sha256(f"{salt}:{self.id}".encode()).hexdigest()[:length]

    def number(self, salt: str, modulo: int) -> int:
        """A stable pseudo-random count (downloads, likes, ...) derived from the model id."""
        return int(self.hex_id(salt, 12), 16) % modulo


class Catalog:
    def __init__(self, recordings: Recordings) -> None:
        self._cards: dict[str, ModelCard] = {}
        self._add_recorded(recordings)
        for task, model_id in CURATED.items():
            card = self._cards.setdefault(model_id, ModelCard(model_id, task))
            if recordings.for_task(task):
                card.mapping.setdefault("hf-inference", live(model_id, task))
        self._add(ModelCard("meta-llama/Meta-Llama-3-8B-Instruct", "text-generation", conversational=True,
                            mapping={"together": live("meta-llama/Meta-Llama-3-8B-Instruct-Turbo", "conversational")}))
        roberta = "FacebookAI/roberta-base"  # a <mask> fill-mask model beside the [MASK] ones
        self._add(ModelCard(roberta, "fill-mask", mapping={"hf-inference": live(roberta, "fill-mask")}))
        for model in scripted.SCRIPTED:
            self._add(_scripted_card(model, model.example))
        # A chat model whose one provider has a small context (2,048 tokens): a long paste is over it.
        self._add(ModelCard(SMALL_CONTEXT, "text-generation", conversational=True,
                            mapping={"hyperbolic": live(SMALL_CONTEXT, "conversational")}))
        self._add(ModelCard(TOOLS_PICKY, "text-generation", conversational=True, no_tools=frozenset({"groq"}),
                            mapping={"groq": live(TOOLS_PICKY, "conversational"),
                                     "together": live(TOOLS_PICKY, "conversational")}))

    def cards(self) -> list[ModelCard]:
        return list(self._cards.values())

    def get(self, model_id: str) -> ModelCard | None:
        """A catalog model, or any scripted name (fake/cold-7 exists even though only fake/cold-5 is listed)."""
        if model_id in self._cards:
            return self._cards[model_id]
        found = scripted.find(model_id)
        return _scripted_card(found[0], model_id) if found else None

    def resolve(self, name: str) -> ModelCard | None:
        """A model by Hub id or by a provider's id for it (e.g. together's ...-Turbo)."""
        return self.get(name) or next(
            (card for card in self._cards.values() if any(m["providerId"] == name for m in card.mapping.values())),
            None,
        )

    def _add(self, card: ModelCard) -> None:
        self._cards[card.id] = card

    def _add_recorded(self, recordings: Recordings) -> None:
        for case in recordings.cases:
            model_id = case.model_id
            if model_id is None or case.status == 404:  # a model recorded as missing stays missing
                continue
            conversational = case.task == "chat-completion" or model_id.lower().endswith(("-instruct", "-chat"))
            tag = case.task if case.task not in ("chat-completion", "any") else "text-generation"
            card = self._cards.setdefault(model_id, ModelCard(model_id, tag, conversational))
            card.mapping.setdefault("hf-inference", live(model_id, card.provider_task))
        for case in recordings.cases:
            if case.route.startswith("/api/models/"):
                info = case.json_body()
                card = self._cards.setdefault(info["id"], ModelCard(info["id"], info.get("pipeline_tag", "")))
                recorded = info.pop("inferenceProviderMapping", {})  # its order is the user's preference order
                card.mapping = {**recorded, **{p: m for p, m in card.mapping.items() if p not in recorded}}
                card.recorded.update(info)


def _scripted_card(model: scripted.ScriptedModel, model_id: str) -> ModelCard:
    card = ModelCard(model_id, model.task, model.conversational, model.gated)
    card.mapping["hf-inference"] = live(model_id, card.provider_task)
    return card
