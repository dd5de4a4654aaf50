"""Load benchmark of infusion's hot path: chairs streaming vitals, dangerous readings alerting.

Starts (or reuses) a Kafka broker, runs the infusion service as a subprocess on SQLite (or
the --database URL), puts patients in chairs through the public events (patient-screened,
then a check-in for their first session), then streams vitals in phases:

  nominal  every chair sends one reading per --interval seconds
  burst    --burst-factor times that rate
  target   --target-rate readings/s offered in total (the throughput goal)

Some readings are dangerous (systolic above the protocol's alert threshold), each followed by
normal ones, so each opens a new alert episode. Reported per phase: vitals consumed per second
(from the service's own consumed counter) and alert latency from the reading's `measured_at`
to the `safety-alert` record's Kafka timestamp (and to its receipt here).

    uv run python bench/vitals_load.py                 # the defaults below
    uv run python bench/vitals_load.py --target-rate 8000 --target-seconds 30

Not a test: it prints figures and exits.
"""

import argparse
import asyncio
import contextlib
import ctypes
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import httpx
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from sqlalchemy.engine import make_url

from carepath_contracts import (
    INFUSION_EVENTS,
    INFUSION_INBOUND,
    INTAKE_EVENTS,
    PatientScreened,
    PregnancyTest,
    ScreeningOutcome,
    SessionCheckedIn,
    Vitals,
    default_protocol,
    new_event,
    score_pcl5,
    to_record,
)
from carepath_localkafka.ports import find_free_port
from carepath_runtime.topics_admin import delete_topics_with_prefix, ensure_topics
from carepath_testing.kafka import session_kafka_bootstrap
from carepath_testing.postgres import create_fresh_database, throwaway_postgres_cluster

PROTOCOL = default_protocol()
TOKEN = "bench-operator-token"
CALM = Vitals(systolic_mmhg=126, diastolic_mmhg=80, heart_rate_bpm=74, spo2_percent=98)
SYSTOLIC_ALERT = next(a for a in PROTOCOL.infusion_safety.alerts if a.rule == "systolic_high")
VITALS_TYPE = "carepath.infusion.vitals-recorded.v1"
ALERT_TYPE = b"carepath.infusion.safety-alert.v1"
CONTENT_TYPE = [("content-type", b"application/cloudevents+json; charset=utf-8")]
_PR_SET_PDEATHSIG = 1


@dataclass
class Phase:
    name: str
    rate: float
    seconds: float
    sent: int = 0
    dangerous: dict[tuple[str, str], float] = field(default_factory=dict)
    consumed_per_s: float = 0.0
    started: float = 0.0
    sending_ended: float = 0.0
    backlog_when_sending_ended: float = 0.0
    drained: float = 0.0


@dataclass
class Chair:
    patient_id: str
    session_id: str
    readings: int = 0


def utc_now() -> datetime:
    return datetime.now(UTC)


def start_service(
    bootstrap: str, prefix: str, database_url: str, port: int, profile: str | None
) -> subprocess.Popen:
    env = os.environ | {
        "CAREPATH_INFUSION_KAFKA_BOOTSTRAP_SERVERS": bootstrap,
        "CAREPATH_INFUSION_TOPIC_PREFIX": prefix,
        "CAREPATH_INFUSION_CONSUMER_GROUP": f"{prefix}infusion",
        "CAREPATH_INFUSION_DATABASE_URL": database_url,
        "CAREPATH_INFUSION_HTTP_PORT": str(port),
        "CAREPATH_INFUSION_TOKENS": json.dumps(
            [{"subject": "bench", "role": "operator", "token": TOKEN}]
        ),
        "CAREPATH_INFUSION_LOG_LEVEL": "WARNING",
        "CAREPATH_INFUSION_OUTBOX_POLL_INTERVAL_S": "0.2",
    }
    # `uv run --with pyinstrument ... --profile out.txt`: where the service spends its time.
    profiler = [] if profile is None else ["-m", "pyinstrument", "-r", "text", "-o", profile]
    return subprocess.Popen(
        [sys.executable, *profiler, "-m", "carepath_infusion"],
        env=env,
        preexec_fn=_stop_when_parent_dies,
    )


