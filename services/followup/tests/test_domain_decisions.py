"""Every decision branch: worsening, non-response, maintenance, completion, safety, suspension."""

import uuid
from dataclasses import replace

import pytest

from carepath_contracts import (
    ClinicalReviewRequired,
    Instrument,
    MaintenanceReason,
    MaintenanceRecommended,
    PathwayCompleted,
    PathwayOutcome,
    ReviewTrigger,
    SafetyAction,
    SuspensionReason,
    Timepoint,
    Urgency,
)
from carepath_followup import domain

from .builders import (
    DAY,
    PROTOCOL,
    T0,
    alert_data,
    infusion_data,
    pathway,
    submission_data,
    suspended_data,
)

COURSE_END = T0 + 14 * DAY
WORSENING = PROTOCOL.decisions.worsening_points
PLATEAU = PROTOCOL.decisions.plateau_below_points


def after_course(baseline_total: int = 52, **changes) -> domain.Pathway:
    return pathway(baseline_total, first_infusion_at=T0, last_infusion_at=COURSE_END, **changes)


def scored(path, total, timepoint=None, *, days_after_course=1, instrument=Instrument.PCL5):
    """A score as scoring makes it, placed at a timepoint."""
    items = [1] * 22 if instrument is Instrument.IESR else None
    submission = submission_data(
        total, COURSE_END + days_after_course * DAY, items=items, instrument=instrument
    )
    outcome = domain.score_submission(
        path, submission, event_id=str(uuid.uuid4()), assessment=None, history=[], protocol=PROTOCOL
    )
    return replace(outcome.scored, timepoint=timepoint)


def decide(path, current, history=()):
    return domain.decide_after_score(path, current, list(history), PROTOCOL, COURSE_END + 30 * DAY)


def only(outcome, model):
    found = [decision.data for decision in outcome.decisions if isinstance(decision.data, model)]
    assert len(found) == 1, outcome.decisions
    return found[0]


def test_worsening_by_the_protocol_points_requires_urgent_review_with_its_evidence():
    path = after_course(40)
    current = scored(path, 40 + WORSENING)

    review = only(decide(path, current), ClinicalReviewRequired)

    assert (review.reason_code, review.urgency) == (ReviewTrigger.WORSENING, Urgency.URGENT)
    assert [(item.timepoint, item.total) for item in review.evidence] == [
        (Timepoint.BASELINE, 40),
        (None, 40 + WORSENING),
    ]
    assert review.protocol == PROTOCOL.ref


def test_one_point_less_than_the_worsening_threshold_requires_no_review():
    path = after_course(40)

    assert decide(path, scored(path, 40 + WORSENING - 1)).decisions == []


def test_worsening_is_reported_at_every_score_that_shows_it():
    path = after_course(40)
    first, second = scored(path, 55), scored(path, 56, days_after_course=2)

    keys = {decide(path, first).decisions[0].key, decide(path, second, [first]).decisions[0].key}

    assert len(keys) == 2  # distinct keys: neither is dropped as already decided


def test_no_response_at_the_end_of_treatment_requires_routine_review():
    path = after_course(52)
    current = scored(path, 52 - 9, Timepoint.END_OF_TREATMENT)

    review = only(decide(path, current), ClinicalReviewRequired)

    assert (review.reason_code, review.urgency) == (ReviewTrigger.NON_RESPONSE, Urgency.ROUTINE)
    assert [item.total for item in review.evidence] == [52, 43]


def test_response_at_the_end_of_treatment_requires_no_review():
    path = after_course(52)

    assert decide(path, scored(path, 42, Timepoint.END_OF_TREATMENT)).decisions == []


def test_no_response_at_another_timepoint_is_not_an_end_of_course_decision():
    path = after_course(52)

    assert decide(path, scored(path, 50, Timepoint.WEEK_2)).decisions == []


