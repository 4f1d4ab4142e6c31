"""Chat mode's run: one answer of a conversation, asked with exactly the conversation's shown path.

`run_chat` sends the shown path plus the new message (with an optional image for a vision model), or,
after Retry or an edit, the path that answer regenerates from; it feeds every polling event to a
`ChatStream` and yields a `ChatView` whenever the page should change: the thinking and the answer
grow apart as tokens arrive, and the last view writes the answer into the tree (an alternative when
regenerated) with its numbers, and carries it in OpenAI shape for the raw panel. Closing the generator
stops the run and its connection, as for any task. `provider_choices` fills the provider picker.

With tools or a schema set (`tools.py`), the request carries them (a provider that says it cannot take
them is warned about first); a turn of calls is written with its calls, which wait for their results
(MCP calls allowed always run at once, and the next request follows), and a text answer is checked
against the schema. A conversation over the provider's context (the router's `/v1/models`, cached) is
warned about with its token estimate and not sent; Run again sends it (the provider then answers for itself).
"""
from __future__ import annotations

import html
import time
from dataclasses import dataclass, replace
from typing import Any, Generator, Iterator, Mapping

from backend import (ChatStream, Finished, Hub, InferenceRequest, ModelCard, Playground, PlaygroundError,
                     RouterCatalog, estimate_cost, list_providers, user_message, user_message_content)
from backend.chat import ChatTree, SchemaCheck
from backend.chat.context import context_check
from backend.chat_providers import Pricing, RouterModel
from backend.errors import InvalidInput, InvalidParameters
from backend.history import entry_from_run
from backend.settings import resolve_token

from ..markup import inert, inert_with_links
from .conversation import Conversation, Message, tree_from_messages
from .forms import FormValues, read_upload
from .run import (STREAM_REFRESH, RunSetup, RunView, finished_view, polling_view, sent_credential,
                  start_view)
from .status import NOT_SENT, answer_numbers, streaming_line
from .tools import (MAX_AUTO_ROUNDS, ProviderUnsupported, ToolSettings, routed_setup, run_allowed_calls,
                    runnable_now, turn_figures, waiting_for)

__all__ = ["CHAT_TASK", "REASONING_EFFORTS", "Conversation", "ChatView", "run_chat", "replayed_chat",
           "provider_choices", "stopped", "ContextTooLong"]

CHAT_TASK = "chat-completion"
REASONING_EFFORTS = ("default", "none", "low", "medium", "high")


@dataclass(frozen=True)
class ChatView:
    """One step of a chat turn: the run's view (status, request, code, raw JSON) and the chat's."""

    run: RunView
    conversation: Conversation
    raw_stream: str = ""  # the SSE as received, once the turn is over
    message: str | None = None  # new text for the message box; None leaves it
    check: SchemaCheck | None = None  # the answer checked against the schema sent


def _error_note(error: str) -> dict[str, Any]:
    return {"role": "assistant", "content": inert_with_links(error, already_html_escaped=True),
            "metadata": {"title": "⚠ Error"}}


def stopped(conversation: Conversation) -> Conversation:
    """A turn cancelled by the visitor: the answer so far is kept (marked stopped, and it goes with the
    next turn as it was shown); cancelled before any text came, the turn is taken back."""
    if not conversation.answering:
        return conversation
    node = conversation.tree.node(conversation.answering)
    if not (conversation.live_answer or conversation.live_reasoning):
        note = {"role": "assistant", "content": "Cancelled before an answer came.", "metadata": {"title": "■ Stopped"}}
        return conversation.settled(_without(conversation.tree, node.id, conversation.pending)).add_notes(note)
    tree = conversation.tree.update(node.id, content=conversation.live_answer, reasoning=conversation.live_reasoning,
                                    figures={**node.figures, "stopped": True})
    return conversation.settled(tree)


def _without(tree: ChatTree, answer_id: str, pending: str) -> ChatTree:
    """The tree without an answer that never came: a sent message goes back to the box, unsent."""
    path = tree.path()
    depth = next(n for n, node in enumerate(path) if node.id == answer_id)
    tree = tree.delete(answer_id)
    if not pending and depth and path[depth - 1].role == "user":  # a new message: it goes back to the box
        tree = tree.delete(path[depth - 1].id)
    return tree


