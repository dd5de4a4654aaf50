"""Crashes and stops of a real service process: SIGKILL before publishing, SIGTERM mid-batch."""

import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from carepath_contracts import INTAKE_EVENTS, INTAKE_INBOUND, from_record
from carepath_runtime.database import create_engine
from carepath_runtime.tables import outbox
from carepath_testing.conditions import eventually
from carepath_testing.kafka_io import produce_events, read_to_end, read_until, uncommitted
from carepath_testing.probe import service as probe_service
from carepath_testing.probe.builders import referral

pytestmark = pytest.mark.kafka

PROBE = Path(probe_service.__file__)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ProbeProcess:
    def __init__(self, tmp_path: Path, kafka: str, prefix: str, database_url: str, **env: str):
        self.port = free_port()
        settings = {
            "KAFKA_BOOTSTRAP_SERVERS": kafka,
            "TOPIC_PREFIX": prefix,
            "CONSUMER_GROUP": f"{prefix}probe",
            "DATABASE_URL": database_url,
            "HTTP_PORT": str(self.port),
            "OUTBOX_POLL_INTERVAL_S": "0.2",
            "SHUTDOWN_TIMEOUT_S": "20",
            **env,
        }
        environment = os.environ | {f"CAREPATH_PROBE_{k}": v for k, v in settings.items()}
        self.log = tmp_path / f"probe-{self.port}.log"
        with self.log.open("w") as log:
            self.process = subprocess.Popen(
                [sys.executable, str(PROBE)], env=environment, stdout=log, stderr=log
            )

    async def ready(self) -> bool:
        if self.process.poll() is not None:
            raise RuntimeError(f"probe exited early; log: {self.log.read_text()[-3000:]}")
        try:
            async with httpx.AsyncClient() as client:
                response = await client.get(f"http://127.0.0.1:{self.port}/readyz", timeout=2)
            return response.status_code == 200
        except httpx.HTTPError:
            return False

    def exit_code(self, timeout: float = 60) -> int:
        return self.process.wait(timeout)


async def replies_on_kafka(kafka: str, prefix: str, cause_id: str) -> list:
    records = await read_to_end(kafka, prefix + INTAKE_EVENTS.name)
    events = [from_record(record.value, record.headers) for record in records]
    return [event for event in events if event.causationid == cause_id]


async def unsent(database_url: str) -> int:
    engine = create_engine(database_url)
    try:
        async with engine.connect() as connection:
            query = select(func.count()).select_from(outbox).where(outbox.c.published_at.is_(None))
            return (await connection.execute(query)).scalar_one()
    finally:
        await engine.dispose()


async def test_sigkill_after_outbox_commit_loses_nothing_and_publishes_once(
    tmp_path, kafka_bootstrap, topic_prefix, database_url
):
    held = tmp_path / "relay-about-to-publish"
    first = ProbeProcess(
        tmp_path, kafka_bootstrap, topic_prefix, database_url, HOLD_OUTBOX_MARKER=str(held)
    )
    await eventually(first.ready, timeout=60, what="first probe ready")
    event = referral()
    await produce_events(kafka_bootstrap, [event], topic_prefix)
    await eventually(held.exists, what="outbox committed, relay about to publish")
    first.process.send_signal(signal.SIGKILL)
    assert first.exit_code() == -signal.SIGKILL
    assert await unsent(database_url) == 1
    assert await replies_on_kafka(kafka_bootstrap, topic_prefix, event.id) == []

    second = ProbeProcess(tmp_path, kafka_bootstrap, topic_prefix, database_url)
    await eventually(second.ready, timeout=60, what="second probe ready")
    await read_until(
        kafka_bootstrap,
        topic_prefix + INTAKE_EVENTS.name,
        lambda got: any(b'"causationid":"' + event.id.encode() in r.value for r in got),
    )
    second.process.send_signal(signal.SIGTERM)
    assert second.exit_code() == 0

    assert len(await replies_on_kafka(kafka_bootstrap, topic_prefix, event.id)) == 1
    assert await unsent(database_url) == 0


async def test_sigterm_finishes_the_message_in_hand_flushes_and_commits(
    tmp_path, kafka_bootstrap, topic_prefix, database_url
):
    handling = tmp_path / "handling"
    probe = ProbeProcess(
        tmp_path,
        kafka_bootstrap,
        topic_prefix,
        database_url,
        HANDLER_DELAY_S="2",
        HANDLING_MARKER=str(handling),
    )
    await eventually(probe.ready, timeout=60, what="probe ready")
    event = referral()
    await produce_events(kafka_bootstrap, [event], topic_prefix)
    await eventually(handling.exists, what="handler started")
    probe.process.send_signal(signal.SIGTERM)
    assert probe.exit_code() == 0, probe.log.read_text()[-3000:]

    assert len(await replies_on_kafka(kafka_bootstrap, topic_prefix, event.id)) == 1
    assert await unsent(database_url) == 0
    assert (
        await uncommitted(
            kafka_bootstrap, f"{topic_prefix}probe", topic_prefix + INTAKE_INBOUND.name
        )
        == 0
    )
