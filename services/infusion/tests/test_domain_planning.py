"""Course planning: the dose, six sessions across week boundaries, and clinic-day settings."""

import itertools
from datetime import UTC, datetime, time, timedelta

import pytest

from carepath_contracts import CoursePlanned, ScreeningOutcome, SessionScheduled
from carepath_infusion.domain.calendar import days_between, iso_week
from carepath_infusion.domain.course import plan_course
from carepath_infusion.domain.model import RuleBroken
from carepath_infusion.domain.planning import dose_for, plan_induction, round_to_step

from .builders import PROTOCOL, screened
from .domain_fixtures import MONDAY, planned, policy

COURSE = PROTOCOL.course


def assert_course_rules_hold(slots: list[datetime], eligible_at: datetime) -> None:
    assert len(slots) == COURSE.induction_sessions
    assert days_between(eligible_at, slots[0]) >= COURSE.first_session_min_days_after_eligibility
    for earlier, later in itertools.pairwise(slots):
        assert days_between(earlier, later) > COURSE.min_free_days_between_sessions
    weeks = [iso_week(slot) for slot in slots]
    assert max(weeks.count(week) for week in weeks) <= COURSE.max_sessions_per_week
    assert days_between(slots[0], slots[-1]) < COURSE.window_days


def test_the_dose_is_half_a_milligram_per_kilogram_rounded_over_forty_minutes():
    dose = dose_for(82.5, PROTOCOL.dosing)
    assert dose.mg == 41.3  # 41.25 rounds half up to the protocol's 0.1 mg
    assert dose.minutes == PROTOCOL.dosing.infusion_minutes
    assert dose.rate_mg_per_min == pytest.approx(41.3 / PROTOCOL.dosing.infusion_minutes)


def test_doses_round_half_up_to_the_protocol_step():
    assert round_to_step(35.149, 0.1) == 35.1
    assert round_to_step(35.15, 0.1) == 35.2
    assert round_to_step(35.3, 0.5) == 35.5


@pytest.mark.parametrize("weekday_offset", range(7))
def test_six_sessions_fit_the_rules_whatever_day_eligibility_falls_on(weekday_offset):
    eligible_at = MONDAY + timedelta(days=weekday_offset)
    slots = plan_induction(eligible_at + timedelta(days=1), COURSE, policy().calendar)
    assert_course_rules_hold(slots, eligible_at)
    assert all(slot.isoweekday() <= 5 for slot in slots)


def test_a_friday_eligibility_starts_on_monday_and_spans_weeks_at_three_a_week():
    friday = MONDAY + timedelta(days=4)
    slots = plan_induction(friday + timedelta(days=1), COURSE, policy().calendar)
    assert [slot.strftime("%a %d") for slot in slots] == [
        "Mon 09", "Wed 11", "Fri 13", "Mon 16", "Wed 18", "Fri 20",
    ]  # fmt: skip


def test_the_first_session_is_no_earlier_than_the_next_day_on_the_first_slot_time():
    decision = planned(MONDAY)
    first = min(session.scheduled_for for session in decision.sessions)
    assert first == datetime(2026, 3, 3, 9, 0, tzinfo=UTC)


def test_sessions_land_only_on_the_configured_clinic_days_and_slot_time():
    rules = policy(clinic_days=(2, 4), slots=(time(14, 30),))
    slots = plan_induction(MONDAY, COURSE, rules.calendar)
    assert {slot.isoweekday() for slot in slots} == {2, 4}
    assert {slot.time() for slot in slots} == {time(14, 30)}
    assert_course_rules_hold(slots, MONDAY - timedelta(days=1))


def test_a_week_end_clinic_day_is_used_when_configured():
    rules = policy(clinic_days=(6, 7, 1))
    slots = plan_induction(MONDAY + timedelta(days=5), COURSE, rules.calendar)
    assert slots[0].isoweekday() == 6
    assert_course_rules_hold(slots, MONDAY + timedelta(days=4))


def test_clinic_days_that_cannot_hold_the_course_in_its_window_plan_nothing():
    assert plan_induction(MONDAY, COURSE, policy(clinic_days=(1,)).calendar) is None


def test_planning_announces_the_course_and_books_each_session_with_a_missed_timer():
    decision = planned(MONDAY)
    (announced, *scheduled) = decision.events
    assert isinstance(announced, CoursePlanned)
    assert announced.session_count == 6 and announced.protocol == PROTOCOL.ref
    assert announced.window_ends_at == datetime(2026, 3, 24, tzinfo=UTC)
    assert all(isinstance(event, SessionScheduled) for event in scheduled)
    assert [event.session_number for event in scheduled] == [1, 2, 3, 4, 5, 6]
    assert len({event.session_id for event in scheduled}) == 6
    due = sorted(timer.due_at for timer in decision.timers)
    assert due == sorted(s.scheduled_for + timedelta(hours=2) for s in scheduled)


def test_the_same_screening_event_plans_the_same_ids_so_a_redelivery_cannot_double_book():
    event = screened("pt-same", MONDAY)

    def plan():
        return plan_course(
            event.data, None, patient_id="pt-same", correlation_id="pw-same",
            protocol=PROTOCOL, policy=policy(), now=MONDAY, seed=event.id,
        )  # fmt: skip

    first, second = plan(), plan()
    assert first.course.course_id == second.course.course_id
    assert [s.session_id for s in first.sessions] == [s.session_id for s in second.sessions]


def test_a_second_screening_for_a_patient_with_a_course_plans_nothing():
    course = planned(MONDAY).course
    event = screened("pt-domain", MONDAY + timedelta(days=2))
    again = plan_course(
        event.data, course, patient_id="pt-domain", correlation_id="pw-domain",
        protocol=PROTOCOL, policy=policy(), now=MONDAY, seed=event.id,
    )  # fmt: skip
    assert again.events == () and again.course is None


@pytest.mark.parametrize(
    ("outcome", "final"),
    [("ineligible", True), ("needs_review", True), ("eligible", False)],
)
def test_only_a_final_eligible_screening_plans_a_course(outcome, final):
    event = screened("pt-x", MONDAY, outcome=ScreeningOutcome(outcome), final=final)
    decision = plan_course(
        event.data, None, patient_id="pt-x", correlation_id="pw-x",
        protocol=PROTOCOL, policy=policy(), now=MONDAY, seed=event.id,
    )  # fmt: skip
    assert decision.events == ()


def test_an_eligible_screening_without_a_dosing_weight_is_refused():
    event = screened("pt-x", MONDAY, weight_kg=None)
    with pytest.raises(RuleBroken, match="dosing weight"):
        plan_course(
            event.data, None, patient_id="pt-x", correlation_id="pw-x",
            protocol=PROTOCOL, policy=policy(), now=MONDAY, seed=event.id,
        )  # fmt: skip
