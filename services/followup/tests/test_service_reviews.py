"""The review loop on the real broker: a trigger opens one review, silence escalates it."""

import httpx
import pytest

from carepath_contracts import (
    MaintenanceRecommended,
    PathwayCompleted,
    PathwayEnd,
    ReviewEvidenceAdded,
    ReviewOpened,
    ReviewOutcome,
    ReviewOutcomeRecorded,
    ReviewOutcomeSubmitted,
    ReviewOverdue,
    ReviewTrigger,
    SafetyConcern,
    SafetyConcernRaised,
    SessionKind,
    Urgency,
    UrgentAction,
)
from carepath_runtime import deadletters
from carepath_testing.kafka_io import header
from carepath_testing.offline import move_clock_to

from .builders import (
    DAY,
    HOUR,
    PROTOCOL,
    T0,
    discharge_data,
    event,
    infusion_data,
    new_patient,
    submission_data,
)
from .bus import (
    dead_letters,
    followup_events,
    infusions_given,
    of_type,
    patient_view,
    publish,
)
from .test_service_pathway import screened_patient

pytestmark = pytest.mark.kafka

WORSE = 40 + PROTOCOL.decisions.worsening_points
SERIES = PROTOCOL.maintenance.series_infusions


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


async def test_a_clinicians_outcome_over_http_starts_a_maintenance_series_that_runs_and_ends(
    service, kafka_bootstrap, topic_prefix
):
    """The loop on the real broker: worsening → urgent review → the clinician starts
    maintenance over HTTP → each maintenance infusion asks for the next → the last ends it."""
    _, client = service
    patient, pathway = await screened_patient(client, kafka_bootstrap, topic_prefix, 40)
    await infusions_given(
        kafka_bootstrap,
        topic_prefix,
        patient,
        pathway,
        infusion_data(1, T0),
        infusion_data(6, T0 + 14 * DAY, last=True),
    )
    worse = event(submission_data(WORSE, T0 + 20 * DAY), patient, pathway)
    await publish(kafka_bootstrap, topic_prefix, worse)
    await followup_events(kafka_bootstrap, topic_prefix, lambda got: of_type(got, ReviewOpened))

    listed = await client.get("/v1/reviews", params={"urgency": "urgent"})
    assert listed.status_code == 200, listed.text
    (waiting,) = [r for r in listed.json() if r["patient_id"] == patient]
    review_id = waiting["review_id"]
    too_often = await client.post(
        f"/v1/reviews/{review_id}/outcome",
        json={"outcome": "start_maintenance", "maintenance_interval_days": 7},
    )
    answered = await client.post(
        f"/v1/reviews/{review_id}/outcome",
        json={"outcome": "start_maintenance", "maintenance_interval_days": 14},
    )
    again = await client.post(f"/v1/reviews/{review_id}/outcome", json={"outcome": "discharge"})

    assert too_often.status_code == 409 and "outside the protocol's 14-28" in too_often.text
    assert answered.status_code == 200, answered.text
    assert (answered.json()["outcome"], answered.json()["decided_by"]) == (
        "start_maintenance",
        "clin-1",  # the clinician token's subject: who acted is the caller, never the form
    )
    assert again.status_code == 409 and "already answered" in again.text
    events = await followup_events(
        kafka_bootstrap, topic_prefix, lambda got: of_type(got, MaintenanceRecommended)
    )
    (recorded,) = of_type(events, ReviewOutcomeRecorded)
    assert (recorded.data.maintenance_interval_days, recorded.data.maintenance_infusions) == (
        14,
        SERIES,
    )
    (first,) = of_type(events, MaintenanceRecommended)
    assert (first.data.interval_days, first.data.reason_code) == (14, "clinical_review")

    for number in range(1, SERIES + 1):
        given = infusion_data(
            6 + number, T0 + (20 + 14 * number) * DAY, kind=SessionKind.MAINTENANCE
        )
        await publish(kafka_bootstrap, topic_prefix, event(given, patient, pathway))
    events = await followup_events(
        kafka_bootstrap, topic_prefix, lambda got: of_type(got, PathwayCompleted)
    )

    assert len(of_type(events, MaintenanceRecommended)) == SERIES  # the first + 5 more
    (completed,) = of_type(events, PathwayCompleted)
    assert completed.data.ended_by is PathwayEnd.MAINTENANCE_SERIES_COMPLETED
    view = await patient_view(client, patient)
    assert (view["status"], view["maintenance_given"]) == ("completed", SERIES)


async def test_another_system_records_an_outcome_on_the_inbound_topic_and_bad_ones_are_refused(
    service, kafka_bootstrap, topic_prefix
):
    app, client = service
    patient, pathway = await screened_patient(client, kafka_bootstrap, topic_prefix, 40)
    await publish(kafka_bootstrap, topic_prefix, event(discharge_data(False), patient, pathway))
    (opened,) = of_type(
        await followup_events(kafka_bootstrap, topic_prefix, lambda g: of_type(g, ReviewOpened)),
        ReviewOpened,
    )
    outcome = ReviewOutcomeSubmitted(
        review_id=opened.data.review_id,
        outcome=ReviewOutcome.CONTINUE_MONITORING,
        decided_by="clin-7",
        decided_at=T0 + HOUR,
    )
    unknown = outcome.model_copy(update={"review_id": "rev-unknown"})

    submitted = event(outcome, patient, pathway)
    await publish(kafka_bootstrap, topic_prefix, submitted, event(unknown, patient, pathway))
    events = await followup_events(
        kafka_bootstrap, topic_prefix, lambda got: of_type(got, ReviewOutcomeRecorded)
    )
    (letter,) = await dead_letters(kafka_bootstrap, topic_prefix, 1)

    (recorded,) = of_type(events, ReviewOutcomeRecorded)
    assert (recorded.data.decided_by, recorded.causationid) == ("clin-7", submitted.id)
    assert "no review rev-unknown" in header(letter, deadletters.ERROR_MESSAGE)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),
        base_url="http://x",
        headers={"Authorization": "Bearer integration-token-for-tests"},
    ) as integration:
        forbidden = await integration.get("/v1/reviews")
    missing = await client.get("/v1/reviews/rev-unknown")
    assert forbidden.status_code == 403 and missing.status_code == 404
