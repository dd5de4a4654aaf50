"""A service whose broker is not there yet (issue 12): it waits, says why on /readyz, and its
own routes answer 503 until it runs; health, readiness and metrics answer as always."""

import pytest

from carepath_testing.conditions import eventually

from .services import APPS, app_of, client_of

PATIENT = "p-0123456789abcdef"


@pytest.mark.parametrize("service", sorted(APPS))
async def test_without_a_broker_the_service_waits_not_ready_and_refuses_patient_routes(
    tmp_path, service
):
    # Nothing listens on port 1: every connection attempt fails at once.
    app = app_of(service, tmp_path, retry_initial_delay_s=0.05, retry_max_delay_s=0.2)
    runtime = app.state.runtime
    async with app.router.lifespan_context(app):
        async with client_of(app, "clinician") as client:
            await eventually(
                lambda: "waiting for the broker" in (runtime.starting or ""),
                what="a failed connection attempt",
            )
            readiness = await client.get("/readyz")
            health = await client.get("/healthz")
            patient = await client.get(f"/v1/patients/{PATIENT}")
        # Still waiting, not ended: the connection is tried again and again, with backoff.
        await eventually(lambda: "attempt 3" in (runtime.starting or ""), what="two more attempts")
        assert not runtime.started

    assert health.status_code == 200
    assert readiness.status_code == 503
    body = readiness.json()
    assert body["checks"]["started"] is False
    assert body["reasons"]["started"].startswith("waiting for the broker: KafkaConnectionError")
    assert patient.status_code == 503
    assert "starting" in patient.json()["detail"]
    assert patient.headers["retry-after"]