def _user_content(form: FormValues, conversation: Conversation) -> tuple[Any, dict[str, Any]]:
    image = None if conversation.has_image(form.image) else form.image
    if not form.prompt.strip() and not image:
        raise InvalidParameters("Type a message first.", field="messages")
    data, image_type = read_upload(image)
    figures = {"picture": image} if image else {}
    return user_message_content(form.prompt, data, image_type), figures


def _prepared(conversation: Conversation, form: FormValues) -> tuple[ChatTree, list[Message], str]:
    """The tree with the answer's (empty) node in place, the messages that ask for it, and that node's id.

    A new message is appended with its answer; Retry regenerates an answer in place (a sibling, so the
    old one stays as an alternative); after an edit, the path's last message gets its answer."""
    tree, pending = conversation.tree, conversation.pending
    if pending.startswith("regenerate:"):
        target = pending.split(":", 1)[1]
        messages = tree.messages_for_request(before=target)
        tree = tree.regenerate(target, "")
    elif pending == "answer":
        messages = tree.messages_for_request()
        tree = tree.append_assistant("")
    else:
        content, figures = _user_content(form, conversation)
        tree = tree.append_user(content, figures=figures)
        messages = tree.messages_for_request()
        tree = tree.append_assistant("")
    last = tree.last
    assert last is not None
    return tree, messages, last.id


def _request(playground: Playground, setup: RunSetup, messages: list[Message],
             tool_params: Mapping[str, Any]) -> InferenceRequest:
    """The checked request; raises InvalidInput before anything is sent."""
    if not messages:
        raise InvalidParameters("Type a message first.", field="messages")
    params = {**setup.params, **tool_params}
    if setup.reasoning_effort and setup.reasoning_effort != "default":
        params["reasoning_effort"] = setup.reasoning_effort
    return playground.build_request(
        task=CHAT_TASK, model_id=setup.model_id, inputs={"messages": messages, "system": setup.form.system},
        params=params, extra_params=setup.extra_params, provider=setup.provider, endpoint_url=setup.endpoint_url)


def _router_models(catalog: RouterCatalog, request: InferenceRequest, token: str | None
                   ) -> Mapping[str, RouterModel]:
    """The router's model list, for the prices and the context; empty for an endpoint, or when it cannot be
    had (then no warning and no cost, and the turn is sent). The catalog keeps it for 5 minutes, and the
    provider picker asked for it when the model was picked, so a turn rarely waits for it.

    Asked before sending, so nothing goes to the server after the answer (or after a Cancel)."""
    if request.is_endpoint:
        return {}
    try:
        return catalog.models(token)
    except PlaygroundError:
        return {}


def _prices(models: Mapping[str, RouterModel], request: InferenceRequest) -> Mapping[str, Pricing | None]:
    """Each provider's price for the model; empty when unknown."""
    model = models.get(request.model_id)
    return {name: figures.pricing for name, figures in model.providers.items()} if model else {}


class ContextTooLong(InvalidInput):
    """The conversation is over the chosen provider's context; `key` is what Run again acknowledges."""

    def __init__(self, message: str, key: str) -> None:
        super().__init__(message)
        self.key = key


def _context_said(models: Mapping[str, RouterModel], request: InferenceRequest, provider: str,
                  acknowledged: str) -> str:
    """What the answer says about the context ("" when it fits or nobody can say); a conversation over
    it is refused once (ContextTooLong), and sent when Run is pressed again for the same model and provider."""
    body = request.json_body if isinstance(request.json_body, Mapping) else {}
    check = context_check(models.get(request.model_id), provider, body.get("messages") or (), body.get("max_tokens"))
    if check.warning is None:
        return ""
    policy = (provider or "").strip().lower()
    key = f"{request.model_id}|{policy or 'auto'}"
    if acknowledged == key:
        return f"Sent as you asked, over the context: {check.warning}"
    who = "auto" if policy in ("", "auto") else policy
    advice = "Pick a provider with a longer context, shorten" if check.longer else "Shorten"
    raise ContextTooLong(f"{check.warning}{check.alternatives} {advice} the conversation "
                         f"(Undo, Delete, or a new conversation), or press Run again to send it to {who} anyway; "
                         f"the provider may refuse it.", key)


