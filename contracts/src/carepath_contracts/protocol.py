"""The versioned treatment protocol: every clinical number Carepath decides by, as data."""

from functools import cache
from importlib import resources
from typing import Annotated, Self

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from carepath_contracts.codes import (
    Comparison,
    HistoryFlag,
    IesrSubscale,
    Instrument,
    Medication,
    ReviewTrigger,
    SafetyAction,
    SafetyRule,
    ScheduleAnchor,
    TherapyModality,
    Timepoint,
    Urgency,
    VitalSign,
    VitalUnit,
)
from carepath_contracts.errors import ContractError
from carepath_contracts.values import ValueModel

DEFAULT_PROTOCOL_ID = "ketamine-ptsd-standard"
DEFAULT_PROTOCOL_VERSION = 1

ProtocolId = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]{0,63}$", max_length=64)]
ProtocolVersion = Annotated[int, Field(ge=1, le=9999)]
Points = Annotated[int, Field(ge=0, le=88)]
ItemNumber = Annotated[int, Field(ge=1, le=22)]


class UnknownProtocolError(ContractError):
    """No protocol file exists for the requested id and version."""

    code = "unknown-protocol"


class ProtocolRef(ValueModel):
    """The protocol (id and version) a decision was taken under."""

    id: ProtocolId
    version: ProtocolVersion


class _Section(BaseModel):
    # The protocol file is ours: a misspelt setting must fail loudly, not be ignored.
    model_config = ConfigDict(frozen=True, extra="forbid")


class Pcl5Cluster(_Section):
    """A PCL-5 symptom cluster: its items and the endorsed items a diagnosis needs."""

    first_item: Annotated[int, Field(ge=1, le=20)]
    last_item: Annotated[int, Field(ge=1, le=20)]
    min_endorsed: Annotated[int, Field(ge=1, le=20)]

    @property
    def items(self) -> range:
        return range(self.first_item, self.last_item + 1)


class Pcl5Settings(_Section):
    """PCL-5 structure, cut-point and change thresholds."""

    item_count: int
    item_max: int
    cluster_b: Pcl5Cluster
    cluster_c: Pcl5Cluster
    cluster_d: Pcl5Cluster
    cluster_e: Pcl5Cluster
    endorsed_at_or_above: Annotated[int, Field(ge=1, le=4)]
    probable_ptsd_at_or_above: Points
    meaningful_change_points: Points
    strict_reliable_change_points: Points
    use_strict_change: bool
    remission_below: Points

    @property
    def clusters(self) -> dict[str, Pcl5Cluster]:
        return {"B": self.cluster_b, "C": self.cluster_c, "D": self.cluster_d, "E": self.cluster_e}

    @property
    def response_drop_points(self) -> int:
        """The drop from baseline that counts as a response under this protocol."""
        if self.use_strict_change:
            return self.strict_reliable_change_points
        return self.meaningful_change_points

    @model_validator(mode="after")
    def _clusters_cover_every_item_once(self) -> Self:
        covered = sorted(item for cluster in self.clusters.values() for item in cluster.items)
        if covered != list(range(1, self.item_count + 1)):
            raise ValueError(f"PCL-5 clusters must cover items 1-{self.item_count} exactly once")
        return self


class IesrSettings(_Section):
    """IES-R structure, subscales (item 14 kept apart) and cut-off."""

    item_count: int
    item_max: int
    intrusion_items: list[ItemNumber]
    avoidance_items: list[ItemNumber]
    hyperarousal_items: list[ItemNumber]
    item14_subscale: IesrSubscale
    probable_ptsd_at_or_above: Points

    def items_of(self, subscale: IesrSubscale) -> list[int]:
        """The item numbers of a subscale, with item 14 placed as this protocol says."""
        base = {
            IesrSubscale.INTRUSION: self.intrusion_items,
            IesrSubscale.AVOIDANCE: self.avoidance_items,
            IesrSubscale.HYPERAROUSAL: self.hyperarousal_items,
        }[subscale]
        return sorted([*base, 14]) if subscale == self.item14_subscale else list(base)

    @model_validator(mode="after")
    def _subscales_cover_every_item_once(self) -> Self:
        covered = sorted(item for scale in IesrSubscale for item in self.items_of(scale))
        if covered != list(range(1, self.item_count + 1)):
            raise ValueError(
                f"IES-R subscales must cover items 1-{self.item_count} exactly once "
                "(list item 14 under no subscale; item14_subscale places it)"
            )
        return self


