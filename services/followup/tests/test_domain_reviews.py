"""The review loop's pure rules: the trigger table, one open review per trigger, escalation."""

import uuid
from dataclasses import replace
from datetime import timedelta

import pytest

from carepath_contracts import (
    REGISTRY,
    CourseSuspended,
    InfusionDeviation,
    PlanningFailed,
    PlanningFailure,
    ReviewEvidenceAdded,
    ReviewOpened,
    ReviewOverdue,
    ReviewTrigger,
    SafetyAction,
    SafetyConcern,
    SafetyConcernRaised,
    SafetyRule,
    SessionKind,
    SuspensionReason,
    Urgency,
    UrgentAction,
)
from carepath_followup import domain

from .builders import (
    HOUR,
    PROTOCOL,
    T0,
    alert_data,
    discharge_data,
    infusion_data,
    new_patient,
    suspended_data,
)

POLICY = domain.TriggerPolicy(frozenset({SafetyAction.STOP}))


def fact(data, at=T0):
    return domain.Fact(data.event_type, str(uuid.uuid4()), at)


def requests(data):
    return domain.review_requests(data, fact(data), POLICY)


def opened(request, open_reviews=None, *, now=T0, patient=None):
    patient_id, pathway_id = patient or new_patient()
    return domain.open_review(
        open_reviews or {},
        request,
        patient_id=patient_id,
        pathway_id=pathway_id,
        protocol=PROTOCOL,
        now=now,
    )


def new_review(reason=ReviewTrigger.WORSENING, now=T0):
    change = opened(domain.ReviewRequest(reason, requests_evidence(reason)), now=now)
    return change.reviews[0]


def requests_evidence(reason):
    return domain.triggers.evidence(
        domain.Fact("carepath.followup.assessment-submitted.v1", str(uuid.uuid4()), T0),
        codes=[reason],
    )


# The trigger table ------------------------------------------------------------------------


def test_every_fact_of_the_trigger_table_is_one_follow_up_consumes():
    for model in domain.TRIGGERS:
        assert "followup" in REGISTRY.spec_for(model).consumers, model.event_type


def test_a_serious_adverse_event_opens_a_review_and_an_uneventful_infusion_does_not():
    (request,) = requests(infusion_data(3, T0, serious_adverse_event=True, session_id="s-3"))

    assert request.reason is ReviewTrigger.SERIOUS_ADVERSE_EVENT
    assert (request.evidence.session_id, request.evidence.course_id) == ("s-3", "course-1")
    assert requests(infusion_data(3, T0)) == []


@pytest.mark.parametrize("reason", list(SuspensionReason))
def test_every_suspended_course_opens_a_review_naming_why(reason):
    (request,) = requests(suspended_data(reason))

    assert request.reason is ReviewTrigger.COURSE_SUSPENDED
    assert request.evidence.codes == [reason.value]
    assert request.evidence.event_type == CourseSuspended.event_type


def test_a_serious_safety_alert_opens_a_review_and_a_minor_one_does_not():
    (request,) = requests(alert_data(SafetyAction.STOP))

    assert request.reason is ReviewTrigger.SAFETY_EVENT
    assert request.evidence.codes == ["spo2_low", "stop"]
    assert requests(alert_data(SafetyAction.PAUSE)) == []


@pytest.mark.parametrize(
    ("rule", "reviewed"),
    [
        (SafetyRule.MONITOR_SILENCE, True),
        (SafetyRule.SYSTOLIC_LOW, True),
        (SafetyRule.MEAN_ARTERIAL_PRESSURE_LOW, True),
        (SafetyRule.HEART_RATE_LOW, False),
        (SafetyRule.SYSTOLIC_HIGH, False),
    ],
)
def test_an_alert_whose_rule_the_protocol_sends_to_review_opens_one_whatever_its_action(
    rule, reviewed
):
    by_protocol = domain.TriggerPolicy(
        frozenset({SafetyAction.STOP}), frozenset(PROTOCOL.infusion_safety.review_rules)
    )
    data = alert_data(SafetyAction.NOTIFY, rule=rule)

    found = domain.review_requests(data, fact(data), by_protocol)

    assert [(r.reason, r.evidence.codes) for r in found] == (
        [(ReviewTrigger.SAFETY_EVENT, [rule.value, "notify"])] if reviewed else []
    )


