"""Picks the session's Kafka: KAFKA_BOOTSTRAP_SERVERS, else Docker, else the local JVM broker."""

import os
import warnings
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

from carepath_localkafka import LocalKafka
from carepath_localkafka.ports import find_free_port
from carepath_localkafka.versions import KAFKA_DOCKER_IMAGE
from carepath_testing.docker_probe import docker_engine_answers

BOOTSTRAP_ENV = "KAFKA_BOOTSTRAP_SERVERS"
# "local" skips Docker even where it answers; "docker" insists on it.
MODE_ENV = "CAREPATH_TEST_KAFKA"
# The broker image for the container branch, e.g. a locally built stand-in where nothing can
# be pulled (deploy/smoke.sh); the official image of the pinned release by default.
IMAGE_ENV = "CAREPATH_TEST_KAFKA_IMAGE"


@contextmanager
def session_kafka_bootstrap(scratch_dir: Path) -> Iterator[str]:
    """Yields a bootstrap address for the whole session and tears down what it started."""
    given = os.environ.get(BOOTSTRAP_ENV)
    if given:
        yield given
        return
    mode = os.environ.get(MODE_ENV, "auto").lower()
    if mode == "docker" or (mode == "auto" and docker_engine_answers()):
        with _container_or_local(scratch_dir, fallback=mode == "auto") as bootstrap:
            yield bootstrap
        return
    with local_kafka_broker(scratch_dir) as bootstrap:
        yield bootstrap


@contextmanager
def local_kafka_broker(data_dir: Path) -> Iterator[str]:
    """A LocalKafka on free ports in `data_dir`, stopped when the block ends."""
    port = find_free_port()
    kafka = LocalKafka(
        port=port,
        data_dir=data_dir,
        controller_port=find_free_port(exclude=frozenset({port})),
        ready_timeout=90.0,
        stop_with_parent=True,
    )
    kafka.start()
    try:
        yield kafka.bootstrap
    finally:
        kafka.stop()


@contextmanager
def _container_or_local(scratch_dir: Path, *, fallback: bool) -> Iterator[str]:
    from carepath_testing.kafka_container import apache_kafka_container

    image = os.environ.get(IMAGE_ENV) or KAFKA_DOCKER_IMAGE
    with ExitStack() as stack:
        try:
            bootstrap = stack.enter_context(apache_kafka_container(image))
        except Exception as error:
            if not fallback:
                raise
            # e.g. an engine that cannot pull images: the local broker is just as real.
            warnings.warn(
                f"Docker answered but the Kafka container failed ({error}); using the local broker",
                stacklevel=1,
            )
            bootstrap = stack.enter_context(local_kafka_broker(scratch_dir))
        yield bootstrap
