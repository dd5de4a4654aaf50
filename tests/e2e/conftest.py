"""Stacks for the end-to-end tests: the three services and the console as processes on the
real broker."""

import asyncio
import secrets
import socket
from collections import defaultdict
from contextlib import contextmanager

import pytest

from carepath_cli.stack import LocalStack
from carepath_contracts import ALL_TOPICS, from_record
from carepath_runtime.topic_reading import read_topics
from carepath_runtime.topics_admin import delete_topics_with_prefix
from carepath_simulator.scenarios import Scenario
from carepath_simulator.simulation import Simulation, StackAccess, redeploying_intake
from carepath_testing.otlp_collector import OtlpCollector

SEED = 11


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def running_stack(kafka_bootstrap, folder, prefix: str, environment=None):
    """The services and the console as processes on the test broker, stopped and cleaned up."""
    local = LocalStack(
        folder,
        bootstrap=kafka_bootstrap,
        ports={name: free_port() for name in ("intake", "infusion", "followup", "console")},
        topic_prefix=f"{prefix}{secrets.token_hex(3)}.",
        environment=environment,
    )
    state = local.up(clock="controlled", progress=lambda _line: None)
    try:
        yield state
    finally:
        local.down(progress=lambda _line: None)
        asyncio.run(delete_topics_with_prefix(kafka_bootstrap, state.topic_prefix))


@pytest.fixture(scope="session")
def stack_folder(tmp_path_factory):
    return tmp_path_factory.mktemp("stack")


@pytest.fixture(scope="session")
def stack(kafka_bootstrap, stack_folder):
    with running_stack(kafka_bootstrap, stack_folder, "e2e") as state:
        yield state


@pytest.fixture(scope="session")
def pathways(stack, kafka_bootstrap, stack_folder):
    """Every scenario, one patient each, run together through whole pathways (intake is
    redeployed for protocol version 2 before the upgrade scenario's patient is referred)."""
    upgrade = redeploying_intake(LocalStack(stack_folder, bootstrap=kafka_bootstrap))
    access = StackAccess.of(stack)
    simulation = Simulation(access, list(Scenario), seed=SEED, deploy_protocol=upgrade)
    result = asyncio.run(simulation.run())
    by_patient, dead_letters = published(stack)
    return result, by_patient, dead_letters


def published(stack):
    """What the services published, by patient in clinical time order, and the dead letters."""
    records = asyncio.run(
        read_topics(stack.bootstrap, [stack.topic_prefix + topic.name for topic in ALL_TOPICS])
    )
    by_patient = defaultdict(list)
    dead_letters = []
    for record in records:
        if record.topic.endswith(".dlq"):
            dead_letters.append(record)
        elif record.topic.endswith(".events"):
            event = from_record(record.value, record.headers)
            by_patient[event.subject].append(event)
    for events in by_patient.values():
        events.sort(key=lambda event: event.time)
    return by_patient, dead_letters


@pytest.fixture(scope="module")
def traced_pathway(kafka_bootstrap, tmp_path_factory):
    """One patient's whole pathway on a stack whose three service processes export their
    spans over OTLP/HTTP to a collector in this process; the spans are read after the stack
    has stopped (a service exports what it still holds as it stops)."""
    with OtlpCollector() as collector:
        environment = {
            "OTEL_EXPORTER_OTLP_ENDPOINT": collector.endpoint,
            "OTEL_BSP_SCHEDULE_DELAY": "200",
        }
        folder = tmp_path_factory.mktemp("traced")
        with running_stack(kafka_bootstrap, folder, "traced", environment) as stack:
            simulation = Simulation(StackAccess.of(stack), [Scenario.WITHDRAWAL], seed=SEED)
            result = asyncio.run(simulation.run())
            by_patient, dead_letters = published(stack)
        assert dead_letters == []
        (patient,) = result.patients
        return patient, by_patient[patient.patient_id], collector.received()
