"""The examples offered under the form: the model card's first, then the task's own, each input once."""
from __future__ import annotations

from backend.tasks import TASKS
from components.handlers.examples import offered_examples
from components.handlers.forms import stock_example


def test_a_card_example_that_is_the_stock_one_but_for_its_full_stop_is_offered_once() -> None:
    stock = stock_example(TASKS["text-classification"])
    card = {"examples": [{"text": stock["text"].rstrip("."), "example_title": "Mine"}, {"text": "Other text"}]}

    offered = offered_examples("text-classification", card)

    assert [example.get("example_title") for example in offered] == ["Mine", None]
    assert [example["text"] for example in offered][1] == "Other text"


def test_different_examples_are_all_offered_the_cards_first() -> None:
    card = {"examples": [{"text": "One"}, {"text": "Two"}, {"text": "one!"}]}

    offered = offered_examples("text-classification", card)

    stock = stock_example(TASKS["text-classification"])["text"]
    assert [example["text"] for example in offered] == ["One", "Two", stock]


def test_a_card_example_equal_to_the_stock_one_but_for_its_empty_fields_is_offered_once() -> None:
    stock = stock_example(TASKS["text-to-image"])  # carries an empty negative prompt
    card = {"examples": [{"text": stock["text"]}]}

    assert offered_examples("text-to-image", card) == [{"text": stock["text"]}]
