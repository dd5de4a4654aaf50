"""Drives patients through a running stack from the host and reads what they caused on Kafka.

A driver is any `async (StackEndpoints, count) -> list[str]` that starts `count` pathways and
returns their patient ids; `observe` then reads every event about them from the host. The
one here is the part of the pathway that needs no clock: a referral and an eligible
screening through intake's HTTP API (as the referral portal does), after which infusion
plans the course. A full-pathway driver (the simulator) plugs in with the same signature.
"""

import asyncio
import json
import secrets
import time
import urllib.request
from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from aiokafka import AIOKafkaConsumer, TopicPartition

from carepath_contracts import default_protocol
from carepath_contracts.topics import FOLLOWUP_EVENTS, INFUSION_EVENTS, INTAKE_EVENTS
from carepath_runtime.bus import Bus

POLL_S = 1.0  # how often the pathway trails are checked against their deadline

OBSERVED_TOPICS = (INTAKE_EVENTS.name, INFUSION_EVENTS.name, FOLLOWUP_EVENTS.name)
PATIENT_SCREENED = "carepath.intake.patient-screened.v1"
COURSE_PLANNED = "carepath.infusion.course-planned.v1"


@dataclass(frozen=True)
class StackEndpoints:
    """What a driver needs: intake's URL, the host bootstrap, the tokens by role, the prefix,
    and on a secured bus the admin principal (`bus`) and the credentials folder."""

    intake_url: str
    bootstrap: str
    tokens: Mapping[str, str]
    topic_prefix: str = ""
    bus: Bus | None = None

    @property
    def kafka(self) -> Bus:
        return self.bus or Bus(self.bootstrap)


PathwayDriver = Callable[[StackEndpoints, int], Awaitable[list[str]]]


@dataclass(frozen=True)
class SeenEvent:
    topic: str
    type: str
    id: str
    data: Mapping = field(default_factory=dict, compare=False, repr=False)


@dataclass
class Trail:
    """Every event about one patient, per topic in log order."""

    patient_id: str
    events: list[SeenEvent] = field(default_factory=list)

    def unique(self) -> list[SeenEvent]:
        """The events, each id once (an outbox relay killed between publishing and marking
        its records sent publishes them again on restart; consumers skip the copies)."""
        seen: set[str] = set()
        unique = []
        for event in self.events:
            if event.id not in seen:
                seen.add(event.id)
                unique.append(event)
        return unique

    def types(self) -> Counter[str]:
        return Counter(event.type for event in self.unique())

    def shape(self) -> dict[str, list[str]]:
        """Event types per topic, in order: what two runs of one pathway must share."""
        shape: dict[str, list[str]] = defaultdict(list)
        for event in self.unique():
            shape[event.topic].append(event.type)
        return dict(shape)

    def of_type(self, event_type: str) -> list[SeenEvent]:
        return [event for event in self.unique() if event.type == event_type]


def _post(url: str, token: str, body: Mapping) -> dict:
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode(),
        method="POST",
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.load(response)


def _eligible_screening() -> dict:
    protocol = default_protocol()
    total = protocol.pcl5.probable_ptsd_at_or_above + 12
    items = [
        max(0, min(protocol.pcl5.item_max, total - protocol.pcl5.item_max * index))
        for index in range(protocol.pcl5.item_count)
    ]
    return {
        "pcl5_items": items,
        "vitals": {
            "systolic_mmhg": 122,
            "diastolic_mmhg": 78,
            "heart_rate_bpm": 72,
            "spo2_percent": 98,
        },
        "weight_kg": 82.5,
        "height_cm": 178.0,
        "history": [],
        "current_medications": [],
        "consent_given": True,
        "escort_named": True,
    }


def refer_and_screen(endpoints: StackEndpoints) -> str:
    """One referral and an eligible screening through intake's API; returns the patient id."""
    token = endpoints.tokens["integration"]
    reply = _post(
        f"{endpoints.intake_url}/v1/referrals",
        token,
        {
            "external_referral_id": f"ref-smoke-{secrets.token_hex(6)}",
            "given_name": "Alex",
            "family_name": "Smoke",
            "date_of_birth": "1984-06-01",
            "phone": "+1 555 010 4477",
            "email": "alex.smoke@example.org",
            "responder_role": "firefighter",
            "agency": "Smoke Test Fire Department",
            "referral_source": "occupational_health",
        },
    )
    patient_id = reply["patient_id"]
    view = _post(
        f"{endpoints.intake_url}/v1/patients/{patient_id}/screening", token, _eligible_screening()
    )
    outcome = (view.get("screening") or {}).get("outcome")
    if outcome != "eligible":
        raise AssertionError(f"screening of {patient_id} came out {outcome!r}: {view}")
    return patient_id


