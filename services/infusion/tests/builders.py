"""Builders shared by the infusion tests: events as other systems send them, and settings."""

import uuid
from datetime import UTC, datetime

from carepath_contracts import (
    Event,
    MaintenanceReason,
    MaintenanceRecommended,
    PatientDischarged,
    PatientScreened,
    PatientWithdrawn,
    PregnancyTest,
    ScreeningOutcome,
    SessionAbortReported,
    SessionCheckedIn,
    SessionEnded,
    Vitals,
    VitalsRecorded,
    default_protocol,
    new_event,
    score_pcl5,
)
from carepath_contracts.infusion import AbortReason
from carepath_contracts.intake import DosingWeightBasis, WithdrawalReason
from carepath_infusion import InfusionSettings
from carepath_testing.settings import settings_for

PROTOCOL = default_protocol()
MONDAY = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
CLINICIAN_TOKEN = "clinician-token-for-tests"
CALM = Vitals(systolic_mmhg=128, diastolic_mmhg=82, heart_rate_bpm=76, spo2_percent=98)
BASELINE_ITEMS = [3, 3, 2, 3, 2, 3, 3, 2, 1, 3, 3, 2, 3, 4, 3, 2, 3, 3, 2, 2]


def new_patient_id() -> str:
    return f"pt-{uuid.uuid4().hex[:12]}"


def _event(data, patient_id: str, at: datetime, source: str, pathway: str | None = None):
    return new_event(
        data,
        subject=patient_id,
        correlation_id=pathway or f"pw-{patient_id}",
        source=source,
        time=at,
    )


def screened(
    patient_id: str,
    at: datetime = MONDAY,
    *,
    weight_kg: float | None = 82.5,
    outcome: ScreeningOutcome = ScreeningOutcome.ELIGIBLE,
    final: bool = True,
) -> Event[PatientScreened]:
    data = PatientScreened(
        outcome=outcome,
        baseline_pcl5=score_pcl5(BASELINE_ITEMS, PROTOCOL),
        dosing_weight_kg=weight_kg,
        dosing_weight_basis=DosingWeightBasis.ACTUAL if weight_kg else None,
        final=final,
        protocol=PROTOCOL.ref,
        screened_at=at,
    )
    return _event(data, patient_id, at, "carepath/intake")


def withdrawn(patient_id: str, at: datetime) -> Event[PatientWithdrawn]:
    data = PatientWithdrawn(reason_code=WithdrawalReason.PATIENT_REQUEST, withdrawn_at=at)
    return _event(data, patient_id, at, "carepath/intake")


def checked_in(
    patient_id: str,
    session_id: str,
    at: datetime,
    *,
    vitals: Vitals = CALM,
    pregnancy_test: PregnancyTest = PregnancyTest.NOT_APPLICABLE,
    escort_present: bool = True,
) -> Event[SessionCheckedIn]:
    data = SessionCheckedIn(
        session_id=session_id,
        checked_in_at=at,
        vitals=vitals,
        pregnancy_test=pregnancy_test,
        escort_present=escort_present,
    )
    return _event(data, patient_id, at, "clinic/front-desk")


def vitals(
    patient_id: str,
    session_id: str,
    at: datetime,
    *,
    systolic: int = 130,
    diastolic: int = 84,
    heart_rate: int = 80,
    spo2: int = 97,
    respiratory_rate: int | None = None,
) -> Event[VitalsRecorded]:
    data = VitalsRecorded(
        session_id=session_id,
        measured_at=at,
        systolic_mmhg=systolic,
        diastolic_mmhg=diastolic,
        heart_rate_bpm=heart_rate,
        spo2_percent=spo2,
        respiratory_rate_per_min=respiratory_rate,
    )
    return _event(data, patient_id, at, "clinic/monitor")


def ended(
    patient_id: str,
    session_id: str,
    at: datetime,
    *,
    dose_given_mg: float = 41.3,
    duration_minutes: int = 40,
    serious_adverse_event: bool = False,
) -> Event[SessionEnded]:
    data = SessionEnded(
        session_id=session_id,
        ended_at=at,
        dose_given_mg=dose_given_mg,
        duration_minutes=duration_minutes,
        peak_dissociation_cadss=18,
        serious_adverse_event=serious_adverse_event,
    )
    return _event(data, patient_id, at, "clinic/infusion-pump")


def abort_reported(patient_id: str, session_id: str, at: datetime) -> Event[SessionAbortReported]:
    data = SessionAbortReported(
        session_id=session_id,
        aborted_at=at,
        reason_code=AbortReason.SAFETY_ALERT,
        dose_given_mg=20.0,
    )
    return _event(data, patient_id, at, "clinic/infusion-pump")


def discharged(
    patient_id: str, session_id: str, at: datetime, *, vitals: Vitals = CALM
) -> Event[PatientDischarged]:
    data = PatientDischarged(
        session_id=session_id,
        discharged_at=at,
        vitals=vitals,
        dissociation_resolved=True,
        escort_present=True,
        no_driving_instruction_given=True,
    )
    return _event(data, patient_id, at, "clinic/front-desk")


def maintenance_recommended(
    patient_id: str, at: datetime, interval_days: int = 28
) -> Event[MaintenanceRecommended]:
    data = MaintenanceRecommended(
        interval_days=interval_days,
        reason_code=MaintenanceReason.PLATEAU,
        evidence=[],
        recommended_at=at,
        protocol=PROTOCOL.ref,
    )
    return _event(data, patient_id, at, "carepath/followup")


def infusion_settings(
    kafka_bootstrap: str, topic_prefix: str, database_url: str, **overrides
) -> InfusionSettings:
    tokens = [
        {"subject": "clin-1", "role": "clinician", "token": CLINICIAN_TOKEN},
        {"subject": "clinic-1", "role": "integration", "token": "integration-token-for-tests"},
    ]
    return settings_for(
        InfusionSettings,
        "infusion",
        kafka_bootstrap,
        topic_prefix,
        database_url,
        tokens,
        **overrides,
    )
