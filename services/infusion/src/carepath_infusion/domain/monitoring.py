"""Monitor silence: no vitals reading for the protocol's minutes while an infusion runs.

A durable timer per session in progress: set when the session is cleared, moved on by each
reading (the handler rearms it in the hot path), cancelled when the infusion ends or is
aborted. When it fires with the session still infusing, one alert; the next reading closes
the episode and rearms the timer.
"""

from dataclasses import replace
from datetime import datetime, timedelta

from carepath_contracts import SafetyAction, SafetyAlert, SafetyRule, TreatmentProtocol, VitalUnit
from carepath_infusion.domain.model import NOTHING, CourseChange, Session, SessionStatus
from carepath_infusion.domain.safety import alert_history
from carepath_runtime.timer_requests import TimerRequest

SILENCE_TIMER = "monitor-silence"
_MAX_MINUTES = 400  # the alert contract's bound on a value


def silence_timer_key(session_id: str) -> str:
    return f"infusion/monitor-silence/{session_id}"


def silence_due(now: datetime, protocol: TreatmentProtocol) -> datetime:
    """When silence since `now` (a reading, or the start of the infusion) raises the alert."""
    return now + timedelta(minutes=protocol.infusion_safety.monitor_silence_minutes)


def silence_timer(session_id: str, now: datetime, protocol: TreatmentProtocol) -> TimerRequest:
    return TimerRequest(
        key=silence_timer_key(session_id),
        kind=SILENCE_TIMER,
        due_at=silence_due(now, protocol),
        payload={"session_id": session_id},
    )


def monitor_silent(
    session: Session, *, due_at: datetime, protocol: TreatmentProtocol, now: datetime
) -> CourseChange:
    """The silence timer fired: an alert if the session is still infusing (a timer that lost
    a race with the end of the infusion changes nothing)."""
    if session.status is not SessionStatus.IN_PROGRESS:
        return NOTHING
    limit = protocol.infusion_safety.monitor_silence_minutes
    silent_since = due_at - timedelta(minutes=limit)
    minutes = min((now - silent_since).total_seconds() / 60, _MAX_MINUTES)
    alert = SafetyAlert(
        session_id=session.session_id,
        rule=SafetyRule.MONITOR_SILENCE,
        action=SafetyAction.NOTIFY,
        reading_value=round(minutes, 1),
        threshold_value=limit,
        unit=VitalUnit.MINUTES,
        measured_at=now,
        protocol=protocol.ref,
    )
    silent = replace(
        session, open_alert_rules=session.open_alert_rules | {SafetyRule.MONITOR_SILENCE.value}
    )
    return CourseChange(
        events=(alert,), sessions=(silent,), history=tuple(alert_history([alert], now))
    )