def test_worsening_at_the_end_of_treatment_is_one_urgent_review_not_two():
    path = after_course(40)

    outcome = decide(path, scored(path, 55, Timepoint.END_OF_TREATMENT))

    assert [decision.data.urgency for decision in outcome.decisions] == [Urgency.URGENT]


def test_response_and_a_plateau_recommend_maintenance_at_the_stable_interval():
    path = after_course(52)
    week_2 = scored(path, 30, Timepoint.WEEK_2, days_after_course=14)
    week_4 = scored(path, 30 - (PLATEAU - 1), Timepoint.WEEK_4, days_after_course=28)

    outcome = decide(path, week_4, [week_2])

    recommended = only(outcome, MaintenanceRecommended)
    assert recommended.interval_days == PROTOCOL.maintenance.interval_days_when_stable
    assert recommended.reason_code is MaintenanceReason.PLATEAU
    assert [item.timepoint for item in recommended.evidence] == [Timepoint.WEEK_2, Timepoint.WEEK_4]
    assert outcome.pathway.maintenance_interval_days == recommended.interval_days


def test_still_improving_by_the_plateau_points_recommends_nothing_yet():
    path = after_course(52)
    week_2 = scored(path, 30, Timepoint.WEEK_2, days_after_course=14)

    outcome = decide(
        path, scored(path, 30 - PLATEAU, Timepoint.WEEK_4, days_after_course=28), [week_2]
    )

    assert outcome.decisions == []


def test_a_score_rising_again_after_response_recommends_the_shorter_interval():
    path = after_course(52)
    week_2 = scored(path, 30, Timepoint.WEEK_2, days_after_course=14)

    recommended = only(
        decide(path, scored(path, 36, Timepoint.WEEK_4, days_after_course=28), [week_2]),
        MaintenanceRecommended,
    )

    assert recommended.interval_days == PROTOCOL.maintenance.interval_days_when_rising
    assert recommended.reason_code is MaintenanceReason.RISING_AFTER_RESPONSE


def test_the_same_maintenance_recommendation_is_not_made_twice():
    path = after_course(52)
    week_2 = scored(path, 30, Timepoint.WEEK_2, days_after_course=14)
    week_4 = scored(path, 29, Timepoint.WEEK_4, days_after_course=28)
    week_8 = scored(path, 28, Timepoint.WEEK_8, days_after_course=56)

    first = decide(path, week_4, [week_2])
    again = decide(first.pathway, week_8, [week_2, week_4])

    assert len(first.decisions) == 1
    assert again.decisions == []


def test_a_changed_maintenance_recommendation_is_made():
    path = after_course(52)
    week_2 = scored(path, 30, Timepoint.WEEK_2, days_after_course=14)
    week_4 = scored(path, 29, Timepoint.WEEK_4, days_after_course=28)
    week_8 = scored(path, 33, Timepoint.WEEK_8, days_after_course=56)

    first = decide(path, week_4, [week_2])
    rising = decide(first.pathway, week_8, [week_2, week_4])

    assert (
        only(rising, MaintenanceRecommended).reason_code is MaintenanceReason.RISING_AFTER_RESPONSE
    )


def test_a_plateau_without_response_recommends_no_maintenance():
    path = after_course(52)
    week_2 = scored(path, 45, Timepoint.WEEK_2, days_after_course=14)

    assert (
        decide(path, scored(path, 44, Timepoint.WEEK_4, days_after_course=28), [week_2]).decisions
        == []
    )


def test_scores_before_the_course_ended_are_not_a_plateau():
    path = after_course(52)
    during_course = scored(path, 30, days_after_course=-3)

    assert (
        decide(path, scored(path, 30, Timepoint.END_OF_TREATMENT), [during_course]).decisions == []
    )


