"""Least privilege: every route of every service answers each role as its access table says
(issue 15, finding 3: the operator read clinical data on follow-up)."""

import re

import pytest

from carepath_testing.oidc_issuer import AUDIENCE, serving_issuer

from .services import APPS, ROLES, TOKENS, app_of, client_of, migrated

PATIENT = "p-0123456789abcdef"


def guarded_rows(app) -> list[tuple[str, str, frozenset[str]]]:
    rows = []
    for key, access in app.state.access.items():
        if not access.public:
            method, path = key.split(" ", 1)
            # Every path id (patient, review, ...) takes a well-formed id.
            rows.append((method, re.sub(r"\{\w+\}", PATIENT, path), access.roles))
    return rows


@pytest.mark.parametrize("service", sorted(APPS))
async def test_every_route_answers_every_role_as_the_table_says(tmp_path, service):
    app = await migrated(app_of(service, tmp_path))
    rows = guarded_rows(app)
    answers = {}
    for role in (None, *ROLES):
        async with client_of(app, role) as client:
            for method, path, _ in rows:
                body = {"json": {}} if method == "POST" else {}
                answers[role, method, path] = (
                    await client.request(method, path, **body)
                ).status_code

    assert rows, "the table guards no route"
    for method, path, roles in rows:
        assert answers[None, method, path] == 401, (method, path)
        for role in ROLES:
            got = answers[role, method, path]
            assert (got == 403) == (role not in roles), (role, method, path, got)
            assert got != 401, (role, method, path)


@pytest.mark.parametrize("service", sorted(APPS))
async def test_the_operator_sees_metrics_and_no_patient(tmp_path, service):
    app = await migrated(app_of(service, tmp_path))
    async with client_of(app, "operator") as client:
        patient = await client.get(f"/v1/patients/{PATIENT}")
        metrics = await client.get("/metrics")

    assert (patient.status_code, metrics.status_code) == (403, 200)
    assert "carepath_" in metrics.text


@pytest.mark.parametrize("service", sorted(APPS))
async def test_health_readiness_and_the_api_description_need_no_token(tmp_path, service):
    async with client_of(app_of(service, tmp_path)) as client:
        statuses = [(await client.get(path)).status_code for path in ("/healthz", "/openapi.json")]

    assert statuses == [200, 200]


async def test_an_openid_connect_access_token_acts_as_its_subject_in_its_role(tmp_path):
    with serving_issuer() as issuer:
        app = await migrated(
            app_of("intake", tmp_path, oidc_issuer=issuer.url, oidc_audience=AUDIENCE)
        )
        async with client_of(app) as client:

            async def status(token: str, path: str) -> int:
                headers = {"Authorization": f"Bearer {token}"}
                return (await client.get(path, headers=headers)).status_code

            operator = issuer.token(roles=["operator"])
            expired = issuer.token(roles=["operator"], exp=1)
            clinician = issuer.token(roles=["clinician"])
            statuses = [
                await status(operator, "/metrics"),
                await status(expired, "/metrics"),
                await status(clinician, "/metrics"),
                await status(clinician, f"/v1/patients/{PATIENT}"),
                await status(TOKENS["operator"], "/metrics"),  # static tokens still work
            ]

    assert statuses == [200, 401, 403, 404, 200]