def _stop_when_parent_dies() -> None:
    # Linux: a bench killed by `timeout` or SIGKILL must not leave the service running.
    ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


async def consumed_vitals(port: int) -> float:
    """The service's own count of handled vitals-recorded events (Prometheus counter)."""
    # Generous timeout: on SQLite even a read waits for the consumer's write transaction.
    async with httpx.AsyncClient(timeout=60) as client:
        reply = await client.get(
            f"http://127.0.0.1:{port}/metrics", headers={"Authorization": f"Bearer {TOKEN}"}
        )
    for line in reply.text.splitlines():
        if line.startswith("carepath_events_consumed_total") and VITALS_TYPE in line:
            return float(line.rsplit(" ", 1)[1])
    return 0.0


async def wait_ready(port: int, service: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    async with httpx.AsyncClient(timeout=2) as client:
        while time.monotonic() < deadline:
            if service.poll() is not None:
                raise RuntimeError(f"the infusion service exited with {service.returncode}")
            with contextlib.suppress(httpx.HTTPError):
                reply = await client.get(f"http://127.0.0.1:{port}/readyz")
                if reply.json()["ready"]:
                    return
            await asyncio.sleep(0.5)
    raise TimeoutError("the infusion service did not become ready")


class EventsReader:
    """Reads infusion.events from the start: sessions for setup, alerts for latency."""

    def __init__(self, bootstrap: str, topic: str) -> None:
        self.consumer = AIOKafkaConsumer(
            topic, bootstrap_servers=bootstrap, group_id=None, auto_offset_reset="earliest"
        )
        self.first_sessions: dict[str, str] = {}
        self.cleared = 0
        self.alerts: dict[tuple[str, str], tuple[float, float]] = {}

    async def run(self) -> None:
        await self.consumer.start()
        try:
            async for record in self.consumer:
                received = time.time()
                if b"session-scheduled" in record.value:
                    data = json.loads(record.value)["data"]
                    if data["session_number"] == 1:
                        self.first_sessions[record.key.decode()] = data["session_id"]
                elif b"session-cleared" in record.value:
                    self.cleared += 1
                elif ALERT_TYPE in record.value:
                    data = json.loads(record.value)["data"]
                    measured = datetime.fromisoformat(data["measured_at"]).timestamp()
                    key = (data["session_id"], f"{measured:.6f}")
                    self.alerts[key] = (record.timestamp / 1000, received)
        finally:
            await self.consumer.stop()


def screened_record(patient_id: str, prefix: str):
    data = PatientScreened(
        outcome=ScreeningOutcome.ELIGIBLE,
        baseline_pcl5=score_pcl5([3] * 20, PROTOCOL),
        dosing_weight_kg=80.0,
        final=True,
        protocol=PROTOCOL.ref,
        screened_at=utc_now(),
    )
    event = new_event(
        data,
        subject=patient_id,
        correlation_id=f"pw-{patient_id}",
        source="carepath/intake",
        time=utc_now(),
    )
    return to_record(event, prefix=prefix)


def check_in_record(chair: Chair, prefix: str):
    data = SessionCheckedIn(
        session_id=chair.session_id,
        checked_in_at=utc_now(),
        vitals=CALM,
        pregnancy_test=PregnancyTest.NOT_APPLICABLE,
        escort_present=True,
    )
    event = new_event(
        data,
        subject=chair.patient_id,
        correlation_id=f"pw-{chair.patient_id}",
        source="clinic/front-desk",
        time=utc_now(),
    )
    return to_record(event, prefix=prefix)


def vitals_value(chair: Chair, moment: datetime, systolic: int) -> bytes:
    """A vitals-recorded CloudEvent, written directly: the bench must not be the bottleneck."""
    stamp = moment.isoformat()
    return json.dumps(
        {
            "specversion": "1.0",
            "id": str(uuid.uuid4()),
            "source": "clinic/monitor",
            "type": VITALS_TYPE,
            "subject": chair.patient_id,
            "time": stamp,
            "datacontenttype": "application/json",
            "correlationid": f"pw-{chair.patient_id}",
            "data": {
                "session_id": chair.session_id,
                "measured_at": stamp,
                "systolic_mmhg": systolic,
                "diastolic_mmhg": 82,
                "heart_rate_bpm": 78,
                "spo2_percent": 97,
            },
        }
    ).encode()


async def put_patients_in_chairs(
    producer: AIOKafkaProducer, reader: EventsReader, chairs: int, prefix: str
) -> list[Chair]:
    patients = [f"bench-{uuid.uuid4().hex[:12]}" for _ in range(chairs)]
    for patient_id in patients:
        record = screened_record(patient_id, prefix)
        await producer.send(record.topic, record.value, key=record.key, headers=CONTENT_TYPE)
    await producer.flush()
    await until(lambda: len(reader.first_sessions) >= chairs, "courses planned", 300)
    seated = [Chair(p, reader.first_sessions[p]) for p in patients]
    for chair in seated:
        record = check_in_record(chair, prefix)
        await producer.send(record.topic, record.value, key=record.key, headers=CONTENT_TYPE)
    await producer.flush()
    await until(lambda: reader.cleared >= chairs, "sessions cleared", 300)
    return seated


async def until(condition, what: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not await _holds(condition):
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what}: not within {timeout}s")
        await asyncio.sleep(0.1)


async def _holds(condition) -> bool:
    result = condition()
    return bool(await result) if asyncio.iscoroutine(result) else bool(result)


async def stream(
    producer: AIOKafkaProducer, chairs: list[Chair], phase: Phase, topic: str, every: int
) -> None:
    """Offers `phase.rate` readings/s round-robin over the chairs, paced in 10 ms ticks."""
    tick = 0.01
    started = time.monotonic()
    index = 0
    while (elapsed := time.monotonic() - started) < phase.seconds:
        due = int(elapsed * phase.rate) + 1
        while phase.sent < due:
            seat = index % len(chairs)
            chair = chairs[seat]
            index += 1
            chair.readings += 1
            moment = utc_now()
            # Staggered per chair, and never twice in a row: each opens a new alert episode.
            dangerous = (chair.readings + seat) % every == 0
            systolic = int(SYSTOLIC_ALERT.threshold) + 10 if dangerous else 132
            value = vitals_value(chair, moment, systolic)
            await producer.send(topic, value, key=chair.patient_id.encode(), headers=CONTENT_TYPE)
            if dangerous:
                stamp = moment.timestamp()
                phase.dangerous[(chair.session_id, f"{stamp:.6f}")] = stamp
            phase.sent += 1
        await asyncio.sleep(tick)
    await producer.flush()


async def run_phase(producer, chairs, phase, topic, every, port) -> None:
    before = await consumed_vitals(port)
    phase.started = time.monotonic()
    await stream(producer, chairs, phase, topic, every)
    phase.sending_ended = time.monotonic()
    target = before + phase.sent
    # A service that keeps up has about one batch in hand here; one that does not, a queue.
    phase.backlog_when_sending_ended = target - await consumed_vitals(port)

    async def drained() -> bool:
        return await consumed_vitals(port) >= target

    await until(drained, f"{phase.name} drained", 600)
    phase.drained = time.monotonic()
    phase.consumed_per_s = phase.sent / (phase.drained - phase.started)


def report(phase: Phase, reader: EventsReader) -> str:
    kafka_ms, received_ms = [], []
    for key, measured in phase.dangerous.items():
        if key in reader.alerts:
            record_ts, received = reader.alerts[key]
            kafka_ms.append((record_ts - measured) * 1000)
            received_ms.append((received - measured) * 1000)
    if not kafka_ms:
        return f"{phase.name}: no alerts seen"
    sending_s = phase.sending_ended - phase.started
    return (
        f"{phase.name:8} offered {phase.rate:7.0f}/s  "
        f"sent {phase.sent:7d} ({phase.sent / sending_s:5.0f}/s)  "
        f"consumed {phase.consumed_per_s:7.0f}/s (send start to last handled)  "
        f"backlog when sending ended {phase.backlog_when_sending_ended:6.0f}, "
        f"drained {phase.drained - phase.sending_ended:5.2f} s later  "
        f"alerts {len(kafka_ms)}/{len(phase.dangerous)}  "
        f"latency to Kafka p50 {percentile(kafka_ms, 50):6.1f} ms  "
        f"p99 {percentile(kafka_ms, 99):6.1f} ms  max {max(kafka_ms):6.1f} ms  "
        f"(received here p99 {percentile(received_ms, 99):6.1f} ms)"
    )


def percentile(values: list[float], pct: float) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(pct) - 1]


