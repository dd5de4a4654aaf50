"""A dead letter always fits under the producer's limit and says what it left out (issue 12)."""

import hashlib
from datetime import UTC, datetime

from aiokafka import ConsumerRecord
from aiokafka.errors import MessageSizeTooLargeError

from carepath_runtime import deadletters
from carepath_runtime.deadletters import DeadLetterQueue, dead_letter
from carepath_runtime.errors import RuleViolationError

AT = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def consumed(value: bytes, headers: list[tuple[str, bytes]] = ()) -> ConsumerRecord:
    return ConsumerRecord(
        topic="carepath.intake.inbound",
        partition=3,
        offset=41,
        timestamp=0,
        timestamp_type=0,
        key=b"p-1",
        value=value,
        checksum=None,
        serialized_key_size=3,
        serialized_value_size=len(value),
        headers=list(headers),
    )


def letter_of(record: ConsumerRecord, limit: int):
    return dead_letter(
        record,
        RuleViolationError("unknown patient"),
        dlq_topic="carepath.intake.dlq",
        service="intake",
        group_id="carepath-intake",
        at=AT,
        limit=limit,
    )


def size(letter) -> int:
    headers = sum(len(name) + len(value.encode()) for name, value in letter.headers.items())
    return len(letter.key) + len(letter.value) + headers


def test_a_small_record_is_copied_whole_with_its_size_and_checksum():
    letter = letter_of(consumed(b"{}", [("content-type", b"application/json")]), 10_000)
    assert letter.value == b"{}"
    assert deadletters.VALUE_TRUNCATED not in letter.headers
    assert letter.headers[deadletters.ORIGINAL_SIZE] == "2"
    assert letter.headers[deadletters.ORIGINAL_SHA256] == hashlib.sha256(b"{}").hexdigest()
    assert letter.headers["content-type"] == "application/json"


def test_a_large_value_is_cut_to_fit_and_marked():
    value = b"x" * 5_000
    letter = letter_of(consumed(value, [("content-type", b"application/json")]), 2_000)
    assert size(letter) <= 2_000
    assert value.startswith(letter.value) and letter.value
    assert letter.headers[deadletters.VALUE_TRUNCATED] == "true"
    assert letter.headers[deadletters.ORIGINAL_SIZE] == "5000"
    assert letter.headers[deadletters.ORIGINAL_OFFSET] == "41"
    assert letter.headers["content-type"] == "application/json"  # room was left for it


def test_original_headers_too_large_to_keep_are_left_out_but_ours_stay():
    letter = letter_of(consumed(b"{}", [("padding", b"y" * 5_000)]), 2_000)
    assert size(letter) <= 2_000
    assert "padding" not in letter.headers
    assert letter.headers[deadletters.VALUE_TRUNCATED] == "true"
    assert letter.headers[deadletters.ERROR_CLASS] == "RuleViolationError"


class RefusingLargeRecords:
    """A broker whose dead-letter topic takes less than the runtime assumes."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.published: list = []

    async def publish(self, records) -> None:
        if any(len(record.value) > self.limit for record in records):
            raise MessageSizeTooLargeError()
        self.published.extend(records)


async def test_a_dead_letter_the_broker_refuses_as_too_large_is_sent_cut_not_retried():
    publisher = RefusingLargeRecords(limit=200_000)
    queue = DeadLetterQueue(
        publisher, dlq_topic="carepath.intake.dlq", service="intake", group_id="carepath-intake"
    )
    await queue.send([(consumed(b"z" * 900_000), RuleViolationError("too big"))], AT)
    [letter] = publisher.published
    assert len(letter.value) <= 100_000
    assert letter.headers[deadletters.VALUE_TRUNCATED] == "true"
    assert letter.headers[deadletters.ORIGINAL_SIZE] == "900000"
