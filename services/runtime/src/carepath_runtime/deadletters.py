"""Dead letters: a record that can never succeed is published, with the reason, to the DLQ topic."""

from datetime import datetime

from aiokafka import ConsumerRecord

from carepath_contracts.dead_letters import (
    CONSUMER_GROUP,
    DEAD_LETTERED_AT,
    ERROR_CLASS,
    ERROR_MESSAGE,
    ORIGINAL_OFFSET,
    ORIGINAL_PARTITION,
    ORIGINAL_TOPIC,
    SERVICE,
)
from carepath_runtime.errors import reason_of
from carepath_runtime.publisher import RecordPublisher
from carepath_runtime.records import OutgoingRecord

MAX_MESSAGE_CHARS = 4000


def dead_letter(
    record: ConsumerRecord,
    error: BaseException,
    *,
    dlq_topic: str,
    service: str,
    group_id: str,
    at: datetime,
) -> OutgoingRecord:
    """The original key, value and headers, plus headers that say what went wrong and where."""
    headers = {
        name: value.decode("utf-8", errors="replace")
        for name, value in (record.headers or ())
        if value is not None and not name.startswith("dlq-")
    }
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
        }
    )
    return OutgoingRecord(
        topic=dlq_topic, key=record.key or b"", value=record.value or b"", headers=headers
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
        """Returns once the broker has every dead letter (acks=all); raises if it does not."""
        await self._publisher.publish(
            [
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
        )
