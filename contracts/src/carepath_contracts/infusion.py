"""Infusion events: clinic facts in (infusion.inbound), course and session decisions out."""

from enum import StrEnum
from typing import Annotated

from pydantic import Field

from carepath_contracts.codes import SafetyAction, SafetyRule, VitalUnit
from carepath_contracts.envelope import EventData
from carepath_contracts.protocol import ProtocolRef
from carepath_contracts.values import (
    UNIQUE_CODES,
    CadssTotal,
    CourseId,
    DiastolicMmhg,
    DoseMg,
    DurationMinutes,
    HeartRateBpm,
    RateMgPerMin,
    RespiratoryRatePerMin,
    SessionId,
    SessionNumber,
    Spo2Percent,
    SystolicMmhg,
    UtcDatetime,
    Vitals,
    WeightKg,
)


class PregnancyTest(StrEnum):
    """The pre-infusion pregnancy test result."""

    NEGATIVE = "negative"
    POSITIVE = "positive"
    NOT_APPLICABLE = "not_applicable"


class AdverseEffect(StrEnum):
    """An adverse effect observed during or after an infusion."""

    NAUSEA = "nausea"
    VOMITING = "vomiting"
    DIZZINESS = "dizziness"
    HEADACHE = "headache"
    BLURRED_VISION = "blurred_vision"
    DISTRESSING_DISSOCIATION = "distressing_dissociation"
    ANXIETY = "anxiety"
    AGITATION = "agitation"
    HYPERTENSION = "hypertension"
    TACHYCARDIA = "tachycardia"
    DESATURATION = "desaturation"
    RESPIRATORY_DEPRESSION = "respiratory_depression"
    ALLERGIC_REACTION = "allergic_reaction"
    EMERGENCE_REACTION = "emergence_reaction"
    OTHER = "other"


class AbortReason(StrEnum):
    """Why an infusion was stopped before the planned dose was given."""

    SAFETY_ALERT = "safety_alert"
    ADVERSE_EVENT = "adverse_event"
    PATIENT_REQUEST = "patient_request"
    CLINICIAN_DECISION = "clinician_decision"
    EQUIPMENT_FAILURE = "equipment_failure"
    OTHER = "other"


class SessionKind(StrEnum):
    """Whether an infusion belongs to the induction course or is a maintenance infusion."""

    INDUCTION = "induction"
    MAINTENANCE = "maintenance"


class DeferralReason(StrEnum):
    """A failed pre-infusion check."""

    SYSTOLIC_ABOVE_LIMIT = "systolic_above_limit"
    DIASTOLIC_ABOVE_LIMIT = "diastolic_above_limit"
    HEART_RATE_ABOVE_LIMIT = "heart_rate_above_limit"
    SPO2_BELOW_LIMIT = "spo2_below_limit"
    PREGNANCY_TEST_POSITIVE = "pregnancy_test_positive"
    ESCORT_ABSENT = "escort_absent"


class CancellationReason(StrEnum):
    """Why a scheduled session will not take place."""

    PATIENT_WITHDRAWN = "patient_withdrawn"
    COURSE_SUSPENDED = "course_suspended"
    COURSE_WINDOW_EXCEEDED = "course_window_exceeded"
    REPLACED = "replaced"
    CLINICIAN_DECISION = "clinician_decision"


class DischargeCriterion(StrEnum):
    """A discharge criterion that was not met."""

    OBSERVATION_TOO_SHORT = "observation_too_short"
    VITALS_NOT_NEAR_BASELINE = "vitals_not_near_baseline"
    DISSOCIATION_UNRESOLVED = "dissociation_unresolved"
    ESCORT_ABSENT = "escort_absent"
    NO_DRIVING_INSTRUCTION_MISSING = "no_driving_instruction_missing"


class SuspensionReason(StrEnum):
    """Why a course was suspended pending clinical review."""

    SERIOUS_ADVERSE_EVENT = "serious_adverse_event"
    WINDOW_EXCEEDED = "window_exceeded"
    CLINICAL_REVIEW = "clinical_review"


