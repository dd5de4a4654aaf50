"""AsyncAPI 3 documents, one per service, generated from the event registry and the topics.

Each document lists every channel the service receives from and sends to, one operation per
channel and direction, and every message with its payload schema (the committed JSON Schema
of the event type), its Kafka record key, content type and headers. Committed under
`contracts/asyncapi/` by `carepath schemas export` and served by each service at `/asyncapi`.
"""

import copy
import json
from importlib.metadata import version
from pathlib import Path
from typing import Any

from carepath_contracts.dead_letters import DEAD_LETTER_HEADERS, TRUNCATION_HEADERS
from carepath_contracts.records import CONTENT_TYPE, CONTENT_TYPE_HEADER, TRACEPARENT_HEADER
from carepath_contracts.registry import REGISTRY, EventRegistry, EventSpec
from carepath_contracts.schemas import event_json_schema
from carepath_contracts.topics import (
    ALL_TOPICS,
    KEY_RULE,
    SERVICES,
    Topic,
    TopicKind,
    dead_letter_topic,
    events_topic,
)
from carepath_contracts.values import IDENTIFIER_PATTERN

Document = dict[str, Any]

ASYNCAPI_VERSION = "3.1.0"
KAFKA_BINDING_VERSION = "0.5.0"
MEDIA_TYPE = CONTENT_TYPE.split(";")[0]  # application/cloudevents+json
DEAD_LETTER = "DeadLetter"
_TRAIT = "CloudEvent"
_DEFS = "#/$defs/"
_SCHEMAS = "#/components/schemas/"


def asyncapi_document(service: str, registry: EventRegistry = REGISTRY) -> Document:
    """The AsyncAPI document of one service: what it receives, what it sends, in what form."""
    if service not in SERVICES:
        raise ValueError(f"unknown service {service!r}; expected one of {', '.join(SERVICES)}")
    received = _received_topics(service, registry)
    sent = (events_topic(service), dead_letter_topic(service))
    channels = {_channel_id(topic): _channel(topic, registry) for topic in (*received, *sent)}
    operations = {
        **{_operation_id("receive", t): _receive(t, service, registry) for t in received},
        **{_operation_id("send", t): _send(t, service, registry) for t in sent},
    }
    specs = [spec for topic in received + sent for spec in registry.on_topic(topic)]
    return {
        "asyncapi": ASYNCAPI_VERSION,
        "id": f"urn:carepath:service:{service}",
        "info": _info(service),
        "servers": _servers(),
        "defaultContentType": MEDIA_TYPE,
        "channels": channels,
        "operations": operations,
        "components": _components(specs),
    }


def render_asyncapi(document: Document) -> str:
    """Stable text of a document, as committed (keys in the order they were built)."""
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def asyncapi_path(directory: Path, service: str) -> Path:
    return directory / f"{service}.asyncapi.json"


def export_asyncapi(directory: Path, registry: EventRegistry = REGISTRY) -> list[Path]:
    """Write `<service>.asyncapi.json` for every service."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for service in SERVICES:
        path = asyncapi_path(directory, service)
        path.write_text(render_asyncapi(asyncapi_document(service, registry)), encoding="utf-8")
        written.append(path)
    return written


def stale_asyncapi(directory: Path, registry: EventRegistry = REGISTRY) -> list[str]:
    """Services whose committed document is missing or differs from the registry's."""
    return [
        service
        for service in SERVICES
        if not asyncapi_path(directory, service).is_file()
        or asyncapi_path(directory, service).read_text(encoding="utf-8")
        != render_asyncapi(asyncapi_document(service, registry))
    ]


def _received_topics(service: str, registry: EventRegistry) -> tuple[Topic, ...]:
    consumed = {spec.topic.name for spec in registry.consumed_by(service)}
    return tuple(topic for topic in ALL_TOPICS if topic.name in consumed)


def _info(service: str) -> Document:
    return {
        "title": f"Carepath {service}",
        "version": version("carepath-contracts"),
        "description": (
            f"The Kafka side of Carepath's {service} service: the topics it reads and writes "
            "and every event on them. Events are CloudEvents 1.0 in structured JSON mode "
            f"(`{MEDIA_TYPE}`); the record key is the pseudonymous patient id. Each event "
            "type has a committed JSON Schema in `contracts/schemas/`, embedded here as the "
            "message payload. Generated from the event registry by `carepath schemas "
            "export`; do not edit by hand."
        ),
        "contact": {"name": "Carepath maintainers", "url": "urn:carepath:contracts"},
        "license": {"name": "Proprietary: Carepath clinical services"},
        "tags": [{"name": "carepath"}, {"name": service}],
    }


def _servers() -> Document:
    return {
        "kafka": {
            "host": "{bootstrap}",
            "protocol": "kafka",
            "title": "The deployment's Kafka cluster",
            "description": (
                "The brokers every Carepath service connects to (`KAFKA_BOOTSTRAP_SERVERS`). "
                "A deployment may put a prefix before every topic name "
                "(`CAREPATH_TOPIC_PREFIX`); the addresses here are the base names."
            ),
            "variables": {
                "bootstrap": {
                    "default": "localhost:9092",
                    "description": "host:port of a bootstrap broker.",
                }
            },
        }
    }


