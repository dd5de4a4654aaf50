"""Intake events: referrals and screening forms in, screening results out."""

from enum import StrEnum
from typing import Annotated

from pydantic import Field

from carepath_contracts.codes import HistoryFlag, Medication
from carepath_contracts.envelope import EventData
from carepath_contracts.instruments import Pcl5Items, Pcl5Score
from carepath_contracts.protocol import ProtocolRef
from carepath_contracts.values import (
    UNIQUE_CODES,
    Bmi,
    ClinicianId,
    ExternalReferralId,
    HeightCm,
    UtcDatetime,
    Vitals,
    WeightKg,
)


class ResponderRole(StrEnum):
    """The first-responder role of the referred patient."""

    FIREFIGHTER = "firefighter"
    PARAMEDIC_EMT = "paramedic_emt"
    POLICE = "police"
    DISPATCHER = "dispatcher"
    OTHER = "other"


class ReferralSource(StrEnum):
    """Who referred the patient."""

    SELF = "self"
    OCCUPATIONAL_HEALTH = "occupational_health"
    PEER_SUPPORT = "peer_support"
    PRIMARY_CARE = "primary_care"
    MENTAL_HEALTH_SERVICE = "mental_health_service"
    EMPLOYEE_ASSISTANCE_PROGRAMME = "employee_assistance_programme"
    OTHER = "other"


class ReviewDecision(StrEnum):
    """A clinician's decision on a screening that needed review."""

    APPROVED = "approved"
    DECLINED = "declined"


class ReviewReason(StrEnum):
    """Why a clinician approved or declined."""

    CAUTION_ACCEPTABLE = "caution_acceptable"
    CAUTION_MANAGED = "caution_managed"
    RISK_OUTWEIGHS_BENEFIT = "risk_outweighs_benefit"
    OTHER_CARE_MORE_SUITABLE = "other_care_more_suitable"
    URGENT_CARE_NEEDED = "urgent_care_needed"
    PATIENT_PREFERENCE = "patient_preference"


class WithdrawalReason(StrEnum):
    """Why a patient left the pathway."""

    PATIENT_REQUEST = "patient_request"
    CONSENT_WITHDRAWN = "consent_withdrawn"
    CLINICIAN_DECISION = "clinician_decision"
    MOVED_AWAY = "moved_away"
    OTHER_TREATMENT = "other_treatment"
    LOST_TO_FOLLOW_UP = "lost_to_follow_up"
    UNSPECIFIED = "unspecified"


class ScreeningOutcome(StrEnum):
    """The result of screening."""

    ELIGIBLE = "eligible"
    INELIGIBLE = "ineligible"
    NEEDS_REVIEW = "needs_review"


class ScreeningReason(StrEnum):
    """Why screening was not plainly eligible: one code per exclusion, caution or unmet need."""

    PSYCHOSIS = "psychosis"
    MANIA_OR_BIPOLAR_I = "mania_or_bipolar_i"
    SEVERE_SUBSTANCE_USE_6_MONTHS = "severe_substance_use_6_months"
    KETAMINE_OR_PCP_MISUSE = "ketamine_or_pcp_misuse"
    PREGNANT = "pregnant"
    BREASTFEEDING = "breastfeeding"
    CARDIAC_EVENT_6_WEEKS = "cardiac_event_6_weeks"
    UNSTABLE_CARDIOVASCULAR_DISEASE = "unstable_cardiovascular_disease"
    RAISED_INTRACRANIAL_PRESSURE = "raised_intracranial_pressure"
    RECENT_STROKE = "recent_stroke"
    PRIOR_SERIOUS_KETAMINE_REACTION = "prior_serious_ketamine_reaction"
    HIGH_SUICIDE_RISK = "high_suicide_risk"
    HYPERTENSION_CONTROLLED = "hypertension_controlled"
    MILD_OR_MODERATE_SUBSTANCE_USE = "mild_or_moderate_substance_use"
    MODERATE_OR_SEVERE_BRAIN_INJURY = "moderate_or_severe_brain_injury"
    BMI_AT_OR_ABOVE_CAUTION = "bmi_at_or_above_caution"
    BLOOD_PRESSURE_ABOVE_LIMIT = "blood_pressure_above_limit"
    HEART_RATE_ABOVE_LIMIT = "heart_rate_above_limit"
    SPO2_BELOW_LIMIT = "spo2_below_limit"
    UNCONTROLLED_HYPERTENSION = "uncontrolled_hypertension"
    VITALS_MISSING = "vitals_missing"
    BENZODIAZEPINE_USE = "benzodiazepine_use"
    MAOI_USE = "maoi_use"
    AGE_OUT_OF_RANGE = "age_out_of_range"
    NO_CONSENT = "no_consent"
    NO_ESCORT = "no_escort"
    PCL5_BELOW_CUT_POINT = "pcl5_below_cut_point"
    WEIGHT_MISSING = "weight_missing"
    HEIGHT_MISSING = "height_missing"
    DECLINED_AT_REVIEW = "declined_at_review"


