"""Conversations kept in the browser (issue 20 item 4): named, switched, renamed, deleted, exported and
imported; what is stored is redacted and bounded, and a copy of another shape is set aside with a note."""
from __future__ import annotations

import json

import pytest

from backend.chat import ChatTree
from backend.chat.library import (MAX_CONVERSATIONS, KeptConversation, Library, conversation_from_json,
                                  conversation_to_json, library_from_stored, library_to_stored)
from backend.errors import InvalidInput

VISITOR = "hf_visitorLibraryToken0123456789"


def talk(turns: int = 2) -> ChatTree:
    tree = ChatTree()
    for n in range(turns):
        tree = tree.append_user(f"question {n}").append_assistant(f"answer {n}", reasoning=f"thinking {n}")
    return tree.regenerate(tree.path()[-1].id, "another answer")


def test_a_library_round_trips_through_the_browser_with_its_alternatives() -> None:
    first = KeptConversation.new("Refunds", model="org/chat", provider="together", system="Be brief.")
    first = KeptConversation(first.id, first.name, talk(), first.settings, {"temperature": 0.2})
    library = Library().put(first).put(KeptConversation.new("Second"))

    stored = json.loads(json.dumps(library_to_stored(library)))
    restored, note = library_from_stored(stored)

    assert note == "" and [c.name for c in restored.conversations] == ["Second", "Refunds"]
    again = restored.get(first.id)
    assert again is not None and again.settings["system"] == "Be brief." and again.parameters == {"temperature": 0.2}
    assert again.tree.messages_for_request() == first.tree.messages_for_request()
    assert again.tree.alternatives(again.tree.path()[-1]) == (1, 2)
    assert "Refunds · org/chat · 2 turns" == again.label


def test_switch_rename_delete() -> None:
    a, b = KeptConversation.new("A"), KeptConversation.new("B")
    library = Library().put(a).put(b)
    assert library.current == b.id
    assert library.switch(a.id).current == a.id
    assert library.rename(a.id, "  Renamed   one ").get(a.id).name == "Renamed one"  # type: ignore[union-attr]
    after = library.delete(b.id)
    assert [c.id for c in after.conversations] == [a.id] and after.current == a.id
    with pytest.raises(InvalidInput):
        after.switch(b.id)
    with pytest.raises(InvalidInput):
        library.rename(a.id, "   ")


def test_no_token_or_endpoint_key_is_ever_stored_or_exported() -> None:
    tree = ChatTree().append_user(f"my token is {VISITOR}").append_assistant("noted")
    kept = KeptConversation.new("Leaky", model="org/chat", endpoint_url="https://user:pw@x.endpoints.huggingface.cloud/v1?k=1")
    kept = KeptConversation(kept.id, kept.name, tree, kept.settings, {"api_key": "sk-secret-value", "max_tokens": 5})
    library = Library().put(kept)

    for text in (json.dumps(library_to_stored(library, [VISITOR])), conversation_to_json(kept, [VISITOR])):
        assert VISITOR not in text and "sk-secret-value" not in text and "pw@" not in text and "k=1" not in text
        assert '"max_tokens": 5' in text or '"max_tokens":5' in text


@pytest.mark.parametrize("stored", [{"format": "something else"}, [1, 2], "text", {"format": "hf-playground-conversations",
                                                                                     "version": 99, "conversations": []}])
def test_a_stored_copy_of_another_shape_is_set_aside_with_a_note(stored: object) -> None:
    library, note = library_from_stored(stored)
    assert library.conversations == () and "another shape" in note


def test_a_damaged_conversation_is_left_out_and_counted() -> None:
    good = KeptConversation.new("Good")
    stored = library_to_stored(Library().put(good))
    stored["conversations"].append({"id": "0" * 32, "name": "Bad", "tree": {"format": "nope"}})
    library, note = library_from_stored(stored)
    assert [c.name for c in library.conversations] == ["Good"] and "1 kept conversation" in note


def test_export_then_import_gives_a_copy_under_a_new_id() -> None:
    kept = KeptConversation(KeptConversation.new("Mine").id, "Mine", talk(1), {"model": "org/chat"})
    copy = conversation_from_json(conversation_to_json(kept))
    assert copy.id != kept.id and copy.name == "Mine" and copy.tree.messages_for_request() == kept.tree.messages_for_request()
    with pytest.raises(InvalidInput, match="not a conversation"):
        conversation_from_json(json.dumps({"format": "hf-playground-demo-script"}))


def test_the_library_keeps_the_newest_conversations_within_its_caps() -> None:
    library = Library()
    for n in range(MAX_CONVERSATIONS + 5):
        library = library.put(KeptConversation.new(f"c{n}"))
    assert len(library.conversations) == MAX_CONVERSATIONS and library.conversations[0].name == f"c{MAX_CONVERSATIONS + 4}"
