"""The conversations a visitor keeps in their browser: several named ones, each with its model, provider,
system prompt, parameters and its whole tree (alternatives included).

`Library` is immutable (new, switch, rename, delete, put return a new one). `library_to_stored` is what
goes into the browser (`gr.BrowserState`, public key: what protects it is what goes in): strings
redacted, the visitor's own secrets hidden by value, no endpoint key, endpoint URLs bare, within
`MAX_CONVERSATIONS` and `MAX_STORED_BYTES`. `library_from_stored` trusts nothing: another shape gives an
empty library and a note, a conversation that fails its checks is left out and named in the note.
A conversation also exports and imports alone, as JSON (`conversation_to_json` / `conversation_from_json`).
"""
from __future__ import annotations

import json
import re
import time
import uuid
from dataclasses import dataclass, field, replace
from typing import Any, Iterable, Mapping

from ..errors import InvalidInput
from ..plain_json import json_size, loads_checked
from ..redact import redact
from .tree import ChatTree
from .tree_json import tree_from_json, tree_to_json

__all__ = ["KeptConversation", "Library", "library_to_stored", "library_from_stored", "conversation_to_json",
           "conversation_from_json", "LIBRARY_FORMAT", "LIBRARY_VERSION", "MAX_CONVERSATIONS", "MAX_STORED_BYTES"]

LIBRARY_FORMAT, LIBRARY_VERSION = "hf-playground-conversations", 1
EXPORT_FORMAT = "hf-playground-conversation-export"
MAX_CONVERSATIONS = 30
MAX_STORED_BYTES = 2 * 1024 * 1024   # the whole library as JSON: localStorage keeps about 5 MB per site
MAX_NAME = 80
_ID = re.compile(r"[a-f0-9]{32}")
# The tools box, tool_choice, the response_format schema and strict ("true") travel with a conversation; the
# MCP servers do not (their tools are listed again by connecting, and a typed header may be a secret).
_SETTINGS_KEYS = ("model", "provider", "system", "endpoint_url", "reasoning_effort", "extra_params", "tools",
                  "tool_choice", "response_format", "strict")


@dataclass(frozen=True)
class KeptConversation:
    """One named conversation and what it was had with. `settings` hold plain strings only."""

    id: str
    name: str
    tree: ChatTree = field(default_factory=ChatTree)
    settings: Mapping[str, str] = field(default_factory=dict)
    parameters: Mapping[str, Any] = field(default_factory=dict)
    updated: float = 0.0

    @classmethod
    def new(cls, name: str = "", **settings: str) -> KeptConversation:
        return cls(uuid.uuid4().hex, _name(name or "New conversation"), settings=_settings(settings),
                   updated=time.time())

    @property
    def label(self) -> str:
        """How the list names it: its name, model and length."""
        turns = sum(node.role == "user" for node in self.tree.path())
        model = self.settings.get("model") or self.settings.get("endpoint_url") or "no model yet"
        return f"{self.name} · {model} · {turns} turn{'s' if turns != 1 else ''}"

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "settings": dict(self.settings), "parameters": dict(self.parameters),
                "updated": self.updated, "tree": tree_to_json(self.tree)}

    @classmethod
    def from_json(cls, data: Any) -> KeptConversation:
        if not isinstance(data, Mapping) or not _ID.fullmatch(str(data.get("id", ""))):
            raise InvalidInput("a kept conversation needs its id.")
        name, settings, parameters = data.get("name"), data.get("settings", {}), data.get("parameters", {})
        if not isinstance(name, str) or not isinstance(settings, Mapping) or not isinstance(parameters, Mapping):
            raise InvalidInput("a kept conversation has a name, settings and parameters.")
        if not all(isinstance(value, str) for value in settings.values()):
            raise InvalidInput("a kept conversation's settings are text.")
        updated = data.get("updated", 0.0)
        return cls(str(data["id"]), _name(name), tree_from_json(data.get("tree")), _settings(settings),
                   dict(parameters), float(updated) if isinstance(updated, (int, float)) else 0.0)


@dataclass(frozen=True)
class Library:
    """The visitor's conversations, newest change first; `current` is the one the chat shows."""

    conversations: tuple[KeptConversation, ...] = ()
    current: str = ""

    def get(self, conversation_id: str) -> KeptConversation | None:
        return next((c for c in self.conversations if c.id == conversation_id), None)

    @property
    def shown(self) -> KeptConversation | None:
        return self.get(self.current)

    def choices(self) -> list[tuple[str, str]]:
        """(label, id) pairs for a dropdown."""
        return [(c.label, c.id) for c in self.conversations]

    def put(self, conversation: KeptConversation, make_current: bool = True) -> Library:
        """`conversation` saved (replacing the one with its id), first in the list."""
        others = tuple(c for c in self.conversations if c.id != conversation.id)
        kept = (replace(conversation, updated=time.time()), *others)[:MAX_CONVERSATIONS]
        return Library(kept, conversation.id if make_current else self.current)

    def switch(self, conversation_id: str) -> Library:
        if self.get(conversation_id) is None:
            raise InvalidInput("That conversation is no longer in this browser's list.")
        return replace(self, current=conversation_id)

    def rename(self, conversation_id: str, name: str) -> Library:
        conversation = self.get(conversation_id)
        if conversation is None:
            raise InvalidInput("That conversation is no longer in this browser's list.")
        if not name.strip():
            raise InvalidInput("Give the conversation a name.")
        return self.put(replace(conversation, name=_name(name)), make_current=self.current == conversation_id)

    def delete(self, conversation_id: str) -> Library:
        kept = tuple(c for c in self.conversations if c.id != conversation_id)
        current = self.current if self.current != conversation_id else (kept[0].id if kept else "")
        return Library(kept, current)


