"""Screening rules: whether a patient may safely start a ketamine course, and every reason why not.

Pure functions over the treatment protocol. Exclusions and unmet requirements make a patient
ineligible; cautions need a clinician's review; every finding that applies is reported.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum

from carepath_contracts import (
    HistoryFlag,
    Medication,
    Pcl5Score,
    ProtocolRef,
    SafetyConcern,
    ScreeningOutcome,
    ScreeningReason,
    ScreeningSubmitted,
    TreatmentProtocol,
    score_pcl5,
)
from carepath_intake.domain.body import DosingWeight, body_mass_index, dosing_weight

MEDICATION_REASONS = {
    Medication.BENZODIAZEPINE: ScreeningReason.BENZODIAZEPINE_USE,
    Medication.MAOI: ScreeningReason.MAOI_USE,
}
"""The contracts' reason code for each medication a protocol may list as a caution."""


class FindingKind(StrEnum):
    """What a finding does to the outcome."""

    EXCLUSION = "exclusion"
    UNMET_REQUIREMENT = "unmet_requirement"
    CAUTION = "caution"
    DECLINED_AT_REVIEW = "declined_at_review"


BARS_TREATMENT = frozenset(
    {FindingKind.EXCLUSION, FindingKind.UNMET_REQUIREMENT, FindingKind.DECLINED_AT_REVIEW}
)


@dataclass(frozen=True, slots=True)
class Finding:
    """One reason screening was not plainly eligible; `detail` is for people, never the bus."""

    code: ScreeningReason
    kind: FindingKind
    detail: str


URGENT_CONCERNS = {HistoryFlag.HIGH_SUICIDE_RISK: SafetyConcern.HIGH_SUICIDE_RISK}
"""The contracts' safety concern for each history flag a protocol may route to urgent care."""


@dataclass(frozen=True, slots=True)
class ScreeningRules:
    """The protocol screening decides under."""

    protocol: TreatmentProtocol


@dataclass(frozen=True, slots=True)
class ScreeningResult:
    outcome: ScreeningOutcome
    findings: tuple[Finding, ...]
    baseline_pcl5: Pcl5Score
    bmi: float | None
    dosing_weight: DosingWeight | None
    protocol: ProtocolRef
    urgent_concerns: tuple[SafetyConcern, ...] = ()
    """Findings that need urgent care now, whatever the outcome of screening."""

    @property
    def reason_codes(self) -> list[ScreeningReason]:
        return sorted({finding.code for finding in self.findings})


def unsupported_protocol_settings(protocol: TreatmentProtocol) -> list[str]:
    """Protocol settings this screening cannot honour (checked once, at start-up)."""
    return [
        *(
            f"screening.caution_medications: {medication} has no screening reason code"
            for medication in protocol.screening.caution_medications
            if medication not in MEDICATION_REASONS
        ),
        *(
            f"screening.urgent_care_flags: {flag} has no safety concern code"
            for flag in protocol.screening.urgent_care_flags
            if flag not in URGENT_CONCERNS
        ),
    ]


def screen(form: ScreeningSubmitted, age_years: int, rules: ScreeningRules) -> ScreeningResult:
    """The outcome of a screening form for a patient of `age_years`, with every finding."""
    protocol = rules.protocol
    pcl5 = score_pcl5(form.pcl5_items, protocol)
    bmi = body_mass_index(form.weight_kg, form.height_cm)
    findings = (
        *_exclusions(form, protocol),
        *_unmet_requirements(form, age_years, pcl5, protocol),
        *_cautions(form, bmi, protocol),
    )
    return ScreeningResult(
        outcome=outcome_of(findings),
        findings=findings,
        baseline_pcl5=pcl5,
        bmi=bmi,
        dosing_weight=dosing_weight(form.weight_kg, form.height_cm, protocol.dosing),
        protocol=protocol.ref,
        urgent_concerns=tuple(
            URGENT_CONCERNS[flag]
            for flag in form.history
            if flag in protocol.screening.urgent_care_flags
        ),
    )


def outcome_of(findings: tuple[Finding, ...]) -> ScreeningOutcome:
    kinds = {finding.kind for finding in findings}
    if kinds & BARS_TREATMENT:
        return ScreeningOutcome.INELIGIBLE
    if FindingKind.CAUTION in kinds:
        return ScreeningOutcome.NEEDS_REVIEW
    return ScreeningOutcome.ELIGIBLE


def _history_reason(flag: HistoryFlag) -> ScreeningReason:
    return ScreeningReason(flag.value)


def _exclusions(form: ScreeningSubmitted, protocol: TreatmentProtocol) -> Iterator[Finding]:
    for flag in form.history:
        if flag in protocol.screening.exclusions:
            yield Finding(_history_reason(flag), FindingKind.EXCLUSION, f"history of {flag}")


