"""Typed decoding of answers: errors as contract violations, and a source's field names."""

from __future__ import annotations

import msgspec
import pytest

from connectors.errors import SourceContractViolation
from connectors.wire import decoder, renamed


class Part(msgspec.Struct):
    name: str


class Doc(msgspec.Struct):
    name: str
    parts: list[Part]
    note: str | None = None
    tags: list[str] = msgspec.field(default_factory=list)


class Answer(msgspec.Struct):
    items: list[Doc]


def test_an_answer_of_the_wrong_shape_is_the_sources_contract_violation_naming_the_place():
    read = decoder("thing", "pim", Answer)

    with pytest.raises(SourceContractViolation, match=r"`\$\.items\[0\]\.name`") as caught:
        read(b'{"items": [{"name": 7, "parts": []}]}')
    with pytest.raises(SourceContractViolation, match="thing answer is malformed"):
        read(b"not json")

    assert caught.value.source == "pim"


def test_a_mapping_renames_the_documents_fields_and_not_their_parts():
    theirs = renamed(Answer, {"title": "name", "remark": "note"}, {Doc})
    read = decoder("thing", "pim", theirs)

    (doc,) = read(b'{"items": [{"title": "Verf", "parts": [{"name": "blik"}]}]}').items

    assert (doc.name, doc.parts[0].name, doc.note, doc.tags) == ("Verf", "blik", None, [])
    with pytest.raises(SourceContractViolation, match="missing required field `title`"):
        read(b'{"items": [{"name": "Verf", "parts": []}]}')


def test_without_a_mapping_the_type_is_its_own():
    assert renamed(Answer, {}, {Doc}) is Answer