def test_a_failed_discharge_opens_an_immediate_review_and_a_met_one_does_not():
    (request,) = requests(discharge_data(criteria_met=False))

    assert request.reason is ReviewTrigger.FAILED_DISCHARGE
    assert request.evidence.codes == ["escort_absent"]
    assert PROTOCOL.reviews.urgency_of(request.reason) is Urgency.IMMEDIATE
    assert requests(discharge_data(criteria_met=True)) == []


def test_an_urgent_safety_concern_at_screening_opens_an_urgent_review():
    concern = SafetyConcernRaised(
        concern=SafetyConcern.HIGH_SUICIDE_RISK,
        action=UrgentAction.ROUTE_TO_URGENT_CARE,
        raised_at=T0,
        protocol=PROTOCOL.ref,
    )

    (request,) = requests(concern)

    assert request.reason is ReviewTrigger.URGENT_SAFETY_CONCERN
    assert request.evidence.codes == ["high_suicide_risk", "route_to_urgent_care"]
    assert PROTOCOL.reviews.urgency_of(request.reason) is Urgency.URGENT


@pytest.mark.parametrize(
    ("deviations", "reasons", "urgencies"),
    [
        ([InfusionDeviation.DOSE_ABOVE_PLAN], [ReviewTrigger.DOSE_ABOVE_PLAN], [Urgency.URGENT]),
        ([InfusionDeviation.DOSE_BELOW_PLAN], [ReviewTrigger.DOSE_BELOW_PLAN], [Urgency.SOON]),
        (
            [InfusionDeviation.DURATION_BELOW_RANGE],
            [ReviewTrigger.INFUSION_DURATION_OUT_OF_RANGE],
            [Urgency.SOON],
        ),
        (
            [InfusionDeviation.DOSE_ABOVE_PLAN, InfusionDeviation.DURATION_ABOVE_RANGE],
            [ReviewTrigger.DOSE_ABOVE_PLAN, ReviewTrigger.INFUSION_DURATION_OUT_OF_RANGE],
            [Urgency.URGENT, Urgency.SOON],
        ),
    ],
)
def test_each_kind_of_infusion_deviation_opens_its_review(deviations, reasons, urgencies):
    found = requests(infusion_data(3, T0, session_id="s-3", deviations=deviations))

    assert [request.reason for request in found] == reasons
    assert [PROTOCOL.reviews.urgency_of(reason) for reason in reasons] == urgencies
    assert all(request.evidence.session_id == "s-3" for request in found)
    assert all(request.evidence.codes == sorted(deviations) for request in found)


def test_an_infusion_given_as_planned_opens_no_review():
    assert requests(infusion_data(3, T0, deviations=[])) == []


def test_a_planning_failure_opens_a_soon_review():
    failed = PlanningFailed(
        reason_code=PlanningFailure.NO_PLAN_FITS_CALENDAR,
        kind=SessionKind.INDUCTION,
        failed_at=T0,
        protocol=PROTOCOL.ref,
    )

    (request,) = requests(failed)

    assert request.reason is ReviewTrigger.PLANNING_FAILURE
    assert request.evidence.codes == ["no_plan_fits_calendar", "induction"]
    assert PROTOCOL.reviews.urgency_of(request.reason) is Urgency.SOON


