"""Builders shared by the runtime's and the tools' tests of the probe service."""

import uuid
from datetime import UTC, datetime

from carepath_contracts import ReferralReceived, new_event
from carepath_contracts.intake import ReferralSource, ResponderRole
from carepath_testing.probe.service import ProbeSettings
from carepath_testing.settings import settings_for

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def referral(patient_id: str | None = None):
    patient_id = patient_id or f"p-{uuid.uuid4().hex[:12]}"
    data = ReferralReceived(
        external_referral_id=f"ext-{uuid.uuid4().hex[:8]}",
        responder_role=ResponderRole.FIREFIGHTER,
        referral_source=ReferralSource.OCCUPATIONAL_HEALTH,
        received_at=NOW,
    )
    return new_event(
        data,
        subject=patient_id,
        correlation_id=f"pw-{uuid.uuid4().hex[:12]}",
        source="referral-portal/web",
        time=NOW,
    )


def probe_settings(kafka_bootstrap: str, topic_prefix: str, database_url: str, **overrides):
    return settings_for(
        ProbeSettings, "probe", kafka_bootstrap, topic_prefix, database_url, **overrides
    )
