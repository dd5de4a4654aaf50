"""One vitals reading, decided whole: the session's alert episodes after it, the alerts it
raises with their history, and when silence would next raise the monitor-silence alert."""

from dataclasses import dataclass
from datetime import datetime

from carepath_contracts import ProtocolCatalogue, ProtocolRef, SafetyAlert, VitalsRecorded
from carepath_infusion.domain.model import HistoryEntry, RuleBroken, SessionStatus
from carepath_infusion.domain.monitoring import silence_due
from carepath_infusion.domain.safety import alert_history, monitor


@dataclass(frozen=True)
class WatchedSession:
    """What a reading is judged against: one primary-key lookup of the session."""

    patient_id: str
    status: SessionStatus
    open_alert_rules: frozenset[str]
    protocol: ProtocolRef
    """The version of the session's course: the reading is judged under it."""


@dataclass(frozen=True)
class ReadingDecision:
    open_rules: frozenset[str]
    """Rules whose episode is open after this reading."""
    alerts: tuple[SafetyAlert, ...]
    history: tuple[HistoryEntry, ...]
    silent_at: datetime | None
    """When the silence alert fires if no reading follows; None when nothing is infusing."""


def judge_reading(
    watched: WatchedSession | None,
    patient_id: str,
    reading: VitalsRecorded,
    *,
    protocols: ProtocolCatalogue,
    now: datetime,
) -> ReadingDecision:
    if watched is None or watched.patient_id != patient_id:
        raise RuleBroken(f"vitals for session {reading.session_id}, unknown for {patient_id}")
    protocol = protocols.of(watched.protocol)
    outcome = monitor(watched.status, watched.open_alert_rules, reading, protocol)
    infusing = watched.status is SessionStatus.IN_PROGRESS
    return ReadingDecision(
        open_rules=outcome.open_rules,
        alerts=outcome.alerts,
        history=tuple(alert_history(outcome.alerts, now)),
        silent_at=silence_due(now, protocol) if infusing else None,
    )
