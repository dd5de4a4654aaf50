"""The official apache/kafka image under testcontainers, single-node KRaft, ready for clients."""

from collections.abc import Iterator
from contextlib import contextmanager

from carepath_localkafka.readiness import wait_until_listable
from carepath_localkafka.versions import KAFKA_DOCKER_IMAGE

CLIENT_PORT = 9092
_START_SCRIPT = "/tmp/carepath-kafka-start.sh"
_GO_FLAG = "/tmp/carepath-kafka-go"

# The image turns KAFKA_* variables into server.properties (KAFKA_FOO_BAR -> foo.bar).
_BROKER_ENVIRONMENT = {
    "CLUSTER_ID": "Y2FyZXBhdGgtdGVzdC0wMQ",
    "KAFKA_NODE_ID": "1",
    "KAFKA_PROCESS_ROLES": "broker,controller",
    "KAFKA_LISTENERS": f"PLAINTEXT://:{CLIENT_PORT},BROKER://:9093,CONTROLLER://:9094",
    "KAFKA_LISTENER_SECURITY_PROTOCOL_MAP": (
        "PLAINTEXT:PLAINTEXT,BROKER:PLAINTEXT,CONTROLLER:PLAINTEXT"
    ),
    "KAFKA_INTER_BROKER_LISTENER_NAME": "BROKER",
    "KAFKA_CONTROLLER_LISTENER_NAMES": "CONTROLLER",
    "KAFKA_CONTROLLER_QUORUM_VOTERS": "1@localhost:9094",
    "KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR": "1",
    "KAFKA_OFFSETS_TOPIC_NUM_PARTITIONS": "1",
    "KAFKA_TRANSACTION_STATE_LOG_NUM_PARTITIONS": "1",
    "KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR": "1",
    "KAFKA_TRANSACTION_STATE_LOG_MIN_ISR": "1",
    "KAFKA_SHARE_COORDINATOR_STATE_TOPIC_REPLICATION_FACTOR": "1",
    "KAFKA_SHARE_COORDINATOR_STATE_TOPIC_MIN_ISR": "1",
    "KAFKA_MIN_INSYNC_REPLICAS": "1",
    "KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS": "0",
    "KAFKA_AUTO_CREATE_TOPICS_ENABLE": "false",
    "KAFKA_NUM_PARTITIONS": "3",
}


@contextmanager
def apache_kafka_container(
    image: str = KAFKA_DOCKER_IMAGE, ready_timeout: float = 120.0
) -> Iterator[str]:
    """Yields the bootstrap address of a fresh broker container; removes it afterwards."""
    from testcontainers.core.container import DockerContainer  # dev dependency

    container = DockerContainer(image).with_exposed_ports(CLIENT_PORT)
    for name, value in _BROKER_ENVIRONMENT.items():
        container.with_env(name, value)
    # The advertised address needs the host port Docker maps, known only after the
    # container starts: hold the broker back until we hand it a start script.
    container.with_command(
        ["sh", "-c", f"while [ ! -f {_GO_FLAG} ]; do sleep 0.1; done; exec bash {_START_SCRIPT}"]
    )
    container.start()
    try:
        host = container.get_container_host_ip()
        port = int(container.get_exposed_port(CLIENT_PORT))
        hostname = container.get_wrapped_container().attrs["Config"]["Hostname"]
        script = (
            f"export KAFKA_ADVERTISED_LISTENERS=PLAINTEXT://{host}:{port},BROKER://{hostname}:9093\n"
            "exec /etc/kafka/docker/run\n"
        )
        container.copy_into_container(script.encode(), _START_SCRIPT, 0o755)
        # Written after the script is complete, so the loop never runs a half-copied file.
        container.copy_into_container(b"", _GO_FLAG)
        if not wait_until_listable(
            host, port, timeout=ready_timeout, still_running=lambda: _is_running(container)
        ):
            logs = b"".join(container.get_logs()).decode(errors="replace")[-2000:]
            raise RuntimeError(f"{image} did not become ready in {ready_timeout:.0f} s: {logs}")
        yield f"{host}:{port}"
    finally:
        container.stop()


def _is_running(container) -> bool:
    # The status is cached from the last inspect: refresh it first.
    container.reload()
    return container.status == "running"
