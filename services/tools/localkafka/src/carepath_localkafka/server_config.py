"""Writes server.properties and the log4j2 config for a single-node KRaft broker."""

from importlib.resources import files
from pathlib import Path

from carepath_localkafka.data_layout import BrokerLayout

HOST = "127.0.0.1"
NODE_ID = 1


def render_server_properties(
    *, port: int, controller_port: int, kraft_dir: Path, num_partitions: int = 3
) -> str:
    """A combined broker+controller on loopback, with single-node replication settings."""
    settings = {
        "process.roles": "broker,controller",
        "node.id": NODE_ID,
        # A static voter set: the controller port may change between runs without reformatting.
        "controller.quorum.voters": f"{NODE_ID}@{HOST}:{controller_port}",
        "listeners": f"PLAINTEXT://{HOST}:{port},CONTROLLER://{HOST}:{controller_port}",
        "advertised.listeners": f"PLAINTEXT://{HOST}:{port}",
        "controller.listener.names": "CONTROLLER",
        "inter.broker.listener.name": "PLAINTEXT",
        "listener.security.protocol.map": "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
        "log.dirs": str(kraft_dir),
        "num.partitions": num_partitions,
        # One broker: every internal topic must make do with one replica.
        "offsets.topic.replication.factor": 1,
        "transaction.state.log.replication.factor": 1,
        "transaction.state.log.min.isr": 1,
        "share.coordinator.state.topic.replication.factor": 1,
        "share.coordinator.state.topic.min.isr": 1,
        "default.replication.factor": 1,
        "min.insync.replicas": 1,
        # 50 partitions each by default: needless on one node, and the first consumer group
        # or transaction waits while they are created.
        "offsets.topic.num.partitions": 1,
        "transaction.state.log.num.partitions": 1,
        # Consumers in tests join at once instead of waiting 3 s for more members.
        "group.initial.rebalance.delay.ms": 0,
        # Topics are created explicitly with their partition count; a typo must fail loudly.
        "auto.create.topics.enable": "false",
    }
    lines = ["# Written by `carepath kafka start` on every start; edits are overwritten."]
    lines += [f"{key}={value}" for key, value in settings.items()]
    return "\n".join(lines) + "\n"


def write_broker_config(layout: BrokerLayout, *, port: int, controller_port: int) -> None:
    layout.data_dir.mkdir(parents=True, exist_ok=True)
    layout.server_properties.write_text(
        render_server_properties(
            port=port, controller_port=controller_port, kraft_dir=layout.kraft_dir
        ),
        encoding="utf-8",
    )
    shipped = files("carepath_localkafka").joinpath("log4j2.properties")
    layout.log4j_config.write_text(shipped.read_text(encoding="utf-8"), encoding="utf-8")


def jvm_logging_options(layout: BrokerLayout) -> list[str]:
    return [
        f"-Dkafka.logs.dir={layout.data_dir}",
        f"-Dlog4j2.configurationFile={layout.log4j_config}",
    ]
