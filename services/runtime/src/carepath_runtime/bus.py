"""How a Carepath client reaches Kafka: the bootstrap servers and, on a secured bus, TLS and
SASL/SCRAM-SHA-512 as one principal.

Every client (a service's broker, its clock follower, the topic set-up, the `carepath`
command, the simulator, the tests' helpers) builds its aiokafka or FastStream client from a
`Bus`, so that one setting secures them all. The password is read from a file when a client
is built, never from the environment: rotating it means replacing the file and restarting.
"""

import ssl
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

from faststream.security import BaseSecurity, SASLScram512
from pydantic import BaseModel, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

SecurityProtocol = Literal["PLAINTEXT", "SASL_SSL"]
SCRAM_MECHANISM = "SCRAM-SHA-512"


class BusSecurityError(ValueError):
    """The bus security settings are incomplete or point at files that cannot be read."""


@dataclass(frozen=True)
class Bus:
    """A Kafka cluster as one client sees it: where it is and who the client is there."""

    bootstrap: str
    protocol: SecurityProtocol = "PLAINTEXT"
    username: str = ""
    password_file: Path | None = None
    ca_file: Path | None = None

    def __post_init__(self) -> None:
        if self.protocol == "SASL_SSL" and not (self.username and self.password_file):
            raise BusSecurityError(
                "a SASL_SSL bus needs a username and a password file "
                "(KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD_FILE)"
            )

    @classmethod
    def of(cls, bus: "Bus | str") -> "Bus":
        """A plain bootstrap string is a bus without security (the default local broker)."""
        return bus if isinstance(bus, Bus) else cls(bus)

    @property
    def secure(self) -> bool:
        return self.protocol == "SASL_SSL"

    def as_principal(self, username: str, password_file: Path) -> "Bus":
        """The same secured bus, as another principal."""
        return Bus(self.bootstrap, self.protocol, username, password_file, self.ca_file)

    def client_options(self) -> dict[str, Any]:
        """Keyword arguments for any aiokafka client (producer, consumer, admin)."""
        options: dict[str, Any] = {"bootstrap_servers": self.bootstrap}
        if self.secure:
            options |= {
                "security_protocol": "SASL_SSL",
                "ssl_context": self._ssl_context,
                "sasl_mechanism": SCRAM_MECHANISM,
                "sasl_plain_username": self.username,
                "sasl_plain_password": self._password(),
            }
        return options

    def faststream_security(self) -> BaseSecurity | None:
        """The same, for FastStream's KafkaBroker (`security=`)."""
        if not self.secure:
            return None
        return SASLScram512(
            username=self.username, password=self._password(), ssl_context=self._ssl_context
        )

    @cached_property
    def _ssl_context(self) -> ssl.SSLContext:
        # Certificates and host names are checked: against the given CA, else the system's.
        try:
            return ssl.create_default_context(cafile=str(self.ca_file) if self.ca_file else None)
        except OSError as error:
            message = f"cannot read the Kafka CA file {self.ca_file}: {error}"
            raise BusSecurityError(message) from None

    def _password(self) -> str:
        assert self.password_file is not None
        try:
            return self.password_file.read_text(encoding="utf-8").strip()
        except OSError as error:
            raise BusSecurityError(
                f"cannot read the Kafka password file of {self.username!r}: {error}"
            ) from None


class BusSecurityFields(BaseModel):
    """The security settings of a Kafka client; part of every service's settings."""

    kafka_security_protocol: SecurityProtocol = Field(
        "PLAINTEXT",
        description="PLAINTEXT, or SASL_SSL for the secure bus (TLS + SASL/SCRAM-SHA-512).",
    )
    kafka_sasl_username: str = Field("", description="This client's Kafka principal (SASL_SSL).")
    kafka_sasl_password_file: Path | None = Field(
        None, description="File holding that principal's password (SASL_SSL)."
    )
    kafka_ssl_ca_file: Path | None = Field(
        None,
        description="CA certificate (PEM) the broker's certificate is checked against; "
        "unset: the system's CAs.",
    )

    def bus_at(self, bootstrap: str) -> Bus:
        return Bus(
            bootstrap,
            self.kafka_security_protocol,
            self.kafka_sasl_username,
            self.kafka_sasl_password_file,
            self.kafka_ssl_ca_file,
        )


class ToolBusSettings(BusSecurityFields, BaseSettings):
    """The same settings for the tools (`carepath`, the simulator, the topic set-up):
    `CAREPATH_KAFKA_SECURITY_PROTOCOL`, `CAREPATH_KAFKA_SASL_USERNAME`, ..."""

    model_config = SettingsConfigDict(env_prefix="CAREPATH_", extra="ignore")


def bus_from_environment(bootstrap: str) -> Bus:
    """The bus at `bootstrap` with the security the `CAREPATH_KAFKA_*` variables set."""
    return ToolBusSettings().bus_at(bootstrap)
