"""Session lifecycle and course outcomes: check-in, end, abort, discharge, SAE, withdrawal."""

from dataclasses import replace
from datetime import timedelta

import pytest

from carepath_contracts import (
    CancellationReason,
    SessionCancelled,
    SessionCompleted,
    SessionKind,
    SessionScheduled,
    SuspensionReason,
)
from carepath_infusion.domain import sessions as rules
from carepath_infusion.domain.course import recommend_maintenance, withdraw
from carepath_infusion.domain.model import CourseStatus, RuleBroken, SessionStatus

from .builders import (
    PROTOCOL,
    abort_reported,
    checked_in,
    discharged,
    ended,
    maintenance_recommended,
)
from .domain_fixtures import course_and_sessions, in_progress, merged, policy, types

POLICY = policy()


def context(now):
    return {"protocol": PROTOCOL, "policy": POLICY, "now": now}


def test_a_check_in_that_passes_the_gate_clears_the_session_and_stops_its_missed_timer():
    course, sessions = course_and_sessions()
    first = sessions[0]
    event = checked_in(course.patient_id, first.session_id, first.scheduled_for)
    decision = rules.check_in(
        course, first, sessions, event.data, **context(first.scheduled_for), seed=event.id
    )
    assert types(decision) == ["SessionCleared"]
    (cleared,) = decision.sessions
    assert cleared.status == SessionStatus.IN_PROGRESS and cleared.baseline_vitals is not None
    assert decision.cancelled_timers == (f"infusion/missed/{first.session_id}",)


def test_checking_in_twice_is_refused():
    course, sessions = course_and_sessions()
    started = in_progress(sessions[0])
    event = checked_in(course.patient_id, started.session_id, started.scheduled_for)
    with pytest.raises(RuleBroken, match="it is in_progress, not scheduled"):
        rules.check_in(course, started, sessions, event.data, **context(started.scheduled_for),
                       seed=event.id)  # fmt: skip


def test_ending_an_infusion_completes_the_session_with_dose_given_versus_planned():
    course, sessions = course_and_sessions()
    started = in_progress(sessions[0])
    at = started.scheduled_for + timedelta(minutes=45)
    exact = rules.end_session(course, started, sessions, ended("p", started.session_id, at).data,
                              **context(at))  # fmt: skip
    short = rules.end_session(
        course, started, sessions,
        ended("p", started.session_id, at, dose_given_mg=started.dose_mg - 5).data, **context(at),
    )  # fmt: skip
    (completed,) = exact.events
    assert isinstance(completed, SessionCompleted)
    assert completed.dose_planned_mg == 41.3 and completed.dose_deviation is False
    assert completed.is_last_induction_session is False
    assert short.events[0].dose_deviation is True
    assert exact.sessions[0].status == SessionStatus.COMPLETED


def test_the_infusion_record_keeps_what_was_given_and_for_how_long():
    course, sessions = course_and_sessions()
    started = in_progress(sessions[0])
    at = started.scheduled_for + timedelta(minutes=45)
    report = ended("p", started.session_id, at, dose_given_mg=40.0).data
    change = rules.end_session(course, started, sessions, report, **context(at))
    (entry,) = change.history
    assert (entry.what, entry.detail["dose_given_mg"]) == ("completed", 40.0)
    assert entry.detail["duration_minutes"] == report.duration_minutes


def test_a_session_already_completed_is_not_completed_again():
    course, sessions = course_and_sessions()
    started = in_progress(sessions[0])
    at = started.scheduled_for + timedelta(minutes=45)
    report = ended("p", started.session_id, at).data
    done = rules.end_session(course, started, sessions, report, **context(at))
    again = rules.end_session(course, done.sessions[0], merged(sessions, done), report,
                              **context(at))  # fmt: skip
    assert again.events == () and again.sessions == ()


def test_ending_a_session_that_never_started_is_refused():
    course, sessions = course_and_sessions()
    at = sessions[0].scheduled_for
    with pytest.raises(RuleBroken, match="cannot end session"):
        rules.end_session(course, sessions[0], sessions, ended("p", "s", at).data, **context(at))


