"""The example patient's pathway: the ids, times and scores every example shares."""

from datetime import UTC, datetime, timedelta
from typing import NamedTuple

from carepath_contracts.envelope import EventData
from carepath_contracts.instruments import score_pcl5
from carepath_contracts.protocol import ProtocolRef, default_protocol
from carepath_contracts.values import Vitals

EXAMPLE_PATIENT_ID = "pt-5b7e2c1a"
EXAMPLE_PATHWAY_ID = "pw-9d41f0e3"
EXAMPLE_TIME = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
"""The first infusion; every other example time is counted from it."""

COURSE_ID = "course-9d41f0e3"
SESSION_ID = "session-9d41f0e3-01"
PROTOCOL = ProtocolRef(id="ketamine-ptsd-standard", version=1)
VITALS = Vitals(systolic_mmhg=128, diastolic_mmhg=82, heart_rate_bpm=76, spo2_percent=98)
SCREENING_ITEMS = [3, 3, 2, 3, 2, 3, 3, 2, 1, 3, 3, 2, 3, 4, 3, 2, 3, 3, 2, 2]
WEEK_4_ITEMS = [1, 1, 1, 1, 1, 2, 1, 1, 1, 2, 2, 1, 1, 1, 2, 1, 1, 1, 1, 1]
IESR_ITEMS = [2, 2, 1, 1, 2, 2, 1, 1, 1, 1, 2, 1, 1, 2, 1, 2, 1, 1, 1, 1, 1, 2]
BASELINE_PCL5 = score_pcl5(SCREENING_ITEMS, default_protocol())
WEEK_4_PCL5 = score_pcl5(WEEK_4_ITEMS, default_protocol())


class Example(NamedTuple):
    """Example data and the time its envelope says the fact happened."""

    time: datetime
    data: EventData


def at(days: float = 0, minutes: int = 0) -> datetime:
    """A time on the example pathway, counted from the first infusion."""
    return EXAMPLE_TIME + timedelta(days=days, minutes=minutes)
