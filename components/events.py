"""Wiring: the page's event listeners, each a thin adapter from component values to a handler in
`components.handlers` and from its plain result back to component updates.

Handlers that may wait on the network run with no concurrency limit (own pools), so one visitor's
cold model or slow Hub search never queues another visitor. Only `run`, `pick_model` and `whoami`
are public API endpoints; search (driven by key-up events) and layout-only listeners are private.
"""
from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field, replace
from typing import Any, AsyncIterator, Iterator, Sequence

import gradio as gr

from backend import Hub, Playground, RouterCatalog, Settings
from backend.errors import InvalidInput
from backend.history import History, HistoryEntry
from backend.tasks import TASKS, get_task

from .chat import ChatPanel
from .chat_tools import tool_settings
from .endpoint import EndpointPanel, wire_endpoint
from .handlers.background import in_batches
from .handlers.chat import ChatView, Conversation, provider_choices, replayed_chat, run_chat, stopped
from .handlers.debounce import LatestOnly
from .handlers.examples import is_untouched, offered_examples
from .handlers.forms import FormValues, example_title, form_shape, values_from_example
from .handlers.models import pick_model, search_choices, task_provider_choices
from .handlers.run import RunSetup, RunView, invalid_view, run_inference
from .handlers.status import cancelled_job_line
from .handlers.tokens import WhoAmICache, describe_identity, visitor_token
from .history import HistoryPanel
from .inputs import FORM_FIELDS, InputPanel
from .links import LinkPanel
from .model_picker import ModelPicker, choices_after_pick, picked_provider
from .output import OutputPanel
from .parameters import LAYOUTS, ParameterPanel, keep_chosen_js
from .request_view import RequestPanel, code_for
from .status import StatusPanel
from .token_panel import TokenPanel

__all__ = ["Services", "Page", "wire"]

# Seconds of quiet typing before the Hub is asked. Gradio 6.31's key-up event data can repeat an
# earlier keystroke's text under fast typing, and the server may start keystrokes out of order, so
# READ_QUERY takes the text from the input box itself with a per-page keystroke number, and stale
# answers are dropped server-side (instead of `trigger_mode="always_last"`, which loses the text).
SEARCH_PAUSE = 0.25
READ_QUERY = """(task, token, query, sequence) => {
  window.playgroundKeystrokes = (window.playgroundKeystrokes || 0) + 1;
  return [task, token, document.querySelector('#model input')?.value ?? query, window.playgroundKeystrokes];
}"""
# Keys that pick, move or leave rather than type: their key-up does not search (Enter's would search
# for the label the box shows once a model is picked).
NOT_TYPING = frozenset({"Enter", "Tab", "Escape", "ArrowUp", "ArrowDown", "ArrowLeft", "ArrowRight", "Home", "End",
                        "PageUp", "PageDown", "Shift", "Control", "Alt", "Meta", "CapsLock"})
_CURATED_MODELS = {spec.default_model for spec in TASKS.values()}
# Seconds Cancel waits for a provider's answer to its job's cancel call (the call's own timeout is 5 s).
CANCEL_ANSWER_WAIT = 6.0
# Seconds a run's first steps are gathered into one update: a quick answer is shown at once.
QUIET_START = 0.1


def _oauth(oauth_token: gr.OAuthToken | None) -> str | None:
    return oauth_token.token if oauth_token is not None else None


def _pressed(event: gr.EventData) -> str:
    """The key of a key-up event (gr.KeyUpData's field), or '' from a client that sent no event data."""
    data = getattr(event, "_data", None)
    return str(data.get("key") or "") if isinstance(data, dict) else ""


def _unsettled(values: dict[str, Any], picked: str) -> bool:
    """The form was shaped for `picked`, not for the model in the box (an API call's, with no `picked`,
    is taken as given)."""
    model = values["model"] or ""
    return bool(picked and model and picked != model and not values["endpoint_url"])


def _current(prompt: str, image: str | None, audio: str | None) -> dict[str, Any]:
    return {"prompt": prompt, "image": image, "audio": audio}


