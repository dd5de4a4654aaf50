"""The local stack keeps personal details to itself (issue 15, findings 5, 6 and 7): its
folder and files are this user's only, and the logs, scanned after whole pathways and a
malformed inbound event carrying a patient's name and phone number where an id belongs,
hold no personal detail and only JSON lines."""

import asyncio
import json
import stat
from pathlib import Path

import pytest

from carepath_contracts import INTAKE_DLQ, INTAKE_INBOUND, ReferralReceived, new_event
from carepath_testing.kafka_io import produce, read_until

pytestmark = [pytest.mark.kafka, pytest.mark.e2e]


def personal_details(referral) -> set[str]:
    digits = "".join(ch for ch in referral.phone if ch.isdigit())
    return {
        referral.family_name,
        referral.email,
        referral.phone,
        digits,
        referral.date_of_birth.isoformat(),
    }


def malformed_referral(referral, patient_id: str, time) -> bytes:
    """A referral event whose referral id is the patient's name and phone: invalid, and
    personal."""
    event = new_event(
        ReferralReceived(
            external_referral_id="ref-1",
            responder_role="firefighter",
            referral_source="self",
            received_at=time,
        ),
        subject=patient_id,
        correlation_id="pw-malformed",
        source="referral-portal/web",
        time=time,
    )
    document = json.loads(event.model_dump_json())
    document["data"]["external_referral_id"] = f"{referral.family_name} {referral.phone}"
    return json.dumps(document).encode()


def test_no_log_line_or_dead_letter_carries_a_personal_detail_and_every_line_is_json(
    stack, pathways
):
    result, _, _ = pathways
    patient = result.patients[0]
    value = malformed_referral(patient.referral, patient.patient_id, result.ended_at)
    topic = stack.topic_prefix + INTAKE_INBOUND.name
    headers = [("content-type", b"application/cloudevents+json")]
    asyncio.run(produce(stack.bootstrap, topic, [(patient.patient_id.encode(), value, headers)]))
    dlq = stack.topic_prefix + INTAKE_DLQ.name
    dead = asyncio.run(
        read_until(stack.bootstrap, dlq, lambda got: any(r.value == value for r in got))
    )
    logs = sorted(Path(stack.service("intake").log).parent.glob("*.log"))
    needles = set().union(*(personal_details(p.referral) for p in result.patients))

    (letter,) = [record for record in dead if record.value == value]
    reason = dict(letter.headers)["dlq-error-message"].decode()
    assert "external_referral_id" in reason
    lines = [(log.name, line) for log in logs for line in log.read_text().splitlines() if line]
    assert len(logs) == 4 and len(lines) > 30  # the three services and the console
    not_json = [(name, line[:120]) for name, line in lines if not _is_json_object(line)]
    assert not not_json, not_json
    leaks = [(name, n) for name, line in lines for n in needles if n in line]
    leaks += [("dlq-error-message", n) for n in needles if n in reason]
    assert not leaks, leaks
    # The scan means something: the intake log did record the dead letter.
    assert any("dead-lettered" in line for name, line in lines if name == "intake.log")


def _is_json_object(line: str) -> bool:
    try:
        return isinstance(json.loads(line), dict)
    except ValueError:
        return False


def test_the_stack_folder_and_its_tokens_state_and_databases_are_private(stack, pathways):
    folder = Path(stack.service("intake").log).parent.parent
    files = [folder / "stack.json", folder / "tokens.json", *folder.glob("*.db*")]
    modes = {path.name: oct(stat.S_IMODE(path.stat().st_mode)) for path in files}

    assert oct(stat.S_IMODE(folder.stat().st_mode)) == "0o700"
    # Every service's database with its write-ahead log (the personal details live in intake's).
    assert {"intake.db", "intake.db-wal", "infusion.db", "followup.db"} <= set(modes)
    assert set(modes.values()) == {"0o600"}, modes