class DosingWeightBasis(StrEnum):
    """Which body weight the dose is calculated from."""

    ACTUAL = "actual_body_weight"
    IDEAL = "ideal_body_weight"  # no longer produced: the adjusted weight replaced it
    ADJUSTED = "adjusted_body_weight"
    MAXIMUM = "maximum_dosing_weight"


class SafetyConcern(StrEnum):
    """A finding at screening that needs urgent care outside this pathway."""

    HIGH_SUICIDE_RISK = "high_suicide_risk"


class UrgentAction(StrEnum):
    """What must happen now about an urgent safety concern."""

    ROUTE_TO_URGENT_CARE = "route_to_urgent_care"


HistoryFlags = Annotated[list[HistoryFlag], UNIQUE_CODES]
Medications = Annotated[list[Medication], UNIQUE_CODES]
ScreeningReasons = Annotated[list[ScreeningReason], UNIQUE_CODES]


class ReferralReceived(EventData):
    """A referral arrived from the referral portal (personal details travel only over HTTP)."""

    event_type = "carepath.intake.referral-received.v1"

    external_referral_id: ExternalReferralId
    responder_role: ResponderRole
    referral_source: ReferralSource
    received_at: UtcDatetime


class ScreeningSubmitted(EventData):
    """A completed screening form: PCL-5 responses, vitals, body measures, history, consent."""

    event_type = "carepath.intake.screening-submitted.v1"

    pcl5_items: Pcl5Items = Field(description="The 20 PCL-5 responses, item 1 first.")
    vitals: Vitals | None = None
    weight_kg: WeightKg | None = None
    height_cm: HeightCm | None = None
    history: HistoryFlags = Field(default_factory=list)
    current_medications: Medications = Field(default_factory=list)
    consent_given: bool
    escort_named: bool
    submitted_at: UtcDatetime


class ReviewDecided(EventData):
    """A clinician decided on a screening that needed review."""

    event_type = "carepath.intake.review-decided.v1"

    decision: ReviewDecision
    reason_code: ReviewReason
    clinician_id: ClinicianId
    decided_at: UtcDatetime


class ConsentWithdrawn(EventData):
    """The patient withdrew consent to the pathway."""

    event_type = "carepath.intake.consent-withdrawn.v1"

    withdrawn_at: UtcDatetime
    reason_code: WithdrawalReason = WithdrawalReason.CONSENT_WITHDRAWN


class ReferralAccepted(EventData):
    """Intake accepted a referral and opened a pathway for the patient."""

    event_type = "carepath.intake.referral-accepted.v1"

    responder_role: ResponderRole
    referral_source: ReferralSource
    accepted_at: UtcDatetime


class PatientScreened(EventData):
    """Screening result under a protocol: outcome, reasons, baseline PCL-5 and dosing weight."""

    event_type = "carepath.intake.patient-screened.v1"

    outcome: ScreeningOutcome
    reason_codes: ScreeningReasons = Field(default_factory=list)
    baseline_pcl5: Pcl5Score
    dosing_weight_kg: WeightKg | None = None
    dosing_weight_basis: DosingWeightBasis | None = None
    bmi: Bmi | None = None
    final: bool = Field(description="True when no review is pending: act on it.")
    reviewed_by: ClinicianId | None = None
    protocol: ProtocolRef
    screened_at: UtcDatetime


class PatientWithdrawn(EventData):
    """The patient left the pathway; every service stops scheduling for them."""

    event_type = "carepath.intake.patient-withdrawn.v1"

    reason_code: WithdrawalReason
    withdrawn_at: UtcDatetime


class SafetyConcernRaised(EventData):
    """Screening found an urgent safety concern: the patient is routed to urgent care now."""

    event_type = "carepath.intake.safety-concern-raised.v1"

    concern: SafetyConcern
    action: UrgentAction
    raised_at: UtcDatetime
    protocol: ProtocolRef
