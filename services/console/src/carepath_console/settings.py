"""The console's settings, read from `CAREPATH_CONSOLE_*` environment variables."""

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from carepath_contracts import DEFAULT_PROTOCOL_ID, DEFAULT_PROTOCOL_VERSION
from carepath_runtime.bus import Bus, BusSecurityFields
from carepath_runtime.settings import SECRETS_DIR, CallerSettings


class ConsoleSettings(CallerSettings, BusSecurityFields, BaseSettings):
    """Who may sign in (exactly the services' `TOKENS` and `OIDC_*` settings), the bus it
    reads, where the services are, and the web session. The console keeps no database: what
    it shows comes from the services' APIs, called with the signed-in person's own token,
    and from the event topics it reads."""

    model_config = SettingsConfigDict(
        env_prefix="CAREPATH_CONSOLE_",
        extra="ignore",
        secrets_dir=SECRETS_DIR if SECRETS_DIR.is_dir() else None,
    )

    service_name: str = Field("console", description="Service name (fixed: console).")
    kafka_bootstrap_servers: str = Field(
        "127.0.0.1:9092", description="Kafka bootstrap servers, comma-separated."
    )
    topic_prefix: str = Field("", description="Prefix of every topic name (as the services').")
    http_host: str = Field("127.0.0.1", description="Address the HTTP server listens on.")
    http_port: int = Field(8004, description="Port the HTTP server listens on.")
    intake_url: str = Field("http://127.0.0.1:8001", description="Intake's HTTP API.")
    infusion_url: str = Field("http://127.0.0.1:8002", description="Infusion's HTTP API.")
    followup_url: str = Field("http://127.0.0.1:8003", description="Follow-up's HTTP API.")
    secure_cookies: bool = Field(
        False,
        description="Mark the session cookie Secure: set it whenever the console is reached "
        "over TLS (directly or behind a TLS-terminating proxy).",
    )
    session_minutes: int = Field(
        480, ge=1, description="A sign-in lasts this long (the session cookie's Max-Age)."
    )
    alert_window_hours: float = Field(
        24.0, gt=0, description="A safety alert stays on the worklist this long (clinical time)."
    )
    api_timeout_s: float = Field(10.0, gt=0, description="Timeout of one call to a service.")
    protocol_id: str = Field(
        DEFAULT_PROTOCOL_ID,
        description="Treatment protocol of the charts' thresholds when follow-up's view "
        "names none (otherwise the patient's own version).",
    )
    protocol_version: int = Field(DEFAULT_PROTOCOL_VERSION, ge=1, description="Its version.")
    log_level: str = Field("INFO", description="Log level of the console's JSON logs.")
    shutdown_timeout_s: float = Field(
        30.0, gt=0, description="Longest wait for open requests at shutdown."
    )

    @property
    def bus(self) -> Bus:
        return self.bus_at(self.kafka_bootstrap_servers)

    @property
    def service_urls(self) -> dict[str, str]:
        return {
            "intake": self.intake_url,
            "infusion": self.infusion_url,
            "followup": self.followup_url,
        }