def library_to_stored(library: Library, known_secrets: Iterable[str | None] = ()) -> dict[str, Any]:
    """The browser's copy: redacted, bounded, versioned; the newest conversations first, oldest out."""
    hidden = tuple(secret for secret in known_secrets if secret)
    items: list[Any] = []
    used = 200
    for conversation in library.conversations:
        item = _scrubbed(conversation.to_json(), hidden)
        size = json_size(item)
        if used + size > MAX_STORED_BYTES:
            continue  # a very long conversation is not kept in the browser; it stays for this session
        items.append(item)
        used += size
    return {"format": LIBRARY_FORMAT, "version": LIBRARY_VERSION, "current": library.current, "conversations": items}


def library_from_stored(value: Any) -> tuple[Library, str]:
    """The library a stored copy holds, and a note for the page ('' when all was well). Never raises."""
    if value is None:
        return Library(), ""
    if not isinstance(value, Mapping) or value.get("format") != LIBRARY_FORMAT or value.get("version") != LIBRARY_VERSION \
            or not isinstance(value.get("conversations"), list):
        return Library(), "The conversations kept in this browser were saved in another shape; they were set aside."
    kept, dropped = [], 0
    for item in value["conversations"][:MAX_CONVERSATIONS]:
        try:
            kept.append(KeptConversation.from_json(item))
        except (InvalidInput, ValueError, TypeError, RecursionError):
            dropped += 1
    current = str(value.get("current") or "")
    library = Library(tuple(kept), current if any(c.id == current for c in kept) else (kept[0].id if kept else ""))
    note = f"{dropped} kept conversation(s) could not be read and were left out." if dropped else ""
    return library, note


def conversation_to_json(conversation: KeptConversation, known_secrets: Iterable[str | None] = ()) -> str:
    """One conversation as a file to share or keep: the same redaction as the browser's copy."""
    hidden = tuple(secret for secret in known_secrets if secret)
    document = {"format": EXPORT_FORMAT, "version": LIBRARY_VERSION,
                "conversation": _scrubbed(conversation.to_json(), hidden)}
    return json.dumps(document, indent=1, ensure_ascii=False)


def conversation_from_json(text: str | bytes) -> KeptConversation:
    """A conversation file read back under a new id (so it never overwrites one kept here)."""
    document = loads_checked(text, MAX_STORED_BYTES, "conversation file")
    if not isinstance(document, Mapping) or document.get("format") != EXPORT_FORMAT:
        raise InvalidInput("This file is not a conversation exported from this playground.")
    if document.get("version") != LIBRARY_VERSION:
        raise InvalidInput(f"This conversation file has version {json.dumps(document.get('version'))[:20]}; "
                           f"this playground reads version {LIBRARY_VERSION}.")
    data = document.get("conversation")
    if not isinstance(data, Mapping):
        raise InvalidInput("This conversation file holds no conversation.")
    imported = KeptConversation.from_json({**data, "id": uuid.uuid4().hex})
    return replace(imported, updated=time.time())


def _name(name: str) -> str:
    return " ".join(str(name).split())[:MAX_NAME] or "Conversation"


def _settings(values: Mapping[str, Any]) -> dict[str, str]:
    kept = {key: str(values[key]) for key in _SETTINGS_KEYS if values.get(key)}
    if kept.get("endpoint_url"):  # never a user, query or fragment: no credential rides in the URL
        kept["endpoint_url"] = re.sub(r"^(https?://)[^/@]*@", r"\1", kept["endpoint_url"]).split("?")[0].split("#")[0]
    return kept


_SECRET_KEY = re.compile(r"(?:x-)?(?:authorization|api-?key|secret|password|endpoint-key|"
                         r"(?:hf-|access-|auth-|bearer-|refresh-)?token)")


def _scrubbed(value: Any, hidden: tuple[str, ...], key: str = "") -> Any:
    """Plain JSON with every string redacted (token shapes and the visitor's own secrets by value) and
    credential-named values blanked."""
    if isinstance(value, Mapping):
        return {name: _scrubbed(item, hidden, str(name)) for name, item in value.items()}
    if isinstance(value, list):
        return [_scrubbed(item, hidden, key) for item in value]
    if isinstance(value, str):
        return "***" if value and _SECRET_KEY.fullmatch(key.lower().replace("_", "-")) else redact(value, *hidden)
    return value
