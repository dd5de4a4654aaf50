"""Settings every service shares, read from `CAREPATH_<SERVICE>_*` environment variables."""

from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from carepath_contracts import DEFAULT_PROTOCOL_ID, DEFAULT_PROTOCOL_VERSION
from carepath_runtime.auth import StaticToken
from carepath_runtime.bus import Bus, BusSecurityFields


class ServiceSettings(BusSecurityFields, BaseSettings):
    """The runtime's settings; each service subclasses this with its own env prefix."""

    model_config = SettingsConfigDict(env_prefix="CAREPATH_", extra="ignore")

    service_name: str = Field(description="Service name: intake, infusion or followup.")
    kafka_bootstrap_servers: str = Field(
        "127.0.0.1:9092", description="Kafka bootstrap servers, comma-separated."
    )
    topic_prefix: str = Field(
        "", description="Prefix added to every topic name (isolates tests and environments)."
    )
    consumer_group: str = Field(
        "", description="Kafka consumer group; defaults to carepath-<service>."
    )
    create_topics: bool = Field(
        True, description="Create the Carepath topics (with their partition counts) at start-up."
    )
    database_url: str = Field(
        "", description="SQLAlchemy async URL; defaults to SQLite at var/<service>.db."
    )
    http_host: str = Field("127.0.0.1", description="Address the HTTP server listens on.")
    http_port: int = Field(8000, description="Port the HTTP server listens on.")
    clock: Literal["system", "controlled"] = Field(
        "system",
        description="'system' in production; 'controlled' follows the clock control topic "
        "(tests and the demo only).",
    )
    clock_start: datetime = Field(
        datetime(2026, 1, 5, 8, 0, tzinfo=UTC),
        description="Where a controlled clock starts before the first tick (tests, demo).",
    )
    consumer_max_records: int = Field(
        500, ge=1, description="Most records handled in one database transaction."
    )
    consumer_batch_timeout_ms: int = Field(
        100, ge=1, description="How long a poll waits for records when none are ready."
    )
    retry_initial_delay_s: float = Field(
        0.2, gt=0, description="First backoff delay after a transient failure."
    )
    retry_max_delay_s: float = Field(
        30.0, gt=0, description="Backoff delays double up to this bound."
    )
    unexpected_error_attempts: int = Field(
        5,
        ge=1,
        description="Attempts for an unclassified handler error before it is dead-lettered.",
    )
    outbox_poll_interval_s: float = Field(
        1.0, gt=0, description="Relay poll interval when no commit woke it."
    )
    outbox_batch_size: int = Field(500, ge=1, description="Most outbox rows published at once.")
    scheduler_poll_interval_s: float = Field(
        1.0, gt=0, description="How often due timers are looked for on the system clock."
    )
    retention_days: int = Field(
        14, ge=1, description="Days inbox and sent outbox rows are kept (dedupe window)."
    )
    shutdown_timeout_s: float = Field(
        30.0, gt=0, description="Longest wait for the message in hand at shutdown."
    )
    protocol_id: str = Field(
        DEFAULT_PROTOCOL_ID, description="Id of the treatment protocol this service decides under."
    )
    protocol_version: int = Field(
        DEFAULT_PROTOCOL_VERSION, ge=1, description="Version of that treatment protocol."
    )
    log_level: str = Field("INFO", description="Log level of the service's JSON logs.")
    tokens: list[StaticToken] = Field(
        default_factory=list,
        description='Static bearer tokens as JSON: [{"subject": who, "role": clinician|'
        'integration|operator, "sha256": hex digest of the token}, ...] ("token" instead '
        'of "sha256": the plain token, for development only).',
    )

    @property
    def bus(self) -> Bus:
        """The Kafka cluster and this service's principal there (see `carepath_runtime.bus`)."""
        return self.bus_at(self.kafka_bootstrap_servers)

    @property
    def group_id(self) -> str:
        return self.consumer_group or f"carepath-{self.service_name}"

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{Path('var') / f'{self.service_name}.db'}"
