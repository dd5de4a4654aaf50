"""contracts/README.md, generated from the registry so that it can never drift from the code."""

import json
from typing import Any

from pydantic import BaseModel

from carepath_contracts.followup import ScoreEvidence
from carepath_contracts.instruments import IesrScore, Pcl5Score
from carepath_contracts.protocol import ProtocolRef
from carepath_contracts.registry import REGISTRY, EventRegistry, EventSpec
from carepath_contracts.topics import ALL_TOPICS, KEY_RULE, Topic, TopicKind
from carepath_contracts.values import Vitals

Schema = dict[str, Any]
VALUE_OBJECTS: tuple[type[BaseModel], ...] = (
    Vitals,
    ProtocolRef,
    Pcl5Score,
    IesrScore,
    ScoreEvidence,
)

_INTRO = """\
# carepath-contracts

<!-- Generated from the event registry by `carepath schemas export`; do not edit by hand. -->

The event envelope, every event model, the topics, the treatment protocol and the
questionnaire scoring that the Carepath services share. Pydantic only.

* **Envelope**: CloudEvents 1.0 in structured JSON mode (`application/cloudevents+json`):
  `specversion`, `id` (UUID), `source`, `type`, `subject` (pseudonymous patient id),
  `time` (UTC), `datacontenttype`, `dataschema`, `data`, and the extensions
  `correlationid` (pathway id), `causationid` (id of the causing event) and `traceparent`
  (CloudEvents Distributed Tracing: the span that caused the event, when tracing is on).
* **Key**: {key_rule}
* **Versioning**: the version is part of `type`. `carepath schemas check` compares the
  models with the committed JSON Schemas in `schemas/` and fails on a breaking change
  (field removed, new required field, type narrowed or bounds tightened, enum value removed).
* **AsyncAPI**: `asyncapi/<service>.asyncapi.json` is one AsyncAPI 3 document per service:
  every channel it receives from and sends to, an operation per direction, every message with
  its JSON Schema (embedded), the record key, the content type and the headers. Each service
  serves its own at `/asyncapi`. `carepath schemas export` regenerates them with the schemas
  and this README; the official parser checks them (`npm ci --prefix asyncapi/validate`, then
  `node asyncapi/validate/validate.mjs asyncapi/*.asyncapi.json`: no diagnostic of any
  severity allowed).
* **No PHI**: events carry pseudonymous ids, codes and scores; never names, dates of birth,
  contact details or free text.
* **Readers are tolerant**: unknown fields are ignored; only declared fields are written.

```python
from carepath_contracts import SessionCompleted, caused_by, from_record, new_event, to_record

event = new_event(
    data,
    subject=patient_id,
    correlation_id=pathway_id,
    source="carepath/infusion",
    time=clock.now(),
)
record = to_record(event, prefix=settings.topic_prefix)  # topic, key, value, headers
event = from_record(record_value, record_headers)  # typed Event[...] or a ContractError
```
"""


def render_readme(registry: EventRegistry = REGISTRY) -> str:
    """The complete README text for the registry."""
    parts = [_INTRO.format(key_rule=KEY_RULE), _topics_table(registry)]
    for topic in ALL_TOPICS:
        if topic.kind is not TopicKind.DLQ:
            parts.append(_topic_section(topic, registry))
    parts.append(_value_objects_section())
    return "\n".join(parts).rstrip() + "\n"


def _topics_table(registry: EventRegistry) -> str:
    rows = ["## Topics", "", "| topic | partitions | owner | carries |", "|---|---|---|---|"]
    for topic in ALL_TOPICS:
        carried = (
            "dead letters of the owner's consumers"
            if topic.kind is TopicKind.DLQ
            else ", ".join(f"`{spec.type}`" for spec in registry.on_topic(topic))
        )
        rows.append(f"| `{topic.name}` | {topic.partitions} | {topic.owner} | {carried} |")
    return "\n".join(rows) + "\n"


