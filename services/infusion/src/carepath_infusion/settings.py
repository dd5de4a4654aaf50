"""The infusion service's settings, read from `CAREPATH_INFUSION_*` environment variables."""

from datetime import time, timedelta

from pydantic import Field, field_validator
from pydantic_settings import SettingsConfigDict

from carepath_infusion.domain.calendar import ClinicCalendar, Policy
from carepath_runtime.settings import ServiceSettings


class InfusionSettings(ServiceSettings):
    """The runtime's settings plus the clinic's calendar and how strictly it is kept."""

    model_config = SettingsConfigDict(env_prefix="CAREPATH_INFUSION_", extra="ignore")

    service_name: str = "infusion"
    http_port: int = Field(8002, description="Port the HTTP server listens on.")
    clinic_days: list[int] = Field(
        default_factory=lambda: [1, 2, 3, 4, 5],
        description="ISO weekdays the clinic infuses on (1 = Monday ... 7 = Sunday), as JSON.",
    )
    session_slot_times_utc: list[time] = Field(
        default_factory=lambda: [time(9, 0), time(13, 0)],
        description='Session start times in UTC, as JSON (e.g. ["09:00", "13:00"]); a '
        "course is booked on the first slot of each day, rebookings on the next free one.",
    )
    missed_session_grace_minutes: int = Field(
        120,
        ge=0,
        le=24 * 60,
        description="Minutes after the slot without a check-in before a session counts as missed.",
    )
    reschedule_after_days: int = Field(
        1,
        ge=0,
        le=14,
        description="A deferred, missed or aborted session is rebooked from this many days on.",
    )
    dose_deviation_tolerance_mg: float = Field(
        0.0,
        ge=0,
        description="Given-versus-planned dose difference (at the protocol's rounding) "
        "tolerated before a dose deviation is flagged; 0 flags any difference.",
    )
    booking_horizon_days: int = Field(
        60,
        ge=7,
        le=366,
        description="How far ahead a maintenance session or its rebooking is looked for.",
    )

    @field_validator("clinic_days")
    @classmethod
    def _iso_weekdays(cls, days: list[int]) -> list[int]:
        if not days or any(day < 1 or day > 7 for day in days):
            raise ValueError(f"clinic_days must be ISO weekdays 1-7, at least one; got {days}")
        return sorted(set(days))

    @field_validator("session_slot_times_utc")
    @classmethod
    def _some_slots(cls, slots: list[time]) -> list[time]:
        if not slots:
            raise ValueError("session_slot_times_utc needs at least one time")
        return sorted(set(slots))

    @property
    def policy(self) -> Policy:
        return Policy(
            calendar=ClinicCalendar.of(self.clinic_days, self.session_slot_times_utc),
            missed_grace=timedelta(minutes=self.missed_session_grace_minutes),
            reschedule_after_days=self.reschedule_after_days,
            dose_deviation_tolerance_mg=self.dose_deviation_tolerance_mg,
            booking_horizon_days=self.booking_horizon_days,
        )
