"""Structured output without sockets: the schema box refused before sending with the bad path named, the
`response_format` it builds, the example schemas, and answers checked against a schema (fenced or not),
each error at its JSON path.
"""
from __future__ import annotations

import json
from typing import Any

import pytest

from backend.chat import SCHEMA_EXAMPLES, SchemaCheck, check_answer, parse_schema, response_format
from backend.chat.schema import MAX_ERRORS, schema_problem
from backend.errors import InvalidParameters

PERSON = {"type": "object", "required": ["name", "born"], "additionalProperties": False, "properties": {
    "name": {"type": "string"}, "born": {"type": "integer"}, "age": {"type": "integer", "minimum": 0}}}
PEOPLE = {"type": "object", "required": ["people"], "properties": {"people": {"type": "array", "items": PERSON}}}


@pytest.mark.parametrize("name", sorted(SCHEMA_EXAMPLES))
def test_every_example_is_a_valid_schema_that_builds_a_response_format(name: str) -> None:
    built = response_format(SCHEMA_EXAMPLES[name], strict=True)
    assert built == {"type": "json_schema", "json_schema": {
        "name": "answer", "schema": json.loads(SCHEMA_EXAMPLES[name]), "strict": True}}


def test_response_format_carries_name_description_and_strict_as_typed() -> None:
    built = response_format('{"type": "object"}', name="person_v2", description=" A person. ")
    assert built == {"type": "json_schema", "json_schema": {"name": "person_v2", "description": "A person.",
                                                            "schema": {"type": "object"}, "strict": False}}
    with pytest.raises(InvalidParameters, match=r"^schema name: 'a person' must be 1-64 letters"):
        response_format('{"type": "object"}', name="a person")


@pytest.mark.parametrize("text, message", [
    ("", "schema: enter a JSON Schema, or start from one of the examples."),
    ('{"type": "object",', "schema: not valid JSON: Expecting property name enclosed in double quotes (line 1, "
                           "column 19)."),
    ('{"minimum": NaN}', "schema: not valid JSON (NaN is not a JSON number)."),
    ("[]", 'schema: must be a JSON object such as {"type": "object", "properties": {...}}.'),
    ('{"type": "object", "required": "name"}', "schema.required: 'name' is not of type 'array'."),
    ('{"properties": {"age": {"type": "integr"}}}',
     "schema.properties.age.type: 'integr' is not a JSON Schema type (string, number, integer, boolean, object, "
     "array, null)."),
    ('{"properties": {"a": {"minimum": "0"}}}', "schema.properties.a.minimum: '0' is not of type 'number'."),
    ('{"$schema": "http://json-schema.org/draft-07/schema#", "properties": {"a": {"maxLength": -1}}}',
     "schema.properties.a.maxLength: -1 is less than the minimum of 0."),
])
def test_a_schema_that_is_not_json_schema_is_refused_naming_the_path(text: str, message: str) -> None:
    with pytest.raises(InvalidParameters) as caught:
        parse_schema(text)
    assert str(caught.value) == message


def test_schema_problem_is_none_for_a_valid_schema() -> None:
    assert schema_problem(PEOPLE) is None and schema_problem({"type": "object"}, "x") is None


@pytest.mark.parametrize("answer, value", [
    ('{"people": [{"name": "Ada", "born": 1815}]}', {"people": [{"name": "Ada", "born": 1815}]}),
    ('  \n{"people": []}\n', {"people": []}),
    ('Here it is:\n```json\n{"people": []}\n```\nAnything else?', {"people": []}),
    ('```\n{"people": []}\n```', {"people": []}),
    ('```JSON {"people": []} ```', {"people": []}),
])
def test_an_answer_that_fits_passes_fenced_or_not(answer: str, value: Any) -> None:
    assert check_answer(answer, PEOPLE) == SchemaCheck(True, value, ())


def test_each_error_names_its_path() -> None:
    answer = '{"people": [{"name": "Ada", "age": -1}, {"name": 7, "born": 1900, "nick": "x"}]}'
    check = check_answer(answer, PEOPLE)
    assert not check.ok and check.value["people"][0]["age"] == -1
    assert check.errors == (
        "$.people[0]: 'born' is a required property",
        "$.people[0].age: -1 is less than the minimum of 0",
        "$.people[1]: Additional properties are not allowed ('nick' was unexpected)",
        "$.people[1].name: 7 is not of type 'string'",
    )
    assert check_answer("{}", PEOPLE).errors == ("$: 'people' is a required property",)


@pytest.mark.parametrize("answer, error", [
    ("", "$: the answer is empty, not JSON."),
    ("I cannot do that.", "$: the answer is not JSON: Expecting value (line 1, column 1)."),
    ('{"people": [', "$: the answer is not JSON: Expecting value (line 1, column 13)."),
    ('{"a": NaN}', "$: the answer is not JSON: NaN is not a JSON number."),
])
def test_an_answer_that_is_not_json_says_so(answer: str, error: str) -> None:
    assert check_answer(answer, PEOPLE) == SchemaCheck(False, None, (error,))


def test_a_wildly_wrong_answer_lists_a_bounded_number_of_errors() -> None:
    answer = json.dumps({"people": [{"name": n} for n in range(30)]})
    errors = check_answer(answer, PEOPLE).errors
    assert len(errors) == MAX_ERRORS + 1 and errors[-1] == f"… and {60 - MAX_ERRORS} more."
