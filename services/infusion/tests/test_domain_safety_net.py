"""The safety net of planning and the infusion record (issue 14): at most three infusions in
any seven consecutive days, a planning failure as a clinical fact instead of an error, a
maximum dose, and deviations of the infusion given from the infusion planned."""

import itertools
from datetime import time, timedelta

import pytest

from carepath_contracts import (
    InfusionDeviation,
    PlanningFailed,
    PlanningFailure,
    SafetyAction,
    SafetyAlert,
    SafetyRule,
    SessionCompleted,
    SessionEnded,
    SessionKind,
    VitalUnit,
)
from carepath_infusion.domain import sessions as rules
from carepath_infusion.domain.planning import plan_induction

from .builders import PROTOCOL
from .domain_fixtures import MONDAY, course_and_sessions, in_progress, planned, policy, types

EVERY_DAY = (1, 2, 3, 4, 5, 6, 7)
COURSE = PROTOCOL.course
RECORD = PROTOCOL.infusion_record


def context(now):
    return {"protocol": PROTOCOL, "policy": policy(), "now": now}


def most_in_seven_days(slots) -> int:
    return max(
        sum(1 for other in slots if timedelta(0) <= other - start < timedelta(days=7))
        for start in slots
    )


# Finding 9: three in any seven consecutive days, and planning failures as facts.


@pytest.mark.parametrize("weekday_offset", range(7))
def test_no_seven_consecutive_days_hold_more_than_three_infusions(weekday_offset):
    earliest = MONDAY + timedelta(days=weekday_offset)

    slots = plan_induction(earliest, COURSE, policy(EVERY_DAY).calendar)

    assert COURSE.max_sessions_per_7_days == 3
    assert len(slots) == COURSE.induction_sessions
    assert most_in_seven_days(slots) <= COURSE.max_sessions_per_7_days
    for earlier, later in itertools.pairwise(slots):
        assert (later.date() - earlier.date()).days > COURSE.min_free_days_between_sessions


@pytest.mark.parametrize("clinic_days", [(1,), (6, 7)], ids=["mondays", "weekends"])
def test_clinic_days_that_cannot_hold_the_course_are_a_planning_failure_not_an_error(clinic_days):
    change = planned(MONDAY, policy(clinic_days, slots=(time(9, 0),)))

    (failed,) = change.events
    assert isinstance(failed, PlanningFailed)
    assert (failed.reason_code, failed.kind) == (
        PlanningFailure.NO_PLAN_FITS_CALENDAR,
        SessionKind.INDUCTION,
    )
    assert (failed.failed_at, failed.protocol) == (MONDAY, PROTOCOL.ref)
    assert change.course is None and change.sessions == () and change.timers == ()


# Finding 5: a maximum dose, refused at planning with a reason.


def test_a_dose_above_the_maximum_is_refused_at_planning_with_a_reason():
    change = planned(MONDAY, weight_kg=130.0)

    (failed,) = change.events
    assert isinstance(failed, PlanningFailed)
    assert failed.reason_code is PlanningFailure.DOSE_ABOVE_MAXIMUM
    assert (failed.dose_mg, failed.max_dose_mg) == (65.0, 60.0)
    assert change.course is None and change.sessions == ()


def test_the_maximum_dose_itself_is_planned():
    change = planned(MONDAY, weight_kg=PROTOCOL.dosing.max_dosing_weight_kg)

    assert types(change)[0] == "CoursePlanned"
    assert change.course is not None and change.course.dose.mg == 60.0


# Finding 4: the infusion given against the infusion planned.


def end(*, minutes: int = 40, dose_change_mg: float = 0.0):
    course, sessions = course_and_sessions()
    started = in_progress(sessions[0])
    at = started.scheduled_for + timedelta(minutes=minutes + 5)
    report = SessionEnded(
        session_id=started.session_id,
        ended_at=at,
        dose_given_mg=round(started.dose_mg + dose_change_mg, 1),
        duration_minutes=minutes,
        serious_adverse_event=False,
    )
    change = rules.end_session(course, started, sessions, report, **context(at))
    (completed,) = [e for e in change.events if isinstance(e, SessionCompleted)]
    alerts = [e for e in change.events if isinstance(e, SafetyAlert)]
    return completed, alerts


def test_a_five_minute_infusion_is_a_deviation_and_a_safety_alert():
    completed, alerts = end(minutes=5)

    assert completed.deviations == [InfusionDeviation.DURATION_BELOW_RANGE]
    (alert,) = alerts
    assert (alert.rule, alert.action, alert.unit) == (
        SafetyRule.INFUSION_TOO_FAST,
        SafetyAction.NOTIFY,
        VitalUnit.MINUTES,
    )
    assert (alert.reading_value, alert.threshold_value) == (5, RECORD.rapid_below_minutes)
    assert alert.session_id == completed.session_id


@pytest.mark.parametrize(
    ("minutes", "deviations", "alerted"),
    [
        (29, [InfusionDeviation.DURATION_BELOW_RANGE], True),
        (30, [InfusionDeviation.DURATION_BELOW_RANGE], False),
        (34, [InfusionDeviation.DURATION_BELOW_RANGE], False),
        (35, [], False),
        (60, [], False),
        (61, [InfusionDeviation.DURATION_ABOVE_RANGE], False),
    ],
)
def test_the_accepted_duration_range_and_the_rapid_infusion_limit(minutes, deviations, alerted):
    assert (RECORD.accepted_minutes_min, RECORD.accepted_minutes_max) == (35, 60)
    assert RECORD.rapid_below_minutes == 30

    completed, alerts = end(minutes=minutes)

    assert completed.deviations == deviations
    assert bool(alerts) is alerted


def test_a_dose_above_the_plan_is_a_deviation_and_a_safety_alert():
    completed, alerts = end(dose_change_mg=80.0 - 41.3)

    assert completed.deviations == [InfusionDeviation.DOSE_ABOVE_PLAN]
    (alert,) = alerts
    assert (alert.rule, alert.unit) == (SafetyRule.DOSE_ABOVE_PLAN, VitalUnit.MG)
    assert (alert.reading_value, alert.threshold_value) == (80.0, 41.3)


def test_any_dose_above_the_plan_counts():
    completed, alerts = end(dose_change_mg=0.1)

    assert completed.deviations == [InfusionDeviation.DOSE_ABOVE_PLAN]
    assert [alert.rule for alert in alerts] == [SafetyRule.DOSE_ABOVE_PLAN]


@pytest.mark.parametrize(
    ("given", "deviations"),
    [(37.1, [InfusionDeviation.DOSE_BELOW_PLAN]), (37.2, [])],
    ids=["more-than-10-percent-below", "within-10-percent"],
)
def test_a_dose_more_than_ten_percent_below_the_plan_is_a_deviation_without_an_alert(
    given, deviations
):
    assert RECORD.dose_below_plan_percent == 10

    completed, alerts = end(dose_change_mg=given - 41.3)

    assert completed.deviations == deviations
    assert alerts == []
