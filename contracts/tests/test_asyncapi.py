"""The committed AsyncAPI documents: up to date, complete, and faithful to the JSON Schemas."""

import copy
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from carepath_contracts import (
    REGISTRY,
    SERVICES,
    asyncapi_document,
    dead_letter_topic,
    load_schemas,
    resolve_refs,
    stale_asyncapi,
)
from carepath_contracts.dead_letters import DEAD_LETTER_HEADERS

CONTRACTS = Path(__file__).resolve().parents[1]
services = pytest.mark.parametrize("service", SERVICES)


def test_committed_documents_match_the_registry():
    assert stale_asyncapi(CONTRACTS / "asyncapi") == [], (
        "run `uv run carepath schemas export` and commit contracts/asyncapi/"
    )


def inline(node: Any, schemas: dict[str, Any]) -> Any:
    """`node` with every `#/components/schemas/...` reference replaced by its schema."""
    if isinstance(node, list):
        return [inline(item, schemas) for item in node]
    if not isinstance(node, dict):
        return node
    reference = node.get("$ref", "")
    if reference.startswith("#/components/schemas/"):
        target = schemas[reference.removeprefix("#/components/schemas/")]
        siblings = {k: v for k, v in node.items() if k != "$ref"}
        return inline({**target, **siblings}, schemas)
    return {key: inline(value, schemas) for key, value in node.items()}


def operation_messages(document: dict[str, Any], action: str) -> dict[str, set[str]]:
    """Topic -> names (event types) of the messages the service `action`s on it."""
    messages = document["components"]["messages"]
    found: dict[str, set[str]] = {}
    for operation in document["operations"].values():
        if operation["action"] != action:
            continue
        channel = document["channels"][operation["channel"]["$ref"].split("/")[-1]]
        names = {messages[ref["$ref"].split("/")[-1]]["name"] for ref in operation["messages"]}
        found[channel["address"]] = names
    return found


@services
def test_receive_operations_are_exactly_what_the_service_consumes(service: str):
    expected: dict[str, set[str]] = {}
    for spec in REGISTRY.consumed_by(service):
        expected.setdefault(spec.topic.name, set()).add(spec.type)

    assert operation_messages(asyncapi_document(service), "receive") == expected


@services
def test_send_operations_are_its_events_and_its_dead_letters(service: str):
    expected: dict[str, set[str]] = {dead_letter_topic(service).name: {"carepath.dead-letter"}}
    for spec in REGISTRY.produced_by(service):
        expected.setdefault(spec.topic.name, set()).add(spec.type)

    assert operation_messages(asyncapi_document(service), "send") == expected


@services
def test_every_channel_lists_every_event_type_its_topic_carries(service: str):
    document = asyncapi_document(service)
    messages = document["components"]["messages"]

    for channel in document["channels"].values():
        refs = channel["messages"].values()
        names = {messages[ref["$ref"].split("/")[-1]]["name"] for ref in refs}
        carried = {spec.type for spec in REGISTRY if spec.topic.name == channel["address"]}
        assert names == (carried or {"carepath.dead-letter"})
        assert channel["bindings"]["kafka"]["topic"] == channel["address"]


@services
def test_every_payload_is_the_committed_json_schema(service: str):
    document = asyncapi_document(service)
    schemas = document["components"]["schemas"]
    committed = load_schemas(CONTRACTS / "schemas")
    events = [m for m in document["components"]["messages"].values() if m["name"] in REGISTRY]

    assert events
    for message in events:
        expected = resolve_refs(committed[message["name"]])
        for keyword in ("$schema", "$id"):
            del expected[keyword]
        assert inline(message["payload"], schemas) == _discriminators_as_names(expected)


@services
def test_every_event_message_is_a_keyed_cloudevent_with_its_headers(service: str):
    document = asyncapi_document(service)
    components = document["components"]
    trait = components["messageTraits"]["CloudEvent"]

    assert document["defaultContentType"] == trait["contentType"] == "application/cloudevents+json"
    assert inline(trait["bindings"]["kafka"]["key"], components["schemas"])["pattern"]
    headers = inline(trait["headers"], components["schemas"])
    assert set(headers["properties"]) == {"content-type", "traceparent"}
    for message in components["messages"].values():
        if message["name"] in REGISTRY:
            assert message["traits"] == [{"$ref": "#/components/messageTraits/CloudEvent"}]
    dead_letter = components["messages"]["DeadLetter"]
    dead_headers = inline(dead_letter["headers"], components["schemas"])
    assert set(dead_headers["required"]) == set(DEAD_LETTER_HEADERS)


@services
def test_every_example_validates_against_its_payload_and_headers(service: str):
    document = asyncapi_document(service)
    components = document["components"]
    headers = Draft202012Validator(
        inline(components["messageTraits"]["CloudEvent"]["headers"], components["schemas"])
    )
    checked = 0
    for message in components["messages"].values():
        payload = inline(message["payload"], components["schemas"])
        validator = Draft202012Validator(
            payload, format_checker=Draft202012Validator.FORMAT_CHECKER
        )
        for example in message.get("examples", []):
            assert list(validator.iter_errors(example["payload"])) == []
            assert list(headers.iter_errors(example["headers"])) == []
            checked += 1
    assert checked == sum(1 for m in components["messages"].values() if m["name"] in REGISTRY)


def test_the_example_check_catches_a_wrong_example():
    document = asyncapi_document("intake")
    components = document["components"]
    message = copy.deepcopy(components["messages"]["ReferralReceived"])
    message["examples"][0]["payload"]["data"]["responder_role"] = "astronaut"
    validator = Draft202012Validator(inline(message["payload"], components["schemas"]))

    assert not validator.is_valid(message["examples"][0]["payload"])


def test_an_unknown_service_has_no_document():
    with pytest.raises(ValueError, match="unknown service 'billing'"):
        asyncapi_document("billing")


def _discriminators_as_names(node: Any) -> Any:
    """AsyncAPI's discriminator is the property name; JSON Schema (pydantic) writes an object."""
    if isinstance(node, list):
        return [_discriminators_as_names(item) for item in node]
    if not isinstance(node, dict):
        return node
    return {
        key: value["propertyName"]
        if key == "discriminator" and isinstance(value, dict)
        else _discriminators_as_names(value)
        for key, value in node.items()
    }
