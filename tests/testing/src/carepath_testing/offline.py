"""A service's state built without a broker: events handed to its own consumer code (decode,
inbox, handlers, one transaction) as one polled batch, and its HTTP routes called in-process.
For tests of what a service shows (its views); delivery itself is tested on the real broker."""

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
from aiokafka import ConsumerRecord
from fastapi import FastAPI

from carepath_contracts import Event
from carepath_runtime.codec import encode
from carepath_runtime.schema_migrations import upgrade
from carepath_runtime.service import ServiceRuntime


@asynccontextmanager
async def offline(app: FastAPI, token: str) -> AsyncIterator[httpx.AsyncClient]:
    """The app's database migrated and an HTTP client with `token`; nothing is started."""
    runtime: ServiceRuntime = app.state.runtime
    await upgrade(runtime.engine, runtime.definition.migrations)
    try:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app),
            base_url="http://service",
            headers={"Authorization": f"Bearer {token}"},
        ) as client:
            yield client
    finally:
        await runtime.engine.dispose()


async def consume(app: FastAPI, *events: Event[Any]) -> None:
    """Handle `events` in order, as one batch, exactly as the consumer would."""
    runtime: ServiceRuntime = app.state.runtime
    prefix = runtime.settings.topic_prefix
    records = []
    for offset, event in enumerate(events):
        record = encode(event, prefix)
        headers = [(name, value.encode()) for name, value in record.headers.items()]
        records.append(
            ConsumerRecord(
                topic=record.topic,
                partition=0,
                offset=offset,
                timestamp=int(time.time() * 1000),
                timestamp_type=0,
                key=record.key,
                value=record.value,
                checksum=None,
                serialized_key_size=len(record.key),
                serialized_value_size=len(record.value),
                headers=headers,
            )
        )
    await runtime.processor.process(records)
