"""Intake's settings, read from `CAREPATH_INTAKE_*` environment variables."""

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from carepath_runtime.settings import ServiceSettings


class IntakeSettings(ServiceSettings):
    """The runtime's settings plus who sees personal details."""

    model_config = SettingsConfigDict(env_prefix="CAREPATH_INTAKE_", extra="ignore")

    service_name: str = "intake"
    http_port: int = Field(8001, description="Port the HTTP server listens on.")
    personal_details_roles: list[str] = Field(
        default_factory=lambda: ["clinician"],
        description="Roles that see personal details (name, date of birth, contact, agency).",
    )
