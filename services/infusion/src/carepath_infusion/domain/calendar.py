"""The clinic calendar: which days and UTC slot times infusions can be booked on."""

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta


def start_of_day(moment: datetime) -> datetime:
    return datetime.combine(moment.astimezone(UTC).date(), time(0), tzinfo=UTC)


def days_between(earlier: datetime, later: datetime) -> int:
    """Calendar days from one date to another (UTC), whatever the times of day."""
    return (later.astimezone(UTC).date() - earlier.astimezone(UTC).date()).days


def iso_week(moment: datetime) -> tuple[int, int]:
    year, week, _ = moment.astimezone(UTC).isocalendar()
    return year, week


@dataclass(frozen=True)
class ClinicCalendar:
    clinic_days: frozenset[int]
    """ISO weekdays the clinic infuses on (1 = Monday ... 7 = Sunday)."""
    slot_times: tuple[time, ...]
    """Session start times in UTC, earliest first."""

    @classmethod
    def of(cls, clinic_days: Sequence[int], slot_times: Sequence[time]) -> "ClinicCalendar":
        if not clinic_days or not slot_times:
            raise ValueError("a clinic calendar needs at least one clinic day and one slot time")
        if any(day < 1 or day > 7 for day in clinic_days):
            raise ValueError(f"clinic days are ISO weekdays 1-7, got {sorted(clinic_days)}")
        return cls(frozenset(clinic_days), tuple(sorted(slot_times)))

    def slots_from(self, earliest: datetime) -> Iterator[datetime]:
        """Every bookable slot at or after `earliest`, in order, without end."""
        day = earliest.astimezone(UTC).date()
        while True:
            if day.isoweekday() in self.clinic_days:
                for slot_time in self.slot_times:
                    slot = datetime.combine(day, slot_time, tzinfo=UTC)
                    if slot >= earliest:
                        yield slot
            day += timedelta(days=1)


@dataclass(frozen=True)
class Policy:
    """The operator's choices the rules need besides the protocol (from the settings)."""

    calendar: ClinicCalendar
    missed_grace: timedelta
    reschedule_after_days: int
    dose_deviation_tolerance_mg: float
    booking_horizon_days: int
