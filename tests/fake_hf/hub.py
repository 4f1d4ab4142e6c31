"""Hub API routes: model search (`GET /api/models`), model info (`GET /api/models/{id}`, replaying
recordings 36/37 where they apply) and `GET /api/whoami-v2`; field names and shapes as on huggingface.co.
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .catalog import Catalog, ModelCard
from .recordings import Recordings
from .replies import Received, Reply, json_reply

# huggingface_hub's ExpandModelProperty_T: anything else is a 400, as on the Hub.
EXPANDABLE = frozenset(
    "author baseModels cardData childrenModelCount config createdAt disabled downloads downloadsAllTime "
    "evalResults gated gguf inference inferenceProviderMapping lastModified library_name likes mask_token "
    "model-index pipeline_tag private resourceGroup safetensors sha siblings spaces tags transformersInfo "
    "trendingScore usedStorage widgetData".split()
)
LISTING_FIELDS = ("modelId", "pipeline_tag", "downloads", "likes", "trendingScore", "tags", "library_name",
                  "private", "createdAt", "inferenceProviderMapping")
SORT_FIELDS = ("downloads", "likes", "trendingScore", "createdAt", "lastModified")
WIDGET_DATA: dict[str, list[dict[str, Any]]] = {
    "text-classification": [{"text": "I like you. I love you"}],
    "token-classification": [{"text": "My name is Sarah and I live in London"}],
    "question-answering": [{"text": "Where do I live?", "context": "My name is Sarah and I live in London"}],
    "zero-shot-classification": [{"text": "I have a problem with my iphone that needs to be resolved asap!",
                                  "candidate_labels": "urgent, not urgent, phone, tablet, computer",
                                  "multi_class": True}],
    "summarization": [{"text": "The tower is 324 metres (1,063 ft) tall, about the same height as an 81-storey "
                               "building, and the tallest structure in Paris."}],
    "translation": [{"text": "My name is Wolfgang and I live in Berlin"}],
    "text-generation": [{"text": "Once upon a time,"}],
    "feature-extraction": [{"text": "That is a happy person"}],
    "sentence-similarity": [{"source_sentence": "That is a happy person",
                             "sentences": ["That is a happy dog", "That is a very happy person"]}],
    "text-to-image": [{"text": "An astronaut riding a horse on the moon."}],
    "table-question-answering": [{"text": "How many stars does the transformers repository have?",
                                  "table": {"Repository": ["Transformers", "Datasets"], "Stars": ["36542", "4512"]}}],
}
# Model-info requests that recordings 36 (no expand) and 37 (mapping only) answered, by their query.
RECORDED_QUERIES = {frozenset(): "", frozenset({"inferenceProviderMapping"}): "expand=inferenceProviderMapping"}
NOT_FOUND = {"error": "Repository not found"}
WHOAMI = {
    "type": "user", "id": "6560a1b2c3d4e5f601234567", "name": "demo-user", "fullname": "Demo User",
    "isPro": False, "canPay": False, "orgs": [],
    "auth": {"type": "access_token", "accessToken": {"displayName": "playground", "role": "fineGrained"}},
}


def list_models(catalog: Catalog, request: Received) -> Reply:
    expand = requested_expand(request)
    if unknown := expand - EXPANDABLE:
        return json_reply(400, {"error": f'"expand" must be one of {sorted(EXPANDABLE)}, got {sorted(unknown)}'})
    cards = [card for card in catalog.cards() if _is_listed(card, request)]
    listing = [model_fields(card, listing=True) for card in cards]
    if (sort := request.first("sort")) in SORT_FIELDS:
        listing.sort(key=lambda item: item[sort], reverse=True)
    limit = min(max(_int(request.first("limit"), 50), 1), 1000)
    return json_reply(200, [_select(item, expand or LISTING_FIELDS) for item in listing[:limit]])


def model_info(catalog: Catalog, recordings: Recordings, request: Received, model_id: str) -> Reply:
    expand = requested_expand(request)
    wanted_query = RECORDED_QUERIES.get(frozenset(expand))
    for case in recordings.for_route("GET", f"/api/models/{model_id}"):
        if case.query == wanted_query:
            return case.reply()
    card = catalog.get(model_id)
    if card is None:
        return json_reply(404, NOT_FOUND, [("X-Error-Code", "RepoNotFound"), ("X-Error-Message", NOT_FOUND["error"])])
    info = model_fields(card, listing=False)
    return json_reply(200, _select(info, expand) if expand else info)


def whoami() -> Reply:
    return json_reply(200, WHOAMI)


def unauthorized() -> Reply:
    message = "Invalid credentials in Authorization header"
    return json_reply(401, {"error": message}, [("X-Error-Message", message)])


def model_fields(card: ModelCard, *, listing: bool) -> dict[str, Any]:
    """Every field the fake knows for `card`; listings carry inferenceProviderMapping as a list."""
    mapping: Any = [{"provider": p, **m} for p, m in card.mapping.items()] if listing else dict(card.mapping)
    info: dict[str, Any] = {
        "_id": card.hex_id("_id", 24), "id": card.id, "modelId": card.id,
        "author": card.author, "private": False, "disabled": False, "gated": card.gated,
        "pipeline_tag": card.pipeline_tag, "library_name": card.library_name, "tags": card.tags,
        "downloads": card.number("downloads", 2_000_000), "likes": card.number("likes", 5_000),
        "trendingScore": card.number("trending", 100), "sha": card.hex_id("sha", 40),
        "createdAt": "2024-01-01T00:00:00.000Z", "lastModified": "2025-01-01T00:00:00.000Z",
        "widgetData": WIDGET_DATA.get(card.pipeline_tag, []), "inferenceProviderMapping": mapping,
    }
    if card.pipeline_tag == "fill-mask":
        info["mask_token"] = mask_token(card.id)
        info["widgetData"] = [{"text": f"Paris is the {info['mask_token']} of France."}]
    if card.served:
        info["inference"] = "warm"
    info.update((key, value) for key, value in card.recorded.items() if key in info)
    return info


def mask_token(model_id: str) -> str:
    roberta_like = ("roberta", "xlm", "bart", "camembert", "longformer")
    return "<mask>" if any(name in model_id.lower() for name in roberta_like) else "[MASK]"


def requested_expand(request: Received) -> set[str]:
    """`expand[]=a&expand[]=b`, `expand=a&expand=b` or `expand=a,b`."""
    values = request.query.get("expand[]", []) + request.query.get("expand", [])
    return {name for value in values for name in value.split(",") if name}


def _is_listed(card: ModelCard, request: Received) -> bool:
    search, author = request.first("search"), request.first("author")
    providers = {p for value in request.query.get("inference_provider", []) for p in value.split(",")}
    live = {p for p, m in card.mapping.items() if m.get("status") == "live"}
    return all((
        not search or search.lower() in card.id.lower(),
        not author or card.author == author,
        request.first("pipeline_tag") in (None, card.pipeline_tag),
        request.first("inference") != "warm" or card.served,
        not providers or bool(live & providers) or ("all" in providers and bool(live)),
        all(tag in card.tags for tag in request.query.get("filter", [])),
    ))


def _select(info: dict[str, Any], fields: Iterable[str]) -> dict[str, Any]:
    return {key: info[key] for key in ("_id", "id", *fields) if key in info}


def _int(value: str | None, default: int) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default
