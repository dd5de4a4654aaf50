"""Every scenario's patient, after a whole pathway through the three services as processes,
as one FHIR Bundle merged from the three services' own Bundles (as `carepath fhir pathway`
builds it): every resource valid FHIR R4, every reference inside the Bundle, the personal
details only in intake's Patient, and what each scenario must show."""

import asyncio
import json
from collections import Counter
from datetime import UTC, datetime

import pytest
from typer.testing import CliRunner

from carepath_cli.inspection.fhir import pathway_bundle
from carepath_cli.main import app as carepath
from carepath_contracts import default_protocol
from carepath_simulator.scenarios import Scenario
from carepath_testing.fhir import resources_of, validate_bundle

pytestmark = [pytest.mark.kafka, pytest.mark.e2e]
SERVICES = ("intake", "infusion", "followup")


@pytest.fixture(scope="module")
def bundles(stack, pathways) -> dict[Scenario, dict]:
    result, _, _ = pathways
    urls = {name: stack.service(name).url for name in SERVICES}
    token = stack.tokens["clinician"]

    async def fetch_all() -> dict[Scenario, dict]:
        return {
            patient.script.scenario: await pathway_bundle(
                urls, token, patient.patient_id, at=datetime.now(UTC)
            )
            for patient in result.patients
        }

    return asyncio.run(fetch_all())


def codes(resources, path: str) -> set[str]:
    found = set()
    for resource in resources:
        value = resource
        for step in path.split("."):
            value = value[int(step)] if isinstance(value, list) else value[step]
        found.update(coding["code"] for coding in value["coding"])
    return found


def test_every_patients_pathway_is_one_valid_closed_bundle(bundles, capsys):
    counts = {scenario: validate_bundle(b, closed=True) for scenario, b in bundles.items()}
    for scenario, bundle in bundles.items():
        (patient,) = resources_of(bundle, "Patient")
        assert patient["name"] and patient["birthDate"], scenario
        assert bundle["entry"][0]["resource"] is not None
        assert bundle["entry"][0]["resource"]["resourceType"] == "Patient"
    total = sum(counts.values(), Counter())
    with capsys.disabled():  # into the CI log, whatever the capture mode
        kinds = sorted(total)
        print("\nFHIR pathway Bundles, validated (fhir.resources R4B), by scenario:")
        print(f"{'scenario':<22} " + " ".join(f"{kind[:12]:>12}" for kind in kinds))
        for scenario, found in counts.items():
            print(f"{scenario:<22} " + " ".join(f"{found[kind]:>12}" for kind in kinds))
        print(f"{'all':<22} " + " ".join(f"{total[kind]:>12}" for kind in kinds))
    assert set(total) >= {
        "Patient", "ServiceRequest", "QuestionnaireResponse", "Observation", "CarePlan",
        "Appointment", "MedicationAdministration", "Flag", "Task",
    }  # fmt: skip


def test_an_ineligible_patient_is_only_what_intake_knows(bundles):
    bundle = bundles[Scenario.INELIGIBLE]
    assert set(validate_bundle(bundle)) == {
        "Patient", "ServiceRequest", "QuestionnaireResponse", "Observation"
    }  # fmt: skip
    (request,) = resources_of(bundle, "ServiceRequest")
    assert request["status"] == "revoked"


PROTOCOL = default_protocol()


def test_a_responder_has_six_infusions_a_maintenance_series_and_scored_follow_up(bundles):
    bundle = bundles[Scenario.RESPONDER_MAINTENANCE]
    plans = codes(resources_of(bundle, "CarePlan"), "category.0")
    assert plans == {"induction-course", "maintenance-series", "follow-up"}
    given = resources_of(bundle, "MedicationAdministration")
    # six induction infusions and the maintenance series
    assert len(given) == PROTOCOL.course.induction_sessions + PROTOCOL.maintenance.series_infusions
    for administration in given:
        dosage = administration["dosage"]
        assert dosage["dose"]["code"] == "mg" and dosage["rateQuantity"]["code"] == "mg/min"
        assert set(administration["effectivePeriod"]) == {"start", "end"}
    responses = resources_of(bundle, "QuestionnaireResponse")
    assert len(responses) >= 5  # screening and follow-up PCL-5s (and IES-Rs)


def test_a_safety_alert_is_a_flag_with_the_loinc_coded_reading(bundles):
    bundle = bundles[Scenario.SAFETY_ALERT]
    flags = resources_of(bundle, "Flag")
    assert flags and all(flag["status"] == "inactive" for flag in flags)  # all discharged
    readings = [o for o in resources_of(bundle, "Observation") if o["id"].startswith("alert")]
    assert len(readings) == len(flags)


def test_a_deferral_is_a_cancelled_appointment_with_its_reason(bundles):
    appointments = resources_of(bundles[Scenario.DEFERRED_HIGH_BP], "Appointment")
    cancelled = [a for a in appointments if a["status"] == "cancelled"]
    assert cancelled and all("cancelationReason" in a for a in cancelled)


def test_a_missed_session_is_a_no_show(bundles):
    appointments = resources_of(bundles[Scenario.MISSED_SESSION], "Appointment")
    assert [a["status"] for a in appointments].count("noshow") == 1


def test_reviews_are_tasks_with_their_trigger(bundles):
    worsening = resources_of(bundles[Scenario.WORSENING], "Task")
    assert "worsening" in codes(worsening, "reasonCode")
    non_response = resources_of(bundles[Scenario.NON_RESPONDER], "Task")
    assert "non_response" in codes(non_response, "reasonCode")


def test_a_withdrawn_patient_has_a_revoked_referral_and_care_plans(bundles):
    bundle = bundles[Scenario.WITHDRAWAL]
    (request,) = resources_of(bundle, "ServiceRequest")
    assert request["status"] == "revoked"
    assert {plan["status"] for plan in resources_of(bundle, "CarePlan")} == {"revoked"}


def test_the_carepath_fhir_command_prints_the_merged_bundle(stack, pathways, bundles):
    result, _, _ = pathways
    (patient,) = [p for p in result.patients if p.script.scenario == Scenario.SAFETY_ALERT]
    urls = [f"--{name}={stack.service(name).url}" for name in SERVICES]
    run = CliRunner().invoke(
        carepath, ["fhir", "pathway", patient.patient_id, *urls],
        env={"CAREPATH_CLINICIAN_TOKEN": stack.tokens["clinician"]},
    )  # fmt: skip
    assert run.exit_code == 0, run.output
    printed = json.loads(run.stdout)
    validate_bundle(printed, closed=True)
    expected = bundles[Scenario.SAFETY_ALERT]
    assert [e["fullUrl"] for e in printed["entry"]] == [e["fullUrl"] for e in expected["entry"]]
    assert "Flag 1" in run.stderr