class CadssSettings(_Section):
    """CADSS form recorded from the clinic; no decision is gated on it."""

    item_count: int
    total_max: int


class DosingSettings(_Section):
    """Drug, dose per kilogram, infusion time and the dosing-weight rule."""

    drug: str
    dose_mg_per_kg: Annotated[float, Field(gt=0, le=5)]
    infusion_minutes: Annotated[int, Field(ge=1, le=600)]
    dose_rounding_mg: Annotated[float, Field(gt=0)]
    use_adjusted_body_weight: bool = Field(
        description="The obesity option: dose by the adjusted body weight (ideal weight plus a "
        "share of the excess), which lowers the dose gradually, with no step at any BMI."
    )
    ideal_body_weight_bmi: Annotated[float, Field(gt=0, le=40)] = Field(
        description="Ideal body weight = this BMI x height squared (a sex-neutral approximation)."
    )
    adjusted_body_weight_factor: Annotated[float, Field(ge=0, le=1)] = Field(
        description="Share of the weight above ideal that the adjusted body weight keeps."
    )
    max_dosing_weight_kg: Annotated[float, Field(gt=0, le=400)] = Field(
        description="No dose is calculated from more than this weight; planning refuses a dose "
        "above dose_mg_per_kg x this."
    )

    @property
    def max_dose_mg(self) -> float:
        """The largest dose one infusion may give (the maximum dosing weight's dose)."""
        return self.dose_mg_per_kg * self.max_dosing_weight_kg


class CourseSettings(_Section):
    """The induction course: how many infusions, how often, within which window."""

    induction_sessions: Annotated[int, Field(ge=1, le=20)]
    max_sessions_per_week: Annotated[int, Field(ge=1, le=7)]
    min_free_days_between_sessions: Annotated[int, Field(ge=0, le=14)] = Field(
        description="Whole days without an infusion between two sessions (1: Monday → Wednesday)."
    )
    max_sessions_per_7_days: Annotated[int, Field(ge=1, le=7)] = Field(
        description="At most this many infusions in any 7 consecutive days (beside the ISO "
        "week's limit)."
    )
    window_days: Annotated[int, Field(ge=1, le=365)]
    first_session_min_days_after_eligibility: Annotated[int, Field(ge=0, le=90)]


class InfusionRecordSettings(_Section):
    """What the clinic reports it gave, judged against the plan when the infusion ends."""

    accepted_minutes_min: Annotated[int, Field(ge=1, le=600)]
    accepted_minutes_max: Annotated[int, Field(ge=1, le=600)]
    rapid_below_minutes: Annotated[int, Field(ge=1, le=600)] = Field(
        description="Shorter than this is rapid administration: a safety alert, not only a "
        "deviation (the risk of respiratory depression rises)."
    )
    dose_below_plan_percent: Annotated[float, Field(ge=0, le=100)] = Field(
        description="A dose given more than this far below the plan is a deviation; any dose "
        "above the plan is one (with a safety alert)."
    )


class MaintenanceSettings(_Section):
    """A series of single maintenance infusions once symptoms improved and plateaued."""

    interval_days_min: Annotated[int, Field(ge=1, le=365)]
    interval_days_max: Annotated[int, Field(ge=1, le=365)]
    interval_days_when_rising: Annotated[int, Field(ge=1, le=365)]
    interval_days_when_stable: Annotated[int, Field(ge=1, le=365)]
    series_infusions: Annotated[int, Field(ge=1, le=52)] = Field(
        description="Maintenance infusions after which a series without relapse completes "
        "the pathway."
    )
    assessment_hours_before_infusion: Annotated[int, Field(ge=0, le=24 * 14)] = Field(
        description="The PCL-5 before each maintenance infusion falls due this long before it."
    )


