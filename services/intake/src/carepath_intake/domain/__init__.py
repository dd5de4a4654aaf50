"""Intake's pure rules: screening decisions and the patient's record transitions."""

from carepath_intake.domain.body import DosingWeight, age_in_years, body_mass_index, dosing_weight
from carepath_intake.domain.patient import (
    Patient,
    PatientStatus,
    Referral,
    Review,
    Screening,
    Withdrawal,
)
from carepath_intake.domain.refusals import (
    ConflictingRecordError,
    ImplausibleMeasurementsError,
    IntakeRefusal,
    MissingDateOfBirthError,
    NotAllowedNowError,
    UnknownPatientError,
)
from carepath_intake.domain.screening import (
    Finding,
    FindingKind,
    ScreeningResult,
    ScreeningRules,
    screen,
    unsupported_protocol_settings,
)
from carepath_intake.domain.transitions import (
    Transition,
    check_pathway,
    decide_review,
    receive_referral,
    same_form,
    screen_patient,
    withdraw,
)

__all__ = [
    "ConflictingRecordError",
    "DosingWeight",
    "Finding",
    "FindingKind",
    "ImplausibleMeasurementsError",
    "IntakeRefusal",
    "MissingDateOfBirthError",
    "NotAllowedNowError",
    "Patient",
    "PatientStatus",
    "Referral",
    "Review",
    "Screening",
    "ScreeningResult",
    "ScreeningRules",
    "Transition",
    "UnknownPatientError",
    "Withdrawal",
    "age_in_years",
    "body_mass_index",
    "check_pathway",
    "decide_review",
    "dosing_weight",
    "receive_referral",
    "same_form",
    "screen",
    "screen_patient",
    "unsupported_protocol_settings",
    "withdraw",
]
