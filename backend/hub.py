"""The Hub API for the model picker: search, model info, and who the token belongs to.

Built on huggingface_hub's `HfApi` (it knows the routes, pagination and response shapes), pointed
at `Settings.hub_url`. A visitor's token is passed explicitly, or `False` so the library never falls
back to a machine token (SECURITY.md T6/T7). Only token-independent answers are cached.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any, Iterable

import httpx2
from huggingface_hub import HfApi, ModelInfo, get_session, set_client_factory
from huggingface_hub.errors import HfHubHTTPError
from huggingface_hub.utils import hf_raise_for_status
from huggingface_hub.utils._http import hf_request_event_hook

from .errors import PlaygroundError, Timeout, ConnectionFailed, error_for_status
from .providers.mapping import ProviderMapping, parse_mapping
from .settings import Settings
from .targets import validate_model_id

__all__ = ["ModelCard", "ProviderStatus", "Hub"]

_SEARCH_FIELDS = ["pipeline_tag", "downloads", "likes", "tags", "inferenceProviderMapping"]
_INFO_FIELDS = _SEARCH_FIELDS + ["gated", "inference", "mask_token", "widgetData", "library_name"]
_CHAT_TAGS = {"conversational"}


@dataclass(frozen=True)
class ProviderStatus:
    """One entry of the model's `inferenceProviderMapping`."""

    provider: str
    status: str   # live | staging | error
    task: str
    provider_id: str = ""
    adapter: str | None = None
    adapter_weights_path: str | None = None

    def mapping(self, model_id: str) -> ProviderMapping:
        """This entry as the provider layer takes it."""
        return ProviderMapping(self.provider, self.provider_id or model_id, self.task, self.status, model_id,
                               self.adapter, self.adapter_weights_path)


@dataclass(frozen=True)
class ModelCard:
    """What the playground needs to know about a model, from the Hub."""

    id: str
    pipeline_tag: str = ""
    downloads: int = 0
    likes: int = 0
    tags: tuple[str, ...] = ()
    gated: str = ""                       # '' | 'auto' | 'manual'
    served: bool = False                  # some provider serves it
    mask_token: str = ""
    widget_examples: tuple[dict[str, Any], ...] = ()
    providers: tuple[ProviderStatus, ...] = field(default=())

    @property
    def is_chat(self) -> bool:
        """Conversational: chat-capable pipeline with the tag, or a provider maps it as conversational."""
        tagged = self.pipeline_tag in ("text-generation", "image-text-to-text") and _CHAT_TAGS & set(self.tags)
        return bool(tagged) or any(p.task == "conversational" for p in self.providers)

    @property
    def task(self) -> str:
        """The playground task to use: chat-completion for conversational models, else the tag."""
        return "chat-completion" if self.is_chat else self.pipeline_tag


class Hub:
    """Hub API calls with bounded time; one per app, safe to share (no per-user state)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._api = HfApi(endpoint=settings.hub_url, library_name="hf-inference-playground")
        self._cache: dict[str, ModelCard] = {}
        self._lock = threading.Lock()
        _install_timeouts(settings)

    def search(self, query: str = "", task: str = "", limit: int = 20, token: str | None = None
               ) -> list[ModelCard]:
        """Models whose id contains `query`, served ones first, then by downloads.

        One GET, no retries: `list_models` backs off for ~23 s on a dead network, and a search box
        must answer or fail at once. The query and the parsing are still huggingface_hub's.
        """
        params: dict[str, Any] = {"sort": "downloads", "limit": limit, "expand": _SEARCH_FIELDS}
        params.update({k: v for k, v in (("search", query.strip()), ("pipeline_tag", task)) if v})

        def fetch() -> list[ModelInfo]:
            response = get_session().get(f"{self.settings.hub_url}/api/models", params=params,
                                         headers=self._api._build_hf_headers(token=token or False))
            hf_raise_for_status(response)
            return [ModelInfo(**item) for item in response.json()]

        cards = [_card(info) for info in _call(fetch)]
        return sorted(cards, key=lambda c: (not c.served, -c.downloads))

    def model_info(self, model_id: str, token: str | None = None) -> ModelCard:
        """Info for one model. Public answers are cached per id; a token-only answer is not."""
        model_id = validate_model_id(model_id)
        with self._lock:
            if model_id in self._cache:
                return self._cache[model_id]
        try:
            card = _card(_call(lambda: self._api.model_info(model_id, expand=_INFO_FIELDS, token=False,
                                                            timeout=self.settings.read_timeout)))
        except PlaygroundError as err:
            if not token or getattr(err, "status", 0) not in (401, 403, 404):
                raise
            return _card(_call(lambda: self._api.model_info(model_id, expand=_INFO_FIELDS, token=token,
                                                            timeout=self.settings.read_timeout)))
        with self._lock:
            self._cache[model_id] = card
        return card

    def cached(self, model_id: str) -> ModelCard | None:
        """The card already fetched for `model_id`, without asking the Hub; None when there is none."""
        with self._lock:
            return self._cache.get(model_id)

    def whoami(self, token: str) -> dict[str, Any]:
        """The account a token belongs to (name, orgs, token role); raises AuthError for a bad token."""
        return _call(lambda: self._api.whoami(token=token))


def _call(fn):  # type: ignore[no-untyped-def]
    try:
        return fn()
    except HfHubHTTPError as exc:
        response = exc.response
        raise error_for_status(response.status_code, body=response.content,
                               content_type=response.headers.get("content-type", ""),
                               headers=dict(response.headers)) from None
    except httpx2.TimeoutException:
        raise Timeout("the Hub did not answer in time") from None
    except httpx2.TransportError as exc:
        raise ConnectionFailed(f"the Hub could not be reached ({type(exc).__name__})") from None


def _card(info: Any) -> ModelCard:
    mapping = info.inference_provider_mapping or []
    providers = tuple(ProviderStatus(m.provider, m.status, m.task, m.provider_id, m.adapter, m.adapter_weights_path)
                      for m in parse_mapping(mapping, info.id))
    gated = info.gated if isinstance(info.gated, str) else ""
    return ModelCard(
        id=info.id, pipeline_tag=info.pipeline_tag or "", downloads=info.downloads or 0,
        likes=info.likes or 0, tags=tuple(info.tags or ()), gated=gated,
        served=bool(info.inference == "warm" or any(p.status == "live" for p in providers)),
        mask_token=info.mask_token or "", widget_examples=tuple(_examples(info.widget_data)),
        providers=providers)


def _examples(widget_data: Iterable[Any] | None) -> Iterable[dict[str, Any]]:
    for item in widget_data or ():
        if isinstance(item, dict):
            yield {k: v for k, v in item.items() if isinstance(v, (str, list, bool, int, float))}


_installed = threading.Lock()
_timeouts_set = False


def _install_timeouts(settings: Settings) -> None:
    # huggingface_hub's shared httpx2 client has no timeout by default; a Hub call must never hang.
    global _timeouts_set
    with _installed:
        if _timeouts_set:
            return
        timeout = httpx2.Timeout(settings.read_timeout, connect=settings.connect_timeout)
        set_client_factory(lambda: httpx2.Client(event_hooks={"request": [hf_request_event_hook]},
                                                 follow_redirects=True, timeout=timeout))
        _timeouts_set = True