class InfusionDeviation(StrEnum):
    """How the infusion given departed from the infusion planned (the protocol's limits)."""

    DOSE_ABOVE_PLAN = "dose_above_plan"
    DOSE_BELOW_PLAN = "dose_below_plan"
    DURATION_BELOW_RANGE = "duration_below_range"
    DURATION_ABOVE_RANGE = "duration_above_range"


class PlanningFailure(StrEnum):
    """Why no infusion could be planned."""

    NO_PLAN_FITS_CALENDAR = "no_plan_fits_calendar"
    NO_SLOT_IN_HORIZON = "no_slot_in_horizon"
    DOSE_ABOVE_MAXIMUM = "dose_above_maximum"


AdverseEffects = Annotated[list[AdverseEffect], UNIQUE_CODES]
SessionCount = Annotated[int, Field(ge=1, le=100)]


class SessionCheckedIn(EventData):
    """The patient checked in for an infusion: pre-infusion vitals, pregnancy test, escort."""

    event_type = "carepath.infusion.session-checked-in.v1"

    session_id: SessionId
    checked_in_at: UtcDatetime
    vitals: Vitals
    pregnancy_test: PregnancyTest
    escort_present: bool


class VitalsRecorded(EventData):
    """A monitor reading taken during or after an infusion."""

    event_type = "carepath.infusion.vitals-recorded.v1"

    session_id: SessionId
    measured_at: UtcDatetime
    systolic_mmhg: SystolicMmhg
    diastolic_mmhg: DiastolicMmhg
    heart_rate_bpm: HeartRateBpm
    spo2_percent: Spo2Percent
    respiratory_rate_per_min: RespiratoryRatePerMin | None = None


class SessionEnded(EventData):
    """The clinic ended an infusion: what was given, for how long, and what happened."""

    event_type = "carepath.infusion.session-ended.v1"

    session_id: SessionId
    ended_at: UtcDatetime
    dose_given_mg: DoseMg
    duration_minutes: DurationMinutes
    adverse_effects: AdverseEffects = Field(default_factory=list)
    peak_dissociation_cadss: CadssTotal | None = None
    serious_adverse_event: bool


class SessionAbortReported(EventData):
    """The clinic reports an infusion stopped early (infusion answers with session-aborted)."""

    event_type = "carepath.infusion.session-abort-reported.v1"

    session_id: SessionId
    aborted_at: UtcDatetime
    reason_code: AbortReason
    dose_given_mg: DoseMg | None = None


class PatientDischarged(EventData):
    """The clinic discharged the patient after observation."""

    event_type = "carepath.infusion.patient-discharged.v1"

    session_id: SessionId
    discharged_at: UtcDatetime
    vitals: Vitals
    dissociation_resolved: bool
    escort_present: bool
    no_driving_instruction_given: bool


class CoursePlanned(EventData):
    """An induction course was planned for an eligible patient."""

    event_type = "carepath.infusion.course-planned.v1"

    course_id: CourseId
    session_count: SessionCount
    first_session_at: UtcDatetime
    window_ends_at: UtcDatetime
    dose_mg: DoseMg
    rate_mg_per_min: RateMgPerMin
    duration_minutes: DurationMinutes
    dosing_weight_kg: WeightKg
    protocol: ProtocolRef


class SessionScheduled(EventData):
    """An infusion session was booked (a replacement names the session it replaces)."""

    event_type = "carepath.infusion.session-scheduled.v1"

    session_id: SessionId
    course_id: CourseId
    session_number: SessionNumber
    kind: SessionKind
    scheduled_for: UtcDatetime
    dose_mg: DoseMg
    rate_mg_per_min: RateMgPerMin
    duration_minutes: DurationMinutes
    replaces_session_id: SessionId | None = None
    protocol: ProtocolRef


class SessionCleared(EventData):
    """The pre-infusion checks passed: the infusion may start."""

    event_type = "carepath.infusion.session-cleared.v1"

    session_id: SessionId
    course_id: CourseId
    session_number: SessionNumber
    cleared_at: UtcDatetime
    protocol: ProtocolRef


class SessionDeferred(EventData):
    """A pre-infusion check failed: the session will not go ahead today."""

    event_type = "carepath.infusion.session-deferred.v1"

    session_id: SessionId
    course_id: CourseId
    session_number: SessionNumber
    reason_codes: Annotated[list[DeferralReason], UNIQUE_CODES, Field(min_length=1)]
    deferred_at: UtcDatetime
    protocol: ProtocolRef


