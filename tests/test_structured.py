"""Structured outputs: schemas of each kind, validation, and typed DataFrame columns."""

from __future__ import annotations

import dataclasses
import enum
import subprocess
import sys
import typing
from pathlib import Path
from typing import Any, Literal, Optional

import anthropic
import pandas as pd
import pydantic
import pytest
from anthropic.lib._parse._transform import to_json_output_format
from anthropic.types import JSONOutputFormatParam, OutputConfigParam

from kuroryuu_magic.map._results import ItemError
from kuroryuu_magic.structured import (
    SchemaError,
    SchemaValidationError,
    columns_for,
    parse_answer,
    schema_for,
    to_frame,
)
from kuroryuu_magic.testing import Reply


class Sentiment(enum.Enum):
    positive = "positive"
    negative = "negative"
    neutral = "neutral"


class Aspect(pydantic.BaseModel):
    name: str
    score: float


class Review(pydantic.BaseModel):
    """One labelled review."""

    sentiment: Sentiment
    stars: int = pydantic.Field(ge=1, le=5)
    spam: bool
    language: Literal["en", "de", "fr"]
    aspects: list[Aspect]
    summary: Optional[str] = None  # noqa: UP045  (the spelling users write)
    confidence: float | None = None


@dataclasses.dataclass
class Address:
    city: str
    zip: Optional[str] = None  # noqa: UP045


@dataclasses.dataclass
class Person:
    name: str
    age: int
    address: Address
    nicknames: list[str] = dataclasses.field(default_factory=list)


class Tag(typing.TypedDict):
    label: str
    weight: int


class Labels(typing.TypedDict, total=False):
    # typing.TypedDict on purpose: pydantic refuses it below Python 3.12.
    topic: typing.Required[str]
    tags: list[Tag]
    urgent: bool


JSON_SCHEMA: dict[str, Any] = {
    "title": "Ticket",
    "type": "object",
    "properties": {
        "priority": {"type": "integer", "minimum": 1, "maximum": 3},
        "team": {"enum": ["billing", "support", "sales"]},
        "owner": {"anyOf": [{"$ref": "#/$defs/Owner"}, {"type": "null"}]},
        "labels": {"type": "array", "items": {"type": "string", "pattern": "^[a-z]+$"}},
        "score": {"type": ["number", "null"]},
    },
    "required": ["priority", "team", "labels"],
    "additionalProperties": False,
    "$defs": {
        "Owner": {
            "type": "object",
            "properties": {"email": {"type": "string"}},
            "required": ["email"],
        }
    },
}

GOOD_REVIEW = (
    '{"sentiment": "positive", "stars": 5, "spam": false, "language": "en",'
    ' "aspects": [{"name": "battery", "score": 0.9}], "summary": null}'
)


# --- building the request part ------------------------------------------------------------


@pytest.mark.parametrize("target", [Review, Person])
def test_schema_is_what_the_sdk_itself_would_send(target: type) -> None:
    spec = schema_for(target)
    assert spec.output_format == to_json_output_format(target)
    assert spec.output_config == {"format": spec.output_format}


def test_request_part_uses_the_sdks_field_names() -> None:
    spec = schema_for(Review)
    assert set(spec.output_config) <= set(OutputConfigParam.__annotations__)
    assert set(spec.output_format) == set(JSONOutputFormatParam.__annotations__)  # both Required
    assert spec.merge_output_config({"effort": "low"}) == {
        "effort": "low",
        "format": spec.output_format,
    }


def test_each_kind_is_recognised() -> None:
    kinds = {schema_for(t).kind for t in (Review, Person, Labels)}
    assert kinds == {"pydantic", "dataclass", "typeddict"}
    spec = schema_for(JSON_SCHEMA)
    assert (spec.kind, spec.name) == ("json_schema", "Ticket")
    # The SDK's transform moves constraints the API cannot enforce into descriptions.
    assert "minimum" not in spec.schema["properties"]["priority"]
    assert spec.schema["properties"]["priority"]["type"] == "integer"
    assert schema_for(spec) is spec


def test_the_users_dict_is_not_changed_or_shared() -> None:
    schema = {"type": "object", "properties": {"a": {"type": "string"}}}
    spec = schema_for(schema)
    schema["properties"]["b"] = {"type": "integer"}
    assert "b" not in spec.source_schema["properties"]
    assert "additionalProperties" not in schema


@pytest.mark.parametrize(
    ("bad", "words"),
    [
        (int, "not the class int"),
        (3, "not an object of type int"),
        ("Review", "not an object of type str"),
        (Aspect(name="a", score=1), "pass the class"),
        ({"properties": {}}, "not a usable JSON schema"),
        (
            {"type": "object", "properties": {"x": {"type": "frobnicate"}}},
            "not a usable JSON schema",
        ),
    ],
)
def test_things_that_are_not_schemas(bad: Any, words: str) -> None:
    with pytest.raises(SchemaError) as info:
        schema_for(bad)
    assert words in str(info.value) and "\n" not in str(info.value)


