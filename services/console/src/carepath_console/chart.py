"""The PCL-5 and IES-R charts as geometry for a server-rendered SVG (chart.svg.html): scores
over time, the baseline, the protocol's response and remission thresholds (the IES-R's
cut-off), and the decision points (decisions and reviews) as marked moments. No JavaScript
draws anything."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from carepath_console.timeline import decision_name, parse_time
from carepath_contracts import TreatmentProtocol

WIDTH, HEIGHT = 720, 300
LEFT, RIGHT, TOP, BOTTOM = 48, 24, 20, 44
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
    title: str
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


@dataclass(frozen=True)
class Scale:
    """One instrument's chart: its id in the views, its name, its maximum and its levels."""

    instrument: str
    name: str
    maximum: int


PCL5 = Scale("pcl5", "PCL-5", 80)
IESR = Scale("iesr", "IES-R", 88)


def pcl5_chart(followup: dict[str, Any], protocol: TreatmentProtocol) -> Chart:
    """From follow-up's patient view: the baseline at screening, then every PCL-5 score;
    the baseline, the response threshold (baseline less the protocol's drop) and the
    remission threshold as levels."""
    baseline = followup["baseline"]["total"]
    response_at = baseline - protocol.pcl5.response_drop_points
    levels = [(baseline, f"baseline {baseline}", "baseline")]
    if response_at >= 0:
        levels.append((response_at, f"response ≤ {response_at}", "response"))
    remission_below = protocol.pcl5.remission_below
    levels.append((remission_below, f"remission < {remission_below}", "remission"))
    return _chart(followup, PCL5, levels, baseline=baseline)


def iesr_chart(followup: dict[str, Any], protocol: TreatmentProtocol) -> Chart | None:
    """Every IES-R score (none at screening), with the protocol's probable-PTSD cut-off; None
    while there is no IES-R score."""
    if not any(p["instrument"] == IESR.instrument for p in followup["trajectory"]):
        return None
    cut = protocol.iesr.probable_ptsd_at_or_above
    return _chart(followup, IESR, [(cut, f"probable PTSD ≥ {cut}", "response")])


def _chart(
    followup: dict[str, Any],
    scale: Scale,
    levels: list[tuple[int, str, str]],
    *,
    baseline: int | None = None,
) -> Chart:
    start = parse_time(followup["screened_at"])
    scores = [(start, baseline, "baseline")] if baseline is not None else []
    scores += [
        (parse_time(p["submitted_at"]), p["total"], (p.get("timepoint") or "unscheduled"))
        for p in followup["trajectory"]
        if p["instrument"] == scale.instrument
    ]
    moments = [
        (parse_time(d["decided_at"]), decision_name(d["event_type"]), "decision")
        for d in followup["decisions"]
    ] + [
        (parse_time(r["opened_at"]), f"review: {r['reason']}", "review")
        for r in followup["reviews"]
    ]
    end = max([t for t, *_ in scores] + [t for t, *_ in moments] + [start + MIN_SPAN])
    span = (end - start).total_seconds()

    def x(at: datetime) -> float:
        return LEFT + (WIDTH - LEFT - RIGHT) * (at - start).total_seconds() / span

    def y(total: float) -> float:
        return TOP + (HEIGHT - TOP - BOTTOM) * (1 - total / scale.maximum)

    days = max(1, round(span / 86400))
    step = next(s for s in (1, 2, 7, 14, 28, 56, 112, 365) if days / s <= 10)
    shown = ", ".join(f"{label} {total}" for _, total, label in scores)
    return Chart(
        title=f"{scale.name} over time",
        width=WIDTH,
        height=HEIGHT,
        plot=(LEFT, TOP, WIDTH - RIGHT, HEIGHT - BOTTOM),
        points=[Point(x(t), y(total), total, label) for t, total, label in scores],
        levels=[Level(y(value), label, css) for value, label, css in levels],
        markers=[Marker(x(t), label, css) for t, label, css in moments],
        x_ticks=[Tick(x(start + timedelta(days=d)), f"d{d}") for d in range(0, days + 1, step)],
        y_ticks=[Tick(y(v), str(v)) for v in range(0, scale.maximum + 1, 20)],
        description=f"{scale.name}: {shown or 'no score yet'}.",
    )
