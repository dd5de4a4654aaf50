"""Coded vocabularies shared by the events and the treatment protocol."""

from enum import StrEnum


class HistoryFlag(StrEnum):
    """A screening finding from the patient's history: an exclusion or a caution."""

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


class Medication(StrEnum):
    """A current medication class relevant to screening."""

    BENZODIAZEPINE = "benzodiazepine"
    MAOI = "maoi"
    SSRI = "ssri"
    SNRI = "snri"
    TRICYCLIC_ANTIDEPRESSANT = "tricyclic_antidepressant"
    ANTIPSYCHOTIC = "antipsychotic"
    MOOD_STABILISER = "mood_stabiliser"
    STIMULANT = "stimulant"
    OPIOID = "opioid"
    ANTIHYPERTENSIVE = "antihypertensive"
    OTHER = "other"


class Instrument(StrEnum):
    """A symptom questionnaire."""

    PCL5 = "pcl5"
    IESR = "iesr"


class IesrSubscale(StrEnum):
    """An IES-R subscale."""

    INTRUSION = "intrusion"
    AVOIDANCE = "avoidance"
    HYPERAROUSAL = "hyperarousal"


class VitalSign(StrEnum):
    """A vital sign, named like the event field that carries it."""

    SYSTOLIC_MMHG = "systolic_mmhg"
    DIASTOLIC_MMHG = "diastolic_mmhg"
    HEART_RATE_BPM = "heart_rate_bpm"
    SPO2_PERCENT = "spo2_percent"
    RESPIRATORY_RATE_PER_MIN = "respiratory_rate_per_min"
    # Derived from a reading's systolic and diastolic: (systolic + 2 x diastolic) / 3.
    MEAN_ARTERIAL_PRESSURE_MMHG = "mean_arterial_pressure_mmhg"


class VitalUnit(StrEnum):
    """The UCUM unit of a vital-sign reading."""

    MMHG = "mm[Hg]"
    PER_MIN = "/min"
    PERCENT = "%"
    MG = "mg"  # a dose (the infusion-record rules)
    MINUTES = "min"  # a duration (the infusion-record rules)


class Comparison(StrEnum):
    """How a reading is compared with a threshold to raise an alert."""

    AT_OR_ABOVE = "at_or_above"
    ABOVE = "above"
    BELOW = "below"
    AT_OR_BELOW = "at_or_below"


class SafetyRule(StrEnum):
    """An intra-infusion safety rule."""

    SYSTOLIC_HIGH = "systolic_high"
    DIASTOLIC_HIGH = "diastolic_high"
    SPO2_LOW = "spo2_low"
    HEART_RATE_HIGH = "heart_rate_high"
    INFUSION_TOO_FAST = "infusion_too_fast"  # the infusion record: rapid administration
    DOSE_ABOVE_PLAN = "dose_above_plan"  # the infusion record: more given than planned
    SYSTOLIC_LOW = "systolic_low"
    MEAN_ARTERIAL_PRESSURE_LOW = "mean_arterial_pressure_low"
    HEART_RATE_LOW = "heart_rate_low"
    RESPIRATORY_RATE_LOW = "respiratory_rate_low"
    RESPIRATORY_RATE_HIGH = "respiratory_rate_high"
    MONITOR_SILENCE = "monitor_silence"  # no reading for too long while infusing


class SafetyAction(StrEnum):
    """What the clinic must do when a safety rule fires."""

    PAUSE = "pause"
    STOP = "stop"
    NOTIFY = "notify"


class TherapyModality(StrEnum):
    """A trauma-focused psychotherapy given after an infusion."""

    PROLONGED_EXPOSURE = "prolonged_exposure"
    COGNITIVE_PROCESSING_THERAPY = "cognitive_processing_therapy"
    EMDR = "emdr"
    INTEGRATION = "integration"


class Timepoint(StrEnum):
    """A scheduled assessment timepoint of the pathway."""

    BASELINE = "baseline"
    AFTER_FIRST_INFUSION = "after_first_infusion"
    END_OF_TREATMENT = "end_of_treatment"
    WEEK_2 = "week_2"
    WEEK_4 = "week_4"
    WEEK_8 = "week_8"
    WEEK_12 = "week_12"
    BEFORE_MAINTENANCE = "before_maintenance"  # a PCL-5 before each maintenance infusion


class ReviewTrigger(StrEnum):
    """Why a clinician must review a patient: one code per trigger of the review loop."""

    NON_RESPONSE = "non_response"
    WORSENING = "worsening"
    COURSE_SUSPENDED = "course_suspended"
    SAFETY_EVENT = "safety_event"  # a safety alert serious enough to need review
    RELAPSE = "relapse"
    SERIOUS_ADVERSE_EVENT = "serious_adverse_event"
    FAILED_DISCHARGE = "failed_discharge"
    DOSE_ABOVE_PLAN = "dose_above_plan"
    DOSE_BELOW_PLAN = "dose_below_plan"
    INFUSION_DURATION_OUT_OF_RANGE = "infusion_duration_out_of_range"
    PLANNING_FAILURE = "planning_failure"
    URGENT_SAFETY_CONCERN = "urgent_safety_concern"  # e.g. high suicide risk at screening
    MISSING_END_OF_TREATMENT = "missing_end_of_treatment"


class Urgency(StrEnum):
    """How soon a clinical review is needed, least urgent first (escalation goes up)."""

    ROUTINE = "routine"
    SOON = "soon"
    URGENT = "urgent"
    IMMEDIATE = "immediate"


class ReviewOutcome(StrEnum):
    """What the reviewing clinician decided: each is an action the services carry out."""

    CONTINUE_MONITORING = "continue_monitoring"
    START_MAINTENANCE = "start_maintenance"  # also changes the interval of a running series
    RESUME_COURSE = "resume_course"
    REPEAT_INDUCTION = "repeat_induction"
    DISCHARGE = "discharge"
    REFER_OUT = "refer_out"


class ScheduleAnchor(StrEnum):
    """The pathway moment an assessment timepoint is counted from."""

    SCREENING = "screening"
    FIRST_INFUSION = "first_infusion"
    LAST_INFUSION = "last_infusion"


LOINC_CODES: dict[str, tuple[str, ...]] = {
    "vital_signs_panel": ("85353-1",),
    "blood_pressure_panel": ("85354-9",),
    VitalSign.SYSTOLIC_MMHG: ("8480-6",),
    VitalSign.DIASTOLIC_MMHG: ("8462-4",),
    VitalSign.HEART_RATE_BPM: ("8867-4",),
    VitalSign.RESPIRATORY_RATE_PER_MIN: ("9279-1",),
    VitalSign.SPO2_PERCENT: ("2708-6", "59408-5"),
    # Mean blood pressure: the FHIR R4 example Observation "map-sitting" and the US Core
    # mean arterial pressure value set (not in CLINICAL_RULES' list yet).
    VitalSign.MEAN_ARTERIAL_PRESSURE_MMHG: ("8478-0",),
    "weight_kg": ("29463-7",),
}
"""LOINC codes for exports and adapters, keyed by event field name. PCL-5 has no verified code."""