def test_round_trip_through_the_real_sdk_and_the_fake(fake: Any) -> None:
    spec = schema_for(Review)
    fake.enqueue(Reply(text=GOOD_REVIEW))
    client = anthropic.Anthropic(max_retries=0)
    message = client.messages.create(
        model="claude-sonnet-4-6",
        max_tokens=300,
        messages=[{"role": "user", "content": "Label: great battery"}],
        output_config=spec.merge_output_config({"effort": "low"}),
    )
    sent = fake.messages_requests()[-1].body["output_config"]
    assert sent == {"effort": "low", "format": {"type": "json_schema", "schema": spec.schema}}
    review = parse_answer(spec, message.content[0].text)
    assert isinstance(review, Review) and review.sentiment is Sentiment.positive


# --- validating answers -------------------------------------------------------------------


def test_valid_answers_become_the_schemas_type() -> None:
    review = parse_answer(schema_for(Review), GOOD_REVIEW)
    assert isinstance(review, Review) and review.aspects[0] == Aspect(name="battery", score=0.9)
    person = parse_answer(
        schema_for(Person), '{"name": "Ada", "age": 36, "address": {"city": "London"}}'
    )
    assert person == Person("Ada", 36, Address("London"))
    labels = parse_answer(
        schema_for(Labels), '{"topic": "ops", "tags": [{"label": "x", "weight": 2}]}'
    )
    assert labels == {"topic": "ops", "tags": [{"label": "x", "weight": 2}]}
    ticket = parse_answer(
        schema_for(JSON_SCHEMA),
        '{"priority": 2, "team": "sales", "labels": ["a"], "owner": {"email": "e@x"}, "score": null}',
    )
    assert ticket["owner"] == {"email": "e@x"}


