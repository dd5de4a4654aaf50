"""The suite's broker fixture through testcontainers (its container branch).

deploy/smoke.sh runs this file, with a few real-broker tests, under CAREPATH_TEST_KAFKA=docker
on the engine it set up (Podman's Docker API where there is no Docker engine) and the Kafka
image it built locally (CAREPATH_TEST_KAFKA_IMAGE). In that mode the fixture has no fallback
to the local broker; this test proves the session's broker is that container.
"""

import os

import docker
import pytest

from carepath_localkafka.versions import KAFKA_DOCKER_IMAGE
from carepath_testing.kafka import IMAGE_ENV, MODE_ENV
from carepath_testing.kafka_container import CLIENT_PORT

pytestmark = pytest.mark.compose  # needs deploy/smoke.sh's container engine


def test_the_session_broker_is_a_container_of_the_configured_image(
    kafka_bootstrap: str, capsys: pytest.CaptureFixture[str]
):
    assert os.environ.get(MODE_ENV) == "docker", "run by deploy/smoke.sh (CAREPATH_TEST_KAFKA)"
    image = os.environ.get(IMAGE_ENV) or KAFKA_DOCKER_IMAGE
    port = kafka_bootstrap.rsplit(":", 1)[1]
    client = docker.from_env()
    try:
        engine = client.version().get("Components", [{}])[0]
        serving = [
            container
            for container in client.containers.list()
            if any(
                binding.get("HostPort") == port
                for binding in container.ports.get(f"{CLIENT_PORT}/tcp") or []
            )
        ]
    finally:
        client.close()

    (container,) = serving
    assert any(tag.endswith(image) for tag in container.image.tags), container.image.tags
    assert container.status == "running"
    with capsys.disabled():  # into the CI log, whatever the capture mode
        print(
            f"\ntestcontainers: the session broker {kafka_bootstrap} is container "
            f"{container.short_id} of {image} on {engine.get('Name', 'Docker')} "
            f"{engine.get('Version', '')}"
        )
