"""How the response holds after the course: remission at the endpoint, relapse, and the score
that stands in for a missing end-of-treatment assessment."""

from collections.abc import Sequence
from datetime import datetime, timedelta

from carepath_contracts import Instrument, PathwayOutcome, Timepoint, TreatmentProtocol
from carepath_followup.domain.model import Pathway, ScoredAssessment


def after_treatment(pathway: Pathway, at: datetime) -> bool:
    """The course has ended by `at`: the endpoint and every later timepoint."""
    return pathway.last_infusion_at is not None and at >= pathway.last_infusion_at


def remission(
    pathway: Pathway, *, response: bool, total: int, at: datetime, protocol: TreatmentProtocol
) -> bool | None:
    """Remission needs the response too; before the endpoint it is not judged (None)."""
    if not after_treatment(pathway, at):
        return None
    return response and total < protocol.pcl5.remission_below


def post_treatment_scores(
    pathway: Pathway, history: Sequence[ScoredAssessment]
) -> list[ScoredAssessment]:
    """The decision scores (PCL-5) taken since the course ended, oldest first."""
    return [
        scored
        for scored in history
        if scored.instrument is Instrument.PCL5 and after_treatment(pathway, scored.submitted_at)
    ]


def in_relapse(
    scored: ScoredAssessment, earlier: Sequence[ScoredAssessment], protocol: TreatmentProtocol
) -> bool:
    """A response after the course, then lost again, or a rise from the best score since by
    the protocol's points. `earlier` are the post-treatment scores before `scored`."""
    if not any(score.response for score in earlier):
        return False
    best = min(score.total for score in earlier)
    return not scored.response or scored.total - best >= protocol.decisions.relapse_rise_points


def relapse_begins(
    pathway: Pathway,
    scored: ScoredAssessment,
    history: Sequence[ScoredAssessment],
    protocol: TreatmentProtocol,
) -> ScoredAssessment | None:
    """The best earlier score when `scored` starts a relapse (the previous one did not)."""
    if not after_treatment(pathway, scored.submitted_at):
        return None
    earlier = post_treatment_scores(pathway, history)
    if not in_relapse(scored, earlier, protocol):
        return None
    if earlier and in_relapse(earlier[-1], earlier[:-1], protocol):
        return None  # the same episode goes on
    return min(earlier, key=lambda score: score.total)


def stands_in_for_end_of_treatment(
    pathway: Pathway,
    scored: ScoredAssessment,
    history: Sequence[ScoredAssessment],
    protocol: TreatmentProtocol,
) -> bool:
    """The first score after the end-of-treatment assessment fell due, when that assessment
    brought none: the course's response is judged on it instead."""
    due = end_of_treatment_due(pathway, protocol)
    if due is None or scored.timepoint is Timepoint.END_OF_TREATMENT or scored.submitted_at < due:
        return False
    earlier = post_treatment_scores(pathway, history)
    return not any(
        score.timepoint is Timepoint.END_OF_TREATMENT or score.submitted_at >= due
        for score in earlier
    )


def end_of_treatment_due(pathway: Pathway, protocol: TreatmentProtocol) -> datetime | None:
    if pathway.last_infusion_at is None:
        return None
    for entry in protocol.assessments.schedule:
        if entry.timepoint is Timepoint.END_OF_TREATMENT:
            return pathway.last_infusion_at + timedelta(hours=entry.offset_hours)
    return None


def pathway_outcome(
    pathway: Pathway,
    scored: ScoredAssessment,
    history: Sequence[ScoredAssessment],
    protocol: TreatmentProtocol,
) -> PathwayOutcome:
    """Where the last score leaves the patient; a response lost since the course is a relapse."""
    if scored.remission:
        return PathwayOutcome.REMISSION
    if scored.response:
        return PathwayOutcome.RESPONSE
    if any(score.response for score in post_treatment_scores(pathway, history)):
        return PathwayOutcome.RELAPSE
    return PathwayOutcome.NO_RESPONSE
