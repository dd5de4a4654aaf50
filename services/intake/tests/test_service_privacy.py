"""No personal detail ever reaches Kafka: the raw bytes of every intake topic are searched."""

from datetime import date

import pytest

from carepath_contracts import (
    INTAKE_DLQ,
    INTAKE_EVENTS,
    INTAKE_INBOUND,
    ConsentWithdrawn,
    ReviewDecided,
    ReviewDecision,
)
from carepath_testing.kafka_io import produce_events, read_to_end, read_until
from carepath_testing.service import running

from .builders import NOW
from .harness import (
    CLINICIAN_TOKEN,
    inbound,
    intake_app,
    intake_events_until,
    referral_form,
    screening_form,
)

pytestmark = pytest.mark.kafka


def personal_needles(form: dict) -> set[str]:
    """Every way a detail could be written: names, contact, agency, date of birth formats."""
    born = date.fromisoformat(form["date_of_birth"])
    digits = "".join(ch for ch in form["phone"] if ch.isdigit())
    return {
        form["given_name"],
        form["family_name"],
        form["email"],
        form["phone"],
        digits,
        digits[-7:],
        form["agency"],
        born.isoformat(),
        born.strftime("%d/%m/%Y"),
        born.strftime("%m/%d/%Y"),
        born.strftime("%d.%m.%Y"),
        born.strftime("%Y%m%d"),
        born.strftime("%Y/%m/%d"),
        born.strftime("%d-%m-%Y"),
        born.strftime("%d %b %Y"),
        born.strftime("%B %d, %Y"),
    }


def raw_bytes(record) -> bytes:
    headers = b"".join(name.encode() + (value or b"") for name, value in record.headers or ())
    return (record.key or b"") + (record.value or b"") + headers


async def test_no_personal_detail_of_a_referral_is_in_any_intake_topic(
    kafka_bootstrap, topic_prefix, database_url
):
    form = referral_form()
    conflicting = referral_form(external_referral_id=form["external_referral_id"])
    async with running(
        intake_app(kafka_bootstrap, topic_prefix, database_url), CLINICIAN_TOKEN
    ) as client:
        referred = await client.post("/v1/referrals", json=form)
        patient_id, pathway_id = referred.json()["patient_id"], referred.json()["pathway_id"]
        refused = await client.post("/v1/referrals", json=conflicting)
        needs_review = screening_form(history=["mild_or_moderate_substance_use"])
        await client.post(f"/v1/patients/{patient_id}/screening", json=needs_review)
        approve = ReviewDecided(
            decision="approved",
            reason_code="caution_acceptable",
            clinician_id="c-1",
            decided_at=NOW,
        )
        decline = approve.model_copy(update={"decision": ReviewDecision.DECLINED})
        await produce_events(
            kafka_bootstrap,
            [
                inbound(approve, patient_id, pathway_id),
                inbound(decline, patient_id, pathway_id),  # contradicts: dead-lettered
                inbound(ConsentWithdrawn(withdrawn_at=NOW), patient_id, pathway_id),
            ],
            topic_prefix,
        )
        await intake_events_until(kafka_bootstrap, topic_prefix, patient_id, "patient-withdrawn")
        await read_until(kafka_bootstrap, topic_prefix + INTAKE_DLQ.name, lambda got: len(got) >= 1)
        records = {
            topic.name: await read_to_end(kafka_bootstrap, topic_prefix + topic.name)
            for topic in (INTAKE_INBOUND, INTAKE_EVENTS, INTAKE_DLQ)
        }

    assert refused.status_code == 409
    # The scan means something only if the patient's records are all there.
    about_patient = {
        name: [r for r in topic_records if r.key == patient_id.encode()]
        for name, topic_records in records.items()
    }
    assert [len(about_patient[t.name]) for t in (INTAKE_INBOUND, INTAKE_EVENTS, INTAKE_DLQ)] == [
        3,
        4,
        1,
    ]
    needles = personal_needles(form) | personal_needles(conflicting)
    for name, topic_records in records.items():
        for record in topic_records:
            found = {
                needle for needle in needles if needle.lower().encode() in raw_bytes(record).lower()
            }
            assert not found, f"{name}[{record.partition}]@{record.offset} carries {found}"
