"""Signing in and the forms' protection, on the app without its broker (no lifespan): the
same tokens as the APIs, the session cookie's flags, CSRF, roles, and the pages' headers."""

import re

import pytest
from fastapi.testclient import TestClient

from carepath_console.app import create_app
from carepath_console.services import Services
from carepath_console.settings import ConsoleSettings
from carepath_console.signin import COOKIE
from carepath_contracts import DEFAULT_PROTOCOL_ID, load_protocol

TOKENS = [
    {"subject": "dr-hale", "role": "clinician", "token": "clinician-token"},
    {"subject": "ops-1", "role": "operator", "token": "operator-token"},
    {"subject": "portal", "role": "integration", "token": "integration-token"},
]
NOWHERE = "http://127.0.0.1:9"  # nothing listens: the services' calls fail fast


def console(base_url: str = "http://testserver", **settings) -> TestClient:
    values = {
        "tokens": TOKENS,
        "intake_url": NOWHERE,
        "infusion_url": NOWHERE,
        "followup_url": NOWHERE,
    } | settings
    app = create_app(ConsoleSettings(**values))
    return TestClient(app, base_url=base_url, follow_redirects=False)


def hidden(html: str, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]+)"', html)
    assert match, f"no {name} field"
    return match.group(1)


def signed_in(client: TestClient, token: str):
    form = client.get("/login")
    return client.post(
        "/login", data={"token": token, "form_token": hidden(form.text, "form_token")}
    )


def test_a_clinician_signs_in_with_the_apis_token_and_gets_a_strict_httponly_cookie():
    client = console()
    response = signed_in(client, "clinician-token")
    assert response.status_code == 303 and response.headers["location"] == "/worklist"
    cookie = response.headers["set-cookie"]
    assert f"{COOKIE}=" in cookie
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie
    assert "Secure" not in cookie
    assert "clinician-token" not in cookie  # the token stays on the server
    page = client.get("/worklist")
    assert page.status_code == 200 and "dr-hale" in page.text
    # Follow-up is down: the page says so instead of failing.
    assert "followup did not answer" in page.text


def test_the_cookie_is_secure_when_the_console_is_served_over_tls():
    tls = console("https://testserver", secure_cookies=True)
    response = signed_in(tls, "operator-token")
    assert "Secure" in response.headers["set-cookie"]
    assert response.headers["location"] == "/operations"


@pytest.mark.parametrize(
    ("token", "says"),
    [("wrong", "not accepted"), ("integration-token", "clinicians and operators")],
)
def test_a_token_that_is_not_a_persons_is_refused(token, says):
    response = signed_in(console(), token)
    assert response.status_code == 401 and says in response.text
    assert response.cookies.get(COOKIE) is None


def test_the_sign_in_form_needs_its_own_csrf_token():
    client = console()
    client.get("/login")
    response = client.post("/login", data={"token": "clinician-token", "form_token": "forged"})
    assert response.status_code == 403


def test_a_form_without_the_sign_ins_csrf_token_is_refused_before_any_service_is_called():
    client = console()
    signed_in(client, "clinician-token")
    response = client.post(
        "/patients/p-1/reviews/r-1/outcome",
        data={"outcome": "continue_monitoring", "csrf": "forged"},
    )
    assert response.status_code == 403
    # With the right token the form goes on to follow-up (down here: the page says so).
    page = client.get("/worklist")
    csrf = hidden(page.text, "csrf")
    response = client.post(
        "/patients/p-1/reviews/r-1/outcome", data={"outcome": "continue_monitoring", "csrf": csrf}
    )
    assert (
        response.status_code == 303
        and "followup%20did%20not%20answer" in response.headers["location"]
    )


def test_pages_need_a_sign_in_and_the_right_role():
    client = console()
    assert client.get("/worklist").headers["location"] == "/login?next=/worklist"
    assert client.get("/worklist/live").status_code == 401
    signed_in(client, "operator-token")
    assert client.get("/worklist").status_code == 403
    assert client.get("/patients/p-1").status_code == 403
    assert client.get("/worklist/live").status_code == 403


def test_after_sign_in_the_console_goes_only_to_its_own_pages():
    client = console()
    form = client.get("/login")
    response = client.post(
        "/login",
        data={
            "token": "clinician-token",
            "form_token": hidden(form.text, "form_token"),
            "next": "//evil.example/steal",
        },
    )
    assert response.headers["location"] == "/"


def test_signing_out_ends_the_sign_in():
    client = console()
    signed_in(client, "clinician-token")
    csrf = hidden(client.get("/worklist").text, "csrf")
    assert client.post("/logout", data={"csrf": csrf}).status_code == 303
    assert client.get("/worklist").status_code == 303


def test_every_page_forbids_framing_and_foreign_scripts_and_is_not_cached():
    response = console().get("/login")
    assert "default-src 'self'" in response.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert response.headers["cache-control"] == "no-store"
    assert "<script" not in response.text  # the sign-in page runs no script at all


@pytest.mark.parametrize(
    ("console_version", "patient_version", "drawn_under"),
    [(2, 1, 1), (1, 2, 2), (2, None, 2)],
)
def test_a_patients_chart_draws_the_thresholds_of_the_protocol_the_patient_is_on(
    monkeypatch, console_version, patient_version, drawn_under
):
    """After an upgrade to v2 (response: 15 points down instead of 10) a patient still on
    v1 is charted under v1; a view without a protocol falls back to the console's own."""
    followup = {
        "status": "active",
        "screened_at": "2026-01-05T08:00:00+00:00",
        "baseline": {"total": 56},
        "trajectory": [],
        "assessments": [],
        "therapy_sessions": [],
        "upcoming": [],
        "decisions": [],
        "reviews": [],
    }
    if patient_version is not None:
        followup["protocol"] = {"id": DEFAULT_PROTOCOL_ID, "version": patient_version}

    async def views(_services, service, _path, _token=None):
        return followup if service == "followup" else None

    monkeypatch.setattr(Services, "get", views)
    client = console(protocol_version=console_version)
    signed_in(client, "clinician-token")
    page = client.get("/patients/p-1")
    assert page.status_code == 200
    drop = load_protocol(DEFAULT_PROTOCOL_ID, drawn_under).pcl5.response_drop_points
    other = load_protocol(DEFAULT_PROTOCOL_ID, 3 - drawn_under).pcl5.response_drop_points
    assert drop != other
    assert f"response ≤ {56 - drop}" in page.text
    assert f"response ≤ {56 - other}" not in page.text
