"""Age in completed years, the number the age limits are checked against."""

from datetime import date

import pytest

from carepath_intake.domain import age_in_years


@pytest.mark.parametrize(
    ("born", "on", "age"),
    [
        (date(2008, 3, 2), date(2026, 3, 2), 18),
        (date(2008, 3, 3), date(2026, 3, 2), 17),
        (date(1950, 3, 2), date(2026, 3, 2), 76),
        (date(1950, 3, 3), date(2026, 3, 2), 75),
        (date(2008, 2, 29), date(2026, 2, 28), 17),
        (date(2008, 2, 29), date(2026, 3, 1), 18),
        (date(2008, 2, 29), date(2028, 2, 29), 20),
    ],
    ids=[
        "18th birthday",
        "day before 18th birthday",
        "76th birthday",
        "day before 76th birthday",
        "leap-day birth, 28 Feb",
        "leap-day birth, 1 Mar",
        "leap-day birth, leap year",
    ],
)
def test_age_counts_completed_years_on_the_day(born: date, on: date, age: int):
    assert age_in_years(born, on) == age
