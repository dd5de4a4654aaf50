"""The console's settings, read from `CAREPATH_CONSOLE_*` environment variables."""

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from carepath_runtime.settings import ServiceSettings


class ConsoleSettings(ServiceSettings):
    """The runtime's settings (bus, HTTP, tokens, OIDC, protocol) plus where the services are.

    The console accepts exactly the tokens the services accept (the same `TOKENS` and `OIDC_*`
    settings); it keeps no database: what it shows comes from the services' APIs, called with
    the signed-in person's own token, and from the event topics it reads."""

    model_config = SettingsConfigDict(env_prefix="CAREPATH_CONSOLE_", extra="ignore")

    service_name: str = Field("console", description="Service name (fixed: console).")
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

    @property
    def service_urls(self) -> dict[str, str]:
        return {
            "intake": self.intake_url,
            "infusion": self.infusion_url,
            "followup": self.followup_url,
        }