def _unmet_requirements(
    form: ScreeningSubmitted, age_years: int, pcl5: Pcl5Score, protocol: TreatmentProtocol
) -> Iterator[Finding]:
    rules = protocol.screening
    unmet = FindingKind.UNMET_REQUIREMENT
    if not rules.age_min_years <= age_years <= rules.age_max_years:
        yield Finding(
            ScreeningReason.AGE_OUT_OF_RANGE,
            unmet,
            f"age {age_years} is outside {rules.age_min_years}-{rules.age_max_years} years",
        )
    if rules.requires_consent and not form.consent_given:
        yield Finding(ScreeningReason.NO_CONSENT, unmet, "no informed consent on record")
    if rules.requires_named_escort and not form.escort_named:
        yield Finding(ScreeningReason.NO_ESCORT, unmet, "no escort or support person named")
    if not pcl5.probable_ptsd:
        yield Finding(
            ScreeningReason.PCL5_BELOW_CUT_POINT,
            unmet,
            f"PCL-5 total {pcl5.total} is below the cut-point {pcl5.cut_point}",
        )
    if rules.requires_weight and form.weight_kg is None:
        yield Finding(ScreeningReason.WEIGHT_MISSING, unmet, "no body weight recorded")


def _cautions(
    form: ScreeningSubmitted, bmi: float | None, protocol: TreatmentProtocol
) -> Iterator[Finding]:
    rules = protocol.screening
    caution = FindingKind.CAUTION
    for flag in form.history:
        if flag in rules.cautions:
            yield Finding(_history_reason(flag), caution, f"history of {flag}")
    for medication in form.current_medications:
        if medication in rules.caution_medications:
            yield Finding(MEDICATION_REASONS[medication], caution, f"currently takes {medication}")
    if bmi is not None and bmi >= rules.bmi_caution_at_or_above:
        yield Finding(
            ScreeningReason.BMI_AT_OR_ABOVE_CAUTION,
            caution,
            f"BMI {bmi} is at or above {rules.bmi_caution_at_or_above:g}",
        )
    if form.height_cm is None:
        yield Finding(
            ScreeningReason.HEIGHT_MISSING, caution, "no height recorded, so BMI is unknown"
        )
    yield from _vitals(form, protocol)


def _vitals(form: ScreeningSubmitted, protocol: TreatmentProtocol) -> Iterator[Finding]:
    # A resting reading that would fail the pre-infusion gate means no infusion could be given
    # as things stand, so a clinician reviews it; pressure at the intra-infusion alert level is
    # uncontrolled hypertension: not now, reassess when treated.
    gate, rules = protocol.check_in_gate, protocol.screening
    vitals = form.vitals
    if vitals is None:
        yield Finding(
            ScreeningReason.VITALS_MISSING, FindingKind.CAUTION, "no vitals recorded at screening"
        )
        return
    pressure = f"blood pressure {vitals.systolic_mmhg}/{vitals.diastolic_mmhg} mmHg"
    if (
        vitals.systolic_mmhg >= rules.uncontrolled_systolic_at_or_above
        or vitals.diastolic_mmhg >= rules.uncontrolled_diastolic_at_or_above
    ):
        yield Finding(
            ScreeningReason.UNCONTROLLED_HYPERTENSION,
            FindingKind.EXCLUSION,
            f"{pressure} is at or above {rules.uncontrolled_systolic_at_or_above}/"
            f"{rules.uncontrolled_diastolic_at_or_above} mmHg: uncontrolled hypertension",
        )
    elif vitals.systolic_mmhg > gate.systolic_max_mmhg or vitals.diastolic_mmhg > (
        gate.diastolic_max_mmhg
    ):
        yield Finding(
            ScreeningReason.BLOOD_PRESSURE_ABOVE_LIMIT,
            FindingKind.CAUTION,
            f"{pressure} is above the pre-infusion limit "
            f"{gate.systolic_max_mmhg}/{gate.diastolic_max_mmhg} mmHg",
        )
    if vitals.heart_rate_bpm > gate.heart_rate_max_bpm:
        yield Finding(
            ScreeningReason.HEART_RATE_ABOVE_LIMIT,
            FindingKind.CAUTION,
            f"heart rate {vitals.heart_rate_bpm}/min is above the pre-infusion limit "
            f"{gate.heart_rate_max_bpm}/min",
        )
    if vitals.spo2_percent < gate.spo2_min_percent:
        yield Finding(
            ScreeningReason.SPO2_BELOW_LIMIT,
            FindingKind.CAUTION,
            f"SpO2 {vitals.spo2_percent} % is below the pre-infusion limit "
            f"{gate.spo2_min_percent} %",
        )
