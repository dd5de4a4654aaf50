"""Infusion's FHIR view of a course driven through its own handlers (no broker): CarePlan,
Appointments, MedicationAdministrations (dose, rate, duration), LOINC-coded vitals, alert Flags
and an AdverseEvent, all valid FHIR R4; clinicians only; 404 for a patient without a course."""

from datetime import datetime, timedelta

import pytest

from carepath_contracts import Vitals
from carepath_infusion import InfusionSettings, create_app
from carepath_runtime.clock import ManualClock
from carepath_testing.fhir import resources_of, validate_bundle
from carepath_testing.offline import consume, offline
from carepath_testing.service import static_tokens

from .builders import (
    MONDAY,
    PROTOCOL,
    checked_in,
    discharged,
    ended,
    new_patient_id,
    screened,
    vitals,
)

TOKENS = {"clinician": "fhir-clinician", "integration": "fhir-integration", "operator": "fhir-ops"}
SYSTOLIC = next(a for a in PROTOCOL.infusion_safety.alerts if a.rule == "systolic_high")
HIGH_BP = Vitals(systolic_mmhg=165, diastolic_mmhg=95, heart_rate_bpm=80, spo2_percent=97)


@pytest.fixture
def clock():
    return ManualClock(MONDAY)


@pytest.fixture
async def infusion(tmp_path, clock):
    settings = InfusionSettings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'infusion.db'}",
        tokens=static_tokens(TOKENS),
    )
    app = create_app(settings, clock=clock)
    async with offline(app, TOKENS["clinician"]) as client:
        yield app, client


async def sessions_of(client, patient_id):
    view = await client.get(f"/v1/patients/{patient_id}")
    assert view.status_code == 200, view.text
    return view.json()["sessions"]


async def fhir_bundle(client, patient_id):
    reply = await client.get(f"/v1/patients/{patient_id}/fhir")
    assert reply.status_code == 200, reply.text
    assert reply.headers["content-type"] == "application/fhir+json"
    return reply.json()


async def test_a_course_with_an_alert_a_deferral_and_a_serious_adverse_event_is_valid_fhir(
    infusion, clock
):
    app, client = infusion
    patient = new_patient_id()
    await consume(app, screened(patient, MONDAY))
    first, second, *_ = await sessions_of(client, patient)
    start = _at(first["scheduled_for"])
    clock.set(start)
    high = int(SYSTOLIC.threshold) + 6
    await consume(
        app,
        checked_in(patient, first["session_id"], start),
        vitals(patient, first["session_id"], start + timedelta(minutes=10), systolic=high),
        ended(patient, first["session_id"], start + timedelta(minutes=40), dose_given_mg=41.3),
        discharged(patient, first["session_id"], start + timedelta(minutes=170)),
    )
    clock.set(_at(second["scheduled_for"]))
    await consume(app, checked_in(patient, second["session_id"], clock.now(), vitals=HIGH_BP))
    third = next(s for s in await sessions_of(client, patient) if s["status"] == "scheduled")
    clock.set(_at(third["scheduled_for"]))
    await consume(
        app,
        checked_in(patient, third["session_id"], clock.now()),
        ended(patient, third["session_id"], clock.now() + timedelta(minutes=40),
              serious_adverse_event=True),
    )  # fmt: skip

    bundle = await fhir_bundle(client, patient)

    counts = validate_bundle(bundle, closed=True, outside=("Patient",))
    booked = await sessions_of(client, patient)
    assert counts == {
        "CarePlan": 1,
        "Appointment": len(booked),
        "MedicationAdministration": 2,
        "Observation": 2 * 4 + 1,  # two check-in panels (4 each), the alert's reading
        "Flag": 1,
        "AdverseEvent": 1,
    }
    (plan,) = resources_of(bundle, "CarePlan")
    assert plan["status"] == "on-hold"  # suspended: the serious adverse event
    dose = plan["activity"][0]["detail"]
    assert dose["statusReason"]["coding"][0]["code"] == "serious_adverse_event"
    given = {
        a["identifier"][0]["value"]: a for a in resources_of(bundle, "MedicationAdministration")
    }
    infusion_one = given[first["session_id"]]
    assert infusion_one["dosage"]["dose"]["value"] == 41.3
    assert infusion_one["dosage"]["rateQuantity"] == {
        "value": 1.03, "unit": "mg/min", "system": "http://unitsofmeasure.org", "code": "mg/min"
    }  # fmt: skip
    period = infusion_one["effectivePeriod"]
    assert _at(period["end"]) - _at(period["start"]) == timedelta(minutes=40)
    status = {a["identifier"][0]["value"]: a["status"] for a in resources_of(bundle, "Appointment")}
    assert (status[first["session_id"]], status[second["session_id"]]) == ("fulfilled", "cancelled")
    deferred = next(a for a in resources_of(bundle, "Appointment") if a["status"] == "cancelled")
    assert "cancelationReason" in deferred
    (flag,) = resources_of(bundle, "Flag")
    assert flag["code"]["coding"][0]["code"] == "systolic_high"
    assert flag["status"] == "inactive"  # the patient was discharged
    reading = next(o for o in resources_of(bundle, "Observation") if "alert" in o["id"])
    assert reading["code"]["coding"] == [{"system": "http://loinc.org", "code": "8480-6"}]
    assert reading["valueQuantity"]["value"] == high
    (adverse,) = resources_of(bundle, "AdverseEvent")
    assert adverse["suspectEntity"][0]["instance"]["reference"].startswith(
        "MedicationAdministration/"
    )


