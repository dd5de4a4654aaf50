"""The PCL-5 chart as geometry for a server-rendered SVG (templates/chart.svg.html): scores
over time, the baseline, the protocol's response and remission thresholds, and the decision
points (decisions and reviews) as marked moments. No JavaScript draws anything."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from carepath_contracts import TreatmentProtocol

WIDTH, HEIGHT = 720, 300
LEFT, RIGHT, TOP, BOTTOM = 48, 24, 20, 44
SCALE_MAX = 80  # PCL-5 totals are 0-80
MIN_SPAN = timedelta(days=14)


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    total: int
    label: str


@dataclass(frozen=True)
class Level:
    y: float
    label: str
    css: str


@dataclass(frozen=True)
class Marker:
    x: float
    label: str
    css: str


@dataclass(frozen=True)
class Tick:
    at: float
    label: str


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    plot: tuple[float, float, float, float]  # left, top, right, bottom
    points: list[Point]
    levels: list[Level]
    markers: list[Marker]
    x_ticks: list[Tick]
    y_ticks: list[Tick]
    description: str

    @property
    def polyline(self) -> str:
        return " ".join(f"{p.x:.1f},{p.y:.1f}" for p in self.points)


def pcl5_chart(followup: dict[str, Any], protocol: TreatmentProtocol) -> Chart:
    """From follow-up's patient view: the baseline at screening, then every PCL-5 score."""
    start = _time(followup["screened_at"])
    baseline = followup["baseline"]["total"]
    scores = [(start, baseline, "baseline")] + [
        (_time(p["submitted_at"]), p["total"], (p.get("timepoint") or "unscheduled"))
        for p in followup["trajectory"]
        if p["instrument"] == "pcl5"
    ]
    moments = [
        (_time(d["decided_at"]), _short(d["event_type"]), "decision") for d in followup["decisions"]
    ] + [(_time(r["opened_at"]), f"review: {r['reason']}", "review") for r in followup["reviews"]]
    end = max([t for t, *_ in scores] + [t for t, *_ in moments] + [start + MIN_SPAN])
    span = (end - start).total_seconds()

    def x(at: datetime) -> float:
        return LEFT + (WIDTH - LEFT - RIGHT) * (at - start).total_seconds() / span

    def y(total: float) -> float:
        return TOP + (HEIGHT - TOP - BOTTOM) * (1 - total / SCALE_MAX)

    response_at = baseline - protocol.pcl5.response_drop_points
    remission_below = protocol.pcl5.remission_below
    levels = [Level(y(baseline), f"baseline {baseline}", "baseline")]
    if response_at >= 0:
        levels.append(Level(y(response_at), f"response ≤ {response_at}", "response"))
    levels.append(Level(y(remission_below), f"remission < {remission_below}", "remission"))
    days = max(1, round(span / 86400))
    step = next(s for s in (1, 2, 7, 14, 28, 56, 112, 365) if days / s <= 10)
    return Chart(
        width=WIDTH,
        height=HEIGHT,
        plot=(LEFT, TOP, WIDTH - RIGHT, HEIGHT - BOTTOM),
        points=[Point(x(t), y(total), total, label) for t, total, label in scores],
        levels=levels,
        markers=[Marker(x(t), label, css) for t, label, css in moments],
        x_ticks=[Tick(x(start + timedelta(days=d)), f"d{d}") for d in range(0, days + 1, step)],
        y_ticks=[Tick(y(v), str(v)) for v in range(0, SCALE_MAX + 1, 20)],
        description=(
            f"PCL-5 from baseline {baseline}: "
            + ", ".join(f"{label} {total}" for _, total, label in scores[1:])
            if len(scores) > 1
            else f"PCL-5 baseline {baseline}; no score since."
        ),
    )


def _time(value: str) -> datetime:
    return datetime.fromisoformat(value)


def _short(event_type: str) -> str:
    """carepath.followup.maintenance-recommended.v1 -> maintenance recommended"""
    parts = event_type.split(".")
    return parts[2].replace("-", " ") if len(parts) > 2 else event_type
