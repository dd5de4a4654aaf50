"""The three services' apps in-process for HTTP tests: test tokens, a migrated SQLite database,
no broker (authentication, validation and reads answer without one)."""

from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI

from carepath_followup import FollowupSettings
from carepath_followup import create_app as followup_app
from carepath_infusion import InfusionSettings
from carepath_infusion import create_app as infusion_app
from carepath_intake import IntakeSettings
from carepath_intake import create_app as intake_app
from carepath_runtime import schema_migrations

ROLES = ("clinician", "integration", "operator")
TOKENS = {role: f"{role}-http-test-token" for role in ROLES}
SUBJECTS = {"clinician": "clin-7", "integration": "referral-portal", "operator": "ops-1"}
APPS = {
    "intake": (IntakeSettings, intake_app),
    "infusion": (InfusionSettings, infusion_app),
    "followup": (FollowupSettings, followup_app),
}


def token_settings() -> dict:
    return {
        "tokens": [
            {"subject": SUBJECTS[role], "role": role, "token": token}
            for role, token in TOKENS.items()
        ]
    }


def app_of(service: str, folder: Path, **overrides: Any) -> FastAPI:
    settings_class, create_app = APPS[service]
    settings = settings_class(
        database_url=f"sqlite+aiosqlite:///{folder / service}.db",
        kafka_bootstrap_servers="127.0.0.1:1",
        **token_settings(),
        **overrides,
    )
    return create_app(settings)


async def migrated(app: FastAPI) -> FastAPI:
    runtime = app.state.runtime
    await schema_migrations.upgrade(runtime.engine, runtime.definition.migrations)
    return app


def client_of(app: FastAPI, role: str | None = None) -> httpx.AsyncClient:
    headers = {"Authorization": f"Bearer {TOKENS[role]}"} if role else {}
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://service", headers=headers
    )