def _topic_section(topic: Topic, registry: EventRegistry) -> str:
    body = [f"## `{topic.name}`", ""]
    for spec in registry.on_topic(topic):
        body.append(_event_section(spec))
    return "\n".join(body)


def _event_section(spec: EventSpec) -> str:
    schema = spec.data_model.model_json_schema()
    example = _pretty_json(spec.example().model_dump(mode="json"))
    lines = [
        f"### `{spec.type}`",
        "",
        f"{spec.summary} Model: `{spec.data_model.__name__}`.",
        "",
        f"* producer: {spec.producer} (source `{spec.source}`)",
        f"* consumers: {', '.join(spec.consumers)}",
        "* key: the patient id (`subject`)",
        f"* schema: [`schemas/{spec.type}.json`](schemas/{spec.type}.json)",
        "",
        *_field_table(schema),
        "",
        "```json",
        example,
        "```",
        "",
    ]
    return "\n".join(lines)


def _value_objects_section() -> str:
    lines = ["## Value objects", ""]
    for model in VALUE_OBJECTS:
        summary = (model.__doc__ or "").strip().splitlines()[0]
        lines += [
            f"### `{model.__name__}`",
            "",
            summary,
            "",
            *_field_table(model.model_json_schema()),
        ]
        lines.append("")
    return "\n".join(lines)


def _field_table(schema: Schema) -> list[str]:
    rows = ["| field | type | required |", "|---|---|---|"]
    required = set(schema.get("required", []))
    for name, field in schema["properties"].items():
        kind = _describe(field, schema.get("$defs", {}))
        rows.append(f"| `{name}` | {kind} | {'yes' if name in required else 'no'} |")
    return rows


def _pretty_json(value: Any, indent: int = 0) -> str:
    """Indented JSON that keeps lists of plain values on one line (item responses stay legible)."""
    pad, inner = " " * indent, " " * (indent + 2)
    if isinstance(value, dict) and value:
        members = [
            f"{inner}{json.dumps(k)}: {_pretty_json(v, indent + 2)}" for k, v in value.items()
        ]
        return "{\n" + ",\n".join(members) + f"\n{pad}}}"
    if isinstance(value, list) and any(isinstance(item, dict | list) for item in value):
        items = [f"{inner}{_pretty_json(item, indent + 2)}" for item in value]
        return "[\n" + ",\n".join(items) + f"\n{pad}]"
    return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))


def _describe(field: Schema, definitions: dict[str, Schema]) -> str:
    if "$ref" in field:
        name = field["$ref"].removeprefix("#/$defs/")
        target = definitions.get(name, {})
        return _describe_enum(name, target) if "enum" in target else f"`{name}`"
    for keyword in ("anyOf", "oneOf"):
        if keyword in field:
            options = [_describe(option, definitions) for option in field[keyword]]
            return " or ".join(options)
    kind = field.get("type", "any")
    if "const" in field:
        return f"`{json.dumps(field['const'])}`"
    if kind == "array":
        items = _describe(field.get("items", {}), definitions)
        return f"list of {items}{_length(field)}{_note(field)}"
    if kind == "string":
        if field.get("format") == "date-time":
            return "UTC date-time"
        if "pattern" in field:
            return f"id `{field['pattern']}`".replace("|", "\\|")
    return f"{kind}{_range(field)}"


def _note(field: Schema) -> str:
    return f" ({field['description']})" if "description" in field else ""


def _describe_enum(name: str, definition: Schema) -> str:
    return f"`{name}`: " + ", ".join(f"`{value}`" for value in definition["enum"])


def _range(field: Schema) -> str:
    low, high = field.get("minimum", field.get("exclusiveMinimum")), field.get("maximum")
    if low is None and high is None:
        return ""
    return f" {low if low is not None else '…'} to {high if high is not None else '…'}"


def _length(field: Schema) -> str:
    low, high = field.get("minItems"), field.get("maxItems")
    if low is None and high is None:
        return ""
    if low == high:
        return f" (exactly {low} items)"
    return f" ({low or 0} to {high if high is not None else '…'} items)"
