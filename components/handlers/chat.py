"""Chat mode's run: one turn of a conversation, sent with the turns before it, as views for the page.

`run_chat` sends the session's earlier turns plus the new message (with an optional image for a
vision model), feeds every polling event to a `ChatStream`, and yields a `ChatView` whenever the
page should change: the transcript grows as tokens arrive, and the last view carries the answer's
numbers and the answer in OpenAI shape. Closing the generator stops the run and its connection, as
for any task. `provider_choices` fills the provider picker from the Hub and the router's figures.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, replace
from typing import Any, Iterator, Mapping

from backend import (ChatStream, Finished, Hub, InferenceRequest, ModelCard, Playground, PlaygroundError,
                     RouterCatalog, estimate_cost, list_providers, user_message, user_message_content)
from backend.chat_providers import Pricing
from backend.errors import InvalidInput, InvalidParameters
from backend.history import entry_from_run
from backend.settings import resolve_token

from ..markup import chat_markdown, inert_with_links
from .forms import FormValues, read_upload
from .run import (STREAM_REFRESH, RunSetup, RunView, finished_view, polling_view, sent_credential,
                  start_view)
from .status import NOT_SENT, answer_numbers, streaming_line

__all__ = ["CHAT_TASK", "Conversation", "ChatView", "run_chat", "replayed_chat", "provider_choices", "stopped"]

CHAT_TASK = "chat-completion"
Message = Mapping[str, Any]


@dataclass(frozen=True)
class Conversation:
    """One session's chat. `messages` (OpenAI shape) go with the next turn; `transcript` is what the
    chat shows: escaped, with each answer's numbers. Immutable: every step makes a new one."""

    messages: tuple[Message, ...] = ()
    transcript: tuple[Message, ...] = ()

    def prior(self) -> list[Message]:
        """The turns to send before a new message. A last user turn that got no answer (it failed, or
        was cancelled before any text came) is left out: many chat templates refuse two in a row."""
        turns = list(self.messages)
        return turns[:-1] if turns and turns[-1].get("role") == "user" else turns

    def add(self, messages: tuple[Message, ...] = (), transcript: tuple[Message, ...] = ()) -> Conversation:
        return Conversation((*self.messages, *messages), (*self.transcript, *transcript))

    def has_image(self, path: str | None) -> bool:
        return any(turn.get("content") == {"path": path} for turn in self.transcript)


@dataclass(frozen=True)
class ChatView:
    """One step of a chat turn: the run's view (status, request, code, raw JSON) and the chat's."""

    run: RunView
    conversation: Conversation
    note: tuple[Message, ...] = ()  # shown after the transcript this once (input to fix), never kept
    raw_stream: str = ""  # the SSE as received, once the turn is over
    message: str | None = None  # new text for the message box; None leaves it


def _note(title: str, body: str = "") -> dict[str, Any]:
    """A boxed line under an answer (its numbers, an error): shown, never sent to the model."""
    return {"role": "assistant", "content": body, "metadata": {"title": title}}


def _error_note(error: str) -> dict[str, Any]:
    return _note("⚠ Error", inert_with_links(error, already_html_escaped=True))


def stopped(conversation: Conversation) -> Conversation:
    """A turn cancelled by the visitor, marked so in the transcript: the answer so far is kept (and goes
    with the next turn, as it was shown), and nothing more comes."""
    answered = bool(conversation.messages) and conversation.messages[-1].get("role") == "assistant"
    body = "The answer above is as far as it came." if answered else "Cancelled before an answer came."
    return conversation.add(transcript=(_note("■ Stopped", body),))


def _user_turn(form: FormValues) -> tuple[Message, ...]:
    text = ({"role": "user", "content": chat_markdown(form.prompt)},) if form.prompt.strip() else ()
    return text + (({"role": "user", "content": {"path": form.image}},) if form.image else ())


def _answer(chat: ChatStream) -> tuple[Message, ...]:
    reasoning = {"role": "assistant", "content": chat_markdown(chat.reasoning),
                 "metadata": {"title": "Reasoning", "status": "done" if chat.text or chat.done else "pending"}}
    return ((reasoning,) if chat.reasoning else ()) + \
        (({"role": "assistant", "content": chat_markdown(chat.text)},) if chat.text else ())


def _so_far(pending: Conversation, chat: ChatStream) -> Conversation:
    # The partial answer is kept as it grows, so a Cancel leaves what the visitor saw in the history.
    return pending.add((chat.as_message(),) if chat.text else (), _answer(chat))


def _request(playground: Playground, setup: RunSetup, before: list[Message]) -> tuple[InferenceRequest, Message]:
    """The checked request and the new user turn; raises InvalidInput before anything is sent."""
    form = setup.form
    if not form.prompt.strip() and not form.image:
        raise InvalidParameters("Type a message first.", field="messages")
    image, image_type = read_upload(form.image)
    user = {"role": "user", "content": user_message_content(form.prompt, image, image_type)}
    request = playground.build_request(
        task=CHAT_TASK, model_id=setup.model_id, inputs={"messages": [*before, user], "system": form.system},
        params=setup.params, extra_params=setup.extra_params, provider=setup.provider,
        endpoint_url=setup.endpoint_url)
    return request, user


