"""Backward-compatibility check of event JSON Schemas against the committed baseline."""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

Schema = dict[str, Any]

_LOWER_BOUNDS = ("minimum", "exclusiveMinimum", "minLength", "minItems", "minProperties")
_UPPER_BOUNDS = ("maximum", "exclusiveMaximum", "maxLength", "maxItems", "maxProperties")
_EXACT_CONSTRAINTS = ("pattern", "format", "multipleOf")


@dataclass(frozen=True)
class BreakingChange:
    """One backward-incompatible difference between the baseline and the current schema."""

    event_type: str
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.event_type}: {self.path or '(event)'}: {self.message}"


def resolve_refs(schema: Schema) -> Schema:
    """The schema with every local `#/$defs/...` reference replaced by its definition."""
    definitions = schema.get("$defs", {})

    def walk(node: Any, expanding: frozenset[str]) -> Any:
        if isinstance(node, list):
            return [walk(item, expanding) for item in node]
        if not isinstance(node, dict):
            return node
        reference = node.get("$ref")
        if isinstance(reference, str) and reference.startswith("#/$defs/"):
            name = reference.removeprefix("#/$defs/")
            if name in expanding or name not in definitions:
                return node  # recursive or foreign: compared as a reference
            target = walk(definitions[name], expanding | {name})
            siblings = {k: walk(v, expanding) for k, v in node.items() if k != "$ref"}
            return {**target, **siblings}
        return {k: walk(v, expanding) for k, v in node.items() if k != "$defs"}

    return walk(schema, frozenset())


def breaking_changes(old: Schema, new: Schema, event_type: str = "") -> list[BreakingChange]:
    """Every change in `new` that breaks readers or data of `old` (both are resolved first)."""
    problems = _compare(resolve_refs(old), resolve_refs(new), "")
    return [BreakingChange(event_type, path, message) for path, message in problems]


def check_compatibility(
    baseline: Mapping[str, Schema], current: Mapping[str, Schema]
) -> list[BreakingChange]:
    """Compare every committed event type with its current schema; removed types break too."""
    changes: list[BreakingChange] = []
    for event_type, old in sorted(baseline.items()):
        if event_type not in current:
            changes.append(BreakingChange(event_type, "", "event type removed"))
            continue
        changes.extend(breaking_changes(old, current[event_type], event_type))
    return changes


Problem = tuple[str, str]


def _compare(old: Schema, new: Schema, path: str) -> list[Problem]:
    old_choices, new_choices = _alternatives(old), _alternatives(new)
    if len(old_choices) > 1 or len(new_choices) > 1:
        return _compare_unions(old_choices, new_choices, path)
    return [
        *_compare_values(old, new, path),
        *_compare_types(old, new, path),
        *_compare_bounds(old, new, path),
        *_compare_objects(old, new, path),
        *_compare_arrays(old, new, path),
    ]


def _alternatives(schema: Schema) -> list[Schema]:
    for keyword in ("anyOf", "oneOf"):
        if keyword in schema:
            shared = {k: v for k, v in schema.items() if k not in {keyword, "discriminator"}}
            return [
                choice for option in schema[keyword] for choice in _alternatives(option | shared)
            ]
    types = schema.get("type")
    if isinstance(types, list) and len(types) > 1:
        return [schema | {"type": one} for one in types]
    return [schema]


def _compare_unions(
    old_choices: list[Schema], new_choices: list[Schema], path: str
) -> list[Problem]:
    problems: list[Problem] = []
    for old_choice in old_choices:
        attempts = [_compare(old_choice, new_choice, path) for new_choice in new_choices]
        closest = min(attempts, key=len)
        if closest:
            problems.extend(closest)
    return problems


def _compare_values(old: Schema, new: Schema, path: str) -> list[Problem]:
    old_values = _allowed_values(old)
    new_values = _allowed_values(new)
    if new_values is None:
        return []
    if old_values is None:
        return [(path, f"narrowed to the values {sorted(map(str, new_values))}")]
    removed = [value for value in old_values if value not in new_values]
    if removed:
        return [(path, f"enum value removed: {', '.join(map(str, removed))}")]
    return []


def _allowed_values(schema: Schema) -> list[Any] | None:
    if "const" in schema:
        return [schema["const"]]
    if "enum" in schema:
        return list(schema["enum"])
    return None


def _compare_types(old: Schema, new: Schema, path: str) -> list[Problem]:
    if "type" not in new:
        return []
    if "type" not in old:
        return [(path, f"type narrowed to {new['type']}")]
    old_type, new_type = old["type"], new["type"]
    if old_type == new_type or (old_type == "integer" and new_type == "number"):
        return []
    return [(path, f"type narrowed: accepted {old_type}, now {new_type}")]


def _compare_bounds(old: Schema, new: Schema, path: str) -> list[Problem]:
    problems: list[Problem] = []
    for keyword in (*_LOWER_BOUNDS, *_UPPER_BOUNDS):
        if keyword not in new:
            continue
        tighter = (lambda a, b: b > a) if keyword in _LOWER_BOUNDS else (lambda a, b: b < a)
        if keyword not in old:
            problems.append((path, f"bound added: {keyword} {new[keyword]}"))
        elif tighter(old[keyword], new[keyword]):
            problems.append((path, f"bound tightened: {keyword} {old[keyword]} → {new[keyword]}"))
    for keyword in _EXACT_CONSTRAINTS:
        if keyword in new and old.get(keyword) != new[keyword]:
            was = old.get(keyword, "none")
            problems.append((path, f"{keyword} changed from {was!r} to {new[keyword]!r}"))
    if new.get("uniqueItems") and not old.get("uniqueItems"):
        problems.append((path, "items must now be unique"))
    return problems


def _compare_objects(old: Schema, new: Schema, path: str) -> list[Problem]:
    problems: list[Problem] = []
    old_fields: Mapping[str, Schema] = old.get("properties", {})
    new_fields: Mapping[str, Schema] = new.get("properties", {})
    for name, old_field in old_fields.items():
        field_path = f"{path}.{name}" if path else name
        if name not in new_fields:
            problems.append((field_path, "field removed"))
        else:
            problems.extend(_compare(old_field, new_fields[name], field_path))
    old_required = set(old.get("required", []))
    for name in new.get("required", []):
        if name not in old_required:
            field_path = f"{path}.{name}" if path else name
            became = (
                "existing field became required" if name in old_fields else "new required field"
            )
            problems.append((field_path, became))
    if new.get("additionalProperties") is False and old.get("additionalProperties") is not False:
        problems.append((path, "unknown fields are no longer allowed"))
    return problems


def _compare_arrays(old: Schema, new: Schema, path: str) -> list[Problem]:
    if "items" not in new:
        return []
    if "items" not in old:
        return [(f"{path}[]", "item schema added")]
    return _compare(old["items"], new["items"], f"{path}[]")
