"""Scoring a submission: match it to its assessment, score it, compare it, describe it."""

from collections.abc import Sequence
from dataclasses import dataclass, replace

from carepath_contracts import (
    AssessmentScored,
    AssessmentSubmitted,
    IesrScore,
    Instrument,
    Pcl5Score,
    Timepoint,
    TreatmentProtocol,
    score_iesr,
    score_pcl5,
)
from carepath_followup.domain.model import (
    Assessment,
    AssessmentStatus,
    Pathway,
    PathwayRuleError,
    ScoredAssessment,
    require_active,
)
from carepath_followup.domain.response import remission


@dataclass(frozen=True)
class ScoringOutcome:
    """The scored submission, the assessment it satisfied (if any) and the timers to cancel."""

    scored: ScoredAssessment
    event: AssessmentScored
    assessment: Assessment | None
    cancel_timer_keys: tuple[str, ...]


@dataclass(frozen=True)
class _Match:
    assessment: Assessment | None
    timepoint: Timepoint | None
    cancel_timer_keys: tuple[str, ...] = ()


def score_submission(
    pathway: Pathway,
    submission: AssessmentSubmitted,
    *,
    event_id: str,
    assessment: Assessment | None,
    history: Sequence[ScoredAssessment],
    protocol: TreatmentProtocol,
) -> ScoringOutcome:
    """Score a submission and compare it with baseline and the previous score.

    `assessment` is the stored assessment named by `submission.assessment_id` (None when
    there is none). `history` holds the patient's earlier scores, oldest first.
    """
    require_active(pathway, f"assessment-submitted (event {event_id})")
    match = _match(pathway, submission, assessment)
    score = instrument_score(submission.instrument, submission.items, protocol)
    previous_total = _previous_total(pathway, submission.instrument, history)
    is_pcl5 = isinstance(score, Pcl5Score)
    from_baseline = score.total - pathway.baseline.total if is_pcl5 else None
    response = -from_baseline >= protocol.pcl5.response_drop_points if is_pcl5 else None
    scored = ScoredAssessment(
        event_id=event_id,
        patient_id=pathway.patient_id,
        assessment_id=match.assessment.assessment_id if match.assessment else None,
        timepoint=match.timepoint,
        instrument=submission.instrument,
        score=score,
        submitted_at=submission.submitted_at,
        change_from_baseline=from_baseline,
        change_from_previous=None if previous_total is None else score.total - previous_total,
        response=response,
        remission=remission(
            pathway,
            response=bool(response),
            total=score.total,
            at=submission.submitted_at,
            protocol=protocol,
        )
        if is_pcl5
        else None,
        items=tuple(submission.items),
    )
    return ScoringOutcome(
        scored=scored,
        event=assessment_scored(scored, protocol),
        assessment=match.assessment,
        cancel_timer_keys=match.cancel_timer_keys,
    )


def instrument_score(
    instrument: Instrument, items: Sequence[int], protocol: TreatmentProtocol
) -> Pcl5Score | IesrScore:
    """Totals and subscales by the contracts' scoring (invalid items raise, never imputed)."""
    if instrument is Instrument.PCL5:
        return score_pcl5(items, protocol)
    return score_iesr(items, protocol)


def assessment_scored(scored: ScoredAssessment, protocol: TreatmentProtocol) -> AssessmentScored:
    return AssessmentScored(
        assessment_id=scored.assessment_id,
        timepoint=scored.timepoint,
        instrument=scored.instrument,
        score=scored.score,
        change_from_baseline=scored.change_from_baseline,
        change_from_previous=scored.change_from_previous,
        response=scored.response,
        remission=scored.remission,
        submitted_at=scored.submitted_at,
        protocol=protocol.ref,
    )


def _match(
    pathway: Pathway, submission: AssessmentSubmitted, assessment: Assessment | None
) -> _Match:
    """Which scheduled assessment a submission satisfies; none makes it unscheduled.

    A submission sent before its assessment fell due does not satisfy it (the assessment
    still falls due); one for an assessment whose instrument was already submitted is a
    second answer to the same question and is refused rather than scored twice.
    """
    wanted = submission.assessment_id
    if wanted is None:
        return _Match(None, None)
    if assessment is None or assessment.patient_id != pathway.patient_id:
        raise PathwayRuleError(
            f"assessment {wanted} is not an assessment of patient {pathway.patient_id}"
        )
    if submission.submitted_at < assessment.due_at:
        return _Match(None, None)
    instrument = submission.instrument
    if instrument not in assessment.instruments:
        raise PathwayRuleError(
            f"assessment {wanted} ({assessment.timepoint}) asks for "
            f"{', '.join(assessment.instruments)}, not {instrument}"
        )
    if instrument in assessment.submitted_instruments:
        raise PathwayRuleError(
            f"assessment {wanted} ({assessment.timepoint}) already has its {instrument} "
            f"submission (submitted at {_iso(assessment.submitted_at)}); not scored twice"
        )
    submitted = (*assessment.submitted_instruments, instrument)
    if set(submitted) < set(assessment.instruments):
        partly = replace(
            assessment, submitted_instruments=submitted, submitted_at=submission.submitted_at
        )
        return _Match(partly, assessment.timepoint)
    complete = replace(
        assessment,
        status=AssessmentStatus.SUBMITTED,
        submitted_instruments=submitted,
        submitted_at=submission.submitted_at,
    )
    keys = (assessment.due_timer_key, assessment.overdue_timer_key)
    return _Match(complete, assessment.timepoint, keys)


def _previous_total(
    pathway: Pathway, instrument: Instrument, history: Sequence[ScoredAssessment]
) -> int | None:
    """The last earlier total on the same instrument; the screening PCL-5 counts as one."""
    for earlier in reversed(history):
        if earlier.instrument is instrument:
            return earlier.total
    return pathway.baseline.total if instrument is Instrument.PCL5 else None


def _iso(moment) -> str:
    return moment.isoformat() if moment else "?"
