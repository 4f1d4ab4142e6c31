"""Putting a run back in the Playground form: model, task, provider, inputs and parameters, as
component updates. Shared by the history (a clicked row) and by links (`?model=&task=&text=`).

The text is marked as the visitor's own, not the page's example, so the model lookup that a new
model triggers keeps it instead of offering the model card's example in its place.
"""
from __future__ import annotations

from typing import Any, Mapping

from backend.tasks import get_task

from .endpoint import offer_endpoint
from .events import Page
from .handlers.forms import FormValues

__all__ = ["refill", "refill_outputs"]


def refill_outputs(page: Page) -> list[Any]:
    """Every component `refill` may update, for a listener's outputs."""
    parameters = page.inputs.parameters
    return [page.picker.model, page.picker.task, page.picker.provider, *page.inputs.form.values(),
            *parameters.slots, parameters.shaped, parameters.chosen, parameters.extra, page.endpoint.url,
            page.endpoint.offered, page.endpoint.offer_row, page.endpoint.offer_note, page.endpoint.offer]


def refill(page: Page, *, model: str, task: str, values: FormValues, provider: str = "",
           params: Mapping[str, Any] | None = None, extra_params: str | None = None,
           endpoint_url: str | None = None, offered_by: str = "") -> dict[Any, Any]:
    """Updates that put a run in the form; the model stays when none is given (a bare endpoint),
    and parameters and the custom endpoint stay unless given. With `offered_by` ("A link", "An
    imported run") the endpoint is only offered, never filled: the visitor presses a button for it."""
    spec = get_task(task)
    updates: dict[Any, Any] = {page.picker.task: task, page.picker.provider: provider or "auto",
                               **page.inputs.fill(spec, values, page_text=False)}
    if model:
        updates[page.picker.model] = model
    if params is not None:
        updates.update(page.inputs.parameters.fill(spec.name, params))
    if extra_params is not None:
        updates[page.inputs.parameters.extra] = extra_params
    if endpoint_url is not None:
        updates.update(offer_endpoint(page.endpoint, endpoint_url if offered_by else "", offered_by))
        if not offered_by:
            updates[page.endpoint.url] = endpoint_url
    return updates
