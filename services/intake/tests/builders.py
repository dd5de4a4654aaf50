"""Builders shared by intake's tests: forms, patients, rules and times."""

import uuid
from datetime import UTC, date, datetime
from typing import Any

from carepath_contracts import (
    ReferralSource,
    ResponderRole,
    ScreeningSubmitted,
    TreatmentProtocol,
    Vitals,
    default_protocol,
)
from carepath_intake.domain import Patient, Referral, ScreeningRules

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
PROTOCOL = default_protocol()
RULES = ScreeningRules(protocol=PROTOCOL)
ITEM_MAX = PROTOCOL.pcl5.item_max
CALM_VITALS = Vitals(systolic_mmhg=122, diastolic_mmhg=78, heart_rate_bpm=72, spo2_percent=98)


def pcl5_items(total: int) -> list[int]:
    """Twenty responses summing to `total`, highest items first."""
    count = PROTOCOL.pcl5.item_count
    return [max(0, min(ITEM_MAX, total - ITEM_MAX * index)) for index in range(count)]


def eligible_form(**changes: Any) -> ScreeningSubmitted:
    """A form that passes every rule of the default protocol; `changes` break one at a time."""
    fields: dict[str, Any] = {
        "pcl5_items": pcl5_items(PROTOCOL.pcl5.probable_ptsd_at_or_above + 12),
        "vitals": CALM_VITALS,
        "weight_kg": 82.5,
        "height_cm": 178.0,
        "history": [],
        "current_medications": [],
        "consent_given": True,
        "escort_named": True,
        "submitted_at": NOW,
    }
    fields.update(changes)
    return ScreeningSubmitted(**fields)


def with_changes(protocol: TreatmentProtocol, section: str, **changes: Any) -> TreatmentProtocol:
    """The protocol with some settings of one section changed (for rules that are options)."""
    changed = getattr(protocol, section).model_copy(update=changes)
    return protocol.model_copy(update={section: changed})


def referred_patient(**changes: Any) -> Patient:
    fields: dict[str, Any] = {
        "patient_id": f"p-{uuid.uuid4().hex[:16]}",
        "pathway_id": f"pw-{uuid.uuid4().hex[:16]}",
        "referral": Referral(
            external_referral_id=f"ref-{uuid.uuid4().hex[:8]}",
            responder_role=ResponderRole.FIREFIGHTER,
            referral_source=ReferralSource.OCCUPATIONAL_HEALTH,
            received_at=NOW,
        ),
        "accepted_at": NOW,
    }
    fields.update(changes)
    return Patient(**fields)


def born_years_before(years: int, on: date) -> date:
    """A date of birth that makes someone exactly `years` old on `on` (their birthday)."""
    return on.replace(year=on.year - years)
