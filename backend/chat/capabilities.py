"""Which of a model's providers can take tools or a JSON schema, from the router's `/v1/models` flags
(`supports_tools`, `supports_structured_output`, parsed into `chat_providers.RouterProvider`).

    check = provider_support(catalog.get(model_id), "groq", tools=True, schema=False)
    check.warning     # "groq does not support tools for org/model. Providers that do: together."
    check.suggested   # for auto and the policies: the provider to prefer among those that do
A flag the router leaves out is not a "no": only an explicit false warns. Pure; duck-typed on
`RouterModel` so this package does not import `chat_providers` (which imports it).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Sequence

from ..targets import PROVIDER_POLICIES

if TYPE_CHECKING:
    from ..chat_providers import RouterModel, RouterProvider

__all__ = ["ProviderSupport", "provider_support"]

_NEEDS = (("tools", "supports_tools", "tools"), ("schema", "supports_structured_output", "structured output"))
_POLICIES = ("", "auto", *PROVIDER_POLICIES)  # auto and the router's policies: no one provider


@dataclass(frozen=True)
class ProviderSupport:
    """`warning` is plain text (None: nothing to say); `suggested` a provider that supports what is set."""

    warning: str | None = None
    suggested: str | None = None


def _best(providers: Sequence[RouterProvider], policy: str) -> RouterProvider | None:
    """The provider the router's rule would pick: fastest by throughput, cheapest by output price; for
    `preferred` (the account's order, which only the router knows) the catalog's first stands in."""
    rules: dict[str, Callable[[RouterProvider], Any]] = {
        "cheapest": lambda p: p.pricing.output if p.pricing is not None else float("inf"),
        "preferred": lambda p: 0,
    }
    rule = rules.get(policy, lambda p: -(p.throughput if p.throughput is not None else -1.0))
    return min(providers, key=rule, default=None)


def _lacks(entry: RouterProvider, needs: list[tuple[str, str]]) -> list[str]:
    return [label for attribute, label in needs if getattr(entry, attribute, None) is False]


def _supports(entry: RouterProvider, needs: list[tuple[str, str]]) -> bool:
    return all(getattr(entry, attribute, None) is True for attribute, _ in needs)


def provider_support(model: RouterModel | None, provider: str, *, tools: bool, schema: bool) -> ProviderSupport:
    """What to tell the person when tools and/or a schema are set for `provider` ("" or auto, a policy,
    or a provider name). No model in the catalog (a custom endpoint, an unknown model): nothing to say."""
    wanted = {"tools": tools, "schema": schema}
    needs = [(attribute, label) for key, attribute, label in _NEEDS if wanted[key]]
    if not needs or model is None:
        return ProviderSupport()
    live = [p for p in model.providers.values() if p.status in ("", "live")]
    policy = (provider or "").strip().lower()
    if policy in _POLICIES:
        return _for_policy(model.id, policy, live, needs)
    entry = model.providers.get(policy)
    lacking = _lacks(entry, needs) if entry is not None else []
    if not lacking:
        return ProviderSupport()
    return ProviderSupport(f"{policy} does not support {' or '.join(lacking)} for {model.id}."
                           f"{_alternatives(live, needs)}")


def _for_policy(model_id: str, policy: str, live: list[RouterProvider], needs: list[tuple[str, str]]
                ) -> ProviderSupport:
    able = [p for p in live if _supports(p, needs)]
    best = _best(able, policy)
    wanted = " and ".join(label for _, label in needs)
    if best is None:
        if any(_lacks(p, needs) for p in live):
            return ProviderSupport(f"None of {model_id}'s providers says it supports {wanted}.")
        return ProviderSupport()
    if policy == "preferred":  # the account's order, which only the router knows: name who lacks what
        lacking = "; ".join(f"{p.provider}: {' and '.join(_lacks(p, needs))}" for p in live if _lacks(p, needs))
        warning = f"preferred follows your own order of providers, and some of {model_id}'s lack what is set " \
                  f"({lacking}); {best.provider} has it." if lacking else None
        return ProviderSupport(warning, best.provider)
    picked = _best(live, policy)
    if picked is not None and _lacks(picked, needs) and picked.provider != best.provider:
        lacking = " or ".join(_lacks(picked, needs))
        return ProviderSupport(f"{policy or 'auto'} may pick {picked.provider}, which does not support {lacking} "
                               f"for {model_id}; {best.provider} does.", best.provider)
    return ProviderSupport(None, best.provider)


def _alternatives(live: list[RouterProvider], needs: list[tuple[str, str]]) -> str:
    able = [p.provider for p in live if _supports(p, needs)]
    return f" Providers that do: {', '.join(able)}." if able else ""
