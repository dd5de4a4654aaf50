"""The compose stack, up for real: a pathway through it, a restart mid-pathway, two replicas.

Run with deploy/smoke.sh (it sets up an engine and the images when there is no Docker).
"""

import asyncio
import json
import time

import pytest
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.coordinator.protocol import ConsumerProtocolMemberAssignment

from carepath_contracts.topics import FOLLOWUP_EVENTS, INFUSION_INBOUND, INTAKE_EVENTS
from carepath_runtime.bus import Bus
from carepath_runtime.bus_grants import SIMULATOR
from carepath_simulator.scenarios import Scenario
from carepath_simulator.simulation import Simulation, StackAccess

from .conftest import RunningStack
from .pathway import (
    COURSE_PLANNED,
    PATIENT_SCREENED,
    course_planned,
    duplicates,
    observe,
    read_all,
    republished,
    screening_to_course_plan,
    settle,
)
from .stack import (
    SERVICES,
    counter_value,
    metrics,
    readiness,
    status_without_token,
    wait_ready,
)

FAST_POLL_S = 0.05  # catch infusion mid-burst, before it has taken every patient
POLL_S = 1.0  # how often the consumer group is checked until its deadline

pytestmark = [
    pytest.mark.compose,
    pytest.mark.kafka,
    pytest.mark.postgres,
    pytest.mark.timeout(900),
]

INFUSION_GROUP = "carepath-infusion"
SIMULATOR_SEED = 11
INFUSION_SUBSCRIPTIONS = {
    INTAKE_EVENTS.name: INTAKE_EVENTS.partitions,
    INFUSION_INBOUND.name: INFUSION_INBOUND.partitions,
    FOLLOWUP_EVENTS.name: FOLLOWUP_EVENTS.partitions,
}


def container_states(stack: RunningStack, service: str) -> list[dict]:
    result = stack.project.run("ps", "--all", "--format", "json", service)
    text = result.stdout.strip()
    if text.startswith("["):
        return json.loads(text)
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def assert_same_pathways(trails, baseline, *, crashed: bool = False) -> int:
    """Every pathway has exactly the events of the undisturbed one, none handled twice.

    Only after a crash (SIGKILL) may records be published again under the same event id:
    the outbox relay had published them but not yet marked them sent. Returns how many.
    """
    problems = duplicates(trails)
    assert not problems, problems
    for patient, trail in trails.items():
        assert trail.shape() == baseline, f"{patient} differs from the undisturbed pathway"
    again = republished(trails)
    assert crashed or again == 0, f"{again} records published twice without a crash"
    return again


async def test_a_pathway_runs_through_the_stack(stack: RunningStack, baseline) -> None:
    # The undisturbed pathway: intake screened the patient eligible, infusion planned a course.
    assert PATIENT_SCREENED in baseline[INTAKE_EVENTS.name]
    assert COURSE_PLANNED in baseline["carepath.infusion.events"]
    [patient] = await screening_to_course_plan(stack.endpoints, 1)
    trails = await settle(stack.endpoints, [patient], course_planned)
    [screened] = trails[patient].of_type(PATIENT_SCREENED)
    assert screened.data["outcome"] == "eligible"
    assert_same_pathways(trails, baseline)

    # Every service is ready and serves its metrics to an operator's token, to no one else.
    operator = stack.endpoints.tokens["operator"]
    for service in SERVICES:
        url = stack.url(service)
        assert readiness(url) == {
            "ready": True,
            "service": service,
            "checks": {
                "started": True,
                "clock_caught_up": True,  # the stack runs on the controlled clock
                "broker": True,
                "database": True,
                "partitions_assigned": True,
                "consumer_progress": True,
            },
            "reasons": {},
        }
        assert "carepath_events_consumed_total" in metrics(url, operator)
        assert status_without_token(f"{url}/metrics") == 401
    intake_metrics = metrics(stack.url("intake"), operator)
    assert counter_value(intake_metrics, "carepath_events_published_total") >= 4


