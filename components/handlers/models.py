"""The model picker's handlers: curated defaults, Hub search as the visitor types, and what picking a
model tells us (task, examples, mask token, gated or not, who serves it).

The Hub is only asked when a visitor types or picks; building the page never calls it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

from backend import Hub, ModelCard, PlaygroundError, user_message, validate_model_id
from backend.errors import NotFound
from backend.providers import parse_mapping
from backend.tasks import TASKS, get_task

from ..markup import hf_link, inert, inert_with_links

__all__ = ["ModelPick", "MIN_QUERY", "choice_label", "curated_choices", "search_choices", "pick_model",
           "describe_card", "task_provider_choices", "AUTO_CHOICE"]

MIN_QUERY = 2  # shorter queries match half the Hub; show the curated list instead
Choice = tuple[str, str]


def _count(number: int) -> str:
    for size, suffix in ((1_000_000_000, "B"), (1_000_000, "M"), (1_000, "k")):
        if number >= size:
            return f"{number / size:.1f}".rstrip("0").rstrip(".") + suffix
    return str(number)


def _live_providers(card: ModelCard) -> list[str]:
    return [p.provider for p in card.providers if p.status == "live"]


def choice_label(card: ModelCard) -> str:
    """`org/name · task · ↓1.2M · ♥78 · hf-inference, together` for the dropdown."""
    parts = [card.id, card.task or "task unknown", f"↓{_count(card.downloads)}", f"♥{_count(card.likes)}"]
    providers = _live_providers(card)
    parts.append(", ".join(providers[:3]) + ("…" if len(providers) > 3 else "") if providers else "not served")
    return " · ".join(parts)


def curated_choices(task: str = "") -> list[Choice]:
    """One well-known model per task, the given task's first."""
    specs = sorted(TASKS.values(), key=lambda spec: spec.name != task)
    return [(f"{spec.default_model} · {spec.name}", spec.default_model) for spec in specs
            if spec.default_model]


def search_choices(hub: Hub, query: str, task: str = "", token: str | None = None) -> tuple[list[Choice], str]:
    """Dropdown choices for what the visitor typed (served models first), and a note if it failed."""
    query = (query or "").strip()
    if len(query) < MIN_QUERY:
        return curated_choices(task), ""
    try:
        cards = hub.search(query, limit=20, token=token)
    except PlaygroundError as err:
        return curated_choices(task), "Search failed: " + inert_with_links(user_message(err),
                                                                            already_html_escaped=True)
    choices = [(choice_label(card), card.id) for card in cards]
    exact = [choice for choice in choices if choice[1] == query]
    typed = exact or ([(f"{query} · use this id as typed", query)] if "/" in query and _is_model_id(query) else [])
    # A full id typed by the visitor comes first, so Enter picks it even when search ranks it lower.
    return typed + [choice for choice in choices if choice[1] != query], ""


def _is_model_id(text: str) -> bool:
    try:
        validate_model_id(text)
    except PlaygroundError:
        return False
    return True


@dataclass(frozen=True)
class ModelPick:
    """What the page learns from picking a model; `task` is '' when it stays the visitor's choice."""

    model_id: str
    task: str = ""
    note: str = ""
    card: Mapping[str, Any] = field(default_factory=dict)  # per-session facts the run needs


def _usable_examples(card: ModelCard) -> list[dict[str, Any]]:
    # Examples that point at remote media are skipped: the page never loads remote files (T10).
    return [dict(example) for example in card.widget_examples if "src" not in example]


def describe_card(card: ModelCard) -> str:
    """A short Markdown summary of a model: task, popularity, providers, and any warning."""
    spec = get_task(card.task)
    label = spec.label if card.task else "no task listed on the Hub: pick one"
    lines = [f"{hf_link('https://huggingface.co/' + card.id, card.id)} · {inert(label)} · "
             f"↓ {_count(card.downloads)} downloads · ♥ {_count(card.likes)}"]
    providers = _live_providers(card)
    if providers:
        lines.append("Served by " + inert(", ".join(providers)) + ".")
    elif not card.served:
        lines.append("⚠ No Inference Provider lists this model as live; a run will probably get a 404.")
    if card.gated:
        lines.append(f"⚠ **Gated model.** Accept its licence at {hf_link('https://huggingface.co/' + card.id)} "
                     "with the account your token belongs to, or runs will get HTTP 403.")
    return "  \n".join(lines)


AUTO_CHOICE = ("auto", "auto")  # the model's first provider for the task, in the Hub's order


def _mapping_facts(card: ModelCard) -> list[dict[str, Any]]:
    """The model's provider mapping as plain JSON (the Hub's list form), for the page's per-visitor state."""
    return [{"provider": p.provider, "providerId": p.provider_id or card.id, "status": p.status, "task": p.task,
             **({"adapter": p.adapter} if p.adapter else {}),
             **({"adapterWeightsPath": p.adapter_weights_path} if p.adapter_weights_path else {})}
            for p in card.providers]


def task_provider_choices(facts: Mapping[str, Any], task: str) -> list[Choice]:
    """The provider picker for a task other than chat: auto, then each provider serving the model for
    `task` in the Hub's order, its status shown when it is not live."""
    mapped = parse_mapping(facts.get("providers") or (), str(facts.get("model_id") or ""))
    return [AUTO_CHOICE, *[(m.label, m.provider) for m in mapped if m.serves(task)]]


def pick_model(hub: Hub, model_id: str, token: str | None = None) -> ModelPick:
    """Look the model up (the Hub caches token-independent answers) and say what it is."""
    try:
        model_id = validate_model_id(model_id)
        card = hub.model_info(model_id, token=token)
    except NotFound:
        return ModelPick(model_id, note=f"**{inert(model_id)}** was not found on the Hub. Check the id "
                                        "(a private model needs a token that can read it).")
    except PlaygroundError as err:
        note = inert_with_links(user_message(err), already_html_escaped=True)
        return ModelPick(model_id, note=note + " You can still pick the task yourself and run.")
    facts = {"model_id": card.id, "mask_token": card.mask_token, "examples": _usable_examples(card),
             "gated": bool(card.gated), "providers": _mapping_facts(card)}
    return ModelPick(card.id, task=card.task, note=describe_card(card), card=facts)
