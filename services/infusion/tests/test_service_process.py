"""`python -m carepath_infusion` as operators run it: set up by environment, stopped by SIGTERM."""

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from carepath_contracts import INFUSION_EVENTS, CoursePlanned
from carepath_localkafka.ports import find_free_port
from carepath_testing.conditions import eventually
from carepath_testing.kafka_io import produce_events
from carepath_testing.watch import watching

from .builders import CLINICIAN_TOKEN, new_patient_id, screened

pytestmark = pytest.mark.kafka


def start_infusion(environment: dict[str, str], log: Path) -> subprocess.Popen:
    with log.open("w") as output:
        return subprocess.Popen(
            [sys.executable, "-m", "carepath_infusion"],
            env=environment,
            stdout=output,
            stderr=output,
        )


async def test_the_service_process_plans_a_course_and_stops_cleanly_on_sigterm(
    kafka_bootstrap, topic_prefix, tmp_path
):
    port = find_free_port()
    environment = os.environ | {
        f"CAREPATH_INFUSION_{key}": value
        for key, value in {
            "KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap,
            "TOPIC_PREFIX": topic_prefix,
            "CONSUMER_GROUP": f"{topic_prefix}infusion",
            "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'infusion.db'}",
            "HTTP_PORT": str(port),
            "OUTBOX_POLL_INTERVAL_S": "0.2",
            "TOKENS": json.dumps(
                [{"subject": "clin-1", "role": "clinician", "token": CLINICIAN_TOKEN}]
            ),
        }.items()
    }
    log = tmp_path / "infusion.log"
    url = f"http://127.0.0.1:{port}"
    patient_id = new_patient_id()

    async def ready() -> bool:
        if process.poll() is not None:
            raise RuntimeError(f"infusion exited early: {log.read_text()[-3000:]}")
        try:
            async with httpx.AsyncClient() as client:
                return (await client.get(f"{url}/readyz", timeout=2)).status_code == 200
        except httpx.HTTPError:
            return False

    process = start_infusion(environment, log)
    try:
        await eventually(ready, what="infusion ready", timeout=60)
        async with watching(kafka_bootstrap, topic_prefix + INFUSION_EVENTS.name) as events:
            await produce_events(kafka_bootstrap, [screened(patient_id)], topic_prefix)
            await events.wait_count(patient_id, CoursePlanned, 1)
        async with httpx.AsyncClient(
            base_url=url, headers={"Authorization": f"Bearer {CLINICIAN_TOKEN}"}
        ) as client:
            view = await client.get(f"/v1/patients/{patient_id}")
        process.send_signal(signal.SIGTERM)
        exit_code = process.wait(60)
    finally:
        if process.poll() is None:
            process.kill()

    assert view.status_code == 200 and len(view.json()["sessions"]) == 6
    assert exit_code == 0, log.read_text()[-3000:]
