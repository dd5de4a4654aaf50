"""Least privilege: who may call which route (issue 15, finding 3)."""

from .services import app_of, client_of, migrated


async def test_the_operator_reads_no_patient_in_any_service(tmp_path):
    for service in ("intake", "infusion", "followup"):
        app = await migrated(app_of(service, tmp_path))
        async with client_of(app, "operator") as client:
            response = await client.get("/v1/patients/p-0123456789abcdef")
        assert response.status_code == 403, service