def test_each_service_reaches_only_its_own_database(stack: RunningStack) -> None:
    def connect(role: str, database: str) -> str:
        password = stack.setting(f"{role.upper()}_DB_PASSWORD")
        url = f"postgresql://{role}:{password}@127.0.0.1:5432/{database}"
        result = stack.project.run(
            "exec", "-T", "postgres", "psql", url, "-tAc", "select current_user", check=False
        )
        return (result.stdout + result.stderr).strip()

    for role in SERVICES:
        assert connect(role, role) == role
        for other in SERVICES:
            if other != role:
                assert "permission denied for database" in connect(role, other)


async def test_whole_pathways_with_the_simulator(stack: RunningStack) -> None:
    """Every scenario, one simulated patient each, from referral to the end of its pathway.

    The simulator plays the outside world from the host (referral portal and clinicians over
    intake's HTTP API, clinic systems and the patient app on the inbound topics) and moves the
    services' controlled clock, so months of pathway pass in seconds.
    """
    access = StackAccess(
        bootstrap=stack.endpoints.bootstrap,
        bus=stack.bus_as(SIMULATOR),
        intake_url=stack.endpoints.intake_url,
        tokens=stack.endpoints.tokens,
        topic_prefix=stack.endpoints.topic_prefix,
    )
    # The protocol upgrade redeploys intake, which the local stack does (tests/e2e).
    scenarios = [s for s in Scenario if s is not Scenario.PROTOCOL_UPGRADE]
    simulation = Simulation(access, scenarios, seed=SIMULATOR_SEED)
    result = await simulation.run()
    outcomes = {patient.script.scenario: patient.outcome for patient in result.patients}
    expected = {patient.script.scenario: patient.script.expected for patient in result.patients}
    assert outcomes == expected
    assert all(patient.finished for patient in result.patients)
    dead_letters = await read_all(
        stack.endpoints.kafka, [f"carepath.{service}.dlq" for service in SERVICES]
    )
    assert dead_letters == []
    trails = await observe(stack.endpoints, [p.patient_id for p in result.patients])
    assert republished(trails) == 0
    stack.timings["simulator: patients through whole pathways"] = len(result.patients)
    stack.timings["simulator: clinical days"] = (result.ended_at - result.started_at).days
    stack.timings["simulator: seconds"] = round(result.wall_seconds, 1)


async def test_a_stopped_service_catches_up_and_a_killed_one_loses_nothing(
    stack: RunningStack, baseline
) -> None:
    project = stack.project
    # 1. infusion stops cleanly (SIGTERM through the init: quick, exit 0) in mid-pathway:
    #    patients get screened while it is down; it plans their courses once it is back.
    started = time.monotonic()
    project.run("stop", "infusion")
    stop_seconds = time.monotonic() - started
    [state] = container_states(stack, "infusion")
    assert state["State"] == "exited" and state["ExitCode"] == 0, state
    assert stop_seconds < 15, f"stopping infusion took {stop_seconds:.1f}s"
    stack.timings["clean stop of infusion"] = round(stop_seconds, 1)

    patients = await screening_to_course_plan(stack.endpoints, 5)
    await settle(stack.endpoints, patients, lambda t: bool(t.of_type(PATIENT_SCREENED)))
    waiting = await observe(stack.endpoints, patients)
    assert not any(course_planned(trail) for trail in waiting.values())

    project.run("start", "infusion")
    wait_ready({"infusion": stack.url("infusion")})
    trails = await settle(stack.endpoints, patients, course_planned)
    assert_same_pathways(trails, baseline)

    # 2. infusion is killed (SIGKILL: no clean shutdown at all) while a burst of pathways is
    #    arriving: as soon as it has taken the first of them, and while intake still screens
    #    the rest. What it had not committed is redelivered, what it had is not done twice.
    operator = stack.endpoints.tokens["operator"]
    infusion_url = stack.url("infusion")

    def screened_by_infusion() -> float:
        exposition = metrics(infusion_url, operator)
        return counter_value(
            exposition, "carepath_events_consumed_total", event_type=PATIENT_SCREENED
        )

    before = await asyncio.to_thread(screened_by_infusion)
    burst_task = asyncio.create_task(screening_to_course_plan(stack.endpoints, 12))
    taken = 0.0
    deadline = time.monotonic() + 60
    while taken == 0 and time.monotonic() < deadline and not burst_task.done():
        taken = await asyncio.to_thread(screened_by_infusion) - before
        await asyncio.sleep(FAST_POLL_S)
    await asyncio.to_thread(project.run, "kill", "--signal", "SIGKILL", "infusion")
    burst = await burst_task
    project.run("start", "infusion")
    wait_ready({"infusion": stack.url("infusion")})
    trails = await settle(stack.endpoints, burst, course_planned)
    again = assert_same_pathways(trails, baseline, crashed=True)
    stack.timings["burst: taken by infusion before SIGKILL (of 12)"] = taken
    stack.timings["burst: records published again after SIGKILL"] = again

    # 3. follow-up restarts cleanly and is ready again.
    project.run("restart", "followup")
    wait_ready({"followup": stack.url("followup")})


