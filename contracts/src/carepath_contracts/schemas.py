"""JSON Schema of every event type (whole envelope with its data), generated and committed."""

import json
from pathlib import Path
from typing import Any

from carepath_contracts.registry import REGISTRY, EventRegistry, EventSpec

JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


def event_json_schema(spec: EventSpec) -> dict[str, Any]:
    """The JSON Schema a producer in any language can validate this event type against."""
    schema = spec.envelope_model.model_json_schema()
    schema["properties"]["type"] = {"const": spec.type, "type": "string", "title": "Type"}
    return {
        "$schema": JSON_SCHEMA_DIALECT,
        "$id": spec.dataschema,
        **schema,
        "title": spec.type,
        "description": f"{spec.summary} CloudEvents 1.0, structured JSON mode.",
    }


def current_schemas(registry: EventRegistry = REGISTRY) -> dict[str, dict[str, Any]]:
    """Every registered event type's schema, by type."""
    return {spec.type: event_json_schema(spec) for spec in registry}


def render_schema(schema: dict[str, Any]) -> str:
    """Stable text of a schema, as committed."""
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def schema_path(directory: Path, event_type: str) -> Path:
    return directory / f"{event_type}.json"


def export_schemas(directory: Path, registry: EventRegistry = REGISTRY) -> list[Path]:
    """Write `<type>.json` for every registered type; files of retired types are left alone."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for event_type, schema in current_schemas(registry).items():
        path = schema_path(directory, event_type)
        path.write_text(render_schema(schema), encoding="utf-8")
        written.append(path)
    return written


def load_schemas(directory: Path) -> dict[str, dict[str, Any]]:
    """The committed schemas in a directory, by event type."""
    return {
        path.name.removesuffix(".json"): json.loads(path.read_text(encoding="utf-8"))
        for path in sorted(directory.glob("*.json"))
    }


def stale_schemas(directory: Path, registry: EventRegistry = REGISTRY) -> list[str]:
    """Types whose committed schema is missing or differs from the current models."""
    committed = load_schemas(directory)
    return [
        event_type
        for event_type, schema in current_schemas(registry).items()
        if event_type not in committed
        or render_schema(committed[event_type]) != render_schema(schema)
    ]
