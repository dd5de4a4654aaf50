"""Safety rules during the infusion: one alert per rule per episode of crossed readings."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from carepath_contracts import SafetyAlert, SafetyRule, TreatmentProtocol, VitalSign, VitalsRecorded
from carepath_infusion.domain.model import MONITORED, HistoryEntry, SessionStatus


@dataclass(frozen=True)
class SafetyOutcome:
    open_rules: frozenset[str]
    """Rules whose episode is open after this reading (alerted, not yet back in range)."""
    alerts: tuple[SafetyAlert, ...]
    """Alerts for episodes this reading opened."""


def monitor(
    status: SessionStatus,
    open_rules: frozenset[str],
    reading: VitalsRecorded,
    protocol: TreatmentProtocol,
) -> SafetyOutcome:
    """Readings are judged while the patient is in the chair: infusing or under observation.

    Monitors also stream before check-in and after discharge; those readings change nothing.
    """
    if status not in MONITORED:
        return SafetyOutcome(open_rules=open_rules, alerts=())
    return assess_reading(reading, open_rules, protocol)


def assess_reading(
    reading: VitalsRecorded, open_rules: Iterable[str], protocol: TreatmentProtocol
) -> SafetyOutcome:
    """An episode opens (one alert) when a rule is crossed and closes when a reading is not.

    A reading that lacks a vital (respiratory rate is optional) leaves that rule's episode as
    it was: the missing value says nothing about whether it is back in range.
    """
    still_open = set(open_rules) - {SafetyRule.MONITOR_SILENCE.value}  # a reading came
    alerts = []
    for threshold in protocol.infusion_safety.alerts:
        value = vital_value(reading, threshold.vital)
        if value is None:
            continue
        rule = threshold.rule.value
        if not threshold.is_crossed_by(value):
            still_open.discard(rule)
            continue
        if rule in still_open:
            continue
        still_open.add(rule)
        alerts.append(
            SafetyAlert(
                session_id=reading.session_id,
                rule=threshold.rule,
                action=threshold.action,
                reading_value=value,
                threshold_value=threshold.threshold,
                unit=threshold.unit,
                measured_at=reading.measured_at,
                protocol=protocol.ref,
            )
        )
    return SafetyOutcome(open_rules=frozenset(still_open), alerts=tuple(alerts))


def vital_value(reading: VitalsRecorded, vital: VitalSign) -> float | None:
    """The reading's value of a vital sign; the mean arterial pressure is derived from the
    systolic and diastolic pressures ((systolic + 2 x diastolic) / 3, to 0.1 mmHg)."""
    if vital is VitalSign.MEAN_ARTERIAL_PRESSURE_MMHG:
        return round((reading.systolic_mmhg + 2 * reading.diastolic_mmhg) / 3, 1)
    return getattr(reading, vital.value, None)


def alert_history(alerts: Iterable[SafetyAlert], now: datetime) -> list[HistoryEntry]:
    return [
        HistoryEntry(
            alert.session_id,
            now,
            "safety_alert",
            {
                "rule": alert.rule.value,
                "reading_value": alert.reading_value,
                "threshold_value": alert.threshold_value,
                "measured_at": alert.measured_at.isoformat(),
            },
        )
        for alert in alerts
    ]
