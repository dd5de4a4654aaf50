"""`python -m carepath_intake` as operators run it: set up by environment, stopped by SIGTERM."""

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from carepath_localkafka.ports import find_free_port
from carepath_testing.conditions import eventually

from .harness import CLINICIAN_TOKEN, intake_events_until, referral_form

pytestmark = pytest.mark.kafka


def start_intake(settings: dict[str, str], log: Path) -> subprocess.Popen:
    environment = os.environ | {f"CAREPATH_INTAKE_{key}": value for key, value in settings.items()}
    with log.open("w") as output:
        return subprocess.Popen(
            [sys.executable, "-m", "carepath_intake"], env=environment, stdout=output, stderr=output
        )


async def answers_ready(process: subprocess.Popen, url: str, log) -> bool:
    if process.poll() is not None:
        raise RuntimeError(f"intake exited early: {log.read_text()[-3000:]}")
    try:
        async with httpx.AsyncClient() as client:
            return (await client.get(f"{url}/readyz", timeout=2)).status_code == 200
    except httpx.HTTPError:
        return False


async def test_the_service_process_serves_forms_publishes_and_stops_cleanly_on_sigterm(
    kafka_bootstrap, topic_prefix, tmp_path
):
    port = find_free_port()
    settings = {
        "KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap,
        "TOPIC_PREFIX": topic_prefix,
        "CONSUMER_GROUP": f"{topic_prefix}intake",
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'intake.db'}",
        "HTTP_PORT": str(port),
        "OUTBOX_POLL_INTERVAL_S": "0.2",
        "TOKENS": json.dumps(
            [{"subject": "clin-1", "role": "clinician", "token": CLINICIAN_TOKEN}]
        ),
    }
    log = tmp_path / "intake.log"
    url = f"http://127.0.0.1:{port}"
    process = start_intake(settings, log)
    try:
        await eventually(lambda: answers_ready(process, url, log), what="intake ready", timeout=60)
        async with httpx.AsyncClient(
            base_url=url, headers={"Authorization": f"Bearer {CLINICIAN_TOKEN}"}
        ) as client:
            referred = await client.post("/v1/referrals", json=referral_form())
            anonymous = await client.get("/metrics", headers={"Authorization": ""})
        patient_id = referred.json()["patient_id"]
        events = await intake_events_until(
            kafka_bootstrap, topic_prefix, patient_id, "referral-accepted"
        )
        process.send_signal(signal.SIGTERM)
        exit_code = process.wait(60)
    finally:
        if process.poll() is None:
            process.kill()

    assert referred.status_code == 201
    assert anonymous.status_code == 401
    assert len(events) == 1
    assert exit_code == 0, log.read_text()[-3000:]