def _channel_id(topic: Topic) -> str:
    return f"{topic.owner}{topic.kind.value.capitalize()}"


def _operation_id(action: str, topic: Topic) -> str:
    return f"{action}{_channel_id(topic)[0].upper()}{_channel_id(topic)[1:]}"


_TOPIC_ROLES = {
    TopicKind.INBOUND: "Facts that other systems (portal, clinic, patient app) send {owner}.",
    TopicKind.EVENTS: "The events {owner} publishes: its decisions and what it scheduled.",
    TopicKind.DLQ: "Records that {owner}'s consumer could never handle, with the reason.",
}


def _channel(topic: Topic, registry: EventRegistry) -> Document:
    names = (
        [DEAD_LETTER]
        if topic.kind is TopicKind.DLQ
        else [spec.data_model.__name__ for spec in registry.on_topic(topic)]
    )
    return {
        "address": topic.name,
        "title": topic.name,
        "description": _TOPIC_ROLES[topic.kind].format(owner=topic.owner)
        + f" Owned by {topic.owner}; {topic.partitions} partitions.",
        "messages": {name: {"$ref": f"#/components/messages/{name}"} for name in names},
        "bindings": {
            "kafka": {
                "topic": topic.name,
                "partitions": topic.partitions,
                "bindingVersion": KAFKA_BINDING_VERSION,
            }
        },
    }


def _operation_messages(topic: Topic, names: list[str]) -> list[Document]:
    return [{"$ref": f"#/channels/{_channel_id(topic)}/messages/{name}"} for name in names]


def _receive(topic: Topic, service: str, registry: EventRegistry) -> Document:
    handled = [s.data_model.__name__ for s in registry.on_topic(topic) if service in s.consumers]
    skipped = len(registry.on_topic(topic)) - len(handled)
    dlq = dead_letter_topic(service).name
    description = (
        f"{service} handles each event once, in order per patient (the record key), and "
        f"commits after handling. An event that can never succeed (not a CloudEvent, an "
        f"unknown type, invalid data, a broken clinical rule) goes to `{dlq}` with the "
        "reason, and the consumer moves on."
    )
    if skipped:
        description += f" The other {skipped} event type(s) on this topic are skipped."
    return {
        "action": "receive",
        "channel": {"$ref": f"#/channels/{_channel_id(topic)}"},
        "title": f"{service} receives from {topic.name}",
        "summary": f"{service} reads {', '.join(handled)}.",
        "description": description,
        "messages": _operation_messages(topic, handled),
        "bindings": {
            "kafka": {
                "groupId": {
                    "type": "string",
                    "description": "The consumer group: carepath-<service> unless configured.",
                    "examples": [f"carepath-{service}"],
                },
                "bindingVersion": KAFKA_BINDING_VERSION,
            }
        },
    }


def _send(topic: Topic, service: str, registry: EventRegistry) -> Document:
    if topic.kind is TopicKind.DLQ:
        names = [DEAD_LETTER]
        summary = f"{service} dead-letters what it can never handle."
        description = (
            "The original record (key, value and headers, unchanged) plus headers naming the "
            "error and where the record came from; written with acks=all before the "
            "consumer commits past it, so nothing is lost."
        )
    else:
        names = [spec.data_model.__name__ for spec in registry.on_topic(topic)]
        summary = f"{service} publishes {len(names)} event types."
        description = (
            "Written through a transactional outbox: an event is published once its cause "
            "is committed, at least once. After a crash a copy may be published again with "
            "the same CloudEvents `id`: readers deduplicate by `id`."
        )
    return {
        "action": "send",
        "channel": {"$ref": f"#/channels/{_channel_id(topic)}"},
        "title": f"{service} sends to {topic.name}",
        "summary": summary,
        "description": description,
        "messages": _operation_messages(topic, names),
    }


def _components(specs: list[EventSpec]) -> Document:
    schemas: Document = {
        "PatientKey": {
            "type": "string",
            "pattern": IDENTIFIER_PATTERN,
            "maxLength": 64,
            "description": KEY_RULE,
        },
        "CloudEventHeaders": _cloudevent_headers(),
        "DeadLetterHeaders": _dead_letter_headers(),
        "DeadLetterValue": {
            "description": (
                "The original record's value, byte for byte: usually a CloudEvent in "
                "structured JSON, but anything that failed to parse is kept as it was."
            )
        },
    }
    messages: Document = {}
    for spec in specs:
        payload, definitions = _hoisted(event_json_schema(spec))
        for name, definition in definitions.items():
            if schemas.setdefault(name, definition) != definition:
                raise ValueError(f"two different schemas are both named {name}")
        schemas[spec.type] = payload
        messages[spec.data_model.__name__] = _message(spec)
    messages[DEAD_LETTER] = _dead_letter_message()
    return {
        "schemas": dict(sorted(schemas.items())),
        "messages": messages,
        "messageTraits": {_TRAIT: _cloudevent_trait()},
        "correlationIds": {
            "pathway": {
                "description": "The care pathway id, the CloudEvents `correlationid` extension.",
                "location": "$message.payload#/correlationid",
            }
        },
    }


