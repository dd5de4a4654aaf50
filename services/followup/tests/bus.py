"""Talking to follow-up over the real broker in tests: publish facts, wait for its events."""

from collections.abc import Callable
from typing import Any

import httpx

from carepath_contracts import FOLLOWUP_DLQ, FOLLOWUP_EVENTS, TherapySessionScheduled, from_record
from carepath_testing.conditions import eventually
from carepath_testing.kafka_io import produce_events, read_until

from .builders import event


async def publish(bootstrap: str, prefix: str, *events: Any) -> None:
    await produce_events(bootstrap, events, prefix)


def of_type(events: list[Any], model: type) -> list[Any]:
    return [event for event in events if event.type == model.event_type]


async def followup_events(
    bootstrap: str, prefix: str, done: Callable[[list[Any]], bool], *, timeout: float = 30.0
) -> list[Any]:
    """Follow-up's published events, read from the start until `done(events)` holds."""
    records = await read_until(
        bootstrap,
        prefix + FOLLOWUP_EVENTS.name,
        lambda got: done([from_record(record.value, record.headers) for record in got]),
        timeout=timeout,
    )
    return [from_record(record.value, record.headers) for record in records]


async def dead_letters(bootstrap: str, prefix: str, count: int) -> list[Any]:
    """The first `count` records of follow-up's dead-letter topic."""
    return await read_until(bootstrap, prefix + FOLLOWUP_DLQ.name, lambda got: len(got) >= count)


async def patient_view(client: httpx.AsyncClient, patient_id: str) -> dict[str, Any]:
    response = await client.get(f"/v1/patients/{patient_id}")
    assert response.status_code == 200, response.text
    return response.json()


async def until_known(client: httpx.AsyncClient, patient_id: str) -> None:
    """Wait until follow-up has opened the patient's pathway (its screening was consumed)."""

    async def known() -> bool:
        return (await client.get(f"/v1/patients/{patient_id}")).status_code == 200

    await eventually(known, what=f"pathway of {patient_id} opened")


async def infusions_given(bootstrap: str, prefix: str, patient: str, pathway: str, *infusions):
    """Publish session-completed facts and wait until follow-up booked therapy after each."""
    await publish(bootstrap, prefix, *(event(data, patient, pathway) for data in infusions))
    wanted = {data.session_id for data in infusions}
    await followup_events(
        bootstrap,
        prefix,
        lambda got: (
            wanted
            <= {e.data.after_infusion_session_id for e in of_type(got, TherapySessionScheduled)}
        ),
    )
