"""Side by side chat: one message to 2-4 columns, each a conversation of its own with its own model.

`Column` is one column's conversation (a `ChatTree`) and what it shows. `prepare` checks every column a
message goes to and builds its request, raising InvalidInput (nothing sent) for the first that cannot
go. `Turn` runs the requests, one worker thread per column, each stopped alone by `stop(column)`; its
`columns()` yields the columns' new states at most every `STREAM_REFRESH` seconds however many stream,
so the app's CPU per token stays flat as columns are added. `kept_library` makes a column the
Playground's current kept conversation.
"""
from __future__ import annotations

import asyncio
import functools
import threading
import time
from dataclasses import dataclass, field, replace
from typing import Any, AsyncIterator, Iterable, Mapping

from backend import ChatStream, Finished, InferenceRequest, Playground, PlaygroundError, RouterCatalog, \
    estimate_cost, user_message
from backend.chat import ChatTree
from backend.chat.library import KeptConversation, library_from_stored, library_to_stored
from backend.errors import InvalidInput, InvalidParameters
from backend.settings import resolve_token

from ..markup import chat_markdown, inert, inert_with_links
from .replay import shorten
from .run import STREAM_REFRESH, polling_view
from .status import answer_numbers, sending_line

__all__ = ["Column", "Target", "target_of", "transcript", "targets_of", "prepare", "NotSent", "Job", "Turn",
           "kept_library", "CHAT_TASK"]

CHAT_TASK = "chat-completion"
Message = dict[str, Any]


@dataclass(frozen=True)
class Target:
    """What a column's model box names: a model id with an optional provider, or an endpoint URL."""

    model_id: str = ""
    provider: str = ""
    endpoint_url: str = ""


def target_of(box: str) -> Target:
    """`org/model`, `org/model:provider` or `https://…` (a custom endpoint, reached with the shared key)."""
    text = (box or "").strip()
    if text.lower().startswith(("https://", "http://")):
        return Target(endpoint_url=text)
    model, _, provider = text.partition(":")
    return Target(model.strip(), provider.strip())


@dataclass(frozen=True)
class Column:
    """One column: its conversation, the line of figures under it, and messages shown after the
    conversation but never sent (the answer streaming in, or why the last message got none)."""

    tree: ChatTree = field(default_factory=ChatTree)
    figures: str = ""
    after: tuple[Message, ...] = ()
    answered_by: str = ""  # the model box's text when it last answered (what "Continue" keeps)


@functools.lru_cache(maxsize=128)
def _shown_path(tree: ChatTree) -> tuple[Message, ...]:
    """The conversation as the Chatbot shows it (cached per tree: it is redrawn on every refresh)."""
    shown: list[Message] = []
    for node in tree.path():
        if node.role == "user":
            shown.append({"role": "user", "content": chat_markdown(node.text)})
        else:
            shown.extend(_answer(node.reasoning, node.text, node.figures.get("thinking_seconds")))
    return tuple(shown)


def _answer(reasoning: str, answer: str, seconds: Any, thinking: bool = False) -> list[Message]:
    """The thinking folded under its own title ("Thought for 1.2 s"), then the answer apart."""
    shown: list[Message] = []
    if reasoning.strip():
        title = "Thinking…" if thinking else f"Thought for {seconds:.1f} s" if isinstance(seconds, (int, float)) \
            else "Thought"
        shown.append({"role": "assistant", "content": chat_markdown(reasoning),
                      "metadata": {"title": title, "status": "pending" if thinking else "done"}})
    if answer:
        shown.append({"role": "assistant", "content": chat_markdown(answer)})
    return shown


def transcript(column: Column) -> list[Message]:
    return [*_shown_path(column.tree), *column.after]


def targets_of(send_to: str, count: int) -> list[int]:
    """The 0-based columns a message goes to: all shown ones, or one."""
    if send_to == "all":
        return list(range(count))
    if not send_to.isdigit() or not 1 <= int(send_to) <= count:
        raise InvalidParameters(f"There is no column {send_to} among the {count} shown.", field="send_to")
    return [int(send_to) - 1]


class NotSent(InvalidInput):
    """Column `column` (1-based) cannot take the message, for `reason`; no column was sent anything."""

    def __init__(self, column: int, reason: InvalidInput) -> None:
        super().__init__(str(reason))
        self.column, self.reason = column, reason


@dataclass(frozen=True)
class Job:
    """One column's part of a turn: its request and its conversation with the new message."""

    column: int
    box: str
    request: InferenceRequest
    asked: ChatTree


