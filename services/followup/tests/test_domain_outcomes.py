"""A clinician's outcome and the maintenance series, as pure rules (finding 6 among them)."""

import uuid
from dataclasses import replace
from datetime import timedelta

import pytest

from carepath_contracts import (
    Instrument,
    MaintenanceReason,
    MaintenanceRecommended,
    PathwayCompleted,
    PathwayEnd,
    PathwayOutcome,
    ReviewOutcome,
    ReviewOutcomeRecorded,
    ReviewTrigger,
    SessionKind,
    SessionScheduled,
    Timepoint,
)
from carepath_followup import domain

from .builders import DAY, HOUR, PROTOCOL, T0, infusion_data, pathway, submission_data
from .test_domain_reviews import new_review

COURSE_END = T0 + 14 * DAY
SERIES = PROTOCOL.maintenance.series_infusions


def after_course(**changes) -> domain.Pathway:
    return pathway(52, first_infusion_at=T0, last_infusion_at=COURSE_END, **changes)


def score(path, total, days=30):
    submission = submission_data(total, COURSE_END + days * DAY)
    outcome = domain.score_submission(
        path, submission, event_id=str(uuid.uuid4()), assessment=None, history=[], protocol=PROTOCOL
    )
    return replace(outcome.scored, timepoint=Timepoint.WEEK_4)


def decided(outcome, interval=None, at=COURSE_END + 30 * DAY):
    return domain.OutcomeDecision(outcome, "clinician", at, interval)


def answer(review, path, decision, scores=()):
    return domain.record_outcome(
        review, path, decision, list(scores), PROTOCOL, decision.decided_at
    )


def review_of(path, reason=ReviewTrigger.WORSENING):
    return replace(new_review(reason), patient_id=path.patient_id, pathway_id=path.pathway_id)


def maintenance_given(path, number, *, repeated=False, scores=()):
    infusion = infusion_data(number, COURSE_END + number * 28 * DAY, kind=SessionKind.MAINTENANCE)
    return domain.maintenance_infusion_given(
        path, infusion, list(scores), PROTOCOL, repeated=repeated
    ), infusion


# The maintenance series -----------------------------------------------------------------------


def test_a_maintenance_series_asks_for_each_next_infusion_and_ends_the_pathway_after_the_last():
    path = after_course(
        maintenance_interval_days=28,
        maintenance_reason=MaintenanceReason.PLATEAU,
        maintenance_series_length=SERIES,
    )
    last_score = score(path, 24)
    for number in range(1, SERIES):
        (path, decisions), infusion = maintenance_given(path, number, scores=[last_score])
        (decision,) = decisions
        assert isinstance(decision.data, MaintenanceRecommended)
        assert decision.data.reason_code is MaintenanceReason.SERIES_CONTINUES
        assert (decision.data.interval_days, decision.data.recommended_at) == (
            28,
            infusion.completed_at,
        )
        assert path.status is domain.PathwayStatus.ACTIVE and path.maintenance_given == number

    (path, decisions), infusion = maintenance_given(path, SERIES, scores=[last_score])

    (decision,) = decisions
    assert isinstance(decision.data, PathwayCompleted)
    assert decision.data.ended_by is PathwayEnd.MAINTENANCE_SERIES_COMPLETED
    assert (decision.data.outcome, decision.data.final_score.total) == (
        PathwayOutcome.REMISSION,
        24,
    )
    assert path.status is domain.PathwayStatus.COMPLETED and path.closed_at == infusion.completed_at


def test_a_repeated_report_of_a_maintenance_infusion_is_not_counted_twice():
    path = after_course(maintenance_interval_days=28, maintenance_series_length=SERIES)

    (same, decisions), _ = maintenance_given(path, 1, repeated=True)

    assert (same, decisions) == (path, [])


def test_a_pcl5_falls_due_the_protocols_hours_before_each_maintenance_infusion():
    path = after_course()
    slot = COURSE_END + 28 * DAY
    booked = SessionScheduled(
        session_id="s-m1",
        course_id="course-1",
        session_number=7,
        kind=SessionKind.MAINTENANCE,
        scheduled_for=slot,
        dose_mg=41.3,
        rate_mg_per_min=1.03,
        duration_minutes=40,
        protocol=PROTOCOL.ref,
    )

    asked = domain.assessment_before_maintenance(path, booked, PROTOCOL, COURSE_END)
    soon = domain.assessment_before_maintenance(path, booked, PROTOCOL, slot - HOUR)
    induction = booked.model_copy(update={"kind": SessionKind.INDUCTION})

    hours = PROTOCOL.maintenance.assessment_hours_before_infusion
    assert (asked.timepoint, asked.instruments) == (
        Timepoint.BEFORE_MAINTENANCE,
        (Instrument.PCL5,),
    )
    assert asked.due_at == slot - timedelta(hours=hours)
    assert soon.due_at == slot - HOUR  # booked late: due at once
    assert domain.assessment_before_maintenance(path, induction, PROTOCOL, COURSE_END) is None