async def main(args: argparse.Namespace) -> None:
    async with contextlib.AsyncExitStack() as stack:
        scratch = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="carepath-bench-")))
        bootstrap = stack.enter_context(session_kafka_bootstrap(scratch / "kafka"))
        prefix = f"bench{uuid.uuid4().hex[:6]}."
        # Once the service has stopped: a reused local broker keeps no bench topics.
        stack.push_async_callback(delete_topics_with_prefix, bootstrap, prefix)
        database_url = args.database or f"sqlite+aiosqlite:///{scratch / 'infusion.db'}"
        if args.postgres:
            server = stack.enter_context(throwaway_postgres_cluster())
            database_url = await create_fresh_database(server)
        print(f"database: {make_url(database_url).get_backend_name()}, chairs: {args.chairs}")
        port = find_free_port()
        service = start_service(bootstrap, prefix, database_url, port, args.profile)
        stack.callback(service.wait, 120)
        stack.callback(service.terminate)
        await wait_ready(port, service)
        await ensure_topics(bootstrap, {prefix + INTAKE_EVENTS.name: INTAKE_EVENTS.partitions})
        producer = AIOKafkaProducer(
            bootstrap_servers=bootstrap, acks="all", enable_idempotence=True, linger_ms=5
        )
        await producer.start()
        reader = EventsReader(bootstrap, prefix + INFUSION_EVENTS.name)
        reading = asyncio.create_task(reader.run())
        try:
            setup = time.monotonic()
            chairs = await put_patients_in_chairs(producer, reader, args.chairs, prefix)
            print(f"{args.chairs} patients in chairs in {time.monotonic() - setup:.1f}s")
            nominal = args.chairs / args.interval
            phases = [
                Phase("nominal", nominal, args.nominal_seconds),
                Phase("burst", nominal * args.burst_factor, args.burst_seconds),
                Phase("target", args.target_rate, args.target_seconds),
            ]
            topic = prefix + INFUSION_INBOUND.name
            for phase in phases:
                await run_phase(producer, chairs, phase, topic, args.dangerous_every, port)
                # Alerts still in the outbox after the readings are handled arrive late: wait,
                # but report what arrived either way (missing ones show as alerts n/m).
                with contextlib.suppress(TimeoutError):
                    await until(
                        lambda p=phase: all(key in reader.alerts for key in p.dangerous),
                        f"{phase.name} alerts",
                        120,
                    )
                print(report(phase, reader), flush=True)
        finally:
            reading.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await reading
            await producer.stop()


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chairs", type=int, default=300)
    parser.add_argument("--interval", type=float, default=2.0, help="seconds between readings")
    parser.add_argument("--nominal-seconds", type=float, default=20)
    parser.add_argument("--burst-factor", type=float, default=10)
    parser.add_argument("--burst-seconds", type=float, default=15)
    parser.add_argument("--target-rate", type=float, default=5000)
    parser.add_argument("--target-seconds", type=float, default=20)
    parser.add_argument(
        "--dangerous-every", type=int, default=20, help="every Nth reading of a chair alerts"
    )
    parser.add_argument("--database", help="SQLAlchemy URL; default: SQLite in a temp folder")
    parser.add_argument(
        "--postgres", action="store_true", help="a throwaway local PostgreSQL instead of SQLite"
    )
    parser.add_argument("--profile", help="run the service under pyinstrument, text report here")
    return parser.parse_args()


if __name__ == "__main__":
    # SIGTERM unwinds like Ctrl-C, so the service, broker and database are stopped.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    asyncio.run(main(arguments()))