def prepare(playground: Playground, columns: list[Column], boxes: list[str], targets: list[int], message: str,
            system: str, token: str | None, endpoint_key: str | None) -> list[Job]:
    """Every targeted column's checked request; raises InvalidInput naming the first column that cannot go,
    before anything is sent to any."""
    if not message.strip():
        raise InvalidParameters("Type a message first.", field="messages")
    jobs = []
    for n in targets:
        target = target_of(boxes[n])
        try:
            if not (target.model_id or target.endpoint_url):
                raise InvalidParameters("type a model id, model:provider or an endpoint URL in its box.", field="model")
            asked = columns[n].tree.append_user(message)
            request = playground.build_request(
                task=CHAT_TASK, model_id=target.model_id, provider=target.provider,
                endpoint_url=target.endpoint_url, params={"stream": True},
                inputs={"messages": asked.messages_for_request(), "system": system})
            playground.credential(request, token, endpoint_key)
        except InvalidInput as err:
            raise NotSent(n + 1, err) from err
        jobs.append(Job(n, boxes[n].strip(), request, asked))
    return jobs


class _Lane:
    """One column's run: fed by its worker thread, read by the page under `lock`."""

    def __init__(self, job: Job) -> None:
        self.job = job
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.chat: ChatStream | None = None
        self.line = sending_line(1)
        self.prices: Mapping[str, Any] = {}
        self.cost: float | None = None
        self.ended = False       # the worker is done (answered, failed, stopped or crashed)
        self.crash: BaseException | None = None
        self.reported = False    # its final state went to the page

    def final(self) -> bool:
        return self.ended or self.stop.is_set()


class Turn:
    """One message on its way to several columns, each run in its own thread; see the module doc."""

    def __init__(self, playground: Playground, catalog: RouterCatalog | None, jobs: list[Job],
                 token: str | None = None, endpoint_key: str | None = None) -> None:
        self.playground, self.catalog = playground, catalog
        self.lanes = {job.column: _Lane(job) for job in jobs}
        self.token, self.endpoint_key = token, endpoint_key
        self._woken = asyncio.Event()
        self._pending = False
        self._loop: asyncio.AbstractEventLoop | None = None

    def stop(self, column: int) -> bool:
        """Stop one column's run (the others go on); False when that column is not running."""
        lane = self.lanes.get(column)
        if lane is None or lane.final():
            return False
        lane.stop.set()
        self._wake()
        return True

    def stop_all(self) -> None:
        for column in self.lanes:
            self.stop(column)

    def _wake(self) -> None:
        # One hand-over per refresh, not one per token: the flag is cleared only when the page reads.
        if not self._pending and self._loop is not None and not self._loop.is_closed():
            self._pending = True
            self._loop.call_soon_threadsafe(self._woken.set)

    def _work(self, lane: _Lane) -> None:
        request = lane.job.request
        lane.prices = self._prices(request)
        if lane.stop.is_set():  # stopped while the prices were asked: nothing goes out
            lane.ended = True
            self._wake()
            return
        chat = ChatStream.for_request(request)
        with lane.lock:
            lane.chat = chat
        events = self.playground.run(request, token=self.token, endpoint_key=self.endpoint_key)
        try:
            for event in events:
                if lane.stop.is_set():  # checked before asking for more: polling yields before each send
                    break
                with lane.lock:
                    changed = chat.feed(event)
                    view = polling_view(event)
                    lane.line = view.status if view is not None else lane.line
                    if isinstance(event, Finished):
                        lane.cost = estimate_cost(chat.usage, lane.prices.get(chat.provider))
                if changed or view is not None or isinstance(event, Finished):
                    self._wake()
        except Exception as exc:  # noqa: BLE001 - a bug, shown in its column rather than lost in a thread
            lane.crash = exc
        finally:
            close = getattr(events, "close", None)
            if close is not None:
                close()  # in this thread, which owns the generator: its connection closes now
            lane.ended = True
            self._wake()

    def _prices(self, request: InferenceRequest) -> Mapping[str, Any]:
        """Each provider's price for the model, asked before sending (as the Playground's chat does)."""
        if request.is_endpoint or self.catalog is None:
            return {}
        try:
            model = self.catalog.models(resolve_token(self.token, self.playground.settings)).get(request.model_id)
        except (PlaygroundError, InvalidInput):
            return {}
        return {name: figures.pricing for name, figures in model.providers.items()} if model else {}

    async def columns(self, refresh: float = STREAM_REFRESH) -> AsyncIterator[dict[int, Column]]:
        """The new state of every column of the turn, each time something is worth showing, until all
        are over; the last one holds each column's answer (or what came before Stop) in its tree."""
        self._loop = asyncio.get_running_loop()
        for lane in self.lanes.values():
            threading.Thread(target=self._work, args=(lane,), daemon=True,
                             name=f"side-column-{lane.job.column + 1}").start()
        shown_at = -refresh
        try:
            while not all(lane.reported for lane in self.lanes.values()):
                await self._woken.wait()
                settled = any(lane.final() and not lane.reported for lane in self.lanes.values())
                wait = shown_at + refresh - time.monotonic()
                if wait > 0 and not settled:
                    await asyncio.sleep(wait)  # tokens arriving meanwhile join this refresh
                self._pending = False
                self._woken.clear()
                shown_at = time.monotonic()
                yield {n: self._state(lane) for n, lane in self.lanes.items()}
        finally:
            self.stop_all()  # the page went away or the event was cancelled: no column goes on

    def _state(self, lane: _Lane) -> Column:
        with lane.lock:
            lane.reported = lane.final()
            return _column_state(lane)