@dataclass(frozen=True)
class Services:
    """The backend objects every visitor shares; none of them holds per-visitor state."""

    settings: Settings
    playground: Playground
    hub: Hub
    whoami: WhoAmICache
    catalog: RouterCatalog  # the router's chat models and their providers' figures


@dataclass
class Page:
    """Every panel's handles and the shared backend the listeners use."""

    services: Services
    picker: ModelPicker
    tokens: TokenPanel
    inputs: InputPanel
    status: StatusPanel
    output: OutputPanel
    requests: RequestPanel
    chat: ChatPanel
    endpoint: EndpointPanel
    links: LinkPanel
    history: HistoryPanel
    running: gr.State
    finished: gr.State   # (HistoryEntry,) of the run that just finished, until the history has it
    searches: LatestOnly = field(default_factory=LatestOnly)

    # --- model picker -------------------------------------------------------------------------------

    def on_search(self, task: str, token: str, query: str, sequence: float | None, key: gr.EventData,
                  request: gr.Request, oauth_token: gr.OAuthToken | None = None) -> tuple[Any, Any]:
        """Search as the visitor types: wait for a pause in typing, and show only the newest answer."""
        session, keystroke = request.session_hash or "", int(sequence or 0)
        if _pressed(key) in NOT_TYPING or not self.searches.begin(session, keystroke, query or ""):
            return gr.skip(), gr.skip()
        time.sleep(SEARCH_PAUSE)
        if not self.searches.is_latest(session, keystroke):
            return gr.skip(), gr.skip()
        visitor = visitor_token(token, _oauth(oauth_token))
        choices, problem = search_choices(self.services.hub, query or "", task, visitor)
        if not self.searches.is_latest(session, keystroke):
            return gr.skip(), gr.skip()
        return gr.Dropdown(choices=choices), (problem or gr.skip())

    def on_model(self, model_id: str, task: str, prompt: str, image: str | None, audio: str | None,
                 card: dict[str, Any], filled: str, token: str, answered: dict[str, Any] | None,
                 request: gr.Request, oauth_token: gr.OAuthToken | None = None) -> dict[Any, Any]:
        self.searches.settle(request.session_hash or "")  # a search answered now would relabel the box
        visitor = visitor_token(token, _oauth(oauth_token))
        pick = pick_model(self.services.hub, model_id or "", visitor)
        new_task, spec = pick.task or task, get_task(pick.task or task)
        new_card = pick.card or {"model_id": pick.model_id, "mask_token": "", "examples": []}
        # The router's provider figures are fetched only now that a chat model is picked (then cached).
        providers = provider_choices(self.services.hub, self.services.catalog, pick.model_id, visitor) \
            if spec.input_kind == "chat" else task_provider_choices(new_card, spec.name)
        updates = {self.picker.note: pick.note, self.picker.task: new_task, self.picker.card: new_card,
                   self.picker.picked: pick.model_id,
                   # The box shows the bare id once picked, not the long search-result label.
                   self.picker.model: gr.Dropdown(choices=choices_after_pick(pick.model_id, new_task)),
                   **self.picker.provider_update(spec, providers),
                   **self.output.marked(answered, pick.model_id, new_task)}
        return {**updates, **self._examples(new_task, new_card, _current(prompt, image, audio), filled)}

    def on_provider(self, provider: str, model_id: str, task: str, token: str,
                    oauth_token: gr.OAuthToken | None = None) -> Any:
        """A chat provider picked from the list: its name in the box, its figures on the line above."""
        if get_task(task).input_kind != "chat":
            return gr.skip()  # other tasks' labels are a name and a status: they fit
        visitor = visitor_token(token, _oauth(oauth_token))
        choices = provider_choices(self.services.hub, self.services.catalog, model_id or "", visitor)  # cached
        return gr.Dropdown(**picked_provider(choices, provider or ""))

    def on_task_chosen(self, task: str, model_id: str, prompt: str, image: str | None, audio: str | None,
                       card: dict[str, Any], filled: str) -> dict[Any, Any]:
        """The visitor changed the task: move off a suggested model, offer the task's examples."""
        spec = get_task(task)
        if spec.default_model and (not model_id or model_id in _CURATED_MODELS):
            # The new model's card brings its own examples (`on_model`); the old card's do not apply.
            return {self.picker.model: spec.default_model}
        return self._examples(task, card, _current(prompt, image, audio), filled)

    def on_task_shape(self, task: str, model_id: str, card: dict[str, Any], answered: dict[str, Any] | None,
                      shaped: str, chosen: Any) -> dict[Any, Any]:
        spec = get_task(task)
        # Chat keeps the choices its model pick gave; another task lists who serves the model for it.
        choices = None if spec.input_kind == "chat" else task_provider_choices(card, spec.name)
        updates = {**self.inputs.reshape(spec), **self.inputs.parameters.reshape(spec.name, shaped, chosen),
                   **self.picker.provider_update(spec, choices)}
        marked, mode = self.output.marked(answered, model_id or "", spec.name), self.chat.mode(
            spec.input_kind == "chat", self.output.container)
        container = self.output.container  # shown or not (chat mode), and marked or not: one update
        return {**updates, **marked, **mode, container: {**marked.get(container, {}), **mode[container]}}

    def _examples(self, task: str, card: dict[str, Any], current: dict[str, Any], filled: str) -> dict[Any, Any]:
        """Offer the examples for `task`, and fill the form with the first if it is untouched."""
        spec, offered, mask = get_task(task), offered_examples(task, card), card.get("mask_token", "")
        updates: dict[Any, Any] = {
            self.inputs.examples: gr.Dataset(samples=[[example_title(ex, mask)] for ex in offered])}
        if offered and is_untouched(spec.input_kind, current, filled):
            updates.update(self._fill(spec, offered[0], mask))
        return updates

    def _fill(self, spec: Any, example: dict[str, Any], mask_token: str) -> dict[Any, Any]:
        return self.inputs.fill(spec, values_from_example(spec, example, mask_token))

    def on_example(self, index: int, task: str, card: dict[str, Any]) -> dict[Any, Any]:
        offered, spec = offered_examples(task, card), get_task(task)
        if index is None or not 0 <= index < len(offered):
            return {}
        return self._fill(spec, offered[index], card.get("mask_token", ""))

    # --- tokens -------------------------------------------------------------------------------------

    def on_identity(self, token: str, oauth_token: gr.OAuthToken | None = None) -> str:
        visitor = visitor_token(token, _oauth(oauth_token))
        return describe_identity(self.services.whoami, self.services.settings, visitor,
                                 can_sign_in=self.tokens.login is not None)

    # --- run ----------------------------------------------------------------------------------------

    @staticmethod
    def run_setup(card: dict[str, Any], values: dict[str, Any]) -> RunSetup:
        """The form as a RunSetup, from the keyword inputs of `run` (the Compare tab reads them too)."""
        task, model_id = values["task"], values["model"] or ""
        return RunSetup(model_id=model_id, task=task, form=FormValues(**{n: values[n] for n in FORM_FIELDS}),
                        params=ParameterPanel.values(task, values["parameters"]),
                        extra_params=values["extra_params"] or "",
                        provider=values["provider"] or "",
                        mask_token=card.get("mask_token", "") if card.get("model_id") == model_id else "",
                        providers=card.get("providers") if card.get("model_id") == model_id else None)

    @staticmethod
    def visitor(typed: str | None, oauth_token: gr.OAuthToken | None) -> str | None:
        """The token runs use for this visitor (typed, else their login); None means the operator's."""
        return visitor_token(typed, _oauth(oauth_token))

    async def on_run(self, language: str, card: dict[str, Any], conversation: Conversation, filled: str,
                     picked: str = "", oauth_token: gr.OAuthToken | None = None, **values: Any) -> AsyncIterator[dict[Any, Any]]:
        """Follow the run, yielding what the page shows after each batch of its steps.

        Every yield repeats the whole picture so far (Gradio streams a generator's outputs as diffs,
        so a repeated value costs nothing), and a run answered within `QUIET_START` shows its answer
        in one update, without "sending…" first. The finished run is left in `finished` for
        `on_finished`, which adds it to the history once the answer is on the page.
        """
        visitor = self.visitor(values["token"], oauth_token)
        if _unsettled(values, picked):  # a Hub call: in a thread, not on the event loop every visitor shares
            card, values = await asyncio.to_thread(self._settled, card, values, filled, visitor)
        views = self._views(card, values, conversation, visitor)
        shown: dict[Any, Any] = {self.finished: ()}
        finished: tuple[HistoryEntry, ...] = ()  # a chat turn may chain requests (tool calls run on MCP servers)
        async for batch in in_batches(views, first_wait=QUIET_START):
            for view in batch:
                run = view.run if isinstance(view, ChatView) else view
                finished += (run.entry,) if run.entry is not None else ()
                shown.update({**self.status.show(run), **self._answer(view, conversation),
                              **self.requests.show(run, language),
                              # a provider job's key while one is followed: Cancel reads what came of it
                              self.running: (run.job or True) if run.phase in ("start", "progress") else False,
                              self.finished: finished})
            yield dict(shown)

    def _settled(self, card: dict[str, Any], values: dict[str, Any], filled: str,
                 visitor: str | None) -> tuple[dict[str, Any], dict[str, Any]]:
        """Run pressed before a picked model's details reached the page (they take a Hub call, about
        0.2 s): the form was still shaped for the model before (`_unsettled`). Learn the new model's details
        now as `on_model` does, and run it as the pick then shows it, with its detected task and the
        form the pick fills, so what is sent is what the page then shows."""
        pick = pick_model(self.services.hub, values["model"], visitor)
        if not pick.card:  # not a model id, or the Hub could not say: the run explains what it meets
            return card, values
        new_card, task = dict(pick.card), pick.task or values["task"]
        spec, offered = get_task(task), offered_examples(task, new_card)
        settled = {**values, "model": pick.model_id, "task": task}
        if offered and is_untouched(spec.input_kind, _current(values["prompt"], values["image"], values["audio"]),
                                    filled):
            example = values_from_example(spec, offered[0], new_card.get("mask_token", ""))
            settled.update({name: getattr(example, name) for name in form_shape(spec).fields})
        return new_card, settled

    def on_finished(self, finished: tuple[HistoryEntry, ...] | None, history: History) -> tuple[Any, ...]:
        """The runs that just finished join this session's history (newest first), once: the listener's
        last output, the `finished` state it read, is emptied."""
        if not finished:  # nothing was sent, or the run was cancelled
            return gr.skip()
        vouch = self.services.playground.provenance.vouch
        for entry in finished:  # only this server's runs reach `finished` (a State visitors cannot set)
            history = history.add(vouch(entry))
        shown = self.history.show(history)
        return (*(shown[component] for component in self.history.components), ())

    async def on_answer(self, language: str, card: dict[str, Any], conversation: Conversation, filled: str,
                        picked: str = "", oauth_token: gr.OAuthToken | None = None,
                        **values: Any) -> AsyncIterator[dict[Any, Any]]:
        """The answer Retry, an edit or "Regenerate from here" asked for (`conversation.pending`); the
        message box is not sent. Nothing happens when they asked for none (an answer edited in place)."""
        if not conversation.pending:
            yield {self.finished: ()}
            return
        async for update in self.on_run(language, card, conversation, filled, picked, oauth_token, **values):
            yield update

    def _views(self, card: dict[str, Any], values: dict[str, Any], conversation: Conversation,
               visitor: str | None) -> Iterator[RunView | ChatView]:
        """A chat turn in chat mode, else the task's run; either stops (and sends nothing more) when closed."""
        playground, endpoint_key = self.services.playground, values["endpoint_key"] or None
        try:
            setup = replace(self.run_setup(card, values), endpoint_url=values["endpoint_url"] or "")
        except InvalidInput as err:
            return iter([invalid_view(err)])
        if get_task(setup.task).input_kind == "chat":
            setup = replace(setup, reasoning_effort=values.get("reasoning_effort") or "")
            return run_chat(playground, self.services.catalog, setup, conversation, visitor, endpoint_key,
                            tool_settings(values))
        return run_inference(playground, setup, visitor, endpoint_key)

    def _answer(self, view: RunView | ChatView, conversation: Conversation) -> dict[Any, Any]:
        if isinstance(view, ChatView):
            return self.chat.show(view, self.output.raw, self.inputs.prompt)
        return {**self.output.show(view), **self.chat.kept(conversation)}

    # --- stored runs (history, frozen links) ---------------------------------------------------------

    def stored_outputs(self) -> list[Any]:
        """Every component `show_stored` may update, for a listener's outputs."""
        return [*self.status.components, *self.output.components, *self.requests.components, *self.chat.components]

    def show_stored(self, entry: HistoryEntry, view: RunView, language: str) -> dict[Any, Any]:
        """Show a stored run's answer as a live one would have (nothing is sent): a chat turn in the
        transcript, with the conversation before it ready for Run to send the message again."""
        updates = {**self.status.show(view), **self.output.show(view, of=(entry.model, entry.task)),
                   **self.requests.show(view, language)}
        if get_task(entry.task).input_kind == "chat":
            answer = view.rendered.text if view.rendered is not None and not view.error else ""
            conversation = replayed_chat(entry.inputs.get("messages"), answer)
            # The whole conversation comes back, answer included: Retry regenerates it, Run sends a new message.
            updates.update({self.chat.chatbot: conversation.transcript, self.chat.conversation: conversation,
                            self.chat.raw_stream: "", self.inputs.prompt: ""})
        return updates

    def on_cancel(self, running: bool | str, task: str, conversation: Conversation) -> dict[Any, Any]:
        """Say the run stopped; for a provider job, what the provider said to its cancel (the run's worker
        sends that call as it closes, within a few seconds)."""
        if not running:
            return {self.running: False}
        line = self.status.cancelled() if not isinstance(running, str) else \
            cancelled_job_line(self.services.playground.cancels.wait(running, timeout=CANCEL_ANSWER_WAIT))
        updates = {self.status.line: line, **self.output.cancelled("Cancelled before an answer came."),
                   self.running: False}
        if get_task(task).input_kind == "chat":  # the transcript says where the answer stopped
            conversation = stopped(conversation)
            updates.update({self.chat.chatbot: conversation.transcript, self.chat.conversation: conversation})
        return updates

    def run_inputs(self) -> dict[str, Any]:
        """Keyword inputs of `run`: their names are also its API parameter names."""
        return {"model": self.picker.model, "task": self.picker.task, "provider": self.picker.provider,
                **self.inputs.form, "extra_params": self.inputs.parameters.extra, "token": self.tokens.token,
                "endpoint_url": self.endpoint.url, "endpoint_key": self.endpoint.key,
                "reasoning_effort": self.chat.effort, "parameters": self.inputs.parameters.chosen,
                "tools": self.chat.tools.tools, "tool_choice": self.chat.tools.choice,
                "response_format": self.chat.tools.schema, "strict": self.chat.tools.strict,
                "mcp_servers": self.chat.tools.mcp}

    def run_outputs(self) -> list[Any]:
        # The message box is an output too: chat empties it once a message is sent.
        return [*self.status.components, *self.output.components, *self.requests.components,
                *self.chat.components, *self.chat.tools.outputs(), self.inputs.prompt, self.running, self.finished]