def _live(pending: Conversation, chat: ChatStream) -> Conversation:
    """The conversation with the answer so far (the tree is written once, at the end)."""
    seconds = chat.thinking_seconds
    title = "Thinking…" if chat.is_thinking else f"Thought for {seconds:.1f} s" if seconds is not None else "Thinking"
    return replace(pending, live_answer=chat.answer, live_reasoning=chat.reasoning, live_title=title,
                   live_calls=chat.tool_calls)


def _finished(setup: RunSetup, request: InferenceRequest, chat: ChatStream, base: RunView,
              pending: Conversation, prices: Mapping[str, Pricing | None], tools: ToolSettings,
              routed: str, context: str = "") -> ChatView:
    result = chat.result
    assert result is not None
    run = finished_view(CHAT_TASK, result, base)
    entry = entry_from_run(request, result, {"messages": request.json_body["messages"]}, setup.params,
                           extra_params=setup.extra_params, provider=setup.provider)
    # The raw panel shows the assembled answer in OpenAI shape, or an error's own body.
    answered = bool(chat.answer or chat.reasoning or chat.tool_calls)
    run = replace(run, raw=chat.to_openai() if answered or result.ok else run.raw, entry=entry)
    if not answered:  # nothing came: the turn is taken back, the message given back to fix or retry
        tree = _without(pending.tree, pending.answering, pending.pending)
        notes = (_error_note(run.error),) if run.error else ()
        return ChatView(run, pending.settled(tree).add_notes(*notes), raw_stream=chat.raw_sse,
                        message=setup.form.prompt if not pending.pending else None)
    cost = estimate_cost(chat.usage, prices.get(chat.provider))
    added, check = turn_figures(request, chat, tools, routed)
    figures = {"numbers": answer_numbers(chat, cost), "thought": chat.thinking_seconds,
               "thinking_note": chat.thinking_note or "", "model": request.model_id, "provider": chat.provider,
               "context": context, **added}
    kept = {key: value for key, value in figures.items() if value not in (None, "", [], {})}
    tree = pending.tree.update(pending.answering, content=chat.answer, reasoning=chat.reasoning, figures=kept,
                               tool_calls=[call.as_openai() for call in chat.tool_calls])
    notes = (_error_note(run.error),) if run.error else ()
    return ChatView(run, pending.settled(tree).add_notes(*notes), raw_stream=chat.raw_sse, check=check)


def replayed_chat(messages: Any, answer: str) -> Conversation:
    """A stored chat turn put back: its messages and its stored answer, ready to continue from."""
    return Conversation(tree_from_messages(messages, answer))


def _refused(conversation: Conversation, error: str, **changes: Any) -> ChatView:
    return ChatView(RunView("invalid", NOT_SENT, error=error),
                    conversation.settled(conversation.tree, **changes).add_notes(_error_note(error)))


def _refusal(conversation: Conversation, err: InvalidInput) -> ChatView:
    """A turn refused before sending; a warning's key is kept for Run again, and a context warning keeps
    what Retry or an edit asked for, so that Run again sends it."""
    acknowledged = err.key if isinstance(err, ProviderUnsupported) else conversation.acknowledged
    context = err.key if isinstance(err, ContextTooLong) else conversation.context_acknowledged
    view = _refused(conversation, user_message(err), acknowledged=acknowledged, context_acknowledged=context,
                    allowed_calls=conversation.allowed_calls)
    if isinstance(err, ContextTooLong) and conversation.pending:
        return replace(view, conversation=replace(view.conversation, pending=conversation.pending))
    return view