@pytest.mark.parametrize(
    ("target", "text", "problem"),
    [
        (Review, "", "empty"),
        (Review, "Sure! Here is the JSON you asked for", "Invalid JSON"),
        (Review, GOOD_REVIEW.replace('"stars": 5', '"stars": 9'), "stars"),
        (Review, GOOD_REVIEW.replace("positive", "ecstatic"), "sentiment"),
        (Review, GOOD_REVIEW.replace('"spam": false, ', ""), "spam: Field required"),
        (Review, GOOD_REVIEW[: len(GOOD_REVIEW) // 2], "Invalid JSON"),
        (Person, '{"name": "Ada", "age": 36, "address": {}}', "address.city"),
        (Labels, '{"tags": []}', "topic"),
        (Labels, '{"topic": "t", "tags": [{"label": "x", "weight": "heavy"}]}', "tags.0.weight"),
        (
            JSON_SCHEMA,
            '{"priority": 7, "team": "sales", "labels": []}',
            "priority: expected a number <= 3",
        ),
        (JSON_SCHEMA, '{"priority": 1, "team": "legal", "labels": []}', "team: expected one of"),
        (JSON_SCHEMA, '{"priority": 1, "team": "sales"}', "missing required field 'labels'"),
        (
            JSON_SCHEMA,
            '{"priority": 1, "team": "sales", "labels": ["UP"]}',
            "labels.0: does not match",
        ),
        (
            JSON_SCHEMA,
            '{"priority": 1, "team": "sales", "labels": [], "x": 1}',
            "unexpected field 'x'",
        ),
        (
            JSON_SCHEMA,
            '{"priority": true, "team": "sales", "labels": []}',
            "expected integer, got boolean",
        ),
        (JSON_SCHEMA, '{"priority": 1, "team": "sales", "labels": [], "owner": {}}', "owner"),
        (JSON_SCHEMA, "[" * 5000 + "]" * 5000, "Invalid JSON"),
        (JSON_SCHEMA, "{nope", "Invalid JSON"),
    ],
)
def test_invalid_answers_keep_the_raw_text(target: Any, text: str, problem: str) -> None:
    with pytest.raises(SchemaValidationError) as info:
        parse_answer(schema_for(target), text)
    message = str(info.value)
    assert problem in message and "\n" not in message
    assert info.value.raw_text == text
    assert info.value.__cause__ is None


def test_the_message_never_quotes_the_answer() -> None:
    text = GOOD_REVIEW.replace('"stars": 5', '"stars": "SECRETISH-VALUE"')
    with pytest.raises(SchemaValidationError) as info:
        parse_answer(schema_for(Review), text)
    assert "SECRETISH-VALUE" not in str(info.value)
    assert any(e.startswith("stars:") for e in info.value.errors)


def test_many_problems_are_counted_not_listed() -> None:
    with pytest.raises(SchemaValidationError) as info:
        parse_answer(schema_for(Review), "{}")
    assert len(info.value.errors) == 5
    assert str(info.value).endswith("(+2 more)")


# --- DataFrames ---------------------------------------------------------------------------


def test_columns_are_typed_from_the_schema() -> None:
    dtypes = {c.name: c.dtype for c in columns_for(schema_for(Review))}
    assert dtypes == {
        "sentiment": "category",
        "stars": "Int64",
        "spam": "boolean",
        "language": "category",
        "aspects": "object",
        "summary": "string",
        "confidence": "Float64",
    }
    ticket = {c.name: c for c in columns_for(schema_for(JSON_SCHEMA))}
    assert ticket["team"].categories == ("billing", "support", "sales")
    assert (ticket["owner"].dtype, ticket["score"].dtype) == ("object", "Float64")


def test_frame_joins_on_a_non_default_index() -> None:
    spec = schema_for(Review)
    df = pd.DataFrame(
        {"text": ["great", "awful", "meh", "???"]},
        index=pd.Index(["r-17", "r-03", "r-99", "r-42"], name="review_id"),
    )
    good = parse_answer(spec, GOOD_REVIEW)
    bad = parse_answer(
        spec, GOOD_REVIEW.replace("positive", "negative").replace('"stars": 5', '"stars": 1')
    )
    failure = ItemError("answer does not match Review", kind="format", text="oops")
    out = to_frame(spec, [good, failure, bad, None], df.index)
    assert out.index.equals(df.index)
    assert list(out.columns)[-1] == "_error"
    joined = df.join(out)
    assert joined.loc["r-17", "stars"] == 5 and joined.loc["r-99", "stars"] == 1
    assert joined.loc["r-99", "sentiment"] == "negative"
    assert joined.loc["r-03", "_error"] is failure and pd.isna(joined.loc["r-03", "stars"])
    assert joined.loc["r-42", "_error"] is None and pd.isna(joined.loc["r-42", "spam"])
    assert str(out["stars"].dtype) == "Int64" and str(out["spam"].dtype) == "boolean"
    assert str(out["confidence"].dtype) == "Float64" and str(out["summary"].dtype) == "string"
    assert list(out["sentiment"].cat.categories) == ["positive", "negative", "neutral"]
    assert out.loc["r-17", "aspects"] == [{"name": "battery", "score": 0.9}]
    assert out["_error"].notna().sum() == 1


def test_frame_for_each_kind_and_a_multiindex() -> None:
    index = pd.MultiIndex.from_tuples([("a", 1), ("b", 2)], names=["k", "n"])
    person_spec = schema_for(Person)
    people = to_frame(
        person_spec, [Person("Ada", 36, Address("London")), ValueError("boom")], index
    )
    assert people.loc[("a", 1), "address"] == {"city": "London", "zip": None}
    assert isinstance(people.loc[("b", 2), "_error"], ValueError)
    labels = to_frame(schema_for(Labels), [{"topic": "ops"}, {"topic": "db", "urgent": True}])
    assert list(labels.index) == [0, 1]
    assert labels["urgent"].tolist()[1] is True and pd.isna(labels["urgent"].iloc[0])
    error = SchemaValidationError("bad", raw_text="{")
    tickets = to_frame(
        schema_for(JSON_SCHEMA), [error, {"priority": 2, "team": "support", "labels": []}]
    )
    assert tickets["priority"].tolist()[1] == 2 and tickets["_error"].iloc[0] is error


def test_a_non_object_schema_is_one_value_column() -> None:
    spec = schema_for({"type": "array", "items": {"type": "string"}})
    out = to_frame(spec, [["a", "b"], None])
    assert list(out.columns) == ["value", "_error"] and out["value"].iloc[0] == ["a", "b"]


def test_frame_refuses_misaligned_or_foreign_results() -> None:
    spec = schema_for(Review)
    with pytest.raises(ValueError, match="2 results for an index of 3"):
        to_frame(spec, [None, None], pd.Index([1, 2, 3]))
    with pytest.raises(TypeError, match="expected a Review"):
        to_frame(spec, [{"stars": 1}])


def test_importing_these_packages_does_not_import_pandas() -> None:
    code = (
        "import sys, kuroryuu_magic.structured, kuroryuu_magic.cache; "
        "sys.exit('pandas' in sys.modules)"
    )
    root = str(Path(__file__).resolve().parents[1])
    done = subprocess.run([sys.executable, "-c", code], env={"PYTHONPATH": root}, timeout=120)
    assert done.returncode == 0


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ('{"tags": [], "code": "ab"}', "tags: expected at least 1 items"),
        ('{"tags": ["a", "b", "c"], "code": "ab"}', "tags: expected at most 2 items"),
        ('{"tags": ["a"], "code": "abcd"}', "code: expected at most 3 characters"),
        ('{"tags": ["a"], "code": ""}', "code: expected at least 1 characters"),
        ('{"tags": ["a"], "code": "ab", "n": 0}', "n: expected a number > 0"),
    ],
)
def test_dict_schema_constraints_the_api_only_hints_at(text: str, problem: str) -> None:
    spec = schema_for(
        {
            "type": "object",
            "properties": {
                "tags": {
                    "type": "array",
                    "items": {"type": "string"},
                    "minItems": 1,
                    "maxItems": 2,
                },
                "code": {"type": "string", "minLength": 1, "maxLength": 3},
                "n": {"type": "number", "exclusiveMinimum": 0},
            },
            "required": ["tags", "code"],
        }
    )
    with pytest.raises(SchemaValidationError, match=problem):
        parse_answer(spec, text)
    assert parse_answer(spec, '{"tags": ["a"], "code": "ab", "n": 0.5}')["n"] == 0.5
