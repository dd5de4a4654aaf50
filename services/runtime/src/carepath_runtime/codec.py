"""Turns contract events into outgoing records and consumed bytes back into events."""

from typing import Any

from aiokafka import ConsumerRecord

from carepath_contracts import from_record, record_key, to_record
from carepath_runtime.errors import PermanentError, is_permanent, reason_of
from carepath_runtime.records import OutgoingRecord


class UndecodableRecordError(PermanentError):
    """Decoding the record's bytes raised an error the contracts do not name (a time past the
    year 9999 once converted to UTC raises OverflowError, thousands of nested brackets
    RecursionError): the bytes are at fault, so the record is dead-lettered, never retried."""

    def __init__(self, error: BaseException) -> None:
        super().__init__(
            f"the record could not be decoded: {type(error).__name__}: {reason_of(error)}"[:500]
        )


class RecordKeyError(PermanentError):
    """The record's key is not the event's patient: such a record may overtake or trail that
    patient's other events (the key is what keeps one patient's events in one partition)."""


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
    """The event in a record; raises the contracts' named errors for a poison message, and
    `UndecodableRecordError` for any other error its bytes cause."""
    try:
        return from_record(value or b"", headers)
    except Exception as error:
        if is_permanent(error):
            raise
        raise UndecodableRecordError(error) from error


def decode_record(record: ConsumerRecord) -> Any:
    """The event in a consumed record whose key is the event's subject (the patient id)."""
    event = decode(record.value, record.headers)
    if not record.key:
        raise RecordKeyError(
            "the record has no key; it must be the event's subject (the patient id)"
        )
    if record.key != record_key(event.subject):
        # The key itself is not repeated: it is whatever the producer sent.
        raise RecordKeyError(
            "the record key differs from the event's subject; it must be the patient id"
        )
    return event