def _answer_waiting(playground: Playground, conversation: Conversation, tools: ToolSettings,
                    visitor_token: str | None) -> Generator[ChatView, None, Conversation | None]:
    """Before a request that follows calls: the allowed MCP calls run; the conversation to send, or None
    (and a view that says why) while a call still waits for the person, or a new message came too soon."""
    keep = {"allowed_calls": conversation.allowed_calls, "acknowledged": conversation.acknowledged}
    if conversation.pending != "answer":
        name = waiting_for(conversation, tools.mcp).call
        yield _refused(conversation, html.escape(f"The model's call to {name.name if name else 'a function'} is "
                                                 f"waiting for its result: give it under Tools and structured output "
                                                 f"(Send result), then send your message.", quote=False), **keep)
        return None
    latest = conversation
    try:
        for doing, latest in run_allowed_calls(conversation, tools.mcp, visitor_token, playground.settings):
            if doing:
                yield ChatView(RunView("progress", "⇢ " + inert(doing)), latest)
    except PlaygroundError as err:
        line = "✗ **The MCP server could not run the call.** Nothing was sent to the model."
        yield ChatView(RunView("held", line), latest.add_notes(_error_note(user_message(err))))
        return None
    waiting = waiting_for(latest, tools.mcp)
    if waiting.call is not None:
        line = f"■ **Waiting for you**: the result of {inert(waiting.call.name or 'the call')} " \
               f"(call {waiting.number} of {waiting.count}), under Tools and structured output."
        yield ChatView(RunView("held", line), replace(latest, pending=""))
        return None
    return latest


def run_chat(playground: Playground, catalog: RouterCatalog, setup: RunSetup, conversation: Conversation,
             visitor_token: str | None = None, endpoint_key: str | None = None,
             tools: ToolSettings | None = None, rounds: int = 0) -> Iterator[ChatView]:
    """Send `setup`'s message after `conversation` (or what Retry, an edit or a tool result asked for),
    yielding a view per step (see the module doc)."""
    tools = tools or ToolSettings()
    if conversation.tree.unanswered_calls() and not conversation.pending.startswith("regenerate:"):
        answered = yield from _answer_waiting(playground, conversation, tools, visitor_token)
        if answered is None:
            return
        conversation = answered
    try:
        tool_params = tools.params()
        setup, routed = routed_setup(catalog, playground.settings, setup, tool_params, conversation, visitor_token)
        tree, messages, answer_id = _prepared(conversation, setup.form)
        request = _request(playground, setup, messages, tool_params)
        credential = sent_credential(playground, request, visitor_token, endpoint_key)
        models = _router_models(catalog, request, resolve_token(visitor_token, playground.settings))
        context = _context_said(models, request, setup.provider, conversation.context_acknowledged)
    except InvalidInput as err:
        yield _refusal(conversation, err)
        return
    prices = _prices(models, request)
    image = None if conversation.has_image(setup.form.image) else setup.form.image
    pending = replace(conversation, tree=tree, answering=answer_id, notes=(),
                      images=(*conversation.images, image) if image else conversation.images)
    base = start_view(request, credential, setup.form.image)
    yield ChatView(base, pending, message=None if conversation.pending else "")
    chat, shown_at, last = ChatStream.for_request(request, secret=credential), 0.0, None
    for event in playground.run(request, token=visitor_token, endpoint_key=endpoint_key):
        changed = chat.feed(event)
        if isinstance(event, Finished):
            last = _finished(setup, request, chat, base, pending, prices, tools, routed, context)
            yield last
        elif (view := polling_view(event)) is not None:
            yield ChatView(view, pending)
        elif changed and time.monotonic() - shown_at >= STREAM_REFRESH:
            shown_at = time.monotonic()
            pending = _live(pending, chat)
            yield ChatView(RunView("progress", streaming_line(len(chat.chunks), chat.ttft)), pending)
    # Calls to MCP tools allowed always run at once, and the loop goes on until the model answers in text.
    if last is not None and rounds < MAX_AUTO_ROUNDS and runnable_now(last.conversation, tools.mcp):
        yield from run_chat(playground, catalog, setup, replace(last.conversation, pending="answer"), visitor_token,
                            endpoint_key, tools, rounds + 1)


def provider_choices(hub: Hub, catalog: RouterCatalog, model_id: str, token: str | None = None
                     ) -> list[tuple[str, str]]:
    """(label, value) pairs for a chat model's provider picker: the policies, then its providers with
    status, context, price, latency and throughput. Both lookups are cached by the backend; when one
    fails, the picker offers what the other knows (at worst the policies alone)."""
    try:
        card = hub.model_info(model_id, token=token)
    except PlaygroundError:
        card = ModelCard(id=model_id)
    try:
        router = catalog.models(token)
    except PlaygroundError:
        router = {}
    return [(choice.label, choice.value) for choice in list_providers(card, router)]
