"""No event can carry personal details or free text: every string is a code, an id or a time."""

import re
from collections.abc import Iterator
from typing import Any

import pytest

from carepath_contracts import REGISTRY, EventSpec, resolve_refs
from carepath_contracts.schemas import event_json_schema

PERSONAL_WORDS = {
    *("name", "names", "surname", "firstname", "lastname", "fullname", "initials"),
    *("birth", "dob", "birthdate", "birthday", "age"),
    *("address", "street", "postcode", "zip", "city", "phone", "mobile", "telephone"),
    *("email", "mail", "contact"),
    *("note", "notes", "comment", "comments", "text", "remark", "remarks", "narrative"),
    *("ssn", "insurance", "nhs", "mrn"),
}
BOUNDED_STRING_KEYWORDS = {"enum", "const", "pattern"}
ALLOWED_STRING_FORMATS = {"date-time"}


def _is_personal(field_name: str) -> bool:
    words = re.split(r"[_\-\s]+|(?<=[a-z])(?=[A-Z])", field_name)
    return any(word.lower() in PERSONAL_WORDS for word in words)


def _fields(schema: Any, path: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    if isinstance(schema, list):
        for item in schema:
            yield from _fields(item, path)
        return
    if not isinstance(schema, dict):
        return
    yield path, schema
    for name, field in schema.get("properties", {}).items():
        yield from _fields(field, f"{path}.{name}" if path else name)
    for keyword in ("items", "anyOf", "oneOf", "allOf"):
        if keyword in schema:
            yield from _fields(schema[keyword], f"{path}[]" if keyword == "items" else path)


specs = pytest.mark.parametrize("spec", list(REGISTRY), ids=lambda spec: spec.type)


@specs
def test_no_field_is_named_for_personal_details_or_free_text(spec: EventSpec):
    schema = resolve_refs(event_json_schema(spec))
    names = {path.rsplit(".", 1)[-1].rstrip("[]") for path, _ in _fields(schema) if path}

    assert not {name for name in names if _is_personal(name)}


@specs
def test_every_string_is_an_enum_a_patterned_id_or_a_timestamp(spec: EventSpec):
    schema = resolve_refs(event_json_schema(spec))
    unconstrained = [
        path
        for path, field in _fields(schema)
        if field.get("type") == "string"
        and not BOUNDED_STRING_KEYWORDS & field.keys()
        and field.get("format") not in ALLOWED_STRING_FORMATS
    ]

    assert unconstrained == []


def test_the_check_would_catch_a_name_field():
    schema = {"properties": {"data": {"properties": {"patient_name": {"type": "string"}}}}}
    names = [path for path, _ in _fields(schema) if _is_personal(path.rsplit(".", 1)[-1])]

    assert names == ["data.patient_name"]
    assert not _is_personal("escort_named")
    assert _is_personal("date_of_birth") and _is_personal("freeText") and _is_personal("e-mail")