def _column_state(lane: _Lane) -> Column:
    """What a column shows now: while it streams, the answer so far after the conversation; at the
    end the answer joins the conversation (with its figures), or, with no answer, the message is
    taken back and the reason shown under it."""
    job, chat = lane.job, lane.chat
    if lane.crash is not None:
        return _unanswered(job, f"✗ **Failed**: {inert(type(lane.crash).__name__)}", chat)
    if chat is None:
        return _unanswered(job, "■ **Stopped** before it was sent.", None) if lane.final() else \
            Column(job.asked, lane.line, answered_by=job.box)
    if not lane.final():
        line = lane.line if not chat.chunks else f"⇣ **Streaming** · {_live_numbers(chat)}"
        live = tuple(_answer(chat.reasoning, chat.answer, chat.thinking_seconds, thinking=chat.is_thinking))
        return Column(job.asked, line, live, job.box)
    stopped = lane.stop.is_set() and not chat.done
    if not chat.answer:
        why = "■ **Stopped** before an answer came." if stopped else "✗ " + _failure(chat)
        return _unanswered(job, why, chat)
    figures = _figures(chat, lane.cost)
    tree = job.asked.append_assistant(chat.answer, chat.reasoning, figures)
    numbers = answer_numbers(chat, lane.cost) + ("" if lane.cost is not None or job.request.is_endpoint
                                                 else " · cost unknown")
    head = "■ **Stopped**: the answer above is as far as it came · " if stopped else \
        "✗ " + _failure(chat) + " · " if chat.error is not None else "✓ "
    return Column(tree, head + numbers, (), job.box)


def _unanswered(job: Job, why: str, chat: ChatStream | None) -> Column:
    said = ({"role": "user", "content": chat_markdown(job.asked.path()[-1].text)},)
    thought = tuple(_answer(chat.reasoning, "", chat.thinking_seconds)) if chat is not None else ()
    note = ({"role": "assistant", "content": why, "metadata": {"title": "Not answered", "status": "done"}},)
    return Column(job.asked.undo(), why, (*said, *thought, *note), job.box)


def _failure(chat: ChatStream) -> str:
    if chat.error is not None:
        return inert_with_links(user_message(chat.error), already_html_escaped=True)
    if chat.thinking_note:
        return inert(chat.thinking_note)
    return "The model sent no answer."


def _live_numbers(chat: ChatStream) -> str:
    first = f"first token {chat.ttft * 1000:.0f} ms · " if chat.ttft is not None else ""
    return f"{first}{chat.output_chunks} chunk{'s' if chat.output_chunks != 1 else ''} so far"


def _figures(chat: ChatStream, cost: float | None) -> dict[str, Any]:
    """An answer's numbers as JSON values, kept on its message (and in the Playground's kept copy)."""
    usage = chat.usage.as_dict()
    values = {"ttft": chat.ttft, "tokens_per_second": chat.tokens_per_second, "cost": cost,
              "provider": chat.provider, "model": chat.requested_model, "thinking_seconds": chat.thinking_seconds,
              "prompt_tokens": usage.get("prompt_tokens"), "completion_tokens": usage.get("completion_tokens")}
    return {key: value for key, value in values.items() if value not in (None, "")}


def kept_library(stored: Any, column: Column, system: str, known_secrets: Iterable[str | None] = ()
                 ) -> tuple[dict[str, Any], KeptConversation]:
    """The browser's library with `column` added as its current conversation: the model (and provider, or
    endpoint URL) that answered it, the system prompt and the whole tree. Raises InvalidInput when it has
    no conversation yet, or its answer is still coming."""
    if not column.tree.path():
        raise InvalidInput("This column has no conversation yet: send it a message first.")
    if column.tree.path()[-1].role == "user":  # an unanswered message is taken back, so this one is streaming
        raise InvalidInput("This column's answer is still coming: continue with it once it is in.")
    target = target_of(column.answered_by)
    first = next((node.text for node in column.tree.path() if node.role == "user"), "")
    conversation = replace(KeptConversation.new(shorten(first, 60), model=target.model_id, provider=target.provider,
                                                system=system, endpoint_url=target.endpoint_url), tree=column.tree)
    library, _note = library_from_stored(stored)  # a copy of another shape is set aside, as the Playground does
    return library_to_stored(library.put(conversation), known_secrets), conversation
