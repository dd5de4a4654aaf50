"""Decisions after a scored assessment: clinical review, maintenance, pathway completed."""

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from carepath_contracts import (
    AssessmentSubmitted,
    Instrument,
    MaintenanceReason,
    MaintenanceRecommended,
    PathwayEnd,
    Pcl5Score,
    ReviewTrigger,
    Timepoint,
    TreatmentProtocol,
)
from carepath_followup.domain.maintenance import completion
from carepath_followup.domain.model import (
    ClinicalDecision,
    Pathway,
    PathwayStatus,
    ScoredAssessment,
)
from carepath_followup.domain.response import (
    relapse_begins,
    stands_in_for_end_of_treatment,
)
from carepath_followup.domain.reviews import ReviewRequest
from carepath_followup.domain.schedule import closing_timepoint
from carepath_followup.domain.triggers import Fact, evidence


@dataclass(frozen=True)
class DecisionOutcome:
    """The pathway after the decisions a score led to, the decisions to emit and the
    reviews the score asks for."""

    pathway: Pathway
    decisions: list[ClinicalDecision] = field(default_factory=list)
    reviews: list[ReviewRequest] = field(default_factory=list)

    @property
    def completed(self) -> bool:
        return self.pathway.status is PathwayStatus.COMPLETED


def decide_after_score(
    pathway: Pathway,
    scored: ScoredAssessment,
    history: Sequence[ScoredAssessment],
    protocol: TreatmentProtocol,
    now: datetime,
) -> DecisionOutcome:
    """Every decision a new score supports, each with the scores it rests on.

    Only the protocol's decision instrument decides, and only the PCL-5 has a baseline to
    decide against. `history` holds the earlier scores, oldest first.
    """
    if scored.instrument is not protocol.assessments.decision_instrument or not isinstance(
        scored.score, Pcl5Score
    ):
        return DecisionOutcome(pathway)
    decisions = []
    review = (
        worsening_review(pathway, scored, protocol)
        or non_response_review(pathway, scored, history, protocol)
        or relapse_review(pathway, scored, history, protocol)
    )
    pathway, maintenance = maintenance_decision(pathway, scored, history, protocol, now)
    if maintenance:
        decisions.append(maintenance)
    pathway, completion = completion_decision(pathway, scored, history, protocol, now)
    if completion:
        decisions.append(completion)
    return DecisionOutcome(pathway, decisions, [review] if review else [])


def worsening_review(
    pathway: Pathway, scored: ScoredAssessment, protocol: TreatmentProtocol
) -> ReviewRequest | None:
    """Worse than baseline by the protocol's points, at any time: a review (urgent by the
    protocol); every such score is evidence on the one open worsening review."""
    change = scored.change_from_baseline
    if change is None or change < protocol.decisions.worsening_points:
        return None
    return _score_review(ReviewTrigger.WORSENING, pathway, scored)


def non_response_review(
    pathway: Pathway,
    scored: ScoredAssessment,
    history: Sequence[ScoredAssessment],
    protocol: TreatmentProtocol,
) -> ReviewRequest | None:
    """No response at the end of the course: a review (routine by the protocol). Without an
    end-of-treatment score the first later one decides, and the review says it was missing."""
    if scored.response is not False:
        return None
    if scored.timepoint is Timepoint.END_OF_TREATMENT:
        return _score_review(ReviewTrigger.NON_RESPONSE, pathway, scored)
    if stands_in_for_end_of_treatment(pathway, scored, history, protocol):
        return _score_review(ReviewTrigger.MISSING_END_OF_TREATMENT, pathway, scored)
    return None


def relapse_review(
    pathway: Pathway,
    scored: ScoredAssessment,
    history: Sequence[ScoredAssessment],
    protocol: TreatmentProtocol,
) -> ReviewRequest | None:
    """A response after the course, then lost (or risen from the best score since): a review
    (routine by the protocol) when the relapse begins, with the best score it relapsed from."""
    best = relapse_begins(pathway, scored, history, protocol)
    if best is None:
        return None
    return _score_review(ReviewTrigger.RELAPSE, pathway, scored, earlier=best)


def _score_review(
    reason: ReviewTrigger,
    pathway: Pathway,
    scored: ScoredAssessment,
    *,
    earlier: ScoredAssessment | None = None,
) -> ReviewRequest:
    fact = Fact(AssessmentSubmitted.event_type, scored.event_id, scored.submitted_at)
    between = [earlier.evidence()] if earlier else []
    scores = [pathway.baseline_evidence(), *between, scored.evidence()]
    facts = evidence(fact, codes=[reason], scores=scores, course_id=pathway.course_id)
    return ReviewRequest(reason, facts)


def maintenance_decision(
    pathway: Pathway,
    scored: ScoredAssessment,
    history: Sequence[ScoredAssessment],
    protocol: TreatmentProtocol,
    now: datetime,
) -> tuple[Pathway, ClinicalDecision | None]:
    """Response held and the last two follow-up scores close together (plateau), or rising
    again: maintenance, sooner when rising. The same recommendation is never made twice."""
    previous = _previous_follow_up(pathway, scored, history)
    if not scored.response or previous is None:
        return pathway, None
    if pathway.maintenance_reason is MaintenanceReason.CLINICAL_REVIEW:
        return pathway, None  # a clinician set this series: it changes at a review
    rise = scored.total - previous.total
    rules = protocol.maintenance
    if rise >= protocol.decisions.rising_at_or_above_points:
        reason, interval = MaintenanceReason.RISING_AFTER_RESPONSE, rules.interval_days_when_rising
    elif abs(rise) < protocol.decisions.plateau_below_points:
        reason, interval = MaintenanceReason.PLATEAU, rules.interval_days_when_stable
    else:
        return pathway, None  # still improving: no plateau yet
    interval = min(max(interval, rules.interval_days_min), rules.interval_days_max)
    if pathway.maintenance_interval_days == interval:
        return pathway, None  # the series already runs at this interval
    decision = ClinicalDecision(
        key=f"maintenance:{scored.event_id}",
        data=MaintenanceRecommended(
            interval_days=interval,
            reason_code=reason,
            evidence=[previous.evidence(), scored.evidence()],
            recommended_at=now,
            protocol=protocol.ref,
        ),
    )
    updated = replace(
        pathway,
        maintenance_interval_days=interval,
        maintenance_reason=reason,
        maintenance_series_length=pathway.maintenance_series_length or rules.series_infusions,
    )
    return updated, decision


def completion_decision(
    pathway: Pathway,
    scored: ScoredAssessment,
    history: Sequence[ScoredAssessment],
    protocol: TreatmentProtocol,
    now: datetime,
) -> tuple[Pathway, ClinicalDecision | None]:
    """The closing assessment is in and no maintenance is planned: the pathway is complete."""
    if (
        scored.timepoint is not closing_timepoint(protocol)
        or pathway.maintenance_interval_days is not None
        or not isinstance(scored.score, Pcl5Score)
    ):
        return pathway, None
    ended = PathwayEnd.SCHEDULE_COMPLETED
    return completion(pathway, [*history, scored], ended, protocol, now)


def _previous_follow_up(
    pathway: Pathway, scored: ScoredAssessment, history: Sequence[ScoredAssessment]
) -> ScoredAssessment | None:
    """The last earlier PCL-5 score taken after the course ended (when `scored` is too)."""
    course_ended = pathway.last_infusion_at
    if course_ended is None or scored.submitted_at < course_ended:
        return None
    for earlier in reversed(history):
        if earlier.instrument is Instrument.PCL5 and earlier.submitted_at >= course_ended:
            return earlier
    return None
