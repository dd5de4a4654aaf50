"""The schema compatibility check: each kind of breaking change is caught, compatible ones pass."""

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import pytest
from pydantic import Field, create_model

from carepath_contracts import (
    REGISTRY,
    Event,
    EventData,
    SessionId,
    ValueModel,
    breaking_changes,
    check_compatibility,
    current_schemas,
    load_schemas,
    resolve_refs,
)

TYPE = "carepath.infusion.reading-taken.v1"


class Kind(StrEnum):
    INDUCTION = "induction"
    MAINTENANCE = "maintenance"


class KindWithoutMaintenance(StrEnum):
    INDUCTION = "induction"


class KindWithBooster(StrEnum):
    INDUCTION = "induction"
    MAINTENANCE = "maintenance"
    BOOSTER = "booster"


class Reading(ValueModel):
    systolic_mmhg: Annotated[int, Field(ge=40, le=300)]


class LowerCeilingReading(ValueModel):
    systolic_mmhg: Annotated[int, Field(ge=40, le=250)]


class WiderReading(ValueModel):
    systolic_mmhg: Annotated[float, Field(ge=20, le=400)]


class Baseline(EventData):
    """The committed shape."""

    session_id: SessionId
    kind: Kind
    reading: Reading
    kinds_seen: list[Kind] = Field(default_factory=list)
    dose_mg: float
    cadss: int | None = None


def _schema(**changes: Any) -> dict[str, Any]:
    """Envelope schema of Baseline with fields replaced by (annotation, default); None drops one."""
    fields: dict[str, Any] = {
        name: (field.annotation, field) for name, field in Baseline.model_fields.items()
    }
    for name, definition in changes.items():
        if definition is None:
            del fields[name]
        else:
            fields[name] = definition
    variant = create_model("Variant", __base__=EventData, __doc__="A variant.", **fields)
    return Event[variant].model_json_schema()


def _changes(**fields: Any) -> list[str]:
    return [
        f"{change.path}: {change.message}"
        for change in breaking_changes(_schema(), _schema(**fields), TYPE)
    ]


def test_identical_schemas_have_no_breaking_change():
    assert _changes() == []


def test_removing_a_field_breaks():
    assert _changes(dose_mg=None) == ["data.dose_mg: field removed"]


def test_adding_a_required_field_breaks():
    assert _changes(course_id=(str, ...)) == ["data.course_id: new required field"]


def test_making_an_optional_field_required_breaks():
    assert _changes(cadss=(int | None, ...)) == ["data.cadss: existing field became required"]


def test_narrowing_a_type_breaks():
    assert _changes(dose_mg=(int, ...)) == [
        "data.dose_mg: type narrowed: accepted number, now integer"
    ]


def test_dropping_null_from_a_type_breaks():
    assert _changes(cadss=(int, None)) == ["data.cadss: type narrowed: accepted null, now integer"]


def test_tightening_a_bound_inside_a_referenced_model_breaks():
    assert _changes(reading=(LowerCeilingReading, ...)) == [
        "data.reading.systolic_mmhg: bound tightened: maximum 300 → 250"
    ]


def test_adding_a_bound_breaks():
    assert _changes(dose_mg=(Annotated[float, Field(le=500)], ...)) == [
        "data.dose_mg: bound added: maximum 500"
    ]


def test_removing_an_enum_value_breaks_wherever_the_enum_is_used():
    assert _changes(
        kind=(KindWithoutMaintenance, ...),
        kinds_seen=(list[KindWithoutMaintenance], Field(default_factory=list)),
    ) == [
        "data.kind: enum value removed: maintenance",
        "data.kinds_seen[]: enum value removed: maintenance",
    ]


def test_adding_an_optional_field_is_compatible():
    assert _changes(respiratory_rate_per_min=(int | None, None)) == []


def test_adding_an_enum_value_is_compatible():
    assert _changes(kind=(KindWithBooster, ...)) == []


def test_widening_types_and_loosening_bounds_is_compatible():
    assert _changes(reading=(WiderReading, ...), cadss=(float | str | None, None)) == []


def test_a_removed_event_type_breaks_and_unchanged_types_pass():
    schema = _schema()

    changes = check_compatibility(
        {TYPE: schema, "carepath.infusion.gone.v1": schema}, {TYPE: schema}
    )

    assert [str(change) for change in changes] == [
        "carepath.infusion.gone.v1: (event): event type removed"
    ]


def test_references_are_resolved_before_comparing():
    resolved = resolve_refs(_schema())

    assert "$defs" not in json.dumps(resolved)
    assert (
        resolved["properties"]["data"]["properties"]["reading"]["properties"]["systolic_mmhg"][
            "maximum"
        ]
        == 300
    )


def test_current_models_are_compatible_with_the_committed_baseline():
    committed = load_schemas(Path(__file__).resolve().parents[1] / "schemas")

    assert [str(change) for change in check_compatibility(committed, current_schemas())] == []


@pytest.fixture
def contracts_copy(tmp_path: Path) -> Path:
    from typer.testing import CliRunner

    from carepath_cli.commands.schemas import app

    result = CliRunner().invoke(app, ["export", "--contracts-dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    return tmp_path


def _run_check(contracts_dir: Path) -> tuple[int, str]:
    from typer.testing import CliRunner

    from carepath_cli.commands.schemas import app

    result = CliRunner().invoke(app, ["check", "--contracts-dir", str(contracts_dir)])
    return result.exit_code, result.output


def test_cli_check_passes_on_a_fresh_export(contracts_copy: Path):
    code, output = _run_check(contracts_copy)

    assert code == 0, output
    assert f"{len(REGISTRY)} event types compatible" in output


def test_cli_check_fails_naming_the_type_and_field_path(contracts_copy: Path):
    # A baseline that accepted more than the current models is what a narrowing looks like.
    path = contracts_copy / "schemas" / "carepath.infusion.session-checked-in.v1.json"
    baseline = json.loads(path.read_text())
    baseline["$defs"]["Vitals"]["properties"]["systolic_mmhg"]["maximum"] = 350
    baseline["$defs"]["PregnancyTest"]["enum"].append("inconclusive")
    path.write_text(json.dumps(baseline))

    code, output = _run_check(contracts_copy)

    assert code == 1
    assert (
        "carepath.infusion.session-checked-in.v1: data.vitals.systolic_mmhg: "
        "bound tightened: maximum 350 → 300" in output
    )
    assert "data.pregnancy_test: enum value removed: inconclusive" in output
