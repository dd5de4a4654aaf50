"""Follow-up's FHIR view of a pathway driven through its own handlers (no broker): the
CarePlan, PCL-5 and IES-R answers (item numbers and scores only) with their scores, a review
as a Task; valid FHIR R4; clinicians only; 404 for a patient follow-up has not seen."""

import pytest

from carepath_contracts import Instrument, Timepoint
from carepath_followup import FollowupSettings, create_app
from carepath_followup.domain import assessment_id_for
from carepath_runtime.clock import ManualClock
from carepath_testing.fhir import resources_of, validate_bundle
from carepath_testing.offline import consume, offline
from carepath_testing.service import static_tokens

from .builders import (
    HOUR,
    T0,
    attended_data,
    event,
    infusion_data,
    new_patient,
    pcl5_items,
    screened_data,
    submission_data,
)

TOKENS = {"clinician": "fhir-clinician", "integration": "fhir-integration", "operator": "fhir-ops"}
IESR_ITEMS = [n % 5 for n in range(22)]


@pytest.fixture
async def followup(tmp_path):
    settings = FollowupSettings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'followup.db'}",
        tokens=static_tokens(TOKENS),
    )
    app = create_app(settings, clock=ManualClock(T0))
    async with offline(app, TOKENS["clinician"]) as client:
        yield app, client


async def fhir_bundle(client, patient_id):
    reply = await client.get(f"/v1/patients/{patient_id}/fhir")
    assert reply.status_code == 200, reply.text
    assert reply.headers["content-type"] == "application/fhir+json"
    return reply.json()


async def test_assessments_therapy_and_a_review_are_valid_fhir(followup):
    app, client = followup
    patient, pathway = new_patient()
    first = infusion_data(1, T0)
    await consume(app, event(screened_data(52), patient, pathway))
    await consume(app, event(first, patient, pathway, time=T0))
    view = (await client.get(f"/v1/patients/{patient}")).json()
    (therapy,) = view["therapy_sessions"]
    after_first = assessment_id_for(patient, Timepoint.AFTER_FIRST_INFUSION)
    worse = pcl5_items(64)  # 12 above baseline: an urgent review
    await consume(
        app,
        event(attended_data(therapy["therapy_session_id"], T0 + 48 * HOUR), patient, pathway),
        event(submission_data(items=worse, at=T0 + 25 * HOUR, assessment_id=after_first),
              patient, pathway),
        event(submission_data(items=IESR_ITEMS, at=T0 + 26 * HOUR, instrument=Instrument.IESR),
              patient, pathway),
    )  # fmt: skip

    bundle = await fhir_bundle(client, patient)

    counts = validate_bundle(bundle, closed=True, outside=("Patient",))
    assert counts == {"CarePlan": 1, "QuestionnaireResponse": 2, "Observation": 2, "Task": 1}
    answers = {
        r["questionnaire"].rsplit("/", 1)[1]: r
        for r in resources_of(bundle, "QuestionnaireResponse")
    }
    assert [i["answer"][0]["valueInteger"] for i in answers["pcl5"]["item"]] == worse
    assert [i["linkId"] for i in answers["iesr"]["item"]] == [str(n) for n in range(1, 23)]
    assert all("text" not in item for r in answers.values() for item in r["item"])
    pcl5 = next(o for o in resources_of(bundle, "Observation") if o["valueInteger"] == 64)
    components = {c["code"]["coding"][0]["code"]: c for c in pcl5["component"]}
    assert components["change-from-baseline"]["valueInteger"] == 12
    assert components["response"]["valueBoolean"] is False
    assert pcl5["extension"][0]["valueCoding"]["code"] == "after_first_infusion"
    (plan,) = resources_of(bundle, "CarePlan")
    details = [activity["detail"] for activity in plan["activity"]]
    statuses = {d["code"]["coding"][0]["code"]: d["status"] for d in details}
    assert statuses[therapy["modality"]] == "completed"
    (submitted,) = [a for a in plan["activity"] if "outcomeReference" in a]
    assert submitted["outcomeReference"] == [{"reference": f"Observation/{pcl5['id']}"}]
    (task,) = resources_of(bundle, "Task")
    assert (task["status"], task["reasonCode"]["coding"][0]["code"]) == ("requested", "worsening")
    assert task["priority"] == "asap"  # urgent: 4 hours
    assert task["for"]["identifier"]["value"] == patient


async def test_a_pathway_just_opened_is_its_care_plan(followup):
    app, client = followup
    patient, pathway = new_patient()
    await consume(app, event(screened_data(52), patient, pathway))
    bundle = await fhir_bundle(client, patient)
    assert validate_bundle(bundle, closed=True, outside=("Patient",)) == {"CarePlan": 1}


@pytest.mark.parametrize("role", ["integration", "operator"])
async def test_only_clinicians_may_read_the_fhir_view(followup, role):
    app, client = followup
    patient, pathway = new_patient()
    await consume(app, event(screened_data(52), patient, pathway))
    as_role = {"Authorization": f"Bearer {TOKENS[role]}"}
    assert (await client.get(f"/v1/patients/{patient}/fhir", headers=as_role)).status_code == 403


async def test_a_patient_follow_up_has_not_seen_is_404_naming_the_patient(followup):
    _, client = followup
    reply = await client.get("/v1/patients/p-unknown-here/fhir")
    assert reply.status_code == 404
    assert "p-unknown-here" in reply.json()["detail"]
