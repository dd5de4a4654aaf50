"""Forms are checked before anything is stored: 422 names the field, tokens guard every route."""

from datetime import timedelta

import httpx
import pytest

from carepath_intake import create_app
from carepath_runtime.clock import ManualClock

from .builders import NOW
from .harness import AS_INTEGRATION, CLINICIAN_TOKEN, intake_settings, referral_form, screening_form

PATIENT = "p-0123456789abcdef"
SCREENING_URL = f"/v1/patients/{PATIENT}/screening"


@pytest.fixture
async def client(tmp_path):
    # Validation and authentication answer before any database or broker is touched,
    # so the runtime is not started here.
    settings = intake_settings("127.0.0.1:1", "t.", f"sqlite+aiosqlite:///{tmp_path}/x.db")
    app = create_app(settings, clock=ManualClock(NOW))
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),
        base_url="http://intake",
        headers={"Authorization": f"Bearer {CLINICIAN_TOKEN}"},
    ) as client:
        yield client


def problems(response: httpx.Response) -> dict[tuple, str]:
    assert response.status_code == 422, response.text
    return {tuple(problem["loc"]): problem["msg"] for problem in response.json()["detail"]}


async def test_a_pcl5_with_a_missing_item_is_422_naming_the_field_and_the_item(client):
    response = await client.post(SCREENING_URL, json=screening_form(pcl5_items=[2] * 19))

    assert problems(response) == {
        (
            "body",
            "pcl5_items",
        ): "Value error, PCL-5 needs exactly 20 items, got 19 (item 20 missing)"
    }


async def test_a_pcl5_item_out_of_range_is_422_naming_the_item(client):
    items = [2] * 20
    items[3] = 5

    response = await client.post(SCREENING_URL, json=screening_form(pcl5_items=items))

    assert list(problems(response)) == [("body", "pcl5_items", 3)]


async def test_a_missing_consent_answer_is_422_naming_the_field(client):
    form = screening_form()
    del form["consent_given"]

    assert problems(await client.post(SCREENING_URL, json=form)) == {
        ("body", "consent_given"): "Field required"
    }


async def test_a_misspelt_field_is_422_rather_than_read_as_missing(client):
    form = screening_form()
    form["weight"] = form.pop("weight_kg")

    assert set(problems(await client.post(SCREENING_URL, json=form))) == {
        ("body", "weight"),
        ("body", "weight_kg"),
    }


async def test_an_impossible_vital_sign_is_422_naming_it(client):
    form = screening_form(vitals={**screening_form()["vitals"], "systolic_mmhg": 400})

    assert list(problems(await client.post(SCREENING_URL, json=form))) == [
        ("body", "vitals", "systolic_mmhg")
    ]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("email", "not-an-address"),
        ("phone", "call me"),
        ("responder_role", "astronaut"),
        ("external_referral_id", "has spaces"),
        ("given_name", ""),
    ],
)
async def test_an_invalid_referral_field_is_422_naming_it(client, field, value):
    response = await client.post("/v1/referrals", json=referral_form(**{field: value}))

    assert list(problems(response)) == [("body", field)]


async def test_a_date_of_birth_in_the_future_is_422_naming_it(client):
    tomorrow = (NOW + timedelta(days=1)).date().isoformat()

    response = await client.post("/v1/referrals", json=referral_form(date_of_birth=tomorrow))

    assert problems(response) == {("body", "date_of_birth"): "is in the future"}
    assert tomorrow not in response.text


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("POST", "/v1/referrals"),
        ("POST", SCREENING_URL),
        ("POST", f"/v1/patients/{PATIENT}/review"),
        ("POST", f"/v1/patients/{PATIENT}/withdraw"),
        ("GET", f"/v1/patients/{PATIENT}"),
        ("GET", "/metrics"),
    ],
)
async def test_every_route_but_health_needs_a_token(client, method, url):
    anonymous = await client.request(method, url, headers={"Authorization": ""})
    unknown = await client.request(method, url, headers={"Authorization": "Bearer guess"})

    assert anonymous.status_code == unknown.status_code == 401
    assert (await client.get("/healthz", headers={"Authorization": ""})).status_code == 200


async def test_only_a_clinician_may_decide_a_review(client):
    review = {"decision": "approved", "reason_code": "caution_managed"}

    response = await client.post(
        f"/v1/patients/{PATIENT}/review", json=review, headers=AS_INTEGRATION
    )

    assert response.status_code == 403
