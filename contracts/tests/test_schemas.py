"""Committed JSON Schemas: up to date, and every example passes independent validators."""

import json
from pathlib import Path

import pytest
from cloudevents.core.bindings import kafka as core_kafka
from cloudevents.v1 import http as legacy_http
from cloudevents.v1 import kafka as legacy_kafka
from jsonschema import Draft202012Validator

from carepath_contracts import (
    REGISTRY,
    EventSpec,
    current_schemas,
    load_schemas,
    render_schema,
    stale_schemas,
    to_record,
)

SCHEMAS = Path(__file__).resolve().parents[1] / "schemas"
specs = pytest.mark.parametrize("spec", list(REGISTRY), ids=lambda spec: spec.type)


def test_committed_schemas_match_the_models():
    assert stale_schemas(SCHEMAS) == [], "run `uv run carepath schemas export` and commit"


def test_every_committed_schema_belongs_to_a_registered_type():
    assert set(load_schemas(SCHEMAS)) == set(REGISTRY.types())


@specs
def test_schema_is_the_whole_envelope_with_a_fixed_type(spec: EventSpec):
    schema = current_schemas()[spec.type]

    assert schema["$id"] == spec.dataschema
    assert schema["properties"]["type"]["const"] == spec.type
    assert {"specversion", "id", "source", "type", "subject", "time", "data"} <= set(
        schema["required"]
    )
    Draft202012Validator.check_schema(schema)
    assert render_schema(schema) == render_schema(json.loads(render_schema(schema)))


@specs
def test_example_validates_against_its_committed_schema(spec: EventSpec):
    schema = load_schemas(SCHEMAS)[spec.type]
    validator = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
    document = json.loads(to_record(spec.example()).value)

    assert [error.message for error in validator.iter_errors(document)] == []


def test_committed_schema_rejects_what_the_model_rejects():
    spec = REGISTRY.get("carepath.followup.assessment-submitted.v1")
    validator = Draft202012Validator(load_schemas(SCHEMAS)[spec.type])
    document = json.loads(to_record(spec.example()).value)
    document["data"]["items"] = document["data"]["items"][:19]

    assert not validator.is_valid(document)
    document["data"]["items"] += [1, 5]
    document["data"]["instrument"] = "iesr"
    assert not validator.is_valid(document)


@specs
def test_the_cloudevents_sdk_reads_every_example_record(spec: EventSpec):
    event = spec.example()
    record = to_record(event)
    headers = dict(record.headers)

    parsed = core_kafka.from_kafka_event(
        core_kafka.KafkaMessage(headers=headers, key=record.key, value=record.value)
    )
    legacy = legacy_kafka.from_structured(
        legacy_kafka.KafkaMessage(headers=headers, key=record.key, value=record.value)
    )
    from_http = legacy_http.from_json(record.value)

    assert parsed.get_type() == legacy["type"] == from_http["type"] == spec.type
    assert parsed.get_id() == event.id
    assert parsed.get_subject() == event.subject
    assert parsed.get_time() == event.time
    assert parsed.get_dataschema() == spec.dataschema
    assert parsed.get_extension("correlationid") == event.correlationid
    assert parsed.get_extension("partitionkey") == event.subject
    assert parsed.get_data() == json.loads(record.value)["data"]
    assert legacy.data == from_http.data == parsed.get_data()
