"""The trigger table: which facts open a clinical review, and with what evidence.

Adding a trigger is one entry here (and one test): a function from the fact's data to the
review requests it raises. Follow-up's handlers look every consumed fact up in `TRIGGERS`;
a fact type follow-up does not otherwise handle gets a handler from the table alone (add
"followup" to the event's consumers in the contracts' registry). Follow-up's own decisions
(worsening, non-response) raise requests from `decisions.py` with the same `evidence()`.
"""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from carepath_contracts import (
    CourseSuspended,
    DischargeAssessed,
    EventData,
    InfusionDeviation,
    PlanningFailed,
    ReviewEvidence,
    ReviewTrigger,
    SafetyAction,
    SafetyAlert,
    SafetyConcernRaised,
    SafetyRule,
    ScoreEvidence,
    SessionCompleted,
)
from carepath_followup.domain.reviews import ReviewRequest


@dataclass(frozen=True)
class Fact:
    """Where a trigger's evidence comes from: the event's type, id and time."""

    event_type: str
    event_id: str
    at: datetime


@dataclass(frozen=True)
class TriggerPolicy:
    """What the triggers read besides the fact: the operator's choice of serious safety
    actions and the protocol's alert rules that need a review."""

    serious_safety_actions: frozenset[SafetyAction] = frozenset({SafetyAction.STOP})
    review_safety_rules: frozenset[SafetyRule] = frozenset()


Trigger = Callable[[Any, Fact, TriggerPolicy], Iterable[ReviewRequest]]


def evidence(
    fact: Fact,
    *,
    codes: Sequence[str] = (),
    scores: Sequence[ScoreEvidence] = (),
    course_id: str | None = None,
    session_id: str | None = None,
) -> ReviewEvidence:
    return ReviewEvidence(
        event_type=fact.event_type,
        event_id=fact.event_id,
        observed_at=fact.at,
        codes=list(codes),
        scores=list(scores),
        course_id=course_id,
        session_id=session_id,
    )


def serious_adverse_event(
    data: SessionCompleted, fact: Fact, policy: TriggerPolicy
) -> list[ReviewRequest]:
    if not data.serious_adverse_event:
        return []
    ids = {"course_id": data.course_id, "session_id": data.session_id}
    codes = ["serious_adverse_event", *data.adverse_effects]
    return [ReviewRequest(ReviewTrigger.SERIOUS_ADVERSE_EVENT, evidence(fact, codes=codes, **ids))]


DEVIATION_TRIGGERS = {
    InfusionDeviation.DOSE_ABOVE_PLAN: ReviewTrigger.DOSE_ABOVE_PLAN,
    InfusionDeviation.DOSE_BELOW_PLAN: ReviewTrigger.DOSE_BELOW_PLAN,
    InfusionDeviation.DURATION_BELOW_RANGE: ReviewTrigger.INFUSION_DURATION_OUT_OF_RANGE,
    InfusionDeviation.DURATION_ABOVE_RANGE: ReviewTrigger.INFUSION_DURATION_OUT_OF_RANGE,
}


def infusion_deviations(
    data: SessionCompleted, fact: Fact, policy: TriggerPolicy
) -> list[ReviewRequest]:
    """One review per kind of deviation infusion found in the record (dose above the plan is
    urgent by the protocol; below it, or a duration out of range, soon)."""
    ids = {"course_id": data.course_id, "session_id": data.session_id}
    reasons = {DEVIATION_TRIGGERS[deviation] for deviation in data.deviations}
    return [
        ReviewRequest(reason, evidence(fact, codes=list(data.deviations), **ids))
        for reason in sorted(reasons)
    ]


def session_completed(
    data: SessionCompleted, fact: Fact, policy: TriggerPolicy
) -> list[ReviewRequest]:
    return [
        *serious_adverse_event(data, fact, policy),
        *infusion_deviations(data, fact, policy),
    ]


def planning_failure(
    data: PlanningFailed, fact: Fact, policy: TriggerPolicy
) -> list[ReviewRequest]:
    facts = evidence(fact, codes=[data.reason_code, data.kind], course_id=data.course_id)
    return [ReviewRequest(ReviewTrigger.PLANNING_FAILURE, facts)]


def course_suspended(
    data: CourseSuspended, fact: Fact, policy: TriggerPolicy
) -> list[ReviewRequest]:
    facts = evidence(
        fact, codes=[data.reason_code], course_id=data.course_id, session_id=data.session_id
    )
    return [ReviewRequest(ReviewTrigger.COURSE_SUSPENDED, facts)]


def serious_safety_alert(
    data: SafetyAlert, fact: Fact, policy: TriggerPolicy
) -> list[ReviewRequest]:
    serious = data.action in policy.serious_safety_actions
    if not serious and data.rule not in policy.review_safety_rules:
        return []  # the other alerts stay with the clinic on site
    facts = evidence(fact, codes=[data.rule, data.action], session_id=data.session_id)
    return [ReviewRequest(ReviewTrigger.SAFETY_EVENT, facts)]


def failed_discharge(
    data: DischargeAssessed, fact: Fact, policy: TriggerPolicy
) -> list[ReviewRequest]:
    if data.criteria_met:
        return []
    facts = evidence(fact, codes=list(data.unmet_criteria), session_id=data.session_id)
    return [ReviewRequest(ReviewTrigger.FAILED_DISCHARGE, facts)]


def urgent_safety_concern(
    data: SafetyConcernRaised, fact: Fact, policy: TriggerPolicy
) -> list[ReviewRequest]:
    facts = evidence(fact, codes=[data.concern, data.action])
    return [ReviewRequest(ReviewTrigger.URGENT_SAFETY_CONCERN, facts)]


TRIGGERS: dict[type[EventData], Trigger] = {
    SessionCompleted: session_completed,
    CourseSuspended: course_suspended,
    SafetyAlert: serious_safety_alert,
    DischargeAssessed: failed_discharge,
    SafetyConcernRaised: urgent_safety_concern,
    PlanningFailed: planning_failure,
}


def review_requests(data: EventData, fact: Fact, policy: TriggerPolicy) -> list[ReviewRequest]:
    """Every review the fact asks for, by the trigger table (none for a fact not in it)."""
    trigger = TRIGGERS.get(type(data))
    return list(trigger(data, fact, policy)) if trigger else []
