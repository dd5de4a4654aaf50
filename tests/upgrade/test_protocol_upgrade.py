"""Protocol upgrades without dead letters, on the real broker: intake, infusion and follow-up
in process on one clock. A patient starts under v1; every service is then restarted (same
databases) to start new pathways under v2, whose response needs 15 points instead of 10. A new
patient is on v2, the one who started under v1 is still decided under v1, and nothing is
dead-lettered."""

from contextlib import AsyncExitStack
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from carepath_contracts import (
    ALL_TOPICS,
    DEFAULT_PROTOCOL_ID,
    FOLLOWUP_DLQ,
    FOLLOWUP_EVENTS,
    INFUSION_DLQ,
    INFUSION_EVENTS,
    INTAKE_DLQ,
    INTAKE_EVENTS,
    AssessmentScored,
    AssessmentSubmitted,
    CoursePlanned,
    Instrument,
    PatientScreened,
    PregnancyTest,
    ProtocolRef,
    SessionCheckedIn,
    SessionCleared,
    SessionCompleted,
    SessionEnded,
    SessionScheduled,
    load_protocol,
    new_event,
)
from carepath_followup import FollowupSettings
from carepath_followup import create_app as followup_app
from carepath_infusion import InfusionSettings
from carepath_infusion import create_app as infusion_app
from carepath_intake import IntakeSettings
from carepath_intake import create_app as intake_app
from carepath_runtime.clock import ManualClock
from carepath_runtime.topics_admin import ensure_topics
from carepath_simulator.patient import NORMAL, screening_form
from carepath_simulator.scenarios import pcl5_items
from carepath_testing.kafka_io import produce_events
from carepath_testing.service import running, static_tokens
from carepath_testing.settings import settings_for
from carepath_testing.watch import TopicWatch, watching

pytestmark = pytest.mark.kafka

V1 = ProtocolRef(id=DEFAULT_PROTOCOL_ID, version=1)
V2 = ProtocolRef(id=DEFAULT_PROTOCOL_ID, version=2)
MONDAY = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
TOKENS = {"clinician": "clinician-upgrade-token", "integration": "integration-upgrade-token"}
BASELINE = 45
DROP = 12  # a response under v1 (10 points), none under v2 (15)
WATCHED = (INTAKE_EVENTS, INFUSION_EVENTS, FOLLOWUP_EVENTS, INTAKE_DLQ, INFUSION_DLQ, FOLLOWUP_DLQ)


def test_v2_changes_the_response_threshold_and_nothing_else():
    v1, v2 = load_protocol(V1.id, V1.version), load_protocol(V2.id, V2.version)

    assert (v1.pcl5.response_drop_points, v2.pcl5.response_drop_points) == (10, 15)
    unchanged = {"version", "title", "pcl5", "sources"}
    assert v1.model_dump(exclude=unchanged) == v2.model_dump(exclude=unchanged)
    assert v1.pcl5.model_dump(exclude={"use_strict_change"}) == v2.pcl5.model_dump(
        exclude={"use_strict_change"}
    )


@dataclass(frozen=True)
class Patient:
    patient_id: str
    pathway_id: str


