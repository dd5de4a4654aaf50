"""The compose stack for the `compose` tests: brought up once per session, torn down after.

Needs a Docker-compatible engine and Docker Compose v2; deploy/smoke.sh provides both (and
the local images) on a machine without Docker. They are deselected from a plain `pytest` run
(`-m 'not compose'` in the root pyproject) and selected by deploy/smoke.sh; without an engine
they fail with a message saying how to get one.
"""

import json
import secrets
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from carepath_localkafka.deployment_credentials import write_deployment_credentials
from carepath_runtime.bus import Bus
from carepath_runtime.bus_grants import ADMIN, principals

from .pathway import StackEndpoints, course_planned, screening_to_course_plan, settle
from .stack import (
    REPO,
    ROLES,
    SERVICES,
    ComposeProject,
    build_app_image,
    engine_kind,
    free_port,
    podman_healthchecks,
    wait_ready,
    write_env_file,
)

PROJECT = "carepath-smoke"
RESULTS_DIR = REPO / "var" / "compose-smoke"


@dataclass
class RunningStack:
    project: ComposeProject
    engine: str
    endpoints: StackEndpoints
    urls: dict[str, str]
    timings: dict[str, float] = field(default_factory=dict)

    def bus_as(self, principal: str) -> Bus:
        """The stack's bus from the host, as one of its principals."""
        return self.endpoints.kafka.as_principal(
            principal, self.project.bus_secrets / "principals" / f"{principal}.password"
        )

    def url(self, service: str, index: int = 1) -> str:
        return self.project.http_url(service, index)

    def setting(self, name: str) -> str:
        """A value of the stack's env file (as compose reads it: last one wins)."""
        found = ""
        for line in self.project.env_file.read_text(encoding="utf-8").splitlines():
            if line.startswith(f"{name}="):
                found = line.split("=", 1)[1].strip("'")
        return found


def _timed(timings: dict[str, float], name: str):
    class _Timer:
        def __enter__(self):
            self.start = time.monotonic()

        def __exit__(self, *exc):
            timings[name] = round(time.monotonic() - self.start, 1)

    return _Timer()


@pytest.fixture(scope="session")
def compose_engine() -> str:
    kind = engine_kind()
    if kind == "none":
        pytest.fail(
            "no Docker-compatible engine answers (DOCKER_HOST); run `bash deploy/smoke.sh`, "
            "which sets one up",
            pytrace=False,
        )
    return kind


@pytest.fixture(scope="session")
def stack(compose_engine: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningStack]:
    """The whole stack, built locally and ready (every service's /readyz answers 200)."""
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    env_file: Path = tmp_path_factory.mktemp("compose") / "smoke.env"
    tokens = {role: secrets.token_urlsafe(24) for role in ROLES}
    kafka_port = free_port()
    write_env_file(env_file, kafka_host_port=kafka_port, tokens=tokens, controlled_clock=True)
    # The smoke test runs the secure bus: TLS, SCRAM principals, ACLs (docker-compose.secure.yml).
    bus_secrets = tmp_path_factory.mktemp("bus") / "secrets"
    tls, _ = write_deployment_credentials(
        bus_secrets, principals(clock_control=True), hostnames=("kafka", "localhost")
    )
    admin = Bus(
        f"127.0.0.1:{kafka_port}",
        "SASL_SSL",
        ADMIN,
        bus_secrets / "principals" / f"{ADMIN}.password",
        tls.ca_certificate,
    )
    project = ComposeProject(PROJECT, env_file, bus_secrets)
    timings: dict[str, float] = {}
    # Left over from an interrupted run: containers, network and volumes of this project.
    project.run("down", "--volumes", "--remove-orphans", "--timeout", "5", check=False)
    try:
        with podman_healthchecks(PROJECT, compose_engine):
            with _timed(timings, "carepath image build"):
                build_app_image(project, compose_engine)
            with _timed(timings, "compose up -d"):
                project.run("up", "--detach", timeout=600)
            urls = {service: project.http_url(service) for service in SERVICES}
            with _timed(timings, "until every /readyz is 200"):
                wait_ready(urls)
            endpoints = StackEndpoints(
                intake_url=urls["intake"],
                bootstrap=admin.bootstrap,
                tokens=tokens,
                bus=admin,
            )
            yield RunningStack(project, compose_engine, endpoints, urls, timings)
    finally:
        # Kept for a failed run: deploy/smoke.sh prints where they are.
        (RESULTS_DIR / "logs.txt").write_text(project.logs(tail=1000), encoding="utf-8")
        with _timed(timings, "compose down -v"):
            project.run("down", "--volumes", "--remove-orphans", "--timeout", "45", check=False)
        (RESULTS_DIR / "timings.json").write_text(json.dumps(timings, indent=2), encoding="utf-8")


@pytest.fixture(scope="session")
async def baseline(stack: RunningStack) -> AsyncIterator[dict[str, list[str]]]:
    """Event types per topic of one undisturbed pathway: what every other run must match."""
    start = time.monotonic()
    [patient] = await screening_to_course_plan(stack.endpoints, 1)
    trails = await settle(stack.endpoints, [patient], course_planned)
    stack.timings["one pathway (referral to course plan)"] = round(time.monotonic() - start, 1)
    yield trails[patient].shape()