def _prices(catalog: RouterCatalog, request: InferenceRequest, token: str | None) -> Mapping[str, Pricing | None]:
    """Each provider's price for the model, from the router's cached list; empty when unknown.

    Asked before sending, so nothing goes to the server after the answer (or after a Cancel)."""
    if request.is_endpoint:
        return {}
    try:
        model = catalog.models(token).get(request.model_id)
    except PlaygroundError:
        return {}
    return {name: figures.pricing for name, figures in model.providers.items()} if model else {}


def _finished(setup: RunSetup, request: InferenceRequest, chat: ChatStream, base: RunView,
              pending: Conversation, prices: Mapping[str, Pricing | None]) -> ChatView:
    result = chat.result
    assert result is not None
    run = finished_view(CHAT_TASK, result, base)
    entry = entry_from_run(request, result, {"messages": request.json_body["messages"]}, setup.params,
                           extra_params=setup.extra_params, provider=setup.provider)
    # The raw panel shows the assembled answer in OpenAI shape, or an error's own body.
    run = replace(run, raw=chat.to_openai() if chat.text or result.ok else run.raw, entry=entry)
    cost = estimate_cost(chat.usage, prices.get(chat.provider))
    notes = ((_note(answer_numbers(chat, cost)),) if chat.text else ()) + \
        ((_error_note(run.error),) if run.error else ())
    unanswered = not chat.text and bool(run.error)  # give the message back, to retry or fix
    return ChatView(run, _so_far(pending, chat).add(transcript=notes), raw_stream=chat.raw_sse,
                    message=setup.form.prompt if unanswered else None)


def _shown(message: Mapping[str, Any]) -> Message:
    """A stored OpenAI-shape message as the transcript shows it: its text escaped; pictures sent in
    it are named, not shown again (they live in the message as data, never as a page's image)."""
    content = message.get("content")
    if isinstance(content, list):
        parts = [part for part in content if isinstance(part, Mapping)]
        text = " ".join(str(part.get("text", "")) for part in parts if part.get("type") == "text")
        pictures = sum(part.get("type") == "image_url" for part in parts)
        sent = f" *({pictures} picture{'s' if pictures > 1 else ''} sent)*" if pictures else ""
        return {"role": message.get("role"), "content": chat_markdown(text) + sent}
    return {"role": message.get("role"), "content": chat_markdown(str(content or ""))}


def replayed_chat(messages: Any, answer: str) -> tuple[Conversation, list[Message]]:
    """A stored chat turn put back: the conversation before its last message (so Run sends that
    message after it again, from the message box), and the transcript to show: the earlier turns,
    that message and its stored answer."""
    turns = [m for m in messages or () if isinstance(m, Mapping) and m.get("role") in ("user", "assistant")]
    last = max((n for n, turn in enumerate(turns) if turn["role"] == "user"), default=len(turns))
    before = tuple(_shown(turn) for turn in turns[:last])
    said = [_shown(turn) for turn in turns[last:]]
    replied = [{"role": "assistant", "content": chat_markdown(answer)}] if answer else []
    return Conversation(tuple(turns[:last]), before), [*before, *said, *replied]


def run_chat(playground: Playground, catalog: RouterCatalog, setup: RunSetup, conversation: Conversation,
             visitor_token: str | None = None, endpoint_key: str | None = None) -> Iterator[ChatView]:
    """Send `setup`'s message after `conversation`, yielding a view per step (see the module doc)."""
    if conversation.has_image(setup.form.image):
        # The picture stays in its box after sending; the model already has it, so it goes only once.
        setup = replace(setup, form=replace(setup.form, image=None))
    before = conversation.prior()
    try:
        request, user = _request(playground, setup, before)
        credential = sent_credential(playground, request, visitor_token, endpoint_key)
    except InvalidInput as err:
        error = user_message(err)
        yield ChatView(RunView("invalid", NOT_SENT, error=error), conversation, note=(_error_note(error),))
        return
    prices = _prices(catalog, request, resolve_token(visitor_token, playground.settings))
    pending = Conversation((*before, user), (*conversation.transcript, *_user_turn(setup.form)))
    base = start_view(request, credential, setup.form.image)
    yield ChatView(base, pending, message="")
    chat, shown_at = ChatStream.for_request(request), 0.0
    for event in playground.run(request, token=visitor_token, endpoint_key=endpoint_key):
        changed = chat.feed(event)
        if isinstance(event, Finished):
            yield _finished(setup, request, chat, base, pending, prices)
        elif (view := polling_view(event)) is not None:
            yield ChatView(view, pending)
        elif changed and time.monotonic() - shown_at >= STREAM_REFRESH:
            shown_at = time.monotonic()
            yield ChatView(RunView("progress", streaming_line(len(chat.chunks), chat.ttft)), _so_far(pending, chat))


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
