"""A model's Inference Provider mapping as the Hub answers it, and how `auto` picks from it.

The Hub answers `inferenceProviderMapping` as a list of objects today and as a dict keyed by provider
in older answers; `parse_mapping` reads both, in the Hub's order (the caller's preference order).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Mapping

__all__ = ["ProviderMapping", "parse_mapping", "pick", "CHAT_TASKS"]

# The Hub maps chat models under "conversational"; the playground calls that task chat-completion.
CHAT_TASKS = ("conversational", "chat-completion")


@dataclass(frozen=True)
class ProviderMapping:
    """One provider serving one model for one task."""

    provider: str
    provider_id: str            # the model's name on the provider's side
    task: str
    status: str = "live"        # live | staging | error
    hf_model_id: str = ""
    adapter: str | None = None  # "lora" for LoRA models
    adapter_weights_path: str | None = None

    @property
    def label(self) -> str:
        """What the provider picker shows: the provider, and its status when it is not live."""
        return self.provider if self.status == "live" else f"{self.provider} ({self.status})"

    def serves(self, task: str) -> bool:
        return self.task == task or (task in CHAT_TASKS and self.task in CHAT_TASKS)


def parse_mapping(raw: Any, hf_model_id: str = "") -> tuple[ProviderMapping, ...]:
    """The mapping from a Hub answer (list of objects, dict keyed by provider, or the library's objects)."""
    if isinstance(raw, Mapping):
        items: Iterable[Any] = ({"provider": name, **(value if isinstance(value, Mapping) else {})}
                                for name, value in raw.items())
    else:
        items = raw or ()
    return tuple(m for item in items if (m := _one(item, hf_model_id)) is not None)


def _one(item: Any, hf_model_id: str) -> ProviderMapping | None:
    if not isinstance(item, Mapping):  # huggingface_hub's InferenceProviderMapping object
        item = {"provider": getattr(item, "provider", None), "providerId": getattr(item, "provider_id", None),
                "task": getattr(item, "task", None), "status": getattr(item, "status", "live"),
                "hfModelId": getattr(item, "hf_model_id", ""), "adapter": getattr(item, "adapter", None),
                "adapterWeightsPath": getattr(item, "adapter_weights_path", None)}
    provider, provider_id, task = item.get("provider"), item.get("providerId"), item.get("task")
    if not all(isinstance(value, str) and value for value in (provider, provider_id, task)):
        return None
    return ProviderMapping(provider=provider, provider_id=provider_id, task=task,
                           status=str(item.get("status") or "live"),
                           hf_model_id=str(item.get("hfModelId") or hf_model_id),
                           adapter=item.get("adapter") or None,
                           adapter_weights_path=item.get("adapterWeightsPath") or None)


def pick(mappings: Iterable[ProviderMapping], task: str, provider: str = "") -> ProviderMapping | None:
    """The mapping a run uses: the named provider's for `task`, or for `auto` the first one serving it.

    huggingface_hub takes the first entry of the Hub's list for `auto` (the caller's preference order);
    we take the first that serves this task, so a model mapped for two tasks never picks the other's.
    """
    serving = [m for m in mappings if m.serves(task)]
    if provider and provider != "auto":
        return next((m for m in serving if m.provider == provider), None)
    return serving[0] if serving else None
