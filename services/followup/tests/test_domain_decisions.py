"""Every decision branch after a score: worsening, non-response, maintenance, completion."""

import uuid
from dataclasses import replace

import pytest

from carepath_contracts import (
    Instrument,
    MaintenanceReason,
    MaintenanceRecommended,
    PathwayCompleted,
    PathwayOutcome,
    ReviewTrigger,
    Timepoint,
    Urgency,
)
from carepath_followup import domain

from .builders import (
    DAY,
    PROTOCOL,
    T0,
    pathway,
    submission_data,
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


def only_review(outcome):
    assert len(outcome.reviews) == 1, outcome.reviews
    assert outcome.decisions == []
    return outcome.reviews[0]


def only(outcome, model):
    found = [decision.data for decision in outcome.decisions if isinstance(decision.data, model)]
    assert len(found) == 1, outcome.decisions
    return found[0]


def test_worsening_by_the_protocol_points_requires_urgent_review_with_its_evidence():
    path = after_course(40)
    current = scored(path, 40 + WORSENING)

    review = only_review(decide(path, current))

    assert review.reason is ReviewTrigger.WORSENING
    assert PROTOCOL.reviews.urgency_of(review.reason) is Urgency.URGENT
    assert [(item.timepoint, item.total) for item in review.evidence.scores] == [
        (Timepoint.BASELINE, 40),
        (None, 40 + WORSENING),
    ]
    assert review.evidence.event_id == current.event_id


def test_one_point_less_than_the_worsening_threshold_requires_no_review():
    path = after_course(40)
    end_of_treatment = scored(path, 38, Timepoint.END_OF_TREATMENT)

    outcome = decide(path, scored(path, 40 + WORSENING - 1), [end_of_treatment])

    assert (outcome.decisions, outcome.reviews) == ([], [])


def test_worsening_is_reported_at_every_score_that_shows_it():
    path = after_course(40)
    first, second = scored(path, 55), scored(path, 56, days_after_course=2)

    facts = {
        only_review(decide(path, first)).evidence.event_id,
        only_review(decide(path, second, [first])).evidence.event_id,
    }

    assert facts == {first.event_id, second.event_id}  # each is evidence of its own


def test_no_response_at_the_end_of_treatment_requires_routine_review():
    path = after_course(52)
    current = scored(path, 52 - 9, Timepoint.END_OF_TREATMENT)

    review = only_review(decide(path, current))

    assert review.reason is ReviewTrigger.NON_RESPONSE
    assert PROTOCOL.reviews.urgency_of(review.reason) is Urgency.ROUTINE
    assert [item.total for item in review.evidence.scores] == [52, 43]


def test_response_at_the_end_of_treatment_requires_no_review():
    path = after_course(52)

    assert decide(path, scored(path, 42, Timepoint.END_OF_TREATMENT)).reviews == []


def test_no_response_at_another_timepoint_is_not_an_end_of_course_decision():
    path = after_course(52)
    end_of_treatment = scored(path, 48, Timepoint.END_OF_TREATMENT)

    assert decide(path, scored(path, 50, Timepoint.WEEK_2), [end_of_treatment]).reviews == []


def test_worsening_at_the_end_of_treatment_is_one_urgent_review_not_two():
    path = after_course(40)

    outcome = decide(path, scored(path, 55, Timepoint.END_OF_TREATMENT))

    assert [review.reason for review in outcome.reviews] == [ReviewTrigger.WORSENING]


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
    rising_total = 29 + PROTOCOL.decisions.rising_at_or_above_points
    week_8 = scored(path, rising_total, Timepoint.WEEK_8, days_after_course=56)

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
