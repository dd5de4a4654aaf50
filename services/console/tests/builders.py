"""Events for the console's tests: the contracts' own examples, with what a test changes."""

from datetime import datetime
from typing import Any

from carepath_contracts import REGISTRY, Event, EventData


def event(model: type[EventData], *, patient: str = "p-1", at: datetime, **data: Any) -> Event:
    example = REGISTRY.spec_for(model).example()
    return example.model_copy(
        update={"subject": patient, "time": at, "data": example.data.model_copy(update=data)}
    )
