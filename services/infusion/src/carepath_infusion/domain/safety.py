"""Safety rules during the infusion: one alert per rule per episode of crossed readings."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from carepath_contracts import SafetyAlert, TreatmentProtocol, VitalsRecorded
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
    still_open = set(open_rules)
    alerts = []
    for threshold in protocol.infusion_safety.alerts:
        value = getattr(reading, threshold.vital.value, None)
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
