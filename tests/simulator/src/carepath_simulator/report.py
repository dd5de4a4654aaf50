"""The demo's closing summary: one row per scenario, then totals and speed."""

from collections import Counter, defaultdict

from carepath_simulator.patient import SimulatedPatient
from carepath_simulator.scenarios import Scenario
from carepath_simulator.simulation import SimulationResult

COLUMNS = ("scenario", "patients", "infusions", "alerts", "assessments", "outcomes", "unfinished")


def summary_rows(result: SimulationResult) -> list[tuple[str, ...]]:
    by_scenario: dict[Scenario, list[SimulatedPatient]] = defaultdict(list)
    for patient in result.patients:
        by_scenario[patient.script.scenario].append(patient)
    rows = []
    for scenario in Scenario:
        patients = by_scenario.get(scenario, [])
        if not patients:
            continue
        outcomes = Counter(str(p.outcome) for p in patients if p.outcome)
        rows.append(
            (
                scenario.value,
                str(len(patients)),
                str(sum(p.seen["session-completed"] for p in patients)),
                str(sum(p.seen["safety-alert"] for p in patients)),
                str(sum(p.seen["assessment-scored"] for p in patients)),
                ", ".join(f"{count} {name}" for name, count in sorted(outcomes.items())),
                str(sum(not p.finished for p in patients)),
            )
        )
    return rows


def render(result: SimulationResult) -> str:
    rows = [COLUMNS, *summary_rows(result)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(COLUMNS))]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        for row in rows
    ]
    lines.insert(1, "  ".join("-" * width for width in widths))
    events = result.events_published + result.events_sent
    clinical_days = (result.ended_at - result.started_at).days
    lines += [
        "",
        f"{len(result.patients)} patients, {clinical_days} clinical days in "
        f"{result.wall_seconds:.1f} s wall time",
        f"{events} events ({result.events_sent} sent in, {result.events_published} published), "
        f"{events / max(result.wall_seconds, 1e-9):.0f} events/s",
    ]
    return "\n".join(lines)
