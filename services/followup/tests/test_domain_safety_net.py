"""The safety net of follow-up's decisions (issue 14): relapse after response, a missing
end-of-treatment score, remission only with response at the endpoint, and "rising" only above
the protocol's points. Each pathway runs through scoring and decisions as the handler runs them.
"""

import uuid
from dataclasses import dataclass, field

import pytest

from carepath_contracts import (
    MaintenanceReason,
    MaintenanceRecommended,
    PathwayCompleted,
    PathwayOutcome,
    ReviewOpened,
    ReviewTrigger,
    ScheduleAnchor,
    Timepoint,
    Urgency,
)
from carepath_followup import domain
from carepath_followup.domain.schedule import assessments_anchored

from .builders import DAY, HOUR, PROTOCOL, T0, pathway, submission_data

COURSE_END = T0 + 14 * DAY
SUBMITTED_AFTER_DUE = 2 * HOUR


def scheduled(path: domain.Pathway) -> dict[Timepoint, domain.Assessment]:
    """The pathway's assessments, anchored on a first infusion at T0 and the last at COURSE_END."""
    anchored = [
        *assessments_anchored(path, ScheduleAnchor.FIRST_INFUSION, T0, PROTOCOL),
        *assessments_anchored(path, ScheduleAnchor.LAST_INFUSION, COURSE_END, PROTOCOL),
    ]
    return {assessment.timepoint: assessment for assessment in anchored}


@dataclass
class Run:
    """A pathway after a series of scores: the decisions taken once (as the store does) and
    the reviews the scores opened (one open review per trigger, as the review loop keeps)."""

    pathway: domain.Pathway
    history: list[domain.ScoredAssessment] = field(default_factory=list)
    decisions: list[domain.ClinicalDecision] = field(default_factory=list)
    requests: list[domain.ReviewRequest] = field(default_factory=list)
    reviews: list[ReviewOpened] = field(default_factory=list)
    open_reviews: dict = field(default_factory=dict)

    def of(self, model) -> list:
        return [decision.data for decision in self.decisions if isinstance(decision.data, model)]

    def score(self, total: int, timepoint: Timepoint | None, *, days: float = 2):
        """A PCL-5 answering its scheduled assessment, or unscheduled (None: e.g. sent without
        its assessment id) `days` after the last infusion."""
        assessment = scheduled(self.pathway)[timepoint] if timepoint else None
        at = assessment.due_at + SUBMITTED_AFTER_DUE if assessment else COURSE_END + days * DAY
        submission = submission_data(
            total, at, assessment_id=assessment.assessment_id if assessment else None
        )
        scored = domain.score_submission(
            self.pathway,
            submission,
            event_id=str(uuid.uuid4()),
            assessment=assessment,
            history=self.history,
            protocol=PROTOCOL,
        ).scored
        decided = domain.decide_after_score(self.pathway, scored, self.history, PROTOCOL, at)
        taken = {decision.key for decision in self.decisions}
        self.decisions += [d for d in decided.decisions if d.key not in taken]
        for request in decided.reviews:
            self.requests.append(request)
            self._open(request, at)
        self.pathway = decided.pathway
        self.history.append(scored)
        return scored

    def _open(self, request: domain.ReviewRequest, at) -> None:
        change = domain.open_review(
            self.open_reviews,
            request,
            patient_id=self.pathway.patient_id,
            pathway_id=self.pathway.pathway_id,
            protocol=PROTOCOL,
            now=at,
        )
        self.open_reviews.update({review.reason: review for review in change.reviews})
        self.reviews += [event for event in change.events if isinstance(event, ReviewOpened)]


def evidence_scores(review: ReviewOpened) -> list[tuple[Timepoint | None, int]]:
    return [(score.timepoint, score.total) for item in review.evidence for score in item.scores]


def run(baseline: int, scores: dict[Timepoint | None, int]) -> Run:
    path = Run(pathway(baseline, first_infusion_at=T0, last_infusion_at=COURSE_END))
    for timepoint, total in scores.items():
        path.score(total, timepoint)
    return path


# Finding 1: response, then relapse.


def test_relapse_after_response_requires_one_routine_review_and_ends_as_relapse():
    path = run(
        52,
        {
            Timepoint.END_OF_TREATMENT: 30,
            Timepoint.WEEK_2: 45,
            Timepoint.WEEK_4: 50,
            Timepoint.WEEK_8: 55,
            Timepoint.WEEK_12: 61,
        },
    )

    (review,) = path.reviews
    assert (review.reason_code, review.urgency) == (ReviewTrigger.RELAPSE, Urgency.ROUTINE)
    assert evidence_scores(review) == [
        (Timepoint.BASELINE, 52),
        (Timepoint.END_OF_TREATMENT, 30),
        (Timepoint.WEEK_2, 45),
    ]
    (completed,) = path.of(PathwayCompleted)
    assert completed.outcome is PathwayOutcome.RELAPSE


def test_relapse_is_a_rise_from_the_best_score_even_while_the_drop_still_counts_as_response():
    best = 20
    rise = PROTOCOL.decisions.relapse_rise_points
    path = run(52, {Timepoint.END_OF_TREATMENT: 30, Timepoint.WEEK_2: best})

    path.score(best + rise - 1, Timepoint.WEEK_4)
    assert path.reviews == []
    path.score(best + rise, Timepoint.WEEK_8)

    (review,) = path.reviews
    assert review.reason_code is ReviewTrigger.RELAPSE
    assert evidence_scores(review)[-1] == (Timepoint.WEEK_8, best + rise)