def wire(page: Page, answer_events: Sequence[Any] = ()) -> None:
    """Attach the Playground's own listeners; Cancel also stops `answer_events` (the answers the chat's
    own buttons ask for, `chat_events.wire_chat`)."""
    picker, inputs, tokens = page.picker, page.inputs, page.tokens
    hub_events: dict[str, Any] = dict(concurrency_limit=None, concurrency_id="hub")
    picker.model.key_up(page.on_search, [picker.task, tokens.token, picker.query, picker.keystroke],
                        [picker.model, picker.note],
                        js=READ_QUERY, trigger_mode="multiple", api_visibility="private", show_progress="hidden",
                        show_progress_on=picker.note, **hub_events)
    form, media = [inputs.filled, *inputs.form.values()], [inputs.form["image"], inputs.form["audio"]]
    picker.model.change(page.on_model,
                        [picker.model, picker.task, inputs.prompt, *media, picker.card, inputs.filled, tokens.token,
                         page.output.answered],
                        [picker.note, picker.task, picker.card, picker.picked, picker.model, picker.provider,
                         inputs.examples, *form,
                         page.output.container, page.output.message],
                        api_name="pick_model", show_progress_on=picker.note, **hub_events)
    picker.provider.input(page.on_provider, [picker.provider, picker.model, picker.task, tokens.token],
                          picker.provider, api_visibility="private", show_progress="hidden", **hub_events)
    picker.task.input(page.on_task_chosen,
                      [picker.task, picker.model, inputs.prompt, *media, picker.card, inputs.filled],
                      [picker.model, inputs.examples, *form], api_visibility="private", queue=False,
                      show_progress="hidden", show_progress_on=picker.note)
    parameters = inputs.parameters
    picker.task.change(page.on_task_shape,
                       [picker.task, picker.model, picker.card, page.output.answered, parameters.shaped,
                        parameters.chosen],
                       [*inputs.form.values(), *parameters.slots, parameters.shaped, picker.provider,
                        page.chat.container, page.output.container, page.output.message],
                       api_visibility="private", queue=False,
                       show_progress="hidden", show_progress_on=picker.note)
    inputs.examples.click(page.on_example, [inputs.examples, picker.task, picker.card], form,
                          api_visibility="private", queue=False, show_progress="hidden", show_progress_on=inputs.prompt)
    # Enter then a click elsewhere (submit, then blur) while the first answer is pending: the token as
    # it is last gets its answer.
    gr.on([tokens.token.submit, tokens.token.blur], page.on_identity, tokens.token,
          tokens.identity, api_name="whoami", trigger_mode="always_last", **hub_events)
    wire_endpoint(page.endpoint, page.services.settings, page.visitor, tokens.token)
    gr.on([slot.change for slot in parameters.slots], None, [parameters.shaped, parameters.chosen, *parameters.slots],
          parameters.chosen, js=keep_chosen_js(LAYOUTS), api_visibility="private", queue=False)
    # A run's progress is the status line its handler writes. Gradio's own tracker is pointed at the
    # `running` state, which the page does not draw: on that tracker a Cancel could race into an
    # "Error" badge over the status line.
    run_event = inputs.run.click(page.on_run, [page.requests.language, picker.card, page.chat.conversation,
                                               inputs.filled, picker.picked],
                                 page.run_outputs(), inputs_kwargs=page.run_inputs(), api_name="run",
                                 concurrency_limit=None, concurrency_id="inference", show_progress="hidden",
                                 show_progress_on=page.running)
    # "undocumented": a script that runs through the API records its runs the same way the page does.
    run_event.then(page.on_finished, [page.finished, page.history.state], [*page.history.components, page.finished],
                   api_name="record_run", api_visibility="undocumented", queue=False, show_progress="hidden",
                   show_progress_on=page.history.note)
    # The run is cancelled first (the page sends a click's listeners in order), so that its worker sends a
    # provider job's cancel call while `on_cancel` waits for the provider's answer to it.
    inputs.cancel.click(None, cancels=[run_event, *answer_events], api_visibility="private", queue=False)
    inputs.cancel.click(page.on_cancel, [page.running, picker.task, page.chat.conversation],
                        [page.status.line, page.output.container, page.output.message, page.output.answered,
                         page.chat.chatbot, page.chat.conversation, page.running],
                        api_visibility="private", queue=False, show_progress="hidden",
                        show_progress_on=page.running)
    page.requests.language.change(lambda language, snippets: gr.update(**code_for(snippets, language)),
                                  [page.requests.language, page.requests.snippets], page.requests.code,
                                  api_visibility="private", queue=False)