@pytest.mark.parametrize(
    ("total", "outcome"),
    [
        (27, PathwayOutcome.REMISSION),
        (42, PathwayOutcome.RESPONSE),
        (43, PathwayOutcome.NO_RESPONSE),
    ],
)
def test_the_week_12_assessment_without_maintenance_completes_the_pathway(total, outcome):
    path = after_course(52)

    decided = decide(path, scored(path, total, Timepoint.WEEK_12, days_after_course=84))

    completed = only(decided, PathwayCompleted)
    assert completed.outcome is outcome
    assert (completed.baseline_total, completed.change_from_baseline) == (52, total - 52)
    assert completed.final_score.total == total
    assert decided.completed and decided.pathway.status is domain.PathwayStatus.COMPLETED


def test_the_week_12_assessment_with_maintenance_planned_does_not_complete_the_pathway():
    path = after_course(
        52, maintenance_interval_days=28, maintenance_reason=MaintenanceReason.PLATEAU
    )

    decided = decide(path, scored(path, 30, Timepoint.WEEK_12, days_after_course=84))

    assert not decided.completed and decided.decisions == []


def test_a_plateau_reached_at_week_12_recommends_maintenance_instead_of_completing():
    path = after_course(52)
    week_8 = scored(path, 30, Timepoint.WEEK_8, days_after_course=56)

    decided = decide(path, scored(path, 29, Timepoint.WEEK_12, days_after_course=84), [week_8])

    assert [type(decision.data) for decision in decided.decisions] == [MaintenanceRecommended]
    assert not decided.completed


def test_an_iesr_score_decides_nothing():
    path = after_course(10)

    assert (
        decide(path, scored(path, 0, Timepoint.WEEK_12, instrument=Instrument.IESR)).decisions == []
    )


@pytest.mark.parametrize(
    ("reason", "urgency"),
    [
        (SuspensionReason.SERIOUS_ADVERSE_EVENT, Urgency.URGENT),
        (SuspensionReason.WINDOW_EXCEEDED, Urgency.ROUTINE),
    ],
)
def test_a_suspended_course_requires_review(reason, urgency):
    decision = domain.suspension_review(suspended_data(reason), PROTOCOL, T0)

    assert decision.data.reason_code is ReviewTrigger.COURSE_SUSPENDED
    assert decision.data.urgency is urgency
    assert (decision.data.course_id, decision.data.session_id) == ("course-1", "s-3")


def test_a_second_suspension_of_the_same_course_later_is_a_new_decision():
    reason = SuspensionReason.CLINICAL_REVIEW
    first = domain.suspension_review(suspended_data(reason, T0), PROTOCOL, T0)
    later = domain.suspension_review(suspended_data(reason, T0 + DAY), PROTOCOL, T0 + DAY)

    assert first.key != later.key


def test_a_serious_safety_alert_requires_urgent_review_and_a_minor_one_does_not():
    serious = frozenset({SafetyAction.STOP})
    stop = domain.safety_alert_review(alert_data(SafetyAction.STOP), PROTOCOL, T0, serious)
    pause = domain.safety_alert_review(alert_data(SafetyAction.PAUSE), PROTOCOL, T0, serious)

    assert (stop.data.reason_code, stop.data.urgency) == (
        ReviewTrigger.SAFETY_EVENT,
        Urgency.URGENT,
    )
    assert pause is None


def test_a_serious_adverse_event_in_a_completed_infusion_requires_one_review_per_session():
    infusion = infusion_data(3, T0, serious_adverse_event=True, session_id="s-3")
    outcome = domain.infusion_completed(
        after_course(),
        infusion,
        PROTOCOL,
        therapy_already_booked=False,
        booking_offset_hours=0,
        now=T0,
    )
    alert = domain.safety_alert_review(
        alert_data(SafetyAction.STOP, "s-3"), PROTOCOL, T0, frozenset({SafetyAction.STOP})
    )

    (review,) = outcome.decisions
    assert review.data.reason_code is ReviewTrigger.SAFETY_EVENT
    assert review.key == alert.key  # the alert and the SAE of one session: one review
