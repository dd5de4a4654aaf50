"""Each service serves its committed AsyncAPI document at /asyncapi, and the document says what
the service is wired to do: the topics it subscribes to and the event types it handles."""

import json
from pathlib import Path

import httpx
import pytest

from carepath_contracts import (
    DEFAULT_PROTOCOL_ID,
    DEFAULT_PROTOCOL_VERSION,
    asyncapi_path,
    load_catalogue,
)
from carepath_followup import FollowupSettings
from carepath_followup import app as followup_app
from carepath_infusion import InfusionSettings
from carepath_infusion import app as infusion_app
from carepath_intake import IntakeSettings
from carepath_intake import app as intake_app

DOCUMENTS = Path(__file__).resolve().parents[2] / "contracts" / "asyncapi"
SERVICES = {
    "intake": (IntakeSettings, intake_app),
    "infusion": (InfusionSettings, infusion_app),
    "followup": (FollowupSettings, followup_app),
}
TOKEN = "asyncapi-reader-token"
services = pytest.mark.parametrize("service", SERVICES)


def committed(service: str) -> dict:
    return json.loads(asyncapi_path(DOCUMENTS, service).read_text(encoding="utf-8"))


def settings_of(service: str, tmp_path: Path):
    settings_class, _ = SERVICES[service]
    return settings_class(
        database_url=f"sqlite+aiosqlite:///{tmp_path / service}.db",
        tokens=[{"subject": "ops-1", "role": "operator", "token": TOKEN}],
    )


@services
async def test_the_service_serves_its_committed_document(service: str, tmp_path: Path):
    app = SERVICES[service][1].create_app(settings_of(service, tmp_path))
    transport = httpx.ASGITransport(app=app)  # no lifespan: nothing connects to Kafka
    async with httpx.AsyncClient(transport=transport, base_url="http://service") as client:
        anonymous = await client.get("/asyncapi")
        reply = await client.get("/asyncapi", headers={"Authorization": f"Bearer {TOKEN}"})

    assert anonymous.status_code == 401
    assert reply.status_code == 200
    assert reply.json() == committed(service)


@services
def test_the_document_matches_the_service_wiring(service: str, tmp_path: Path):
    catalogue = load_catalogue(DEFAULT_PROTOCOL_ID, DEFAULT_PROTOCOL_VERSION)
    definition = SERVICES[service][1].definition(settings_of(service, tmp_path), catalogue)
    document = committed(service)
    messages = document["components"]["messages"]
    receives = [op for op in document["operations"].values() if op["action"] == "receive"]
    channels = [document["channels"][op["channel"]["$ref"].split("/")[-1]] for op in receives]
    handled = {
        messages[ref["$ref"].split("/")[-1]]["name"] for op in receives for ref in op["messages"]
    }
    (dead_letters,) = [
        document["channels"][op["channel"]["$ref"].split("/")[-1]]
        for op in document["operations"].values()
        if op["action"] == "send" and op["messages"][0]["$ref"].endswith("/DeadLetter")
    ]

    assert sorted(channel["address"] for channel in channels) == sorted(definition.consumes)
    assert handled == set(definition.handlers)
    assert dead_letters["address"] == definition.dead_letter_topic
