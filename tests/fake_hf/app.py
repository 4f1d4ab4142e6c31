"""Request dispatch for the fake HF: the route table, HF-style bearer auth and the received log.

Pure `Received -> Reply`; sockets live in server.py. Routes are tried in order; a handler may return
None to pass the request on (an unknown `fake/...` id falls through to the recordings). Every request
except the `/_fake/*` control routes is logged before auth is checked.
"""
from __future__ import annotations

import base64
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from . import hub
from .catalog import Catalog
from .recordings import Case, Recordings, choose, split_inference_path
from .replies import Received, Reply, json_reply, text_reply
from .provider_routes import ProviderRoutes, add_provider_models, hf_inference_answer
from .router import Router
from .scripted import Scripts
from .templates import Templates

Match = re.Match[str]
Handler = Callable[[Received, Match], "Reply | None"]


@dataclass(frozen=True)
class Route:
    method: str | None  # None: any method
    pattern: re.Pattern[str]
    handler: Handler
    auth: str | None = None  # "router" or "hub": which 401 a missing or wrong token gets


class FakeHubApp:
    def __init__(self, recordings_dir: Path, token: str | None = None, sse_pace: float = 0.0,
                 cdn_url: str = "") -> None:
        self.token = token
        self.sse_pace = sse_pace
        self.hub_delay = 0.0  # seconds a model-info answer takes (a slow Hub); reset() puts it back to 0
        self.recordings = Recordings(recordings_dir)
        self.catalog = Catalog(self.recordings)
        add_provider_models(self.catalog)
        self.providers = ProviderRoutes(self.catalog, cdn_url)
        self.scripts = Scripts(Templates(self.recordings))
        self.router = Router(self.catalog, self.recordings, self.scripts)
        self._log: list[Received] = []
        self._log_lock = threading.Lock()
        self.routes = [Route(method, re.compile(pattern), handler, auth) for method, pattern, handler, auth in (
            ("GET", r"/_fake/requests", self._dump_log, None),
            ("POST", r"/_fake/reset", self._reset, None),
            ("GET", r"/api/models", self._list_models, None),
            ("GET", r"/api/models/(?P<model>.+?)(?:/revision/[^/]+)?", self._model_info, None),
            ("GET", r"/api/whoami-v2", self._whoami, "hub"),
            (None, r"/(?:models|pipeline|status)/.*", self._legacy_gone, None),
            ("GET", r"/v1/models(?:/(?P<model>.+))?", self._chat_models, None),
            ("POST", r"/v1/chat/completions", self._router_chat, "router"),
            (None, r"/endpoints/(?P<name>[^/]+)(?P<suffix>/v1/chat/completions)?", self._endpoint, "router"),
            ("POST", r"/hf-inference/models/(?P<model>fake/[^/]+)(?P<suffix>/.*)?", self._scripted, "router"),
            (None, r"/(?P<provider>[a-z0-9-]+)/(?P<rest>.+)", self._provider, "router"),
            (None, r"/.*", self._replay, "router"),
        )]

    @property
    def received(self) -> list[Received]:
        with self._log_lock:
            return list(self._log)

    def reset(self) -> None:
        with self._log_lock:
            self._log.clear()
        self.scripts.state.reset()
        self.providers.reset()
        self.hub_delay = 0.0

    def handle(self, request: Received) -> Reply:
        if not request.path.startswith("/_fake/"):
            with self._log_lock:
                self._log.append(request)
        for route in self.routes:
            match = route.pattern.fullmatch(request.path)
            if not match or route.method not in (None, request.method):
                continue
            if route.auth and not self.is_authorized(request):
                return hub.unauthorized() if route.auth == "hub" else self.recordings.with_status(401).reply()
            if (reply := route.handler(request, match)) is not None:
                return reply
        return text_reply(404, "Not Found")

    def is_authorized(self, request: Received) -> bool:
        token = request.bearer
        return token is not None and (token == self.token if self.token else token.startswith("hf_"))

    def _dump_log(self, request: Received, match: Match) -> Reply:
        return json_reply(200, [_loggable(entry) for entry in self.received])

    def _reset(self, request: Received, match: Match) -> Reply:
        self.reset()
        return json_reply(200, {"ok": True})

    def _list_models(self, request: Received, match: Match) -> Reply:
        return hub.list_models(self.catalog, request)

    def _model_info(self, request: Received, match: Match) -> Reply:
        time.sleep(self.hub_delay)
        return hub.model_info(self.catalog, self.recordings, request, match["model"])

    def _whoami(self, request: Received, match: Match) -> Reply:
        return hub.whoami()

    def _legacy_gone(self, request: Received, match: Match) -> Reply:
        return self.recordings.with_status(410).reply()

    def _chat_models(self, request: Received, match: Match) -> Reply:
        return self.router.model(match["model"]) if match["model"] else self.router.models()

    def _router_chat(self, request: Received, match: Match) -> Reply:
        return self.router.chat(request, self.sse_pace)

    def _endpoint(self, request: Received, match: Match) -> Reply | None:
        return self.scripts.answer(f"fake/{match['name']}", request, chat=bool(match["suffix"]))

    def _scripted(self, request: Received, match: Match) -> Reply | None:
        is_chat = (match["suffix"] or "").endswith("/chat/completions")
        return self.scripts.answer(match["model"], request, chat=is_chat)

    def _provider(self, request: Received, match: Match) -> Reply | None:
        if self.recordings.for_route(request.method, request.path):
            return None  # a recorded exchange on this route answers as recorded
        return self.providers.handle(request, match["provider"], match["rest"])

    def _replay(self, request: Received, match: Match) -> Reply | None:
        cases = self.recordings.for_route(request.method, request.path) or self._template_cases(request)
        case = choose(cases, request)
        return case.reply(self.sse_pace) if case else self._scripted_task(request)

    def _scripted_task(self, request: Received) -> Reply | None:
        """A served catalog model of a task no recording covers answers in that task's shape."""
        parts = split_inference_path(request.path) if request.method == "POST" else None
        card = self.catalog.get(parts[0]) if parts else None
        return hf_inference_answer(card.pipeline_tag) if card and card.served and not parts[1] else None

    def _template_cases(self, request: Received) -> list[Case]:
        """For a served catalog model that was never recorded: the recordings of its task."""
        parts = split_inference_path(request.path) if request.method == "POST" else None
        if parts is None:
            return []
        model_id, suffix = parts
        card = self.catalog.get(model_id)
        task = card.task_at(suffix) if card and card.served else None
        return self.recordings.for_task(task) if task else []


def _loggable(request: Received) -> dict:
    """A log entry for `GET /_fake/requests`: the body as UTF-8 text when it is, else base64."""
    try:
        body, encoding = request.body.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        body, encoding = base64.b64encode(request.body).decode(), "base64"
    return {"method": request.method, "path": request.path, "query": request.query,
            "headers": dict(request.headers), "body": body, "body_encoding": encoding, "at": request.at}
