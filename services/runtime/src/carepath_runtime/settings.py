"""Settings every service shares, read from `CAREPATH_<SERVICE>_*` environment variables."""

from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from carepath_contracts import DEFAULT_PROTOCOL_ID, DEFAULT_PROTOCOL_VERSION
from carepath_runtime.auth import Role, StaticToken
from carepath_runtime.bus import Bus, BusSecurityFields
from carepath_runtime.oidc import OidcConfig

SECRETS_DIR = Path("/run/secrets")


class CallerSettings(BaseModel):
    """Who may call: the static tokens and the OpenID Connect issuer whose access tokens are
    accepted. Every service has these, and so does the console (the same identities)."""

    tokens: list[StaticToken] = Field(
        default_factory=list,
        description='Static bearer tokens as JSON: [{"subject": who, "role": clinician|'
        'integration|operator, "sha256": hex digest of the token}, ...] ("token" instead '
        'of "sha256": the plain token, for development only).',
    )

    oidc_issuer: str = Field(
        "",
        description="OpenID Connect issuer whose access tokens are accepted (e.g. "
        "https://keycloak.example/realms/carepath); empty: static tokens only.",
    )
    oidc_audience: str = Field("", description="Audience an access token must be issued for.")
    oidc_jwks_url: str = Field(
        "", description="The issuer's JWKS URL; empty: from its OpenID configuration."
    )
    oidc_subject_claim: str = Field("sub", description="Claim naming who holds the token.")
    oidc_roles_claim: str = Field(
        "roles",
        description="Claim holding role names, dotted for nested claims (Entra ID app roles: "
        "roles; Keycloak realm roles: realm_access.roles).",
    )
    oidc_role_map: dict[str, Role] = Field(
        default_factory=dict,
        description='Token role names to Carepath roles, e.g. {"Carepath.Clinician": '
        '"clinician"}; empty: the token names clinician, integration or operator itself.',
    )

    @model_validator(mode="after")
    def _audience_with_issuer(self) -> "CallerSettings":
        if self.oidc_issuer and not self.oidc_audience:
            raise ValueError("oidc_audience must be set with oidc_issuer")
        return self

    @property
    def oidc(self) -> OidcConfig | None:
        if not self.oidc_issuer:
            return None
        return OidcConfig(
            issuer=self.oidc_issuer,
            audience=self.oidc_audience,
            jwks_url=self.oidc_jwks_url,
            subject_claim=self.oidc_subject_claim,
            roles_claim=self.oidc_roles_claim,
            role_map=self.oidc_role_map,
        )


class ServiceSettings(CallerSettings, BusSecurityFields, BaseSettings):
    """The runtime's settings; each service subclasses this with its own env prefix."""

    # A setting may also come from a file named like its variable in /run/secrets (where
    # compose mounts its `secrets:`), so that it is not in the container's environment.
    model_config = SettingsConfigDict(
        env_prefix="CAREPATH_",
        extra="ignore",
        secrets_dir=SECRETS_DIR if SECRETS_DIR.is_dir() else None,
    )

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
    consumer_group_instance_id: str = Field(
        "",
        description="Static group membership (KIP-345): a name unique to this replica and kept "
        "across its restarts (e.g. infusion-1); a replica restarted within the session timeout "
        "takes its partitions back at once, without a rebalance. Empty: dynamic membership.",
    )
    consumer_session_timeout_ms: int = Field(
        6000,
        ge=1,
        description="How long the group waits for a silent member before its partitions go to "
        "others (the broker's group.min.session.timeout.ms, 6000 by default, is the floor).",
    )
    consumer_heartbeat_interval_ms: int = Field(
        2000, ge=1, description="Heartbeat to the group coordinator; a third of the session."
    )
    kafka_retry_backoff_ms: int = Field(
        100,
        ge=1,
        description="How long the service's producer and consumer wait before trying a "
        "request again, also to reconnect to a broker that is away (aiokafka's default, 100).",
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
    consumer_stall_after_s: float = Field(
        120.0,
        gt=0,
        description="A batch left uncommitted this long (retried, rewound) makes /readyz "
        "answer 503 with the reason `consumer_progress`.",
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
        DEFAULT_PROTOCOL_ID, description="Id of the treatment protocol new pathways start under."
    )
    protocol_version: int = Field(
        DEFAULT_PROTOCOL_VERSION,
        ge=1,
        description="Version new pathways start under; a patient stays on the version their "
        "pathway started under (every shipped version is known).",
    )
    log_level: str = Field("INFO", description="Log level of the service's JSON logs.")

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
