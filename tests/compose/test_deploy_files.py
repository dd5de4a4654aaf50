"""Checks of deploy/ that need no container engine: settings coverage, pins, compose shape."""

import json
import re
import shutil
import subprocess

import pytest

from carepath_console.settings import ConsoleSettings
from carepath_contracts.topics import ALL_TOPICS
from carepath_followup.settings import FollowupSettings
from carepath_infusion.settings import InfusionSettings
from carepath_intake.settings import IntakeSettings
from carepath_localkafka.deployment_credentials import write_deployment_credentials
from carepath_localkafka.versions import KAFKA_DOCKER_IMAGE
from carepath_runtime.bus_grants import principals
from carepath_runtime.control_clock import CONTROL_TOPICS
from carepath_runtime.topic_setup import wanted_topics

from .stack import (
    COMPOSE_FILE,
    DEPLOY,
    ENV_EXAMPLE,
    REPO,
    ROLES,
    SECURE_COMPOSE_FILE,
    compose_command,
    write_env_file,
)

SETTINGS = {
    "intake": IntakeSettings,
    "infusion": InfusionSettings,
    "followup": FollowupSettings,
    "console": ConsoleSettings,
}
# Set per service by docker-compose.yml itself (they follow from the stack's layout).
SET_BY_COMPOSE = {
    "kafka_bootstrap_servers",
    "database_url",
    "topic_prefix",
    "create_topics",
    "http_host",
    "http_port",
}


@pytest.mark.parametrize("service", sorted(SETTINGS))
def test_env_example_names_every_setting(service: str) -> None:
    text = ENV_EXAMPLE.read_text(encoding="utf-8")
    model = SETTINGS[service]
    prefix = model.model_config["env_prefix"]
    missing = [
        prefix + name.upper()
        for name in model.model_fields
        if name != "service_name" and not re.search(rf"\b{prefix}{name.upper()}\b", text)
    ]
    assert not missing, f"deploy/.env.example does not mention {missing}"
    compose = COMPOSE_FILE.read_text(encoding="utf-8")
    for name in SET_BY_COMPOSE & set(model.model_fields):
        assert f"{prefix}{name.upper()}:" in compose, f"{prefix}{name.upper()} not set in compose"


def test_env_example_leaves_no_secret_filled_in() -> None:
    values = dict(
        line.split("=", 1)
        for line in ENV_EXAMPLE.read_text(encoding="utf-8").splitlines()
        if line and not line.startswith("#")
    )
    for name in ("POSTGRES_PASSWORD", "KAFKA_CLUSTER_ID", "KAFKA_UI_PASSWORD"):
        assert values[name] == "", name
    for service in SETTINGS:
        tokens = json.loads(values[f"CAREPATH_{service.upper()}_TOKENS"].strip("'"))
        assert all(token["sha256"].startswith("<") for token in tokens), tokens
        assert {token["role"] for token in tokens} == set(ROLES)


def test_images_are_pinned_and_kafka_matches_the_local_broker() -> None:
    compose = COMPOSE_FILE.read_text(encoding="utf-8")
    assert f"${{KAFKA_IMAGE:-{KAFKA_DOCKER_IMAGE}}}" in compose
    for image in re.findall(r"image: \$\{\w+:-([^}]+)\}", compose):
        assert ":" in image and not image.endswith(":latest"), image
    example = ENV_EXAMPLE.read_text(encoding="utf-8")
    assert f"KAFKA_IMAGE={KAFKA_DOCKER_IMAGE}\n" in example


def test_health_checks_are_shell_strings() -> None:
    # Podman splits exec-form checks on spaces; CMD-SHELL works on Docker and Podman alike.
    tests = re.findall(r"^\s+test: (.*)$", COMPOSE_FILE.read_text(encoding="utf-8"), re.M)
    assert len(tests) == 6  # kafka, postgres, the three services, the console
    assert all(test.startswith('["CMD-SHELL", ') for test in tests), tests


def test_dockerfile_is_multi_stage_locked_and_unprivileged() -> None:
    dockerfile = (DEPLOY / "Dockerfile").read_text(encoding="utf-8")
    assert dockerfile.count("\nFROM ") == 2
    assert "uv sync --frozen --no-dev" in dockerfile
    users = re.findall(r"^USER (\S+)", dockerfile, re.M)
    assert users and users[-1].split(":")[0] not in ("root", "0")


def test_topic_set_up_creates_every_topic() -> None:
    assert wanted_topics("p.") == {f"p.{t.name}": t.partitions for t in ALL_TOPICS}
    with_clock = wanted_topics(clock_control=True)
    assert set(with_clock) == {t.name for t in ALL_TOPICS} | set(CONTROL_TOPICS)


def _compose_binary() -> list[str] | None:
    command = compose_command()
    if shutil.which(command[0]) is None:
        return None
    result = subprocess.run([*command, "version"], capture_output=True, check=False)
    return command if result.returncode == 0 else None


