"""One patient's pathway as a timeline across every Carepath topic."""

import json
from dataclasses import dataclass
from datetime import datetime

from aiokafka import ConsumerRecord

from carepath_contracts import ALL_TOPICS, ContractError, from_record
from carepath_runtime.bus import Bus
from carepath_runtime.deadletters import ERROR_CLASS, ERROR_MESSAGE
from carepath_runtime.errors import CarepathError
from carepath_runtime.records import header_value
from carepath_runtime.topic_reading import read_topics

SUMMARY_CHARS = 110


class UnknownPatientError(CarepathError):
    def __init__(self, patient_id: str) -> None:
        super().__init__(
            f"no events for patient {patient_id!r} on any Carepath topic; check the id "
            "(it is the pseudonymous id intake returned, e.g. p-0123456789abcdef)"
        )


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    time: datetime | None
    topic: str
    event_type: str
    summary: str
    produced_ms: int = 0


async def patient_timeline(bus: Bus | str, prefix: str, patient_id: str) -> list[TimelineEntry]:
    records = await read_topics(bus, [prefix + topic.name for topic in ALL_TOPICS])
    key = patient_id.encode()
    entries = [_entry(record, prefix) for record in records if record.key == key]
    if not entries:
        raise UnknownPatientError(patient_id)
    # Clinical time first; within one moment, the order records reached Kafka (cause first).
    return sorted(entries, key=lambda entry: (entry.time is None, entry.time, entry.produced_ms))


def _entry(record: ConsumerRecord, prefix: str) -> TimelineEntry:
    topic = record.topic.removeprefix(prefix)
    dead_letter_class = header_value(record.headers, ERROR_CLASS)
    try:
        event = from_record(record.value, record.headers)
    except ContractError as error:
        return TimelineEntry(
            None, topic, "(unreadable)", str(error)[:SUMMARY_CHARS], record.timestamp
        )
    summary = json.dumps(event.data.model_dump(mode="json"), separators=(",", ":"))
    if dead_letter_class:
        message = header_value(record.headers, ERROR_MESSAGE) or ""
        summary = f"DEAD LETTER {dead_letter_class}: {message}"
    short_type = event.type.removeprefix("carepath.")
    return TimelineEntry(event.time, topic, short_type, _shorten(summary), record.timestamp)


def _shorten(text: str) -> str:
    return text if len(text) <= SUMMARY_CHARS else text[: SUMMARY_CHARS - 1] + "…"
