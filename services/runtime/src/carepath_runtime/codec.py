"""Turns contract events into outgoing records and consumed bytes back into events."""

from typing import Any

from carepath_contracts import from_record, to_record
from carepath_runtime.records import OutgoingRecord


def encode(event: Any, topic_prefix: str) -> OutgoingRecord:
    record = to_record(event, prefix=topic_prefix)
    return OutgoingRecord(
        topic=record.topic,
        key=record.key,
        value=record.value,
        headers=record.header_dict,
        event_id=event.id,
    )


def decode(value: bytes | None, headers: Any) -> Any:
    """The event in a record; raises the contracts' named errors for a poison message."""
    return from_record(value or b"", headers)
