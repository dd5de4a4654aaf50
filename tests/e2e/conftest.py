"""One stack for the end-to-end tests: the three services and the console as processes on the
real broker."""

import asyncio
import secrets
import socket
from collections import defaultdict

import pytest

from carepath_cli.stack import LocalStack
from carepath_contracts import ALL_TOPICS, from_record
from carepath_runtime.topic_reading import read_topics
from carepath_runtime.topics_admin import delete_topics_with_prefix
from carepath_simulator.scenarios import Scenario
from carepath_simulator.simulation import Simulation, StackAccess

SEED = 11


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def stack(kafka_bootstrap, tmp_path_factory):
    local = LocalStack(
        tmp_path_factory.mktemp("stack"),
        bootstrap=kafka_bootstrap,
        ports={name: free_port() for name in ("intake", "infusion", "followup", "console")},
        topic_prefix=f"e2e{secrets.token_hex(3)}.",
    )
    state = local.up(clock="controlled", progress=lambda _line: None)
    yield state
    local.down(progress=lambda _line: None)
    asyncio.run(delete_topics_with_prefix(kafka_bootstrap, state.topic_prefix))


@pytest.fixture(scope="session")
def pathways(stack):
    """Every scenario, one patient each, run together through whole pathways."""
    access = StackAccess(
        bootstrap=stack.bootstrap,
        intake_url=stack.service("intake").url,
        followup_url=stack.service("followup").url,
        tokens=stack.tokens,
        topic_prefix=stack.topic_prefix,
    )
    simulation = Simulation(access, list(Scenario), seed=SEED)
    result = asyncio.run(simulation.run())
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
    return result, by_patient, dead_letters
