"""Dead letters of a service: list them, show one, and send one back to where it came from
(`carepath dlq` and the console's operations page)."""

from dataclasses import dataclass

from aiokafka import AIOKafkaProducer, ConsumerRecord

from carepath_contracts import SERVICES, dead_letter_topic
from carepath_runtime import deadletters
from carepath_runtime.bus import Bus
from carepath_runtime.errors import CarepathError
from carepath_runtime.records import header_value
from carepath_runtime.topic_reading import read_topics


class DeadLetterNotFoundError(CarepathError):
    pass


@dataclass(frozen=True, slots=True)
class DeadLetter:
    partition: int
    offset: int
    key: str
    error_class: str
    error_message: str
    original: str
    dead_lettered_at: str
    record: ConsumerRecord

    @property
    def position(self) -> str:
        return f"{self.partition}:{self.offset}"


def dlq_topic(service: str, prefix: str) -> str:
    if service not in SERVICES:
        raise DeadLetterNotFoundError(
            f"unknown service {service!r}; choose one of {', '.join(SERVICES)}"
        )
    return prefix + dead_letter_topic(service).name


async def list_dead_letters(bus: Bus | str, prefix: str, service: str) -> list[DeadLetter]:
    records = await read_topics(bus, [dlq_topic(service, prefix)])
    return [_dead_letter(record) for record in sorted(records, key=lambda r: r.timestamp)]


async def find_dead_letter(bus: Bus | str, prefix: str, service: str, position: str) -> DeadLetter:
    for letter in await list_dead_letters(bus, prefix, service):
        if letter.position == position:
            return letter
    raise DeadLetterNotFoundError(
        f"no dead letter at {position} in {dlq_topic(service, prefix)}; "
        f"`carepath dlq list {service}` shows the positions (partition:offset)"
    )


async def replay(bus: Bus | str, letter: DeadLetter) -> str:
    """Publish the original record again to its original topic; returns that topic."""
    topic = header_value(letter.record.headers, deadletters.ORIGINAL_TOPIC)
    if not topic:
        raise DeadLetterNotFoundError(f"dead letter {letter.position} names no original topic")
    headers = [
        (name, value) for name, value in letter.record.headers or () if not name.startswith("dlq-")
    ]
    producer = AIOKafkaProducer(**Bus.of(bus).client_options(), acks="all", enable_idempotence=True)
    await producer.start()
    try:
        await producer.send_and_wait(
            topic, letter.record.value, key=letter.record.key or None, headers=headers
        )
    finally:
        await producer.stop()
    return topic


def _dead_letter(record: ConsumerRecord) -> DeadLetter:
    def get(name: str) -> str:
        return header_value(record.headers, name) or ""

    original = (
        f"{get(deadletters.ORIGINAL_TOPIC)}[{get(deadletters.ORIGINAL_PARTITION)}]"
        f"@{get(deadletters.ORIGINAL_OFFSET)}"
    )
    return DeadLetter(
        partition=record.partition,
        offset=record.offset,
        key=(record.key or b"").decode("utf-8", errors="replace"),
        error_class=get(deadletters.ERROR_CLASS),
        error_message=get(deadletters.ERROR_MESSAGE),
        original=original,
        dead_lettered_at=get(deadletters.DEAD_LETTERED_AT),
        record=record,
    )
