"""Events to Kafka records and back: structured JSON mode, keyed by patient, typed by registry."""

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from carepath_contracts.envelope import SPECVERSION, Event
from carepath_contracts.errors import (
    InvalidEventError,
    NotAnEventError,
    NotJsonError,
    describe_validation_error,
)
from carepath_contracts.registry import REGISTRY, EventRegistry
from carepath_contracts.topics import record_key, topic_name

CONTENT_TYPE = "application/cloudevents+json; charset=utf-8"
CONTENT_TYPE_HEADER = "content-type"
TRACEPARENT_HEADER = "traceparent"
REQUIRED_ATTRIBUTES = ("specversion", "id", "source", "type")

Headers = Mapping[str, str | bytes] | Iterable[tuple[str, str | bytes]]


@dataclass(frozen=True)
class KafkaRecord:
    """A record ready to publish: topic (with any prefix), key, value and headers."""

    topic: str
    key: bytes
    value: bytes
    headers: tuple[tuple[str, bytes], ...]

    @property
    def header_dict(self) -> dict[str, str]:
        """Headers as text, for clients (such as FastStream) that take a dict of strings."""
        return {name: value.decode("utf-8") for name, value in self.headers}


def to_json_bytes(event: Event[Any]) -> bytes:
    """The event in CloudEvents structured JSON, UTF-8 encoded."""
    return event.model_dump_json().encode("utf-8")


def to_record(
    event: Event[Any], *, prefix: str = "", registry: EventRegistry = REGISTRY
) -> KafkaRecord:
    """The record for an event: its registered topic, keyed by the patient id."""
    spec = registry.get(event.type)
    headers = [(CONTENT_TYPE_HEADER, CONTENT_TYPE.encode("ascii"))]
    if event.traceparent:
        headers.append((TRACEPARENT_HEADER, event.traceparent.encode("ascii")))
    return KafkaRecord(
        topic=topic_name(spec.topic, prefix),
        key=record_key(event.subject),
        value=to_json_bytes(event),
        headers=tuple(headers),
    )


def from_record(
    value: bytes | str, headers: Headers | None = None, *, registry: EventRegistry = REGISTRY
) -> Event[Any]:
    """Decode a record value into a typed event, or raise a named ContractError.

    Any content-type header is accepted (producers and clients label JSON differently);
    headers only sharpen the error for binary-mode CloudEvents, which Carepath does not use.
    """
    document = _parse_json(value)
    if not isinstance(document, dict):
        raise NotAnEventError(f"expected a JSON object (CloudEvent), got {type(document).__name__}")
    missing = [name for name in REQUIRED_ATTRIBUTES if not isinstance(document.get(name), str)]
    if missing:
        hint = " (binary content mode is not accepted)" if _has_binary_mode(headers) else ""
        raise NotAnEventError(f"not a CloudEvent: missing or non-string {', '.join(missing)}{hint}")
    if document["specversion"] != SPECVERSION:
        raise NotAnEventError(f"specversion {document['specversion']!r} is not {SPECVERSION!r}")
    spec = registry.get(document["type"])
    try:
        return spec.envelope_model.model_validate(document)
    except ValidationError as error:
        raise InvalidEventError(spec.type, describe_validation_error(error)) from error


def _parse_json(value: bytes | str) -> Any:
    try:
        text = value.decode("utf-8") if isinstance(value, bytes | bytearray) else value
        return json.loads(text)
    except UnicodeDecodeError as error:
        raise NotJsonError(f"record value is not UTF-8: {error}") from error
    except (json.JSONDecodeError, TypeError) as error:
        raise NotJsonError(f"record value is not JSON: {error}") from error


def _has_binary_mode(headers: Headers | None) -> bool:
    if headers is None:
        return False
    names = headers.keys() if isinstance(headers, Mapping) else (name for name, _ in headers)
    return any(name.lower().startswith("ce_") for name in names)