# Outcomes -------------------------------------------------------------------------------------


def test_start_maintenance_resolves_the_review_and_starts_a_series_at_the_chosen_interval():
    path = after_course()
    review = review_of(path)

    change = answer(review, path, decided(ReviewOutcome.START_MAINTENANCE, 14), [score(path, 45)])

    (resolved,) = change.reviews.reviews
    assert (resolved.status, resolved.outcome, resolved.decided_by) == (
        domain.ReviewStatus.RESOLVED,
        ReviewOutcome.START_MAINTENANCE,
        "clinician",
    )
    (recorded,) = change.reviews.events
    assert isinstance(recorded, ReviewOutcomeRecorded)
    assert (recorded.maintenance_interval_days, recorded.maintenance_infusions) == (14, SERIES)
    assert change.reviews.cancelled_timers == (review.timer_key,)
    (decision,) = change.decisions
    assert (decision.data.interval_days, decision.data.reason_code) == (
        14,
        MaintenanceReason.CLINICAL_REVIEW,
    )
    assert (change.pathway.maintenance_interval_days, change.pathway.maintenance_series_length) == (
        14,
        SERIES,
    )


@pytest.mark.parametrize("interval", [PROTOCOL.maintenance.interval_days_min - 1, 29])
def test_a_maintenance_interval_outside_the_protocol_is_refused(interval):
    path = after_course()

    with pytest.raises(domain.PathwayRuleError, match="outside the protocol's 14-28 days"):
        answer(review_of(path), path, decided(ReviewOutcome.START_MAINTENANCE, interval))


def test_maintenance_before_the_induction_course_ended_is_refused():
    path = pathway(52, first_infusion_at=T0)

    with pytest.raises(domain.PathwayRuleError, match="induction course has not ended"):
        answer(review_of(path), path, decided(ReviewOutcome.START_MAINTENANCE))


def test_a_second_outcome_for_the_same_review_is_refused():
    path = after_course()
    change = answer(review_of(path), path, decided(ReviewOutcome.CONTINUE_MONITORING))

    with pytest.raises(domain.PathwayRuleError, match="already answered"):
        answer(change.reviews.reviews[0], path, decided(ReviewOutcome.DISCHARGE))


def test_resume_needs_a_suspended_course_and_clears_the_suspension():
    path = after_course()
    with pytest.raises(domain.PathwayRuleError, match="not suspended"):
        answer(review_of(path), path, decided(ReviewOutcome.RESUME_COURSE))

    suspended = replace(path, course_suspended_at=T0 + 3 * DAY)
    review = review_of(suspended, ReviewTrigger.COURSE_SUSPENDED)
    change = answer(review, suspended, decided(ReviewOutcome.RESUME_COURSE))

    assert change.pathway.course_suspended_at is None
    assert change.reviews.events[0].outcome is ReviewOutcome.RESUME_COURSE


@pytest.mark.parametrize(
    ("outcome", "ended_by"),
    [
        (ReviewOutcome.DISCHARGE, PathwayEnd.DISCHARGED_AT_REVIEW),
        (ReviewOutcome.REFER_OUT, PathwayEnd.REFERRED_OUT),
    ],
)
def test_discharge_and_referral_close_the_pathway_with_its_last_score(outcome, ended_by):
    path = after_course()

    change = answer(review_of(path), path, decided(outcome), [score(path, 50)])

    (decision,) = change.decisions
    assert (decision.data.ended_by, decision.data.outcome) == (ended_by, PathwayOutcome.NO_RESPONSE)
    assert decision.data.final_score.total == 50
    assert change.closed


def test_a_review_of_a_patient_without_a_pathway_can_be_closed_but_not_acted_on():
    review = new_review(ReviewTrigger.URGENT_SAFETY_CONCERN)

    referred = domain.record_outcome(
        review, None, decided(ReviewOutcome.REFER_OUT), [], PROTOCOL, T0
    )
    assert referred.reviews.reviews[0].outcome is ReviewOutcome.REFER_OUT
    with pytest.raises(domain.PathwayRuleError, match="has no pathway"):
        domain.record_outcome(review, None, decided(ReviewOutcome.RESUME_COURSE), [], PROTOCOL, T0)