@pytest.mark.compose
def test_compose_file_resolves_with_the_example_settings(tmp_path) -> None:
    """`docker compose config` on the example filled in: dependencies, volumes, profile."""
    command = _compose_binary()
    assert command is not None, "no Docker Compose v2 here (deploy/engine.sh up installs one)"
    env_file = tmp_path / "test.env"
    write_env_file(env_file, kafka_host_port=9094, tokens={role: role * 3 for role in ROLES})
    result = subprocess.run(
        [
            *command,
            *("--project-directory", str(DEPLOY), "-f", str(COMPOSE_FILE)),
            *("--env-file", str(env_file), "--profile", "ui", "config", "--format", "json"),
        ],
        capture_output=True,
        text=True,
        check=True,
        cwd=REPO,
        env={"PATH": "/usr/bin:/bin", "CAREPATH_ENV_FILE": str(env_file)},
    )
    config = json.loads(result.stdout)
    services = config["services"]
    assert set(services) == {
        "kafka",
        "postgres",
        "kafka-topics",
        "intake",
        "infusion",
        "followup",
        "console",
        "kafka-ui",
    }
    assert services["kafka-ui"]["profiles"] == ["ui"]
    assert services["kafka-topics"]["depends_on"]["kafka"]["condition"] == "service_healthy"
    for name in ("intake", "infusion", "followup"):
        service = services[name]
        assert service["init"] is True
        assert service["read_only"] is True and service["cap_drop"] == ["ALL"]
        assert service["depends_on"]["kafka-topics"]["condition"] == (
            "service_completed_successfully"
        )
        assert service["depends_on"]["postgres"]["condition"] == "service_healthy"
        assert service["environment"][f"CAREPATH_{name.upper()}_CREATE_TOPICS"] == "false"
        assert service["build"]["dockerfile"].endswith("deploy/Dockerfile")
        assert service["image"] == services["kafka-topics"]["image"]
        assert all(port["host_ip"] == "127.0.0.1" for port in service["ports"])
    console = services["console"]
    assert console["read_only"] is True and console["image"] == services["intake"]["image"]
    assert "postgres" not in console["depends_on"]  # the console keeps no data
    assert console["environment"]["CAREPATH_CONSOLE_INTAKE_URL"] == "http://intake:8001"
    assert all(port["host_ip"] == "127.0.0.1" for port in console["ports"])
    assert {v["source"] for v in services["kafka"]["volumes"]} == {"kafka-data"}
    assert "postgres-data" in {v["source"] for v in services["postgres"]["volumes"]}
    assert set(config["volumes"]) == {"kafka-data", "postgres-data"}


@pytest.mark.compose
def test_the_secure_override_gives_each_container_only_its_own_credentials(tmp_path) -> None:
    """docker-compose.secure.yml on top of the base file: SASL_SSL everywhere, files not env."""
    command = _compose_binary()
    assert command is not None, "no Docker Compose v2 here (deploy/engine.sh up installs one)"
    env_file = tmp_path / "test.env"
    write_env_file(env_file, kafka_host_port=9094, tokens={role: role * 3 for role in ROLES})
    secrets = tmp_path / "secrets"
    write_deployment_credentials(secrets, principals(), hostnames=("kafka",))
    result = subprocess.run(
        [
            *command,
            *("--project-directory", str(DEPLOY), "-f", str(COMPOSE_FILE)),
            *("-f", str(SECURE_COMPOSE_FILE), "--env-file", str(env_file)),
            *("config", "--format", "json"),
        ],
        capture_output=True,
        text=True,
        check=True,
        cwd=REPO,
        env={
            "PATH": "/usr/bin:/bin",
            "CAREPATH_ENV_FILE": str(env_file),
            "CAREPATH_BUS_SECRETS": str(secrets),
        },
    )
    services = json.loads(result.stdout)["services"]
    kafka = services["kafka"]["environment"]
    assert kafka["KAFKA_LISTENER_SECURITY_PROTOCOL_MAP"] == (
        "INTERNAL:SASL_SSL,HOST:SASL_SSL,CONTROLLER:SSL"
    )
    assert kafka["KAFKA_ALLOW_EVERYONE_IF_NO_ACL_FOUND"] == "false"
    assert services["kafka"]["depends_on"]["kafka-format"]["condition"] == (
        "service_completed_successfully"
    )
    for name in ("intake", "infusion", "followup"):
        environment = services[name]["environment"]
        prefix = f"CAREPATH_{name.upper()}_KAFKA_"
        assert environment[prefix + "SECURITY_PROTOCOL"] == "SASL_SSL"
        assert environment[prefix + "SASL_USERNAME"] == name
        given = {secret["source"] for secret in services[name]["secrets"]}
        assert given == {"kafka-ca", f"kafka-{name}-password"}
        # The bus password is a file; no Kafka password is in the environment.
        assert [key for key in environment if key.startswith(prefix) and "PASSWORD" in key] == [
            prefix + "SASL_PASSWORD_FILE"
        ]
    assert services["kafka-topics"]["environment"]["CAREPATH_TOPICS_ACLS"] == "true"
