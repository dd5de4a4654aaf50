"""A secured local broker for the tests of bus security: TLS, SASL/SCRAM and ACLs.

It is the broker `carepath kafka start --secure` runs, on free ports in a scratch folder,
with every Carepath principal (services, outside systems, the simulator) and `admin`.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from carepath_cli.stack import BusSecrets
from carepath_localkafka import LocalKafka
from carepath_localkafka.ports import find_free_port
from carepath_runtime.bus import Bus
from carepath_runtime.bus_grants import ADMIN, principals


@dataclass(frozen=True)
class SecureKafka:
    kafka: LocalKafka

    @property
    def bootstrap(self) -> str:
        return self.kafka.bootstrap

    @property
    def secrets(self) -> BusSecrets:
        """What a LocalStack needs to run its services on this broker."""
        return BusSecrets(
            ca_file=str(self.kafka.tls.ca_certificate),
            secrets_dir=str(self.kafka.credentials.folder),
        )

    def bus(self, principal: str = ADMIN) -> Bus:
        """The broker as `principal`, with its password file and the broker's CA."""
        return self.secrets.bus_for(self.bootstrap, principal)


@contextmanager
def secure_kafka_broker(data_dir: Path) -> Iterator[SecureKafka]:
    port = find_free_port()
    kafka = LocalKafka(
        port=port,
        data_dir=data_dir,
        controller_port=find_free_port(exclude=frozenset({port})),
        ready_timeout=120.0,
        stop_with_parent=True,
        secure=True,
        principals=principals(clock_control=True),
    )
    kafka.start()
    try:
        yield SecureKafka(kafka)
    finally:
        kafka.stop()