@pytest.mark.parametrize(
    ("week_2", "reasons"),
    [(42, []), (43, [ReviewTrigger.RELAPSE])],
    ids=["drop-of-exactly-the-response-points", "one-point-less"],
)
def test_the_response_is_lost_when_the_drop_falls_below_the_protocols_points(week_2, reasons):
    assert PROTOCOL.pcl5.response_drop_points == 10

    path = run(52, {Timepoint.END_OF_TREATMENT: 35, Timepoint.WEEK_2: week_2})  # rise < 10

    assert [review.reason_code for review in path.reviews] == reasons


def test_a_lost_response_after_an_earlier_relapse_review_is_the_same_episode():
    path = run(52, {Timepoint.END_OF_TREATMENT: 30, Timepoint.WEEK_2: 45, Timepoint.WEEK_4: 48})

    assert [request.reason for request in path.requests] == [ReviewTrigger.RELAPSE]


def test_worsening_beyond_baseline_after_a_response_stays_its_own_urgent_review():
    path = run(40, {Timepoint.END_OF_TREATMENT: 25, Timepoint.WEEK_2: 50})

    assert [(r.reason_code, r.urgency) for r in path.reviews] == [
        (ReviewTrigger.WORSENING, Urgency.URGENT)
    ]


def test_no_response_at_the_end_of_treatment_is_not_a_relapse():
    path = run(52, {Timepoint.END_OF_TREATMENT: 48, Timepoint.WEEK_2: 50})

    assert [r.reason_code for r in path.reviews] == [ReviewTrigger.NON_RESPONSE]


# Finding 2: the end-of-treatment score never came.


def test_a_missing_end_of_treatment_score_is_decided_from_the_first_later_score_and_flagged():
    path = run(
        50,
        {Timepoint.WEEK_2: 48, Timepoint.WEEK_4: 47, Timepoint.WEEK_8: 46, Timepoint.WEEK_12: 45},
    )

    (review,) = path.reviews
    assert (review.reason_code, review.urgency) == (
        ReviewTrigger.MISSING_END_OF_TREATMENT,
        Urgency.ROUTINE,
    )
    assert evidence_scores(review) == [(Timepoint.BASELINE, 50), (Timepoint.WEEK_2, 48)]


def test_an_end_of_treatment_score_sent_without_its_assessment_id_is_the_later_score():
    path = run(50, {None: 48})

    (review,) = path.reviews
    assert review.reason_code is ReviewTrigger.MISSING_END_OF_TREATMENT
    assert evidence_scores(review)[-1] == (None, 48)


@pytest.mark.parametrize(
    ("week_2", "reasons"),
    [(40, []), (41, [ReviewTrigger.MISSING_END_OF_TREATMENT])],
    ids=["response-exactly-at-the-points", "one-point-short"],
)
def test_the_first_later_score_decides_at_the_response_threshold(week_2, reasons):
    path = run(50, {Timepoint.WEEK_2: week_2})

    assert [review.reason_code for review in path.reviews] == reasons


def test_a_response_at_the_first_later_score_needs_no_review():
    path = run(50, {Timepoint.WEEK_2: 38, Timepoint.WEEK_4: 37})

    assert path.reviews == []


def test_a_score_before_the_end_of_treatment_was_due_is_not_the_later_score():
    path = Run(pathway(50, first_infusion_at=T0, last_infusion_at=COURSE_END))

    path.score(49, None, days=0.5)

    assert path.reviews == []


# Finding 10: remission needs a response and is judged at the endpoint.


def test_remission_needs_a_response_as_well_as_a_total_below_the_threshold():
    path = run(33, {Timepoint.END_OF_TREATMENT: 27})

    assert path.history[-1].remission is False


def test_remission_is_not_judged_before_the_end_of_treatment():
    path = run(52, {Timepoint.AFTER_FIRST_INFUSION: 20})

    assert path.history[-1].remission is None
    assert path.history[-1].response is True


def test_the_pathway_outcome_is_taken_from_the_last_timepoint():
    path = run(52, {Timepoint.END_OF_TREATMENT: 45, Timepoint.WEEK_12: 20})

    (completed,) = path.of(PathwayCompleted)
    assert completed.outcome is PathwayOutcome.REMISSION


@pytest.mark.parametrize(("baseline", "outcome"), [(52, "remission"), (33, "no_response")])
def test_a_week_12_total_below_the_threshold_is_remission_only_with_a_response(baseline, outcome):
    path = run(baseline, {Timepoint.WEEK_12: PROTOCOL.pcl5.remission_below - 1})

    (completed,) = path.of(PathwayCompleted)
    assert completed.outcome == outcome


# Finding 11: "rising" is a rise of at least the protocol's points.


def test_a_one_point_rise_after_response_is_a_plateau_not_rising():
    path = run(52, {Timepoint.WEEK_2: 30, Timepoint.WEEK_4: 31})

    (recommended,) = path.of(MaintenanceRecommended)
    assert recommended.reason_code is MaintenanceReason.PLATEAU
    assert recommended.interval_days == PROTOCOL.maintenance.interval_days_when_stable


def test_rising_starts_exactly_at_the_protocol_points_above_the_previous_score():
    rising = PROTOCOL.decisions.rising_at_or_above_points
    path = run(52, {Timepoint.WEEK_2: 25, Timepoint.WEEK_4: 25 + rising})

    (recommended,) = path.of(MaintenanceRecommended)
    assert recommended.reason_code is MaintenanceReason.RISING_AFTER_RESPONSE
    assert recommended.interval_days == PROTOCOL.maintenance.interval_days_when_rising
