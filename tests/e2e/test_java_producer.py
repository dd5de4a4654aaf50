"""A clinic system written in Java drives one patient's first infusion through the running stack.

The program (tests/producers/java: kafka-clients and the Java CloudEvents SDK) reads Carepath's
infusion events with the SDK and answers on `carepath.infusion.inbound` as a clinic would:
check-in when the session is scheduled, three vitals readings (one above the systolic limit)
and the end of the infusion once Carepath clears it; each event checked against its published
JSON Schema before it is sent, keyed by patient id, in structured CloudEvents JSON. Carepath
must clear the session, raise a safety alert and complete it, each caused by the Java event.
"""

import asyncio
import json
import os
import random
import secrets
import shlex
import subprocess
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from carepath_contracts import INFUSION_DLQ, INFUSION_EVENTS, INFUSION_INBOUND, from_record
from carepath_runtime.topic_reading import read_topics
from carepath_simulator.outside import ReferralPortal
from carepath_simulator.patient import screening_form
from carepath_simulator.people import make_referral

pytestmark = [pytest.mark.kafka, pytest.mark.e2e]

REPO = Path(__file__).resolve().parents[2]
JAVA_DIR = REPO / "tests" / "producers" / "java"
JAR = JAVA_DIR / "target" / "clinic-infusion-suite.jar"
SCHEMAS = REPO / "contracts" / "schemas"
CHECKED_IN = "carepath.infusion.session-checked-in.v1"
VITALS = "carepath.infusion.vitals-recorded.v1"
ENDED = "carepath.infusion.session-ended.v1"
JAVA_TIMEOUT_S = 180


@pytest.fixture(scope="module")
def clinic_jar() -> Path:
    """The Java program, built by Maven when its jar is missing or older than its sources
    (.ci/run builds it first, so here Maven finds everything in its local repository)."""
    sources = [JAVA_DIR / "pom.xml", *(p for p in (JAVA_DIR / "src").rglob("*") if p.is_file())]
    if not JAR.is_file() or max(p.stat().st_mtime for p in sources) > JAR.stat().st_mtime:
        maven_args = shlex.split(os.environ.get("CAREPATH_MAVEN_ARGS", ""))
        subprocess.run(
            ["mvn", "-B", "-q", *maven_args, "package"], cwd=JAVA_DIR, check=True, timeout=900
        )
    return JAR


async def admit_eligible_patient(stack) -> tuple[str, str]:
    """Referral and an eligible screening through intake's API: infusion then plans a course."""
    portal = ReferralPortal(
        stack.service("intake").url,
        integration_token=stack.tokens["integration"],
        clinician_token=stack.tokens["clinician"],
    )
    try:
        referral = make_referral(random.Random(5), 1, f"java-{secrets.token_hex(4)}", date.today())
        patient_id, pathway_id = await portal.refer(referral.form())
        await portal.screen(patient_id, screening_form(52))
    finally:
        await portal.close()
    return patient_id, pathway_id


@pytest.fixture(scope="module")
def java_run(stack, clinic_jar) -> dict[str, Any]:
    patient_id, pathway_id = asyncio.run(admit_eligible_patient(stack))
    done = subprocess.run(
        [
            "java",
            "-jar",
            str(clinic_jar),
            "--bootstrap",
            stack.bootstrap,
            "--topic-prefix",
            stack.topic_prefix,
            "--patient",
            patient_id,
            "--schemas",
            str(SCHEMAS),
            "--timeout-seconds",
            str(JAVA_TIMEOUT_S - 30),
        ],
        capture_output=True,
        text=True,
        timeout=JAVA_TIMEOUT_S,
    )
    lines = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    assert done.returncode == 0, f"exit {done.returncode}\n{done.stdout[-3000:]}\n{done.stderr}"
    records = asyncio.run(
        read_topics(
            stack.bootstrap,
            [stack.topic_prefix + INFUSION_EVENTS.name, stack.topic_prefix + INFUSION_DLQ.name],
        )
    )
    published = [
        from_record(r.value, r.headers)
        for r in records
        if r.topic.endswith(INFUSION_EVENTS.name) and r.key == patient_id.encode()
    ]
    dead = [r for r in records if r.topic.endswith(INFUSION_DLQ.name)]
    return {
        "patient_id": patient_id,
        "pathway_id": pathway_id,
        "sent": [line for line in lines if line["action"] == "sent"],
        "read": [line for line in lines if line["action"] == "read"],
        "summary": lines[-1],
        "published": published,
        "dead_letters": [r for r in dead if r.key == patient_id.encode()],
    }


def one(events, name: str):
    (event,) = [e for e in events if e.type == f"carepath.infusion.{name}.v1"]
    return event


def test_the_java_clinic_sends_keyed_cloudevents_to_the_inbound_topic(stack, java_run):
    sent = java_run["sent"]

    assert [line["type"] for line in sent] == [CHECKED_IN, VITALS, VITALS, VITALS, ENDED]
    assert [line["data"]["systolic_mmhg"] for line in sent if line["type"] == VITALS] == [
        124,
        186,
        124,
    ]
    for line in sent:
        assert line["key"] == line["subject"] == java_run["patient_id"]
        assert line["topic"] == stack.topic_prefix + INFUSION_INBOUND.name
        assert line["correlationid"] == java_run["pathway_id"]
    assert java_run["summary"] == {"action": "done", "read": len(java_run["read"]), "sent": 5}


def test_carepath_clears_alerts_and_completes_the_session_because_of_the_java_events(java_run):
    sent = {line["type"]: line for line in java_run["sent"]}
    dangerous = [line for line in java_run["sent"] if line["data"].get("systolic_mmhg") == 186]
    published = java_run["published"]

    cleared = one(published, "session-cleared")
    scheduled = next(
        e
        for e in published
        if e.type.endswith("session-scheduled.v1") and e.data.session_id == cleared.data.session_id
    )
    alert = one(published, "safety-alert")
    completed = one(published, "session-completed")

    assert cleared.causationid == sent[CHECKED_IN]["id"]
    assert alert.causationid == dangerous[0]["id"]
    assert (alert.data.rule, alert.data.action, alert.data.reading_value) == (
        "systolic_high",
        "pause",
        186,
    )
    assert completed.causationid == sent[ENDED]["id"]
    assert completed.data.session_id == cleared.data.session_id == scheduled.data.session_id
    assert completed.data.dose_given_mg == scheduled.data.dose_mg
    assert java_run["dead_letters"] == []


def test_the_java_side_read_carepaths_events_with_the_cloudevents_sdk(
    java_run, capsys: pytest.CaptureFixture[str]
):
    read = {line["id"]: line for line in java_run["read"]}
    published = java_run["published"]

    session_id = one(published, "session-cleared").data.session_id
    ours = [e for e in published if getattr(e.data, "session_id", None) == session_id]

    for name in ("session-scheduled", "session-cleared", "safety-alert", "session-completed"):
        event = one(ours, name)
        line = read[event.id]
        assert (line["type"], line["source"], line["subject"]) == (
            event.type,
            "carepath/infusion",
            java_run["patient_id"],
        )
        assert line["correlationid"] == java_run["pathway_id"]
        assert line["data"] == json.loads(event.data.model_dump_json())
    with capsys.disabled():  # into the CI log, whatever the capture mode
        types = [line["type"].split(".")[2] for line in java_run["read"]]
        print(
            f"\njava clinic: sent {len(java_run['sent'])} schema-checked CloudEvents; "
            f"read {len(types)} of Carepath's with the Java CloudEvents SDK: {', '.join(types)}"
        )
