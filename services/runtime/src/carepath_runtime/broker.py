"""The Kafka broker with Carepath's safe defaults, and the one kind of subscriber we use.

FastStream's defaults are at-most-once. Here: acks=all and idempotence on the producer;
on the consumer no auto-commit, earliest offset reset, manual acknowledgement, raw records.
"""

import logging
from collections.abc import Sequence

from aiokafka.errors import IllegalStateError
from faststream import AckPolicy, Context
from faststream.kafka import KafkaBroker
from faststream.kafka.message import KafkaMessage
from faststream.kafka.opentelemetry import KafkaTelemetryMiddleware
from faststream.kafka.subscriber.usecase import BatchSubscriber

from carepath_runtime.consumer import EventProcessor
from carepath_runtime.errors import ShuttingDownError
from carepath_runtime.faults import crash_point
from carepath_runtime.settings import ServiceSettings
from carepath_runtime.tracing import Tracing

log = logging.getLogger(__name__)


def create_broker(settings: ServiceSettings, tracing: Tracing | None = None) -> KafkaBroker:
    """With tracing on, FastStream's telemetry middleware adds a span per consumed batch and
    per published record (its producer span goes out in the record's traceparent header)."""
    bus = settings.bus
    telemetry = (
        [KafkaTelemetryMiddleware(tracer_provider=tracing.provider)]
        if tracing and tracing.enabled
        else []
    )
    return KafkaBroker(
        bus.bootstrap,
        security=bus.faststream_security(),
        client_id=f"carepath-{settings.service_name}",
        acks="all",
        enable_idempotence=True,
        retry_backoff_ms=settings.kafka_retry_backoff_ms,
        allow_auto_create_topics=False,
        graceful_timeout=settings.shutdown_timeout_s,
        description=f"Carepath {settings.service_name} service",
        # FastStream logs every consumed batch ("Received", "Processed"): keep that at DEBUG.
        log_level=logging.DEBUG,
        # Our logger, not FastStream's own (plain text with colour codes on stdout): its
        # lines go through the root handler as JSON like every other line.
        logger=logging.getLogger("carepath.faststream"),
        middlewares=telemetry,
    )


def _records_as_they_are(message: KafkaMessage) -> object:
    # FastStream would parse each body as JSON before our code sees it, and a record that
    # fails there is logged and dropped. We decode ourselves, so that it is dead-lettered.
    return message.raw_message


async def _rewind(message: KafkaMessage) -> None:
    """FastStream's nack: seeks each partition of the batch back to its first record."""
    try:
        await message.nack()
    except IllegalStateError as error:
        # A partition was revoked meanwhile: its new owner starts at the committed offset.
        log.warning("rewind skipped for a partition no longer assigned: %r", error)


def subscribe_processor(
    broker: KafkaBroker,
    topics: Sequence[str],
    processor: EventProcessor,
    settings: ServiceSettings,
) -> BatchSubscriber:
    """One batch subscriber over the service's input topics, committing after each batch."""
    subscriber = broker.subscriber(
        *topics,
        group_id=settings.group_id,
        batch=True,
        max_records=settings.consumer_max_records,
        batch_timeout_ms=settings.consumer_batch_timeout_ms,
        auto_offset_reset="earliest",
        group_instance_id=settings.consumer_group_instance_id or None,
        session_timeout_ms=settings.consumer_session_timeout_ms,
        heartbeat_interval_ms=settings.consumer_heartbeat_interval_ms,
        # Declared here, per subscriber: a broker- or router-level policy does not reach it.
        ack_policy=AckPolicy.MANUAL,
        decoder=_records_as_they_are,
        title=f"{settings.service_name}:consume",
    )

    @subscriber
    async def consume(message: KafkaMessage = Context("message")) -> None:
        records = message.raw_message
        try:
            await processor.process(records)
        except ShuttingDownError:
            await _rewind(message)  # so nothing past this batch is ever committed
            raise
        except Exception as error:
            # Nothing escapes to FastStream, which would log it and fetch on: the next ack
            # would commit past this batch. Rewind (each partition to the batch's first
            # offset), back off, and the batch comes again.
            await processor.back_off_after(error)
            await _rewind(message)
            return
        crash_point("before-offset-commit")
        await message.ack()  # commits the offsets only now that the transaction has

    return subscriber
