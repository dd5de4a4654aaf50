"""Runs simulated patients through whole pathways on a running Carepath stack.

Time is shared and controlled: the simulation moves it straight to the next moment anything
is due (an outside-world action or a service's timer), lets everything settle, reacts, and
repeats, until every patient's pathway has ended.
"""

import asyncio
import heapq
import itertools
import random
import secrets
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from carepath_cli.stack import LocalStack, StackState, group_id
from carepath_contracts import DEFAULT_PROTOCOL_VERSION, TreatmentProtocol, default_protocol
from carepath_runtime.bus import Bus
from carepath_runtime.control_clock import ClockDriver
from carepath_simulator.observer import EventObserver
from carepath_simulator.outside import InboundTopics, ReferralPortal, ReviewDesk, new_trace
from carepath_simulator.patient import Action, SimulatedPatient
from carepath_simulator.people import make_referral
from carepath_simulator.scenarios import SCRIPTS, Scenario
from carepath_simulator.settle import SETTLE_TIMEOUT_S, Settler

SERVICES = ("intake", "infusion", "followup")
FAR_PAST = datetime(2000, 1, 1, tzinfo=UTC)
MAX_CLINICAL_DAYS = 365


PROTOCOL_VERSION_ENV = "CAREPATH_INTAKE_PROTOCOL_VERSION"
ProtocolDeployment = Callable[[int], Awaitable[None]]
"""Deploys intake so that new pathways start under this protocol version (an upgrade)."""


def redeploying_intake(stack: LocalStack) -> ProtocolDeployment:
    """A protocol upgrade on the local stack: intake restarted with its new version (the other
    services know every version and follow each patient's)."""

    async def deploy(version: int) -> None:
        env = {} if version == DEFAULT_PROTOCOL_VERSION else {PROTOCOL_VERSION_ENV: str(version)}
        await asyncio.to_thread(stack.redeploy, "intake", env, progress=lambda _line: None)

    return deploy


@dataclass(frozen=True)
class StackAccess:
    """Where the stack is and how to talk to it."""

    bootstrap: str
    intake_url: str
    tokens: Mapping[str, str]
    topic_prefix: str = ""
    groups: Mapping[str, str] = field(default_factory=dict)
    # Follow-up's HTTP API for review outcomes; without it the clinician's outcomes go on
    # follow-up's inbound topic as another system's `review-outcome-submitted`.
    followup_url: str = ""
    # On a secured bus: the simulator's principal (else a plain bus at `bootstrap`).
    bus: Bus | None = None
    # Services running more than one process: the clock waits for each of them.
    replicas: Mapping[str, int] = field(default_factory=dict)

    @classmethod
    def of(
        cls,
        state: StackState,
        *,
        bus: Bus | None = None,
        replicas: Mapping[str, int] | None = None,
    ) -> "StackAccess":
        """A local stack's access: its broker, intake's and follow-up's URLs, its tokens."""
        return cls(
            bootstrap=state.bootstrap,
            intake_url=state.service("intake").url,
            followup_url=state.service("followup").url,
            tokens=state.tokens,
            topic_prefix=state.topic_prefix,
            bus=bus,
            replicas=replicas or {},
        )

    @property
    def kafka(self) -> Bus:
        return self.bus or Bus(self.bootstrap)

    def group_of(self, service: str) -> str:
        return self.groups.get(service) or group_id(service, self.topic_prefix)


@dataclass
class SimulationResult:
    patients: list[SimulatedPatient]
    started_at: datetime
    ended_at: datetime
    wall_seconds: float
    events_published: int
    events_sent: int