def test_the_sixth_completed_induction_session_completes_the_course():
    course, sessions = course_and_sessions()
    given = [replace(s, status=SessionStatus.DISCHARGED) for s in sessions[:5]]
    last = in_progress(sessions[5])
    at = last.scheduled_for + timedelta(minutes=45)
    decision = rules.end_session(course, last, [*given, last],
                                 ended("p", last.session_id, at).data, **context(at))  # fmt: skip
    assert types(decision) == ["SessionCompleted", "CourseCompleted"]
    assert decision.events[0].is_last_induction_session is True
    assert decision.events[1].sessions_completed == 6
    assert decision.course.status == CourseStatus.COMPLETED


def test_a_serious_adverse_event_suspends_the_course_and_cancels_every_booked_session():
    course, sessions = course_and_sessions()
    second = in_progress(sessions[1])
    booked = [replace(sessions[0], status=SessionStatus.DISCHARGED), second, *sessions[2:]]
    at = second.scheduled_for + timedelta(minutes=30)
    report = ended("p", second.session_id, at, serious_adverse_event=True).data
    decision = rules.end_session(course, second, booked, report, **context(at))
    assert types(decision) == ["SessionCompleted", *["SessionCancelled"] * 4, "CourseSuspended"]
    assert decision.events[-1].reason_code == SuspensionReason.SERIOUS_ADVERSE_EVENT
    assert decision.events[-1].session_id == second.session_id
    assert decision.course.status == CourseStatus.SUSPENDED
    assert len(decision.cancelled_timers) == 5  # four missed-session timers, the silence timer


def test_a_check_in_for_a_suspended_course_is_refused():
    course, sessions = course_and_sessions()
    suspended = replace(course, status=CourseStatus.SUSPENDED)
    event = checked_in("p", sessions[2].session_id, sessions[2].scheduled_for)
    with pytest.raises(RuleBroken, match="is suspended"):
        rules.check_in(suspended, sessions[2], sessions, event.data,
                       **context(sessions[2].scheduled_for), seed=event.id)  # fmt: skip


def test_an_aborted_infusion_does_not_count_and_is_rebooked():
    course, sessions = course_and_sessions()
    started = in_progress(sessions[0])
    at = started.scheduled_for + timedelta(minutes=15)
    event = abort_reported("p", started.session_id, at)
    decision = rules.abort_session(course, started, [started, *sessions[1:]], event.data,
                                   **context(at), seed=event.id)  # fmt: skip
    assert types(decision) == ["SessionAborted", "SessionScheduled"]
    assert decision.events[1].replaces_session_id == started.session_id
    assert decision.events[1].session_number == started.session_number


def test_discharge_is_checked_against_the_observation_time_since_the_infusion_ended():
    course, sessions = course_and_sessions()
    started = in_progress(sessions[0])
    ended_at = started.scheduled_for + timedelta(minutes=45)
    done = rules.end_session(
        course,
        started,
        sessions,
        ended("p", started.session_id, ended_at).data,
        **context(ended_at),
    )
    early = ended_at + timedelta(minutes=PROTOCOL.discharge.min_observation_minutes - 30)
    decision = rules.discharge(done.sessions[0], discharged("p", started.session_id, early).data,
                               protocol=PROTOCOL, now=early)  # fmt: skip
    (assessed,) = decision.events
    assert assessed.criteria_met is False and assessed.unmet_criteria == ["observation_too_short"]
    assert assessed.observed_minutes == PROTOCOL.discharge.min_observation_minutes - 30
    assert decision.sessions[0].status == SessionStatus.DISCHARGED


def test_discharge_during_the_infusion_is_refused():
    _, sessions = course_and_sessions()
    started = in_progress(sessions[0])
    report = discharged("p", started.session_id, started.scheduled_for).data
    with pytest.raises(RuleBroken, match="discharge needs an infusion that ended"):
        rules.discharge(started, report, protocol=PROTOCOL, now=started.scheduled_for)


