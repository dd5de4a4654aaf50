"""Follow-up's settings, read from `CAREPATH_FOLLOWUP_*` environment variables."""

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from carepath_contracts import SafetyAction
from carepath_runtime.settings import ServiceSettings


class FollowupSettings(ServiceSettings):
    """The runtime's settings plus what an operator of follow-up may tune."""

    model_config = SettingsConfigDict(env_prefix="CAREPATH_FOLLOWUP_", extra="ignore")

    service_name: str = Field("followup", description="Service name (fixed: followup).")
    http_port: int = Field(8003, description="Port the HTTP server listens on.")
    therapy_booking_offset_hours: float = Field(
        0.0,
        ge=0,
        description="Hours after the protocol's earliest therapy time at which the integration "
        "session is booked; a booking past the protocol's latest time is moved to that latest "
        "time.",
    )
    review_on_safety_actions: list[SafetyAction] = Field(
        default_factory=lambda: [SafetyAction.STOP],
        description="Safety-alert actions serious enough to require a clinical review.",
    )
