"""The pathway on the real broker: the HTTP view, and a worsening patient's urgent review
reaching the bus. The rules (safety reviews, completion, withdrawal, therapy) run offline in
test_handlers_pathway.py."""

import httpx
import pytest

from carepath_contracts import (
    AssessmentScored,
    ClinicalReviewRequired,
    ReviewOpened,
    ReviewTrigger,
    Urgency,
)

from .builders import (
    HOUR,
    PROTOCOL,
    T0,
    event,
    new_patient,
    screened_data,
    submission_data,
)
from .bus import followup_events, of_type, patient_view, publish, until_known

pytestmark = pytest.mark.kafka


async def screened_patient(client, bootstrap, prefix, baseline_total=52):
    patient, pathway = new_patient()
    await publish(bootstrap, prefix, event(screened_data(baseline_total), patient, pathway))
    await until_known(client, patient)
    return patient, pathway


async def test_the_patient_view_needs_a_token_and_names_an_unknown_patient(service):
    app, client = service
    anonymous = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://x")

    async with anonymous:
        unauthorised = await anonymous.get("/v1/patients/p-unknown")
    unknown = await client.get("/v1/patients/p-unknown")

    assert unauthorised.status_code == 401
    assert unknown.status_code == 404
    assert "no follow-up pathway for patient p-unknown" in unknown.json()["detail"]


async def test_worsening_reaches_the_bus_as_an_urgent_review_and_shows_in_the_trajectory(
    service, kafka_bootstrap, topic_prefix
):
    _, client = service
    patient, pathway = await screened_patient(client, kafka_bootstrap, topic_prefix, 40)
    worse = event(submission_data(40 + PROTOCOL.decisions.worsening_points, T0), patient, pathway)

    await publish(kafka_bootstrap, topic_prefix, worse)
    events = await followup_events(
        kafka_bootstrap, topic_prefix, lambda got: of_type(got, ReviewOpened)
    )

    (scored,) = of_type(events, AssessmentScored)
    (review,) = of_type(events, ReviewOpened)
    assert (review.data.reason_code, review.data.urgency) == (
        ReviewTrigger.WORSENING,
        Urgency.URGENT,
    )
    assert review.data.respond_by == T0 + 4 * HOUR
    assert [item.total for (fact,) in [review.data.evidence] for item in fact.scores] == [40, 50]
    assert review.data.protocol == PROTOCOL.ref
    assert review.causationid == worse.id and scored.causationid == worse.id
    assert of_type(events, ClinicalReviewRequired) == []  # superseded by review-opened
    view = await patient_view(client, patient)
    assert [(p["total"], p["change_from_baseline"]) for p in view["trajectory"]] == [(50, 10)]
    assert [(r["reason"], r["status"]) for r in view["reviews"]] == [("worsening", "open")]