class ReviewSettings(_Section):
    """Clinical reviews: how urgent each trigger is, how soon each urgency needs an answer,
    and where an unanswered review escalates to."""

    urgency_by_trigger: dict[ReviewTrigger, Urgency]
    respond_within_hours: dict[Urgency, Annotated[float, Field(gt=0, le=24 * 60)]]
    escalation: dict[Urgency, Urgency] = Field(
        description="An overdue review's next urgency; an urgency not listed does not escalate."
    )

    def urgency_of(self, trigger: ReviewTrigger) -> Urgency:
        return self.urgency_by_trigger[trigger]

    @model_validator(mode="after")
    def _every_trigger_and_urgency_has_a_number(self) -> Self:
        missing = [t.value for t in ReviewTrigger if t not in self.urgency_by_trigger]
        if missing:
            raise ValueError(f"reviews.urgency_by_trigger lacks {', '.join(missing)}")
        unset = [u.value for u in Urgency if u not in self.respond_within_hours]
        if unset:
            raise ValueError(f"reviews.respond_within_hours lacks {', '.join(unset)}")
        return self


class TherapySettings(_Section):
    """Trauma-focused psychotherapy scheduled after each infusion."""

    earliest_hours_after_infusion: Annotated[int, Field(ge=0, le=720)]
    latest_hours_after_infusion: Annotated[int, Field(ge=0, le=720)]
    default_modality: TherapyModality


class ScreeningSettings(_Section):
    """Eligibility: age, requirements, exclusions (ineligible) and cautions (needs review)."""

    age_min_years: Annotated[int, Field(ge=0, le=120)]
    age_max_years: Annotated[int, Field(ge=0, le=120)]
    requires_consent: bool
    requires_named_escort: bool
    requires_weight: bool
    bmi_caution_at_or_above: Annotated[float, Field(gt=0)]
    uncontrolled_systolic_at_or_above: Annotated[int, Field(ge=100, le=300)] = Field(
        description="Screening systolic at or above this is uncontrolled hypertension: ineligible."
    )
    uncontrolled_diastolic_at_or_above: Annotated[int, Field(ge=60, le=200)] = Field(
        description="Screening diastolic at or above this is uncontrolled hypertension: ineligible."
    )
    exclusions: list[HistoryFlag]
    urgent_care_flags: list[HistoryFlag] = Field(
        description="Exclusions that also raise an urgent safety concern (route to urgent care)."
    )
    cautions: list[HistoryFlag]
    caution_medications: list[Medication]

    @model_validator(mode="after")
    def _urgent_care_flags_are_exclusions(self) -> Self:
        if not set(self.urgent_care_flags) <= set(self.exclusions):
            raise ValueError("every urgent_care_flags entry must also be an exclusion")
        return self


class CheckInGate(_Section):
    """Pre-infusion limits; failing any defers the session."""

    systolic_max_mmhg: int
    diastolic_max_mmhg: int
    heart_rate_max_bpm: int
    spo2_min_percent: int
    requires_negative_pregnancy_test: bool
    requires_escort: bool


class AlertThreshold(_Section):
    """One intra-infusion rule: a vital sign crossing a threshold raises an alert."""

    rule: SafetyRule
    vital: VitalSign
    comparison: Comparison
    threshold: float
    unit: VitalUnit
    action: SafetyAction

    def is_crossed_by(self, reading: float) -> bool:
        match self.comparison:
            case Comparison.AT_OR_ABOVE:
                return reading >= self.threshold
            case Comparison.ABOVE:
                return reading > self.threshold
            case Comparison.BELOW:
                return reading < self.threshold
            case Comparison.AT_OR_BELOW:
                return reading <= self.threshold


class InfusionSafety(_Section):
    """Monitoring during the infusion and what suspends a course."""

    vitals_interval_minutes: Annotated[int, Field(ge=1, le=60)]
    alerts: list[AlertThreshold]
    monitor_silence_minutes: Annotated[int, Field(ge=1, le=240)] = Field(
        description="No reading for this long while an infusion runs raises a monitor-silence "
        "alert (a durable timer, reset by each reading)."
    )
    review_rules: list[SafetyRule] = Field(
        description="Alerts of these rules need a clinical review, whatever their action."
    )
    serious_adverse_event_suspends_course: bool