async def screening_to_course_plan(endpoints: StackEndpoints, count: int = 1) -> list[str]:
    """The driver of this module: `count` referrals and eligible screenings via intake."""
    patients = []
    for _ in range(count):
        patients.append(await asyncio.to_thread(refer_and_screen, endpoints))
    return patients


async def read_all(bus: Bus, topics: Sequence[str]) -> list[tuple[str, dict]]:
    """Every record now on the topics, decoded as CloudEvents: (base topic name, event)."""
    consumer = AIOKafkaConsumer(**bus.client_options(), group_id=None, enable_auto_commit=False)
    await consumer.start()
    try:
        partitions = [
            TopicPartition(topic, partition)
            for topic in topics
            for partition in sorted(consumer.partitions_for_topic(topic) or ())
        ]
        if not partitions:
            await consumer._client.force_metadata_update()
            partitions = [
                TopicPartition(topic, partition)
                for topic in topics
                for partition in sorted(consumer.partitions_for_topic(topic) or ())
            ]
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        ends = await consumer.end_offsets(partitions)
        records = []
        deadline = time.monotonic() + 60
        while not await _reached(consumer, ends):
            if time.monotonic() > deadline:
                raise TimeoutError(f"could not read {topics} to their end offsets")
            batch = await consumer.getmany(timeout_ms=500)
            for partition_records in batch.values():
                records.extend(partition_records)
    finally:
        await consumer.stop()
    return [(record.topic, json.loads(record.value)) for record in records]


async def _reached(consumer: AIOKafkaConsumer, ends: Mapping[TopicPartition, int]) -> bool:
    for partition, end in ends.items():
        if await consumer.position(partition) < end:
            return False
    return True


async def observe(
    endpoints: StackEndpoints, patient_ids: Iterable[str], topics: Sequence[str] = OBSERVED_TOPICS
) -> dict[str, Trail]:
    """Every event now on `topics` about each patient (events are keyed by patient)."""
    wanted = {patient: Trail(patient) for patient in patient_ids}
    prefixed = [endpoints.topic_prefix + topic for topic in topics]
    for topic, event in await read_all(endpoints.kafka, prefixed):
        trail = wanted.get(event.get("subject"))
        if trail is not None:
            trail.events.append(
                SeenEvent(
                    topic=topic.removeprefix(endpoints.topic_prefix),
                    type=event["type"],
                    id=event["id"],
                    data=event.get("data") or {},
                )
            )
    return wanted


async def settle(
    endpoints: StackEndpoints,
    patient_ids: Sequence[str],
    done: Callable[[Trail], bool],
    *,
    timeout: float = 120.0,
    quiet_s: float = 4.0,
) -> dict[str, Trail]:
    """Waits until `done` holds for every patient and then nothing new arrives for `quiet_s`."""
    deadline = time.monotonic() + timeout
    last_count = -1
    quiet_since = time.monotonic()
    while True:
        trails = await observe(endpoints, patient_ids)
        count = sum(len(trail.events) for trail in trails.values())
        now = time.monotonic()
        if count != last_count:
            last_count, quiet_since = count, now
        finished = all(done(trail) for trail in trails.values())
        if finished and now - quiet_since >= quiet_s:
            return trails
        if now > deadline:
            pending = [p for p, trail in trails.items() if not done(trail)]
            raise TimeoutError(
                f"{len(pending)} of {len(trails)} pathways not done after {timeout:.0f}s: "
                + ", ".join(f"{p}: {dict(trails[p].types())}" for p in pending[:5])
            )
        await asyncio.sleep(POLL_S)


def course_planned(trail: Trail) -> bool:
    return bool(trail.of_type(COURSE_PLANNED))


def republished(trails: Mapping[str, Trail]) -> int:
    """Records beyond the first with the same event id (a relay's retry after a crash)."""
    return sum(len(trail.events) - len(trail.unique()) for trail in trails.values())


def duplicates(
    trails: Mapping[str, Trail], once_only: Iterable[str] = (PATIENT_SCREENED, COURSE_PLANNED)
) -> list[str]:
    """Work done twice: a `once_only` event type that a patient got under two event ids.

    (The defaults hold for the screening-to-course-plan driver; on other pathways a patient is
    screened twice when a screening needs a clinician's review.) The same event id twice is
    not work done twice: see `republished`.
    """
    problems = []
    for patient, trail in trails.items():
        for event_type in once_only:
            n = trail.types()[event_type]
            if n > 1:
                problems.append(f"{patient}: {event_type} x{n}")
    return problems
