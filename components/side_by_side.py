"""The Side by side page (`/side-by-side`): one message box sending to 2-4 chat columns at once, or to
one of them, each column a conversation of its own with its own model, figures, Stop, a trash button
that starts it afresh, and "Continue with this one", which makes it the Playground's current kept
conversation (in the browser's library).

    ┌ intro · columns 2/3/4 · your token · endpoint key ───────────────────────────┐
    ├ system prompt (every column) ─────────────────────────────────────────────────┤
    ├ column 1: model box │ column 2 … │ (3) │ (4)                                     ┤
    │   chat (thinking folded, answer apart) · figures · Stop · Continue with this one │
    ├ message · send to: all / 1 / 2 … · Send · Stop all ──────────────────────────┤

Served as a page of its own (`demo.route`), so the Playground's page carries none of it. The logic is
in `handlers/side_by_side.py`; this module lays out the page and turns its states into updates.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any, AsyncIterator, Callable

import gradio as gr

from backend import user_message
from backend.compare import MAX_COLUMNS, MIN_COLUMNS
from backend.errors import InvalidInput
from backend.history_store import storage_secret

from .events import Services
from .handlers.side_by_side import Column, NotSent, Turn, kept_library, prepare, targets_of, transcript
from .handlers.status import NOT_SENT
from .handlers.tokens import visitor_token
from .markup import inert, inert_with_links
from .token_panel import can_sign_in

__all__ = ["SideBySide", "build_side_by_side", "CONVERSATIONS_KEY", "PATH"]

PATH = "/side-by-side"
CONVERSATIONS_KEY = "hf-playground-conversations"  # the visitor's kept conversations, shared with the Playground
INTRO = ("## Side by side\nOne conversation with several models: each column keeps its own history (its own "
         "answers go back to it), figures and **Stop**. Send to all columns or to one. **Continue with this "
         "one** makes a column your current conversation on the [Playground](./) page.")
PLACEHOLDER = "org/model, org/model:provider, or https://… endpoint"


def _send_to_choices(count: int) -> list[tuple[str, str]]:
    return [("All", "all"), *((f"Column {n}", str(n)) for n in range(1, count + 1))]


@dataclass
class SideBySide:
    """Handles of the page; `columns` holds one `Column` per column box (None until the first turn)."""

    count: gr.Radio
    token: gr.Textbox
    key: gr.Textbox
    system: gr.Textbox
    boxes: list[gr.Column]
    models: list[gr.Textbox]
    chats: list[gr.Chatbot]
    figures: list[gr.Markdown]
    stops: list[gr.Button]
    continues: list[gr.Button]
    message: gr.Textbox
    send_to: gr.Radio
    send: gr.Button
    stop_all: gr.Button
    note: gr.Markdown
    columns: gr.State
    library: gr.BrowserState


def _layout(services: Services) -> SideBySide:
    settings = services.settings
    gr.Markdown(INTRO, elem_id="side-intro")
    with gr.Row(equal_height=True):
        count = gr.Radio(list(range(MIN_COLUMNS, MAX_COLUMNS + 1)), value=MIN_COLUMNS, label="Columns",
                         elem_id="side-columns", scale=1)
        if can_sign_in(settings):
            gr.LoginButton(size="sm", scale=0)
        token = gr.Textbox(label="Your Hugging Face token (this tab only)", type="password", placeholder="hf_…",
                           elem_id="side-token", scale=2, info="Overrides the server's token; never stored.")
        key = gr.Textbox(label="Endpoint key (for endpoint columns)", type="password", elem_id="side-endpoint-key",
                         scale=2, visible=settings.custom_endpoints,
                         info="Sent to the endpoints you name instead of an HF token; never stored.")
    system = gr.Textbox(label="System prompt (every column)", lines=1, elem_id="side-system")
    boxes, models, chats, figures, stops, continues = [], [], [], [], [], []
    with gr.Row(equal_height=False):
        for n in range(1, MAX_COLUMNS + 1):
            with gr.Column(visible=n <= MIN_COLUMNS, min_width=260, elem_id=f"side-column-{n}") as box:
                models.append(gr.Textbox(label=f"Column {n}", placeholder=PLACEHOLDER,
                                         elem_id=f"side-column-{n}-model"))
                # sanitize_html stays on (the default, said out loud): it backs up chat_markdown's escaping.
                chats.append(gr.Chatbot(label=f"Column {n}'s conversation", show_label=False, height=380,
                                        sanitize_html=True, buttons=["copy", "copy_all"], feedback_options=None,
                                        elem_id=f"side-column-{n}-chat"))
                figures.append(gr.Markdown(elem_id=f"side-column-{n}-figures", elem_classes=["hint"]))
                with gr.Row():
                    stops.append(gr.Button("Stop", size="sm", variant="stop", elem_id=f"side-column-{n}-stop"))
                    continues.append(gr.Button("Continue with this one", size="sm",
                                               elem_id=f"side-column-{n}-continue"))
            boxes.append(box)
    with gr.Row(equal_height=True):
        message = gr.Textbox(show_label=False, placeholder="Your message (Enter sends)", lines=2, scale=5,
                             elem_id="side-message")
        send_to = gr.Radio(_send_to_choices(MIN_COLUMNS), value="all", label="Send to", scale=2,
                           elem_id="side-target")
        with gr.Column(scale=1, min_width=120):
            send = gr.Button("Send", variant="primary", elem_id="side-send")
            stop_all = gr.Button("Stop all", size="sm", elem_id="side-stop-all")
    note = gr.Markdown(elem_id="side-note")
    library = gr.BrowserState(None, storage_key=CONVERSATIONS_KEY, secret=storage_secret(settings))
    return SideBySide(count, token, key, system, boxes, models, chats, figures, stops, continues, message, send_to,
                      send, stop_all, note, gr.State(None), library)


class Turns:
    """The running turn of each visitor session (by Gradio's session hash), for the Stop buttons: a
    column's Stop reaches its own column's worker, never the shared event (a `cancels=` would stop all)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._running: dict[str, Turn] = {}

    def begin(self, session: str, turn: Turn) -> bool:
        """Register `turn`; False when the session already has one running."""
        with self._lock:
            if session in self._running:
                return False
            self._running[session] = turn
            return True

    def end(self, session: str, turn: Turn) -> None:
        with self._lock:
            if self._running.get(session) is turn:
                del self._running[session]

    def stop(self, session: str, column: int | None = None) -> bool:
        """Stop one column of the session's turn, or every column; False when nothing was running there."""
        with self._lock:
            turn = self._running.get(session)
        if turn is None:
            return False
        if column is None:
            turn.stop_all()
            return True
        return turn.stop(column)


def _columns(state: list[Column] | None) -> list[Column]:
    return list(state) if state else [Column() for _ in range(MAX_COLUMNS)]


def _oauth(oauth_token: gr.OAuthToken | None) -> str | None:
    return oauth_token.token if oauth_token is not None else None


class SideBySideHandlers:
    """The page's listeners; each visitor's running turn is found by its Gradio session."""

    def __init__(self, page: SideBySide, services: Services) -> None:
        self.page, self.services, self.turns = page, services, Turns()

    def outputs(self) -> list[Any]:
        page = self.page
        return [page.message, page.note, page.send, page.columns, *page.chats, *page.figures]

    def _shown(self, columns: list[Column], message: Any, note: str) -> dict[Any, Any]:
        # Every column each time: an output left out of one streamed update can lose the next one.
        shown: dict[Any, Any] = {self.page.columns: columns, self.page.message: message, self.page.note: note,
                                 self.page.send: gr.Button(interactive=False)}  # enabled again when the turn ends
        for column, chat, figures in zip(columns, self.page.chats, self.page.figures):
            shown[chat], shown[figures] = transcript(column), column.figures
        return shown

    async def on_send(self, message: str, send_to: str, count: int, system: str, token: str, key: str,
                      model_1: str, model_2: str, model_3: str, model_4: str, columns: list[Column] | None,
                      request: gr.Request, oauth_token: gr.OAuthToken | None = None
                      ) -> AsyncIterator[dict[Any, Any]]:
        """Send `message` to every column shown or to one; yield the columns as their answers stream."""
        page, state = self.page, _columns(columns)
        visitor = visitor_token(token, _oauth(oauth_token))
        try:
            targets = targets_of(str(send_to), int(count))
            jobs = prepare(self.services.playground, state, [model_1, model_2, model_3, model_4], targets,
                           message or "", system or "", visitor, key or None)
        except InvalidInput as err:
            where = f"Column {err.column}: " if isinstance(err, NotSent) else ""
            reason = err.reason if isinstance(err, NotSent) else err
            yield {page.note: f"{NOT_SENT} {where}{inert_with_links(user_message(reason), already_html_escaped=True)}"}
            return
        turn = Turn(self.services.playground, self.services.catalog, jobs, visitor, key or None)
        if not self.turns.begin(request.session_hash or "", turn):
            yield {page.note: "A message is still on its way: wait for its answers, or press **Stop**."}
            return
        try:
            sent = ", ".join(str(job.column + 1) for job in jobs)
            note = f"Sent to column{'s' * (len(jobs) > 1)} {sent}."
            yield self._shown(state, "", note)
            async for changed in turn.columns():
                for n, column in changed.items():
                    state[n] = column
                yield self._shown(state, "", note)
        finally:
            self.turns.end(request.session_hash or "", turn)

    def stopper(self, column: int | None) -> Callable[[gr.Request], None]:
        """The listener of column `column`'s Stop (0-based), or of Stop all (None)."""
        def on_stop(request: gr.Request) -> None:
            self.turns.stop(request.session_hash or "", column)
        return on_stop

    def continuer(self, n: int) -> Callable[..., dict[Any, Any]]:
        """The listener of column `n`'s "Continue with this one" (0-based)."""
        def on_continue(columns: list[Column] | None, system: str, token: str, key: str, stored: Any,
                        oauth_token: gr.OAuthToken | None = None) -> dict[Any, Any]:
            secrets = (token, key, _oauth(oauth_token))
            try:
                kept, conversation = kept_library(stored, _columns(columns)[n], system or "", secrets)
            except InvalidInput as err:
                return {self.page.note: f"Column {n + 1}: {inert(user_message(err), already_html_escaped=True)}"}
            said = (f"✓ Column {n + 1}'s conversation (**{inert(conversation.label)}**) is now your current "
                    "conversation in this browser. Open the [Playground](./) page to continue it there.")
            return {self.page.library: kept, self.page.note: said}
        return on_continue

    def clearer(self, n: int) -> Callable[[list[Column] | None], dict[Any, Any]]:
        """The listener of column `n`'s trash button (0-based): that column starts a new conversation."""
        def on_clear(columns: list[Column] | None) -> dict[Any, Any]:
            state = _columns(columns)
            state[n] = Column()
            return {self.page.columns: state, self.page.figures[n]: ""}
        return on_clear

    def on_count(self, count: int, send_to: str) -> dict[Any, Any]:
        """Show `count` columns; a "send to" column no longer shown goes back to all."""
        count = int(count)
        keep = send_to if send_to == "all" or (send_to.isdigit() and int(send_to) <= count) else "all"
        return {**{box: gr.Column(visible=n < count) for n, box in enumerate(self.page.boxes)},
                self.page.send_to: gr.Radio(choices=_send_to_choices(count), value=keep)}


def build_side_by_side(services: Services) -> SideBySide:
    """Render the page inside the current route and wire its listeners."""
    page = _layout(services)
    handlers = SideBySideHandlers(page, services)
    inputs = [page.message, page.send_to, page.count, page.system, page.token, page.key, *page.models, page.columns]
    turn = gr.on([page.send.click, page.message.submit], handlers.on_send, inputs, handlers.outputs(),
                 api_name="side_by_side_send", concurrency_limit=None, concurrency_id="inference",
                 show_progress="hidden")
    turn.then(lambda: gr.Button(interactive=True), None, page.send, queue=False, api_visibility="private",
              show_progress="hidden")
    page.stop_all.click(handlers.stopper(None), None, None, queue=False, api_visibility="private")
    for n, (stop, keep) in enumerate(zip(page.stops, page.continues)):
        stop.click(handlers.stopper(n), None, None, queue=False, api_visibility="private")
        page.chats[n].clear(handlers.clearer(n), page.columns, [page.columns, page.figures[n]], queue=False,
                            api_visibility="private")
        keep.click(handlers.continuer(n), [page.columns, page.system, page.token, page.key, page.library],
                   [page.library, page.note], queue=False, api_visibility="private")
    page.count.change(handlers.on_count, [page.count, page.send_to], [*page.boxes, page.send_to], queue=False,
                      api_visibility="private", show_progress="hidden")
    return page
