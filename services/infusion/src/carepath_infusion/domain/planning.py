"""Course planning: the dose, the induction sessions, and the next free slot for a rebooking."""

from collections.abc import Sequence
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from carepath_contracts.protocol import CourseSettings, DosingSettings
from carepath_infusion.domain.calendar import (
    ClinicCalendar,
    days_between,
    iso_week,
    start_of_day,
)
from carepath_infusion.domain.model import Dose

# Float noise only (0.8775000000000001): far below any pump's precision.
_RATE_DECIMALS = 6


def round_to_step(value: float, step: float) -> float:
    """Rounds half up to a multiple of `step` (the protocol's dose rounding)."""
    exact_step = Decimal(str(step))
    steps = (Decimal(str(value)) / exact_step).to_integral_value(rounding=ROUND_HALF_UP)
    return float(steps * exact_step)


def dose_for(dosing_weight_kg: float, dosing: DosingSettings) -> Dose:
    mg = round_to_step(dosing.dose_mg_per_kg * dosing_weight_kg, dosing.dose_rounding_mg)
    rate = round(mg / dosing.infusion_minutes, _RATE_DECIMALS)
    return Dose(mg=mg, rate_mg_per_min=rate, minutes=dosing.infusion_minutes)


def window_end(first_session_at: datetime, course: CourseSettings) -> datetime:
    """Sessions must start before this: `window_days` calendar days from the first one's day."""
    return start_of_day(first_session_at) + timedelta(days=course.window_days)


def fits(slot: datetime, booked: Sequence[datetime], course: CourseSettings) -> bool:
    """Free days around every booked session, no more than the ISO week's limit, and no more
    than the limit in any seven consecutive days (weekend clinic days would allow four)."""
    min_gap_days = course.min_free_days_between_sessions + 1
    if any(abs(days_between(other, slot)) < min_gap_days for other in booked):
        return False
    same_week = sum(1 for other in booked if iso_week(other) == iso_week(slot))
    if same_week >= course.max_sessions_per_week:
        return False
    offsets = [days_between(slot, other) for other in booked]  # days from the slot's day
    return all(
        1 + sum(1 for offset in offsets if start <= offset < start + 7)
        <= course.max_sessions_per_7_days
        for start in range(-6, 1)
    )


def plan_induction(
    earliest: datetime, course: CourseSettings, calendar: ClinicCalendar
) -> list[datetime] | None:
    """The induction sessions, as early as the rules allow; None if the window cannot hold them
    on these clinic days (a clinician decides: it is a clinical fact, not a broken event).

    The first session is tried on each clinic slot of its first week: which weekday a course
    starts on can decide whether the weekly limits let it fit the window.
    """
    first_candidates = _slots_before(calendar, earliest, earliest + timedelta(days=7))
    for first in first_candidates:
        plan = _greedy_plan(first, course, calendar)
        if plan is not None:
            return plan
    return None


def next_free_slot(
    earliest: datetime,
    booked: Sequence[datetime],
    course: CourseSettings,
    calendar: ClinicCalendar,
    *,
    before: datetime,
) -> datetime | None:
    """The first slot from `earliest` that fits the booked ones, or None if none before `before`."""
    for slot in calendar.slots_from(earliest):
        if slot >= before:
            return None
        if fits(slot, booked, course):
            return slot
    return None  # pragma: no cover - slots_from never ends


def _slots_before(calendar: ClinicCalendar, earliest: datetime, end: datetime) -> list[datetime]:
    slots = []
    for slot in calendar.slots_from(earliest):
        if slot >= end:
            return slots
        slots.append(slot)
    return slots  # pragma: no cover - slots_from never ends


def plan_remaining(
    earliest: datetime,
    count: int,
    given: Sequence[datetime],
    course: CourseSettings,
    calendar: ClinicCalendar,
) -> list[datetime] | None:
    """`count` sessions inside a fresh window from the first of them, spaced from the
    sessions already given (a resumed course); None when the window cannot hold them."""
    for first in _slots_before(calendar, earliest, earliest + timedelta(days=7)):
        if fits(first, given, course):
            plan = _greedy_plan(first, course, calendar, count=count, given=given)
            if plan is not None:
                return plan
    return None


def _greedy_plan(
    first: datetime,
    course: CourseSettings,
    calendar: ClinicCalendar,
    *,
    count: int | None = None,
    given: Sequence[datetime] = (),
) -> list[datetime] | None:
    plan = [first]
    ends = window_end(first, course)
    while len(plan) < (count or course.induction_sessions):
        slot = next_free_slot(plan[-1], [*given, *plan], course, calendar, before=ends)
        if slot is None:
            return None
        plan.append(slot)
    return plan