class Simulation:
    def __init__(
        self,
        stack: StackAccess,
        scenarios: list[Scenario],
        *,
        seed: int = 1,
        protocol: TreatmentProtocol | None = None,
        progress: Callable[[str], None] = lambda _line: None,
        desk: ReviewDesk | None = None,
        deploy_protocol: ProtocolDeployment | None = None,
    ) -> None:
        """`desk` records the clinicians' review outcomes (default: a `ReviewDesk` on
        follow-up's API with the clinician's token, when `stack.followup_url` is set); the
        console's browser test passes one that leaves some reviews to a person."""
        self._stack = stack
        self._scenarios = scenarios
        self._rng = random.Random(seed)
        # Referral ids must be new on every run (a stack keeps earlier runs' patients); the
        # seed still decides the scenario mix and the made-up personal details.
        self._run_id = f"{seed}-{secrets.token_hex(4)}"
        self._protocol = protocol or default_protocol()
        self._progress = progress
        self._deploy_protocol = deploy_protocol
        self._agenda: list[tuple[datetime, int, int, Action]] = []
        self._desk: ReviewDesk | None = desk
        self._sequence = itertools.count()

    async def run(self) -> SimulationResult:
        started = time.monotonic()
        stack = self._stack
        portal = ReferralPortal(
            stack.intake_url,
            integration_token=stack.tokens["integration"],
            clinician_token=stack.tokens["clinician"],
        )
        inbound = InboundTopics(stack.kafka, stack.topic_prefix)
        if stack.followup_url and self._desk is None:
            self._desk = ReviewDesk(stack.followup_url, clinician_token=stack.tokens["clinician"])
        observer = EventObserver(stack.kafka, stack.topic_prefix)
        groups = {service: stack.group_of(service) for service in SERVICES}
        replicas = {service: stack.replicas.get(service, 1) for service in SERVICES}
        async with ClockDriver(stack.kafka, stack.topic_prefix, replicas) as driver:
            settler = Settler(stack.kafka, stack.topic_prefix, groups, driver)
            await settler.start()
            await inbound.start()
            await observer.start()
            try:
                acks, _ = await settler.settle(FAR_PAST)
                now = max(ack.now for ack in acks)
                start = now
                patients = await self._admit(portal, now)
                by_id = {patient.patient_id: patient for patient in patients}
                await self._loop(driver, settler, observer, portal, inbound, by_id, start)
                now = await self._clock_now(driver)
            finally:
                await observer.close()
                await inbound.close()
                await settler.close()
                await portal.close()
                if self._desk is not None:
                    await self._desk.close()
        return SimulationResult(
            patients=patients,
            started_at=start,
            ended_at=now,
            wall_seconds=time.monotonic() - started,
            events_published=observer.read,
            events_sent=inbound.sent,
        )

    async def _admit(self, portal: ReferralPortal, now: datetime) -> list[SimulatedPatient]:
        """Refer and screen every patient; those of a protocol upgrade once intake starts new
        pathways under the new version (the others started under the default one before)."""
        patients = []
        for number, scenario in enumerate(self._scenarios, start=1):
            referral = make_referral(self._rng, number, self._run_id, now.date())
            patients.append(
                SimulatedPatient(number, SCRIPTS[scenario], referral, traceparent=new_trace())
            )
        cohorts: dict[int, list[SimulatedPatient]] = {}
        for patient in patients:
            version = patient.script.referred_under_protocol_version or DEFAULT_PROTOCOL_VERSION
            cohorts.setdefault(version, []).append(patient)
        upgrading = set(cohorts) != {DEFAULT_PROTOCOL_VERSION}
        if upgrading and self._deploy_protocol is None:
            raise ValueError("a protocol upgrade scenario needs deploy_protocol")
        upgrade = self._deploy_protocol if upgrading else None
        for version in sorted(cohorts):
            if upgrade is not None:
                await upgrade(version)
                self._progress(f"intake starts new pathways under protocol version {version}")
            for patient in cohorts[version]:
                patient.patient_id, patient.pathway_id = await portal.refer(
                    patient.referral.form(), patient.traceparent
                )
            for patient in cohorts[version]:
                await portal.screen(
                    patient.patient_id, patient.screening_form(), patient.traceparent
                )
        self._progress(f"{len(patients)} patients referred and screened")
        return patients

    async def _loop(self, driver, settler, observer, portal, inbound, by_id, start) -> None:
        now = start
        last_report = start
        while True:
            acks, ends = await settler.settle(now)
            for event in await observer.drain(ends):
                patient = by_id.get(event.subject)
                if patient is not None:
                    for action in patient.react(event, self._protocol):
                        self._plan(patient, action)
            if await self._act_due(now, by_id, portal, inbound):
                continue
            # Over once every pathway has ended and the clinic has done all it planned (a
            # review to answer, the discharge after a last infusion): the end of a run does
            # not depend on the step at which the last outcome was seen.
            if all(patient.finished for patient in by_id.values()) and not self._agenda:
                return
            upcoming = [ack.next_due_at for ack in acks if ack.next_due_at]
            if self._agenda:
                upcoming.append(self._agenda[0][0])
            if not upcoming or min(upcoming) - start > timedelta(days=MAX_CLINICAL_DAYS):
                return
            now = max(now, min(upcoming))
            if now - last_report >= timedelta(days=7):
                last_report = now
                finished = sum(patient.finished for patient in by_id.values())
                self._progress(
                    f"day {(now - start).days:>3}: {finished}/{len(by_id)} pathways ended, "
                    f"{observer.read} events published"
                )
            await driver.advance_to(now, timeout=SETTLE_TIMEOUT_S)

    def _plan(self, patient: SimulatedPatient, action: Action) -> None:
        heapq.heappush(self._agenda, (action.at, next(self._sequence), patient.number, action))

    async def _act_due(self, now, by_id, portal, inbound) -> bool:
        patients = {patient.number: patient for patient in by_id.values()}
        acted = False
        while self._agenda and self._agenda[0][0] <= now:
            _, _, number, action = heapq.heappop(self._agenda)
            patient = patients[number]
            if not patient.still_wanted(action):
                continue
            trace = action.traceparent or patient.traceparent
            if action.kind == "approve":
                await portal.approve(patient.patient_id, trace)
            elif action.kind == "withdraw":
                await portal.withdraw(patient.patient_id, trace)
            elif action.kind == "answer" and self._desk is not None:
                await self._desk.answer(action.data[0], trace)
            else:  # "inbound", or an answer sent as another system's inbound event
                await inbound.send(
                    action.source,
                    patient.patient_id,
                    patient.pathway_id,
                    action.data,
                    action.at,
                    trace,
                )
            acted = True
        return acted

    async def _clock_now(self, driver: ClockDriver) -> datetime:
        acks = await driver.advance_to(FAR_PAST, timeout=SETTLE_TIMEOUT_S)
        return max(ack.now for ack in acks)
