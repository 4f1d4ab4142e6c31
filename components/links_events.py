"""The listeners behind shareable links: on page load the query fills the form or shows the frozen
result it carries (sending nothing); "Link to this form" and "Frozen link to the selected run" make
the links to share.
"""
from __future__ import annotations

import time
from typing import Any, Mapping
from urllib.parse import urlsplit, urlunsplit

import gradio as gr

from backend import user_message
from backend.errors import InvalidInput
from backend.history import History, HistoryEntry
from backend.links import FormState, form_from_query, query_from_form
from backend.signing import link_secret
from backend.tasks import TASKS, get_task

from .events import Page
from .handlers.forms import FormValues
from .handlers.replay import FROZEN, describe_inputs, replay
from .markup import inert
from .refill import refill, refill_outputs

__all__ = ["LinkHandlers", "wire_links", "page_address", "link_query"]

LINK_FIELDS = ("model", "task", "provider", "text", "question", "context", "labels")
NOTHING_SENT = "Nothing was sent; press **Run** to try it."


def page_address(request: gr.Request) -> str:
    """The page's own address without its query: the browser's Referer when the event came from
    the page, else the address the event was posted to, cut before Gradio's API path."""
    headers = {str(name).lower(): str(value) for name, value in dict(request.headers or {}).items()}
    for candidate in (headers.get("referer", ""), str(getattr(request, "url", "") or "")):
        parts = urlsplit(candidate)
        if parts.scheme in ("http", "https") and parts.netloc:
            path = parts.path.split("/gradio_api/")[0].rstrip("/") + "/"
            return urlunsplit((parts.scheme, parts.netloc, path, "", ""))
    return "/"


def link_query(model: str, task: str, provider: str, values: FormValues) -> dict[str, str]:
    """The link parameters for a form; what links cannot carry (uploads, sentences) is left out."""
    kind = get_task(task).input_kind
    query = {"model": model, "task": task, "provider": "" if provider == "auto" else provider}
    if kind == "qa":
        query.update(question=values.prompt, context=values.context)
    elif kind not in ("image", "audio"):
        query["text"] = values.prompt
    if kind == "zero-shot":
        query["labels"] = values.labels
    return query


def _form_values(form: FormState) -> FormValues:
    return FormValues(prompt=form.text or form.question, context=form.context, labels=", ".join(form.labels))


def _warnings(form: FormState) -> str:
    return "  \n".join("⚠ " + inert(warning, already_html_escaped=True) for warning in form.warnings)


def _frozen_notice(entry: HistoryEntry, verified: bool, why: str = "") -> str:
    asked = describe_inputs(entry.inputs)
    on = f" on “{inert(asked)}”" if asked else ""
    what = f"{inert(entry.model or entry.endpoint_url)} · {inert(get_task(entry.task).label)}{on}"
    if verified:
        when = time.strftime("%Y-%m-%d %H:%M", time.localtime(entry.when))
        return (f"❄ **A frozen result recorded by this playground on {when}**: {what}. "
                "It is shown as it was recorded; nothing was sent to show it.")
    because = inert(why) if why else "it is unsigned, edited, or from another playground"
    return (f"⚠ **Not verified: this answer came inside the link**, not from this playground's records "
            f"({because}): {what}. Treat what it says as unchecked; nothing was sent to show it.")


