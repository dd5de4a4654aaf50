"""The review loop on the real broker: a trigger opens one review, silence escalates it."""

import pytest

from carepath_contracts import (
    ReviewEvidenceAdded,
    ReviewOpened,
    ReviewOverdue,
    ReviewTrigger,
    SafetyConcern,
    SafetyConcernRaised,
    Urgency,
    UrgentAction,
)

from .builders import HOUR, PROTOCOL, T0, discharge_data, event, new_patient, submission_data
from .bus import followup_events, move_clock_to, of_type, patient_view, publish
from .test_service_pathway import screened_patient

pytestmark = pytest.mark.kafka

WORSE = 40 + PROTOCOL.decisions.worsening_points


async def test_an_unanswered_urgent_review_escalates_at_its_respond_by_time(
    service, clock, kafka_bootstrap, topic_prefix
):
    app, client = service
    patient, pathway = await screened_patient(client, kafka_bootstrap, topic_prefix, 40)
    await publish(
        kafka_bootstrap, topic_prefix, event(submission_data(WORSE, T0), patient, pathway)
    )
    (opened,) = of_type(
        await followup_events(kafka_bootstrap, topic_prefix, lambda g: of_type(g, ReviewOpened)),
        ReviewOpened,
    )
    respond_by = opened.data.respond_by
    assert (opened.data.urgency, respond_by) == (Urgency.URGENT, T0 + 4 * HOUR)

    await move_clock_to(app, clock, respond_by - HOUR / 60)
    await move_clock_to(app, clock, respond_by)
    events = await followup_events(
        kafka_bootstrap, topic_prefix, lambda got: of_type(got, ReviewOverdue)
    )

    (overdue,) = of_type(events, ReviewOverdue)
    assert overdue.data.review_id == opened.data.review_id
    assert (overdue.data.urgency, overdue.data.overdue_at) == (Urgency.URGENT, respond_by)
    assert (overdue.data.escalated_to, overdue.data.next_respond_by) == (
        Urgency.IMMEDIATE,
        respond_by + HOUR,
    )
    view = await patient_view(client, patient)
    (review,) = view["reviews"]
    assert (review["urgency"], review["overdue_count"]) == ("immediate", 1)

    await move_clock_to(app, clock, respond_by + HOUR)
    events = await followup_events(
        kafka_bootstrap, topic_prefix, lambda got: len(of_type(got, ReviewOverdue)) == 2
    )
    last = of_type(events, ReviewOverdue)[-1]
    assert (last.data.urgency, last.data.escalated_to) == (Urgency.IMMEDIATE, None)


async def test_a_repeated_trigger_is_evidence_on_the_open_review_and_a_failed_discharge_opens_one(
    service, kafka_bootstrap, topic_prefix
):
    _, client = service
    patient, pathway = await screened_patient(client, kafka_bootstrap, topic_prefix, 40)
    first = event(submission_data(WORSE, T0), patient, pathway)
    second = event(submission_data(WORSE + 1, T0 + HOUR), patient, pathway)
    failed = event(discharge_data(criteria_met=False), patient, pathway)

    await publish(kafka_bootstrap, topic_prefix, first, second, failed)
    events = await followup_events(
        kafka_bootstrap, topic_prefix, lambda got: len(of_type(got, ReviewOpened)) == 2
    )

    assert [(e.data.reason_code, e.data.urgency) for e in of_type(events, ReviewOpened)] == [
        (ReviewTrigger.WORSENING, Urgency.URGENT),
        (ReviewTrigger.FAILED_DISCHARGE, Urgency.IMMEDIATE),
    ]
    (added,) = of_type(events, ReviewEvidenceAdded)
    assert added.data.evidence.event_id == second.id and added.causationid == second.id


async def test_an_urgent_safety_concern_at_screening_opens_an_urgent_review_without_a_pathway(
    service, kafka_bootstrap, topic_prefix
):
    patient, pathway = new_patient()  # ineligible: follow-up never opens a pathway
    concern = SafetyConcernRaised(
        concern=SafetyConcern.HIGH_SUICIDE_RISK,
        action=UrgentAction.ROUTE_TO_URGENT_CARE,
        raised_at=T0,
        protocol=PROTOCOL.ref,
    )
    raised = event(concern, patient, pathway)

    await publish(kafka_bootstrap, topic_prefix, raised)
    events = await followup_events(
        kafka_bootstrap,
        topic_prefix,
        lambda got: [e for e in of_type(got, ReviewOpened) if e.subject == patient],
    )

    (opened,) = [e for e in of_type(events, ReviewOpened) if e.subject == patient]
    assert (opened.data.reason_code, opened.data.urgency) == (
        ReviewTrigger.URGENT_SAFETY_CONCERN,
        Urgency.URGENT,
    )
    assert opened.data.respond_by == opened.data.opened_at + 4 * HOUR
    assert opened.causationid == raised.id and opened.correlationid == pathway
