"""Writes server.properties and the log4j2 config for a single-node KRaft broker."""

import os
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

from carepath_localkafka.credentials import ADMIN, SCRAM_MECHANISM
from carepath_localkafka.data_layout import BrokerLayout
from carepath_localkafka.tls import BROKER_PRINCIPAL, TlsFiles

HOST = "127.0.0.1"
NODE_ID = 1


@dataclass(frozen=True)
class SecureListeners:
    """What the secure broker needs: its TLS files and the admin principal's password."""

    tls: TlsFiles
    admin_password: str


def render_server_properties(
    *,
    port: int,
    controller_port: int,
    kraft_dir: Path,
    num_partitions: int = 3,
    secure: SecureListeners | None = None,
) -> str:
    """A combined broker+controller on loopback, with single-node replication settings."""
    client = "CLIENT" if secure else "PLAINTEXT"
    settings: dict[str, object] = {
        "process.roles": "broker,controller",
        "node.id": NODE_ID,
        # A static voter set: the controller port may change between runs without reformatting.
        "controller.quorum.voters": f"{NODE_ID}@{HOST}:{controller_port}",
        "listeners": f"{client}://{HOST}:{port},CONTROLLER://{HOST}:{controller_port}",
        "advertised.listeners": f"{client}://{HOST}:{port}",
        "controller.listener.names": "CONTROLLER",
        "inter.broker.listener.name": client,
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
    if secure:
        settings |= secure_settings(secure)
    lines = ["# Written by `carepath kafka start` on every start; edits are overwritten."]
    lines += [f"{key}={value}" for key, value in settings.items()]
    return "\n".join(lines) + "\n"


def secure_settings(secure: SecureListeners) -> dict[str, object]:
    """TLS everywhere, SASL/SCRAM for clients, ACLs with nothing allowed unless granted.

    Clients authenticate with SCRAM-SHA-512 over TLS. The controller listener takes only TLS
    clients with a certificate of the local CA: the broker itself (its certificate is its
    principal), so no password can reach the controller. `admin` and the broker are the only
    super users; everyone else gets exactly the ACLs Carepath's topic set-up grants.
    """
    keystore_password = secure.tls.keystore_password
    return {
        "listener.security.protocol.map": "CONTROLLER:SSL,CLIENT:SASL_SSL",
        "sasl.enabled.mechanisms": SCRAM_MECHANISM,
        "sasl.mechanism.inter.broker.protocol": SCRAM_MECHANISM,
        # The broker's own client side on its listener, should it ever connect to itself.
        "listener.name.client.scram-sha-512.sasl.jaas.config": (
            "org.apache.kafka.common.security.scram.ScramLoginModule required "
            f'username="{ADMIN}" password="{secure.admin_password}";'
        ),
        "ssl.keystore.type": "PKCS12",
        "ssl.keystore.location": str(secure.tls.broker_keystore),
        "ssl.keystore.password": keystore_password,
        "ssl.key.password": keystore_password,
        "ssl.truststore.type": "PEM",
        "ssl.truststore.location": str(secure.tls.ca_certificate),
        "listener.name.controller.ssl.client.auth": "required",
        "authorizer.class.name": "org.apache.kafka.metadata.authorizer.StandardAuthorizer",
        "allow.everyone.if.no.acl.found": "false",
        "super.users": f"User:{ADMIN};{BROKER_PRINCIPAL}",
    }


def write_broker_config(
    layout: BrokerLayout,
    *,
    port: int,
    controller_port: int,
    secure: SecureListeners | None = None,
) -> None:
    layout.data_dir.mkdir(parents=True, exist_ok=True)
    text = render_server_properties(
        port=port, controller_port=controller_port, kraft_dir=layout.kraft_dir, secure=secure
    )
    # 0600: on a secure broker it holds the keystore and admin passwords.
    layout.server_properties.unlink(missing_ok=True)
    descriptor = os.open(layout.server_properties, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        file.write(text)
    shipped = files("carepath_localkafka").joinpath("log4j2.properties")
    layout.log4j_config.write_text(shipped.read_text(encoding="utf-8"), encoding="utf-8")


def jvm_logging_options(layout: BrokerLayout) -> list[str]:
    return [
        f"-Dkafka.logs.dir={layout.data_dir}",
        f"-Dlog4j2.configurationFile={layout.log4j_config}",
    ]