class LinkHandlers:
    """The listeners behind links; they read and fill the Playground form."""

    def __init__(self, page: Page) -> None:
        self.page, self.panel = page, page.links

    def load_outputs(self) -> list[Any]:
        page = self.page
        return [*refill_outputs(page), *page.stored_outputs(), self.panel.notice]

    def on_load(self, task: str, language: str, request: gr.Request) -> dict[Any, Any]:
        """Fill the form from the page's query, or show the frozen result it carries; sends nothing."""
        params: Mapping[str, Any] = dict(request.query_params or {})
        if not params:  # (a handler's dict must name at least one output)
            return {self.panel.notice: gr.skip()}
        form = form_from_query(params, link_secret(self.page.services.settings))
        notes: list[str] = []
        updates: dict[Any, Any] = {}
        if form.frozen is not None:
            entry = form.frozen
            shown = replay(self.page.services.playground, entry, FROZEN)
            # The form shows the run the answer belongs to, as a history restore does: Run sends that.
            updates.update(refill(self.page, model=entry.model, task=entry.task, values=shown.form,
                                  provider=entry.provider, params=entry.params, extra_params=entry.extra_params,
                                  endpoint_url=entry.endpoint_url, offered_by="A link"))
            updates.update(self.page.show_stored(entry, shown.view, language))
            notes.append(_frozen_notice(entry, form.frozen_verified, form.frozen_why))
        filled = [name for name in LINK_FIELDS if getattr(form, name)]
        if filled:
            updates.update(self._fill(form, task))
            notes.append(f"🔗 **Filled from the link**: {', '.join(filled)}. {NOTHING_SENT}")
        notes.append(_warnings(form))
        text = "  \n".join(note for note in notes if note)
        return {**updates, self.panel.notice: gr.update(value=text, visible=bool(text))}

    def _fill(self, form: FormState, current_task: str) -> dict[Any, Any]:
        task = form.task or current_task
        # A task alone brings its suggested model, as choosing it in the task list does.
        model = form.model or (TASKS[form.task].default_model if form.task else "")
        return refill(self.page, model=model, task=task, values=_form_values(form), provider=form.provider)

    def on_copy(self, model: str, task: str, provider: str, prompt: str, context: str, labels: str,
                request: gr.Request) -> dict[Any, Any]:
        """The link for the form as it is; values a link may not carry are left out, and said so."""
        values = FormValues(prompt=prompt or "", context=context or "", labels=labels or "")
        form = form_from_query(link_query(model or "", task or "", provider or "", values))
        return self._show(page_address(request) + "?" + query_from_form(form), _warnings(form))

    def on_freeze(self, history: History, selected: HistoryEntry | None, request: gr.Request) -> dict[Any, Any]:
        """A link that shows the selected run (else the newest) as it was, without calling the API."""
        entry = selected or (history.entries[0] if history.entries else None)
        if entry is None:
            return self._show("", "Run something first: a frozen link carries a run from the history.")
        try:
            query = query_from_form(FormState(frozen=entry), link_secret(self.page.services.settings))
        except InvalidInput as err:
            return self._show("", "✗ " + inert(user_message(err), already_html_escaped=True))
        about = f"❄ A frozen result of **{inert(entry.model or entry.endpoint_url)}**: whoever opens it sees " \
                "this answer as recorded, and no request is sent."
        if not self.page.services.playground.provenance.vouches_for(entry):
            about += " ⚠ This run was imported, not run here, so the link is not signed: it opens marked " \
                     "**not verified**."
        return self._show(page_address(request) + "?" + query, about)

    def _show(self, link: str, hint: str) -> dict[Any, Any]:
        return {self.panel.link: gr.update(value=link, visible=bool(link)),
                self.panel.hint: gr.update(value=hint, visible=bool(hint))}


def wire_links(page: Page, demo: gr.Blocks) -> None:
    """Fill the form on load; the two share buttons."""
    handlers, panel, form = LinkHandlers(page), page.links, page.inputs.form
    demo.load(handlers.on_load, [page.picker.task, page.requests.language], handlers.load_outputs(),
              api_visibility="private", concurrency_limit=None, show_progress="hidden",
              show_progress_on=page.status.line)
    panel.copy.click(handlers.on_copy, [page.picker.model, page.picker.task, page.picker.provider, form["prompt"],
                                        form["context"], form["labels"]], [panel.link, panel.hint],
                     api_visibility="private", queue=False)
    panel.freeze.click(handlers.on_freeze, [page.history.state, page.history.selected], [panel.link, panel.hint],
                       api_name="share_frozen", api_visibility="undocumented", concurrency_limit=None)