class DischargeSettings(_Section):
    """Observation after the infusion and the criteria for discharge."""

    min_observation_minutes: Annotated[int, Field(ge=0, le=1440)]
    systolic_max_rise_mmhg: int
    diastolic_max_rise_mmhg: int
    heart_rate_max_rise_bpm: int
    spo2_min_percent: int
    requires_dissociation_resolved: bool
    requires_escort: bool
    requires_no_driving_instruction: bool
    no_driving_hours: Annotated[int, Field(ge=0, le=168)]


class ScheduledAssessment(_Section):
    """One timepoint of the assessment schedule."""

    timepoint: Timepoint
    anchor: ScheduleAnchor
    offset_hours: Annotated[int, Field(ge=0, le=24 * 365)]
    instruments: list[Instrument] = Field(min_length=1)


class AssessmentSettings(_Section):
    """When assessments fall due and when they become overdue."""

    schedule: list[ScheduledAssessment]
    overdue_after_hours: Annotated[int, Field(ge=1, le=24 * 30)]
    decision_instrument: Instrument


class DecisionSettings(_Section):
    """Thresholds of follow-up decisions (response comes from the PCL-5 settings)."""

    worsening_points: Points
    plateau_below_points: Points
    rising_at_or_above_points: Points = Field(
        description="A score this far above the previous one is rising (shorter maintenance)."
    )
    relapse_rise_points: Points = Field(
        description="After a response, a rise this far from the best post-treatment score is "
        "a relapse (as is losing the response)."
    )


class TreatmentProtocol(_Section):
    """A complete, versioned treatment protocol."""

    id: ProtocolId
    version: ProtocolVersion
    title: str
    pcl5: Pcl5Settings
    iesr: IesrSettings
    cadss: CadssSettings
    dosing: DosingSettings
    course: CourseSettings
    maintenance: MaintenanceSettings
    therapy: TherapySettings
    screening: ScreeningSettings
    check_in_gate: CheckInGate
    infusion_safety: InfusionSafety
    infusion_record: InfusionRecordSettings
    discharge: DischargeSettings
    assessments: AssessmentSettings
    decisions: DecisionSettings
    reviews: ReviewSettings
    to_confirm: list[str] = Field(
        description="Dotted paths of settings shipped as defaults without a primary source."
    )
    sources: dict[str, str] = Field(description="Dotted path of a setting → its citation.")

    @property
    def ref(self) -> ProtocolRef:
        return ProtocolRef(id=self.id, version=self.version)

    def needs_confirmation(self, path: str) -> bool:
        """Whether a setting (or the section holding it) is marked *(confirm)*."""
        return any(path == marked or path.startswith(f"{marked}.") for marked in self.to_confirm)

    @model_validator(mode="after")
    def _marked_paths_exist(self) -> Self:
        for path in [*self.to_confirm, *self.sources]:
            node: object = self
            for part in path.split("."):
                if not hasattr(node, part):
                    raise ValueError(f"to_confirm/sources names {path!r}, which is not a setting")
                node = getattr(node, part)
        return self


@cache
def load_protocol(protocol_id: str, version: int) -> TreatmentProtocol:
    """Load a protocol shipped with this package (`protocols/<id>.v<version>.json`)."""
    resource = (
        resources.files("carepath_contracts") / "protocols" / f"{protocol_id}.v{version}.json"
    )
    if not resource.is_file():
        raise UnknownProtocolError(f"no protocol {protocol_id!r} version {version} is shipped")
    try:
        protocol = TreatmentProtocol.model_validate_json(resource.read_bytes())
    except ValidationError as error:
        raise UnknownProtocolError(
            f"protocol {protocol_id} v{version} is invalid: {error}"
        ) from error
    if protocol.ref != ProtocolRef(id=protocol_id, version=version):
        raise UnknownProtocolError(f"{resource.name} declares {protocol.id} v{protocol.version}")
    return protocol


def default_protocol() -> TreatmentProtocol:
    """The default protocol, ketamine-ptsd-standard version 1."""
    return load_protocol(DEFAULT_PROTOCOL_ID, DEFAULT_PROTOCOL_VERSION)