async def infusion_group_assignment(bus: Bus) -> list[dict[str, set[int]]]:
    """Each member of infusion's consumer group: {topic: partitions} it holds."""
    admin = AIOKafkaAdminClient(**bus.client_options())
    await admin.start()
    try:
        [response] = await admin.describe_consumer_groups([INFUSION_GROUP])
    finally:
        await admin.close()
    [group] = response.groups
    members = group[5]
    assignments = []
    for member in members:
        raw = member[4]
        decoded = ConsumerProtocolMemberAssignment.decode(raw) if raw else None
        held: dict[str, set[int]] = {}
        for topic, partitions in decoded.assignment if decoded else ():
            held[topic] = set(partitions)
        assignments.append(held)
    return assignments


async def test_two_infusion_replicas_split_the_partitions(stack: RunningStack, baseline) -> None:
    project = stack.project
    scale = ("up", "--detach", "--no-deps", "--no-recreate", "--scale")
    project.run(*scale, "infusion=2", "infusion")
    try:
        replicas = [stack.url("infusion", 1), stack.url("infusion", 2)]
        wait_ready({f"infusion #{n}": url for n, url in enumerate(replicas, 1)})

        # Both replicas are members of the one group; together they hold every partition of
        # the three topics infusion reads, each partition exactly once.
        deadline = time.monotonic() + 60
        while True:
            members = await infusion_group_assignment(stack.endpoints.kafka)
            if len(members) == 2 and all(members):
                break
            assert time.monotonic() < deadline, f"group never settled on 2 members: {members}"
            await asyncio.sleep(POLL_S)
        for topic, count in INFUSION_SUBSCRIPTIONS.items():
            held = [member.get(topic, set()) for member in members]
            assert held[0].isdisjoint(held[1]), (topic, held)
            assert held[0] | held[1] == set(range(count)), (topic, held)
        assert all(sum(len(p) for p in member.values()) > 0 for member in members)

        operator = stack.endpoints.tokens["operator"]

        def screened_by_each() -> list[float]:
            return [
                counter_value(
                    metrics(url, operator),
                    "carepath_events_consumed_total",
                    event_type=PATIENT_SCREENED,
                )
                for url in replicas
            ]

        before = screened_by_each()
        patients = await screening_to_course_plan(stack.endpoints, 12)
        trails = await settle(stack.endpoints, patients, course_planned)
        assert_same_pathways(trails, baseline)
        handled = [after - first for after, first in zip(screened_by_each(), before, strict=True)]
        # Patients hash to partitions: 12 of them all landing on one replica's three
        # partitions of intake's events happens about once in 2,000 runs.
        assert sum(handled) >= len(patients), handled
        assert all(count > 0 for count in handled), handled
        stack.timings["patients handled per infusion replica"] = handled
    finally:
        project.run(*scale, "infusion=1", "infusion")
    wait_ready({"infusion": stack.url("infusion")})