class Cohort:
    """The three services on one clock; each start is a deployment with the same databases."""

    def __init__(self, kafka_bootstrap: str, topic_prefix: str, folder) -> None:
        self.bootstrap, self.prefix, self.folder = kafka_bootstrap, topic_prefix, folder
        self.clock = ManualClock(MONDAY)
        self.watch: dict[str, TopicWatch] = {}

    async def deploy(self, stack: AsyncExitStack, version: int) -> httpx.AsyncClient:
        """Every service starting new pathways under `version`; returns intake's client."""
        apps = [
            intake_app(self._settings(IntakeSettings, "intake", version), clock=self.clock),
            infusion_app(self._settings(InfusionSettings, "infusion", version), clock=self.clock),
            followup_app(self._settings(FollowupSettings, "followup", version), clock=self.clock),
        ]
        clients = [
            await stack.enter_async_context(running(app, TOKENS["clinician"])) for app in apps
        ]
        return clients[0]

    def _settings(self, model, service: str, version: int):
        url = f"sqlite+aiosqlite:///{self.folder / service}.db"
        return settings_for(
            model, service, self.bootstrap, self.prefix, url, static_tokens(TOKENS),
            protocol_version=version,
        )  # fmt: skip

    async def refer_and_screen(self, intake: httpx.AsyncClient, number: int) -> Patient:
        referral = {
            "external_referral_id": f"ref-upgrade-{number}-{self.prefix.strip('.')}",
            "given_name": "Avery",
            "family_name": "Upgrade",
            "date_of_birth": "1981-11-23",
            "phone": "+1 555 010 0000",
            "email": "upgrade@example.org",
            "agency": "Example Fire Service",
            "responder_role": "firefighter",
            "referral_source": "occupational_health",
        }
        referred = await intake.post("/v1/referrals", json=referral)
        assert referred.status_code == 201, referred.text
        patient = Patient(referred.json()["patient_id"], referred.json()["pathway_id"])
        screening = screening_form(BASELINE)
        screened = await intake.post(f"/v1/patients/{patient.patient_id}/screening", json=screening)
        assert screened.status_code == 201, screened.text
        await self.events(INFUSION_EVENTS).wait_count(patient.patient_id, SessionScheduled, 6)
        return patient

    async def first_infusion(self, patient: Patient) -> None:
        booked = self.events(INFUSION_EVENTS).data(patient.patient_id, SessionScheduled)
        first = min(booked, key=lambda session: session.scheduled_for)
        self.clock.set(max(self.clock.now(), first.scheduled_for))
        await self._send("clinic/monitor", patient, SessionCheckedIn(
            session_id=first.session_id, checked_in_at=self.clock.now(), vitals=NORMAL,
            pregnancy_test=PregnancyTest.NOT_APPLICABLE, escort_present=True,
        ))  # fmt: skip
        await self.events(INFUSION_EVENTS).wait_count(patient.patient_id, SessionCleared, 1)
        self.clock.advance(timedelta(minutes=40))
        await self._send("clinic/monitor", patient, SessionEnded(
            session_id=first.session_id, ended_at=self.clock.now(), dose_given_mg=first.dose_mg,
            duration_minutes=40, serious_adverse_event=False,
        ))  # fmt: skip
        await self.events(INFUSION_EVENTS).wait_count(patient.patient_id, SessionCompleted, 1)

    async def pcl5(self, patient: Patient, total: int) -> AssessmentScored:
        await self._send("patient-app/mobile", patient, AssessmentSubmitted(
            instrument=Instrument.PCL5, items=pcl5_items(total), submitted_at=self.clock.now(),
        ))  # fmt: skip
        watch = self.events(FOLLOWUP_EVENTS)
        (scored,) = await watch.wait_count(patient.patient_id, AssessmentScored, 1)
        return scored

    async def _send(self, source: str, patient: Patient, data) -> None:
        event = new_event(
            data, subject=patient.patient_id, correlation_id=patient.pathway_id, source=source,
            time=self.clock.now(),
        )  # fmt: skip
        await produce_events(self.bootstrap, [event], self.prefix)

    def events(self, topic) -> TopicWatch:
        return self.watch[topic.name]


def protocols(watch: TopicWatch, patient: Patient) -> set[tuple[str, int]]:
    """The protocol every decision about the patient on this topic was taken under."""
    return {
        (event.data.protocol.id, event.data.protocol.version)
        for event in watch.events(patient.patient_id)
        if hasattr(event.data, "protocol")
    }


async def test_after_an_upgrade_new_patients_get_v2_and_earlier_ones_stay_on_v1(
    kafka_bootstrap, topic_prefix, tmp_path
):
    cohort = Cohort(kafka_bootstrap, topic_prefix, tmp_path)
    await ensure_topics(kafka_bootstrap, {topic_prefix + t.name: t.partitions for t in ALL_TOPICS})
    async with AsyncExitStack() as watchers:
        for topic in WATCHED:
            cohort.watch[topic.name] = await watchers.enter_async_context(
                watching(kafka_bootstrap, topic_prefix + topic.name)
            )
        async with AsyncExitStack() as under_v1:
            intake = await cohort.deploy(under_v1, version=1)
            started_before = await cohort.refer_and_screen(intake, 1)
        async with AsyncExitStack() as under_v2:
            intake = await cohort.deploy(under_v2, version=2)
            started_after = await cohort.refer_and_screen(intake, 2)
            for patient in (started_before, started_after):
                await cohort.first_infusion(patient)
            before = await cohort.pcl5(started_before, BASELINE - DROP)
            after = await cohort.pcl5(started_after, BASELINE - DROP)

    version = {(V1.id, V1.version)}, {(V2.id, V2.version)}
    for topic in (INTAKE_EVENTS, INFUSION_EVENTS, FOLLOWUP_EVENTS):
        assert protocols(cohort.events(topic), started_before) == version[0], topic.name
        assert protocols(cohort.events(topic), started_after) == version[1], topic.name
    assert cohort.events(INTAKE_EVENTS).data(started_after.patient_id, PatientScreened)
    assert cohort.events(INFUSION_EVENTS).data(started_before.patient_id, CoursePlanned)
    assert (before.change_from_baseline, before.response) == (-DROP, True)
    assert (after.change_from_baseline, after.response) == (-DROP, False)
    for dlq in (INTAKE_DLQ, INFUSION_DLQ, FOLLOWUP_DLQ):
        assert cohort.events(dlq).records == [], dlq.name
