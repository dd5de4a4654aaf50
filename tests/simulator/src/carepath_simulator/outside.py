"""The outside world's two doors into Carepath: intake's HTTP API and the `.inbound` topics."""

import secrets
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import httpx
from aiokafka import AIOKafkaProducer

from carepath_contracts import EventData, ReviewOutcomeSubmitted, new_event, to_record
from carepath_runtime.bus import Bus
from carepath_simulator.resilience import PortalError, post_form

__all__ = ["InboundTopics", "PortalError", "ReferralPortal", "ReviewDesk", "new_trace"]


def new_trace() -> str:
    """A W3C traceparent starting a trace (sampled): the portal's, for one referral. What the
    outside world does in reply to an event continues that event's `traceparent` instead, as
    a traced system would (CloudEvents Distributed Tracing), so a pathway is one trace."""
    return f"00-{secrets.token_hex(16)}-{secrets.token_hex(8)}-01"


def traced(traceparent: str) -> dict[str, str]:
    return {"traceparent": traceparent} if traceparent else {}


class ReferralPortal:
    """What the referral portal and clinicians send to intake over HTTP."""

    def __init__(
        self,
        base_url: str,
        *,
        integration_token: str,
        clinician_token: str,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._client = httpx.AsyncClient(base_url=base_url, timeout=30, transport=transport)
        self._integration = {"Authorization": f"Bearer {integration_token}"}
        self._clinician = {"Authorization": f"Bearer {clinician_token}"}

    async def close(self) -> None:
        await self._client.aclose()

    async def refer(self, form: dict[str, Any], traceparent: str = "") -> tuple[str, str]:
        reply = await self._post("/v1/referrals", form, self._integration, traceparent)
        return reply["patient_id"], reply["pathway_id"]

    async def screen(
        self, patient_id: str, form: dict[str, Any], traceparent: str = ""
    ) -> dict[str, Any]:
        path = f"/v1/patients/{patient_id}/screening"
        return await self._post(path, form, self._integration, traceparent)

    async def approve(self, patient_id: str, traceparent: str = "") -> None:
        # The reviewing clinician is the clinician token's subject.
        form = {"decision": "approved", "reason_code": "caution_managed"}
        await self._post(f"/v1/patients/{patient_id}/review", form, self._clinician, traceparent)

    async def withdraw(self, patient_id: str, traceparent: str = "") -> None:
        form = {"reason_code": "consent_withdrawn"}
        path = f"/v1/patients/{patient_id}/withdraw"
        await self._post(path, form, self._integration, traceparent)

    async def _post(
        self, path: str, form: dict[str, Any], headers: dict[str, str], traceparent: str = ""
    ) -> Any:
        return await post_form(self._client, path, form, headers | traced(traceparent))


class ReviewDesk:
    """Where clinicians record review outcomes: follow-up's HTTP API (the clinician's token
    is who decided)."""

    def __init__(
        self,
        base_url: str,
        *,
        clinician_token: str,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._client = httpx.AsyncClient(base_url=base_url, timeout=30, transport=transport)
        self._clinician = {"Authorization": f"Bearer {clinician_token}"}

    async def close(self) -> None:
        await self._client.aclose()

    async def answer(self, answer: ReviewOutcomeSubmitted, traceparent: str = "") -> None:
        form = answer.model_dump(mode="json", include={"outcome", "maintenance_interval_days"})
        path = f"/v1/reviews/{answer.review_id}/outcome"
        await post_form(self._client, path, form, self._clinician | traced(traceparent))


class InboundTopics:
    """What clinic systems, the patient app and the therapy scheduler put on `.inbound`."""

    def __init__(self, bus: Bus, topic_prefix: str) -> None:
        self._producer = AIOKafkaProducer(
            **bus.client_options(), acks="all", enable_idempotence=True
        )
        self._prefix = topic_prefix
        self.sent = 0

    async def start(self) -> None:
        await self._producer.start()

    async def close(self) -> None:
        await self._producer.stop()

    async def send(
        self,
        source: str,
        patient_id: str,
        pathway_id: str,
        data: Sequence[EventData],
        at: datetime,
        traceparent: str = "",
    ) -> None:
        """Send the facts in order and wait until the broker has them."""
        pending = []
        for item in data:
            event = new_event(
                item,
                subject=patient_id,
                correlation_id=pathway_id,
                source=source,
                time=at,
                traceparent=traceparent or None,
            )
            record = to_record(event, prefix=self._prefix)
            pending.append(
                await self._producer.send(
                    record.topic, record.value, key=record.key, headers=list(record.headers)
                )
            )
        for future in pending:
            await future
        self.sent += len(pending)