# Opening and adding evidence ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("reason", "urgency", "hours"),
    [
        (ReviewTrigger.FAILED_DISCHARGE, Urgency.IMMEDIATE, 1),
        (ReviewTrigger.WORSENING, Urgency.URGENT, 4),
        (ReviewTrigger.COURSE_SUSPENDED, Urgency.SOON, 24),
        (ReviewTrigger.NON_RESPONSE, Urgency.ROUTINE, 7 * 24),
    ],
)
def test_a_trigger_opens_a_review_with_the_protocols_urgency_and_respond_by(reason, urgency, hours):
    request = domain.ReviewRequest(reason, requests_evidence(reason))

    change = opened(request)

    (event,) = change.events
    assert isinstance(event, ReviewOpened)
    assert (event.reason_code, event.urgency) == (reason, urgency)
    assert event.respond_by == T0 + timedelta(hours=hours)
    assert event.evidence == [request.evidence] and event.protocol == PROTOCOL.ref
    (timer,) = change.timers
    assert (timer.kind, timer.due_at) == (domain.TimerKind.REVIEW_RESPOND_BY, event.respond_by)


def test_a_repeated_trigger_adds_evidence_and_never_opens_a_second_review():
    review = new_review()
    again = domain.ReviewRequest(review.reason, requests_evidence(review.reason))

    change = opened(again, {review.reason: review}, now=T0 + HOUR)

    (updated,) = change.reviews
    (event,) = change.events
    assert isinstance(event, ReviewEvidenceAdded) and event.review_id == review.review_id
    assert updated.review_id == review.review_id
    assert updated.evidence == (*review.evidence, again.evidence)
    assert change.timers == ()  # the respond-by time stands


def test_the_same_fact_twice_changes_nothing():
    review = new_review()
    same = domain.ReviewRequest(review.reason, review.evidence[0])

    assert opened(same, {review.reason: review}) == domain.ReviewChange()


def test_another_trigger_opens_its_own_review():
    review = new_review(ReviewTrigger.WORSENING)
    other = domain.ReviewRequest(
        ReviewTrigger.COURSE_SUSPENDED, requests_evidence(ReviewTrigger.COURSE_SUSPENDED)
    )

    (event,) = opened(other, {review.reason: review}).events

    assert isinstance(event, ReviewOpened) and event.review_id != review.review_id


def test_evidence_is_capped_at_the_contracts_limit_keeping_the_first_fact():
    review = new_review()
    for _ in range(domain.reviews.EVIDENCE_LIMIT + 3):
        request = domain.ReviewRequest(review.reason, requests_evidence(review.reason))
        (review,) = opened(request, {review.reason: review}).reviews
        last = request.evidence

    assert len(review.evidence) == domain.reviews.EVIDENCE_LIMIT
    assert review.evidence[-1] == last


# Escalation ----------------------------------------------------------------------------------


def test_an_unanswered_urgent_review_is_overdue_once_then_immediate_with_a_new_respond_by():
    review = new_review(ReviewTrigger.WORSENING)
    at = review.respond_by

    change = domain.review_went_overdue(review, Urgency.URGENT, PROTOCOL, at)

    (event,) = change.events
    assert isinstance(event, ReviewOverdue)
    assert (event.urgency, event.respond_by, event.overdue_at) == (Urgency.URGENT, at, at)
    assert (event.escalated_to, event.next_respond_by) == (Urgency.IMMEDIATE, at + HOUR)
    (escalated,) = change.reviews
    assert (escalated.urgency, escalated.respond_by) == (Urgency.IMMEDIATE, at + HOUR)
    (timer,) = change.timers
    assert timer.due_at == at + HOUR and timer.key != review.timer_key
    again = domain.review_went_overdue(escalated, Urgency.URGENT, PROTOCOL, at + HOUR)
    assert again == domain.ReviewChange()  # the urgent timer's overdue is raised once


def test_an_overdue_immediate_review_is_reported_and_escalates_no_further():
    review = new_review(ReviewTrigger.FAILED_DISCHARGE)

    change = domain.review_went_overdue(review, Urgency.IMMEDIATE, PROTOCOL, review.respond_by)

    (event,) = change.events
    assert (event.escalated_to, event.next_respond_by) == (None, None)
    assert change.timers == ()
    assert change.reviews[0].urgency is Urgency.IMMEDIATE


def test_an_answered_review_is_never_overdue():
    review = replace(new_review(), status=domain.ReviewStatus.RESOLVED)

    assert domain.review_went_overdue(review, review.urgency, PROTOCOL, review.respond_by) == (
        domain.ReviewChange()
    )