async def test_an_alert_is_an_active_flag_while_the_patient_is_still_in_the_chair(infusion, clock):
    app, client = infusion
    patient = new_patient_id()
    await consume(app, screened(patient, MONDAY))
    first, *_ = await sessions_of(client, patient)
    start = _at(first["scheduled_for"])
    clock.set(start)
    await consume(
        app,
        checked_in(patient, first["session_id"], start),
        vitals(patient, first["session_id"], start + timedelta(minutes=10), spo2=88),
    )
    bundle = await fhir_bundle(client, patient)
    validate_bundle(bundle, closed=True, outside=("Patient",))
    (flag,) = resources_of(bundle, "Flag")
    assert (flag["status"], flag["code"]["coding"][0]["code"]) == ("active", "spo2_low")


async def test_an_alert_on_the_infusion_record_is_a_flag_without_a_vital_sign_reading(
    infusion, clock
):
    app, client = infusion
    patient = new_patient_id()
    await consume(app, screened(patient, MONDAY))
    first, *_ = await sessions_of(client, patient)
    start = _at(first["scheduled_for"])
    clock.set(start)
    await consume(
        app,
        checked_in(patient, first["session_id"], start),
        ended(patient, first["session_id"], start + timedelta(minutes=25), duration_minutes=25),
    )
    bundle = await fhir_bundle(client, patient)
    validate_bundle(bundle, closed=True, outside=("Patient",))
    (flag,) = resources_of(bundle, "Flag")
    assert flag["code"]["coding"][0]["code"] == "infusion_too_fast"
    assert not [o for o in resources_of(bundle, "Observation") if o["id"].startswith("alert")]
    (given,) = resources_of(bundle, "MedicationAdministration")
    period = given["effectivePeriod"]
    assert _at(period["end"]) - _at(period["start"]) == timedelta(minutes=25)


@pytest.mark.parametrize("role", ["integration", "operator"])
async def test_only_clinicians_may_read_the_fhir_view(infusion, role):
    app, client = infusion
    patient = new_patient_id()
    await consume(app, screened(patient, MONDAY))
    reply = await client.get(
        f"/v1/patients/{patient}/fhir", headers={"Authorization": f"Bearer {TOKENS[role]}"}
    )
    assert reply.status_code == 403


async def test_a_patient_without_a_course_is_404_naming_the_patient(infusion):
    _, client = infusion
    reply = await client.get("/v1/patients/pt-never-screened/fhir")
    assert reply.status_code == 404
    assert "pt-never-screened" in reply.json()["detail"]


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text)