def _message(spec: EventSpec) -> Document:
    example = spec.example().model_dump(mode="json")
    return {
        "name": spec.type,
        "title": spec.data_model.__name__,
        "summary": spec.summary,
        "description": (
            f"Producer: {spec.producer} (CloudEvents `source` `{spec.source}`). "
            f"Consumers: {', '.join(spec.consumers)}. JSON Schema: "
            f"`contracts/schemas/{spec.type}.json` (`dataschema` `{spec.dataschema}`)."
        ),
        "payload": {"$ref": f"{_SCHEMAS}{spec.type}"},
        "traits": [{"$ref": f"#/components/messageTraits/{_TRAIT}"}],
        "examples": [
            {
                "name": spec.type.split(".")[2],
                "summary": f"A complete {spec.data_model.__name__} event.",
                "headers": {CONTENT_TYPE_HEADER: CONTENT_TYPE},
                "payload": example,
            }
        ],
    }


def _cloudevent_trait() -> Document:
    return {
        "contentType": MEDIA_TYPE,
        "headers": {"$ref": f"{_SCHEMAS}CloudEventHeaders"},
        "correlationId": {"$ref": "#/components/correlationIds/pathway"},
        "bindings": {
            "kafka": {
                "key": {"$ref": f"{_SCHEMAS}PatientKey"},
                "bindingVersion": KAFKA_BINDING_VERSION,
            }
        },
    }


def _cloudevent_headers() -> Document:
    return {
        "type": "object",
        "description": (
            "Kafka record headers. Structured content mode of the CloudEvents Kafka binding: "
            "every attribute (specversion, id, source, type, subject, time, datacontenttype, "
            "dataschema, correlationid, causationid, traceparent) is in the record value, so "
            "the headers only label it."
        ),
        "properties": {
            CONTENT_TYPE_HEADER: {
                "type": "string",
                "const": CONTENT_TYPE,
                "description": "Carepath writes it on every event; readers accept any value.",
            },
            TRACEPARENT_HEADER: {
                "type": "string",
                "pattern": "^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$",
                "description": (
                    "W3C trace context of the publish. Carepath's services write their "
                    "producer span here, a child of the span named by the event's own "
                    "`traceparent` (the span that caused the event); another producer may "
                    "copy the event's `traceparent`. Consumers continue the trace from this "
                    "header, else from the event's `traceparent`."
                ),
            },
        },
    }


def _dead_letter_headers() -> Document:
    return {
        "type": "object",
        "description": "The original record's headers, plus these.",
        "properties": {
            name: {"type": "string", "description": meaning}
            for name, meaning in (DEAD_LETTER_HEADERS | TRUNCATION_HEADERS).items()
        },
        "required": list(DEAD_LETTER_HEADERS),
    }


def _dead_letter_message() -> Document:
    return {
        "name": "carepath.dead-letter",
        "title": DEAD_LETTER,
        "summary": "A record the service could never handle, as it arrived, with the reason.",
        "description": (
            "Listed and replayed with `carepath dlq list|show|replay`. The key is the "
            "original record's key (the patient id, or empty)."
        ),
        "contentType": "application/octet-stream",
        "headers": {"$ref": f"{_SCHEMAS}DeadLetterHeaders"},
        "payload": {"$ref": f"{_SCHEMAS}DeadLetterValue"},
        "bindings": {
            "kafka": {
                "key": {"type": "string", "description": "The original record's key."},
                "bindingVersion": KAFKA_BINDING_VERSION,
            }
        },
    }


def _hoisted(schema: Document) -> tuple[Document, Document]:
    """The envelope schema with its `$defs` moved out to `components/schemas`.

    A `$ref` inside an AsyncAPI document resolves against the document, so local definitions
    become shared components. Pydantic's OpenAPI-style discriminator object becomes AsyncAPI's
    discriminator (the property name). `$schema` and `$id` stay in the committed file.
    """
    schema = copy.deepcopy(schema)
    definitions = schema.pop("$defs", {})
    for keyword in ("$schema", "$id"):
        schema.pop(keyword, None)
    return _rewritten(schema), {name: _rewritten(d) for name, d in definitions.items()}


def _rewritten(node: Any) -> Any:
    if isinstance(node, list):
        return [_rewritten(item) for item in node]
    if not isinstance(node, dict):
        return node
    result = {}
    for key, value in node.items():
        if key == "$ref" and isinstance(value, str) and value.startswith(_DEFS):
            result[key] = _SCHEMAS + value.removeprefix(_DEFS)
        elif key == "discriminator" and isinstance(value, dict):
            result[key] = value["propertyName"]
        else:
            result[key] = _rewritten(value)
    return result