class SafetyAlert(EventData):
    """A reading during an infusion crossed a safety threshold."""

    event_type = "carepath.infusion.safety-alert.v1"

    session_id: SessionId
    rule: SafetyRule
    action: SafetyAction
    reading_value: Annotated[float, Field(ge=0, le=400)]
    threshold_value: Annotated[float, Field(ge=0, le=400)]
    unit: VitalUnit
    measured_at: UtcDatetime
    protocol: ProtocolRef


class SessionCompleted(EventData):
    """An infusion was given: planned and actual dose, effects and dissociation."""

    event_type = "carepath.infusion.session-completed.v1"

    session_id: SessionId
    course_id: CourseId
    session_number: SessionNumber
    kind: SessionKind
    dose_planned_mg: DoseMg
    dose_given_mg: DoseMg
    dose_deviation: bool
    duration_minutes: DurationMinutes
    adverse_effects: AdverseEffects = Field(default_factory=list)
    peak_dissociation_cadss: CadssTotal | None = None
    serious_adverse_event: bool
    completed_at: UtcDatetime
    is_last_induction_session: bool
    deviations: Annotated[list[InfusionDeviation], UNIQUE_CODES] = Field(
        default_factory=list,
        description="Departures from the planned infusion beyond the protocol's limits.",
    )
    protocol: ProtocolRef


class SessionAborted(EventData):
    """An infusion was stopped before the planned dose was given."""

    event_type = "carepath.infusion.session-aborted.v1"

    session_id: SessionId
    course_id: CourseId
    session_number: SessionNumber
    kind: SessionKind
    reason_code: AbortReason
    dose_given_mg: DoseMg | None = None
    aborted_at: UtcDatetime
    protocol: ProtocolRef


class SessionMissed(EventData):
    """The patient did not check in for a scheduled session."""

    event_type = "carepath.infusion.session-missed.v1"

    session_id: SessionId
    course_id: CourseId
    session_number: SessionNumber
    kind: SessionKind
    scheduled_for: UtcDatetime
    missed_at: UtcDatetime
    protocol: ProtocolRef


class SessionCancelled(EventData):
    """A scheduled session was called off."""

    event_type = "carepath.infusion.session-cancelled.v1"

    session_id: SessionId
    course_id: CourseId
    session_number: SessionNumber
    reason_code: CancellationReason
    cancelled_at: UtcDatetime
    protocol: ProtocolRef


class DischargeAssessed(EventData):
    """Infusion checked a reported discharge against the protocol's discharge criteria."""

    event_type = "carepath.infusion.discharge-assessed.v1"

    session_id: SessionId
    criteria_met: bool
    unmet_criteria: Annotated[list[DischargeCriterion], UNIQUE_CODES] = Field(default_factory=list)
    observed_minutes: Annotated[int, Field(ge=0, le=1440)]
    assessed_at: UtcDatetime
    protocol: ProtocolRef


class CourseCompleted(EventData):
    """Every infusion of the induction course was given."""

    event_type = "carepath.infusion.course-completed.v1"

    course_id: CourseId
    sessions_completed: SessionCount
    last_session_id: SessionId
    completed_at: UtcDatetime
    protocol: ProtocolRef


class CourseSuspended(EventData):
    """The course is on hold until a clinician reviews it."""

    event_type = "carepath.infusion.course-suspended.v1"

    course_id: CourseId
    reason_code: SuspensionReason
    session_id: SessionId | None = Field(default=None, description="The session that led to it.")
    suspended_at: UtcDatetime
    protocol: ProtocolRef


class PlanningFailed(EventData):
    """No plan fits the protocol and the clinic's settings: nothing booked, a clinician decides."""

    event_type = "carepath.infusion.planning-failed.v1"

    reason_code: PlanningFailure
    kind: SessionKind
    course_id: CourseId | None = Field(default=None, description="None: no course was planned.")
    dose_mg: DoseMg | None = Field(
        default=None, description="For dose_above_maximum: the dose the weight asked for."
    )
    max_dose_mg: DoseMg | None = None
    failed_at: UtcDatetime
    protocol: ProtocolRef