def test_a_missed_timer_for_a_session_already_checked_in_does_nothing():
    course, sessions = course_and_sessions()
    started = in_progress(sessions[0])
    later = started.scheduled_for + timedelta(hours=3)
    decision = rules.miss_session(course, started, sessions, **context(later), seed="t")
    assert decision.events == ()


def test_withdrawal_cancels_every_future_session_but_not_the_one_in_the_chair():
    course, sessions = course_and_sessions()
    chair = in_progress(sessions[0])
    now = chair.scheduled_for
    decision = withdraw(course, [chair, *sessions[1:]], protocol=PROTOCOL, now=now)
    cancelled = [e for e in decision.events if isinstance(e, SessionCancelled)]
    assert len(cancelled) == 5
    assert {e.reason_code for e in cancelled} == {CancellationReason.PATIENT_WITHDRAWN}
    assert chair.session_id not in {e.session_id for e in cancelled}
    assert decision.course.status == CourseStatus.WITHDRAWN


def test_withdrawal_of_a_patient_without_a_course_changes_nothing():
    assert (
        withdraw(None, [], protocol=PROTOCOL, now=course_and_sessions()[0].planned_at).events == ()
    )


def completed_course():
    course, sessions = course_and_sessions()
    done = [replace(s, status=SessionStatus.DISCHARGED) for s in sessions]
    return replace(course, status=CourseStatus.COMPLETED), done


def test_maintenance_is_booked_on_the_first_clinic_slot_on_or_after_the_recommended_day():
    course, sessions = completed_course()
    at = sessions[-1].scheduled_for + timedelta(days=4)  # a Friday
    event = maintenance_recommended("p", at, interval_days=PROTOCOL.maintenance.interval_days_max)
    decision = recommend_maintenance(course, sessions, event.data, **context(at), seed=event.id)
    (booked,) = decision.events
    assert isinstance(booked, SessionScheduled) and booked.kind == SessionKind.MAINTENANCE
    expected_day = (at + timedelta(days=PROTOCOL.maintenance.interval_days_max)).date()
    assert booked.scheduled_for.date() == expected_day and booked.scheduled_for.hour == 9
    assert booked.session_number == 7 and booked.dose_mg == course.dose.mg


def test_a_newer_maintenance_recommendation_replaces_the_waiting_maintenance_session():
    course, sessions = completed_course()
    at = sessions[-1].scheduled_for + timedelta(days=1)
    first = maintenance_recommended("p", at, interval_days=28)
    booked = recommend_maintenance(course, sessions, first.data, **context(at), seed=first.id)
    second = maintenance_recommended("p", at + timedelta(days=2), interval_days=14)
    later = at + timedelta(days=2)
    decision = recommend_maintenance(course, merged(sessions, booked), second.data,
                                     **context(later), seed=second.id)  # fmt: skip
    assert types(decision) == ["SessionCancelled", "SessionScheduled"]
    assert decision.events[0].reason_code == CancellationReason.REPLACED
    assert decision.events[1].replaces_session_id == booked.events[0].session_id


def test_maintenance_outside_the_protocol_interval_or_before_the_course_ends_is_refused():
    course, sessions = completed_course()
    at = sessions[-1].scheduled_for
    too_soon = maintenance_recommended(
        "p", at, interval_days=PROTOCOL.maintenance.interval_days_min - 1
    )
    with pytest.raises(RuleBroken, match="outside the protocol"):
        recommend_maintenance(course, sessions, too_soon.data, **context(at), seed=too_soon.id)
    active = replace(course, status=CourseStatus.ACTIVE)
    fine = maintenance_recommended("p", at, interval_days=PROTOCOL.maintenance.interval_days_min)
    with pytest.raises(RuleBroken, match="needs a completed induction course"):
        recommend_maintenance(active, sessions, fine.data, **context(at), seed=fine.id)
