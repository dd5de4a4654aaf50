"""Monitor silence (finding 8): a durable timer per infusion, set at clearance, cancelled when
the infusion ends or is aborted; when it fires during the infusion, one alert."""

from dataclasses import replace
from datetime import timedelta

import pytest

from carepath_contracts import SafetyAction, SafetyAlert, SafetyRule, VitalUnit
from carepath_infusion.domain import monitor_silent, silence_due, silence_timer_key
from carepath_infusion.domain import sessions as rules
from carepath_infusion.domain.model import SessionStatus
from carepath_infusion.domain.safety import assess_reading

from .builders import PROTOCOL, abort_reported, checked_in, ended, vitals
from .domain_fixtures import course_and_sessions, in_progress, policy

SILENCE = timedelta(minutes=PROTOCOL.infusion_safety.monitor_silence_minutes)


def context(now):
    return {"protocol": PROTOCOL, "policy": policy(), "now": now}


def test_the_silence_limit_is_twice_the_vitals_interval_and_marked_to_confirm():
    safety = PROTOCOL.infusion_safety
    assert safety.monitor_silence_minutes == 2 * safety.vitals_interval_minutes == 20
    assert PROTOCOL.needs_confirmation("infusion_safety.monitor_silence_minutes")


def test_a_cleared_session_sets_its_silence_timer_the_protocols_minutes_ahead():
    course, sessions = course_and_sessions()
    first = sessions[0]
    event = checked_in(course.patient_id, first.session_id, first.scheduled_for)

    change = rules.check_in(
        course, first, sessions, event.data, **context(first.scheduled_for), seed=event.id
    )

    (timer,) = change.timers
    assert timer.key == silence_timer_key(first.session_id)
    assert timer.due_at == first.scheduled_for + SILENCE
    assert timer.payload == {"session_id": first.session_id}
    assert silence_due(first.scheduled_for, PROTOCOL) == timer.due_at


def test_ending_or_aborting_the_infusion_cancels_its_silence_timer():
    course, sessions = course_and_sessions()
    started = in_progress(sessions[0])
    at = started.scheduled_for + timedelta(minutes=40)
    end = ended("p", started.session_id, at)
    abort = abort_reported("p", started.session_id, at)

    completed = rules.end_session(course, started, sessions, end.data, **context(at))
    aborted = rules.abort_session(
        course, started, sessions, abort.data, **context(at), seed=abort.id
    )

    assert silence_timer_key(started.session_id) in completed.cancelled_timers
    assert silence_timer_key(started.session_id) in aborted.cancelled_timers


def test_silence_during_the_infusion_raises_one_alert_with_the_minutes_without_a_reading():
    _, sessions = course_and_sessions()
    started = in_progress(sessions[0])
    due = started.scheduled_for + SILENCE
    late = due + timedelta(minutes=3)  # the scheduler woke a little after the due time

    change = monitor_silent(started, due_at=due, protocol=PROTOCOL, now=late)

    (alert,) = change.events
    assert isinstance(alert, SafetyAlert)
    assert (alert.rule, alert.action, alert.unit) == (
        SafetyRule.MONITOR_SILENCE,
        SafetyAction.NOTIFY,
        VitalUnit.MINUTES,
    )
    assert (alert.reading_value, alert.threshold_value) == (23.0, 20)
    assert (alert.measured_at, alert.session_id) == (late, started.session_id)
    (silent,) = change.sessions
    assert silent.open_alert_rules == {"monitor_silence"}
    assert [entry.what for entry in change.history] == ["safety_alert"]


@pytest.mark.parametrize("status", [s for s in SessionStatus if s is not SessionStatus.IN_PROGRESS])
def test_a_silence_timer_that_fires_after_the_infusion_changes_nothing(status):
    _, sessions = course_and_sessions()
    session = replace(in_progress(sessions[0]), status=status)

    change = monitor_silent(session, due_at=session.scheduled_for, protocol=PROTOCOL,
                            now=session.scheduled_for)  # fmt: skip

    assert change.events == () and change.sessions == ()


def test_the_next_reading_closes_the_silence_episode():
    reading = vitals("p", "session-1", course_and_sessions()[1][0].scheduled_for)

    outcome = assess_reading(reading.data, frozenset({"monitor_silence"}), PROTOCOL)

    assert outcome.open_rules == frozenset() and outcome.alerts == ()
