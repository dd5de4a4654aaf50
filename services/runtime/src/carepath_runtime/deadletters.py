"""Dead letters: a record that can never succeed is published, with the reason, to the DLQ topic.

A dead letter always fits: a record the broker took can still be too large to copy with the
dead-letter headers under the producer's request limit. Then the value is cut to what fits
(`dlq-value-truncated`), its size and SHA-256 and its offset say what and where the whole is.
"""

import hashlib
import logging
from datetime import datetime

from aiokafka import ConsumerRecord
from aiokafka.errors import MessageSizeTooLargeError

from carepath_contracts.dead_letters import (
    CONSUMER_GROUP,
    DEAD_LETTERED_AT,
    ERROR_CLASS,
    ERROR_MESSAGE,
    ORIGINAL_OFFSET,
    ORIGINAL_PARTITION,
    ORIGINAL_SHA256,
    ORIGINAL_SIZE,
    ORIGINAL_TOPIC,
    SERVICE,
    VALUE_TRUNCATED,
)
from carepath_runtime.errors import reason_of
from carepath_runtime.publisher import RecordPublisher
from carepath_runtime.records import OutgoingRecord

log = logging.getLogger(__name__)

MAX_MESSAGE_CHARS = 4000
MAX_DEAD_LETTER_BYTES = 1_000_000
"""Key, value and headers of one dead letter together: under the producer's 1 MiB request
limit (and the broker's default message.max.bytes) with room for the record's framing."""


def dead_letter(
    record: ConsumerRecord,
    error: BaseException,
    *,
    dlq_topic: str,
    service: str,
    group_id: str,
    at: datetime,
    limit: int = MAX_DEAD_LETTER_BYTES,
) -> OutgoingRecord:
    """The original key, value and headers, plus headers that say what went wrong and where
    (and what the value was: its size and SHA-256), cut to fit in `limit` bytes."""
    headers = {
        name: value.decode("utf-8", errors="replace")
        for name, value in (record.headers or ())
        if value is not None and not name.startswith("dlq-")
    }
    value = record.value or b""
    headers.update(
        {
            ERROR_CLASS: type(error).__name__,
            ERROR_MESSAGE: reason_of(error)[:MAX_MESSAGE_CHARS] or type(error).__name__,
            ORIGINAL_TOPIC: record.topic,
            ORIGINAL_PARTITION: str(record.partition),
            ORIGINAL_OFFSET: str(record.offset),
            CONSUMER_GROUP: group_id,
            DEAD_LETTERED_AT: at.isoformat(),
            SERVICE: service,
            ORIGINAL_SIZE: str(len(value)),
            ORIGINAL_SHA256: hashlib.sha256(value).hexdigest(),
        }
    )
    letter = OutgoingRecord(topic=dlq_topic, key=record.key or b"", value=value, headers=headers)
    return fitted(letter, limit)


def fitted(letter: OutgoingRecord, limit: int = MAX_DEAD_LETTER_BYTES) -> OutgoingRecord:
    """The dead letter as it is if it fits in `limit` bytes, else with its value cut to what
    fits and `dlq-value-truncated: true` (the original's own headers left out as well when
    they alone leave no room)."""
    if _size(letter.key, letter.value, letter.headers) <= limit:
        return letter
    headers = letter.headers | {VALUE_TRUNCATED: "true"}
    room = limit - _size(letter.key, b"", headers)
    if room < 0:  # the original's headers are what is too large: keep only ours
        headers = {name: value for name, value in headers.items() if name.startswith("dlq-")}
        room = max(limit - _size(letter.key, b"", headers), 0)
    return OutgoingRecord(
        topic=letter.topic, key=letter.key, value=letter.value[:room], headers=headers
    )


def _size(key: bytes, value: bytes, headers: dict[str, str]) -> int:
    return (
        len(key)
        + len(value)
        + sum(len(name.encode()) + len(text.encode()) for name, text in headers.items())
    )


class DeadLetterQueue:
    def __init__(
        self, publisher: RecordPublisher, *, dlq_topic: str, service: str, group_id: str
    ) -> None:
        self._publisher = publisher
        self.topic = dlq_topic
        self._service = service
        self._group_id = group_id

    async def send(
        self, failures: list[tuple[ConsumerRecord, BaseException]], at: datetime
    ) -> None:
        """Returns once the broker has every dead letter (acks=all); raises if it does not.

        A dead letter the broker refuses as too large (its topic allows less than we assume)
        is sent again cut to a tenth of the limit: it is never retried as it is."""
        letters = [
            dead_letter(
                record,
                error,
                dlq_topic=self.topic,
                service=self._service,
                group_id=self._group_id,
                at=at,
            )
            for record, error in failures
        ]
        try:
            await self._publisher.publish(letters)
        except MessageSizeTooLargeError as error:
            log.warning("dead letters refused as too large (%r); sending them cut", error)
            await self._publisher.publish(
                [fitted(letter, MAX_DEAD_LETTER_BYTES // 10) for letter in letters]
            )
