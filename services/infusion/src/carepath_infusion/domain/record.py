"""The infusion record: what the clinic reports it gave, judged against the plan."""

from dataclasses import dataclass

from carepath_contracts import (
    InfusionDeviation,
    SafetyAction,
    SafetyAlert,
    SafetyRule,
    SessionEnded,
    TreatmentProtocol,
    VitalUnit,
)
from carepath_infusion.domain.planning import round_to_step

_PERCENT = 100


@dataclass(frozen=True)
class RecordJudgement:
    deviations: list[InfusionDeviation]
    alerts: list[SafetyAlert]


def judge_record(
    session_id: str, planned_mg: float, ended: SessionEnded, protocol: TreatmentProtocol
) -> RecordJudgement:
    """Deviations from the planned dose and the accepted duration, and the safety alerts for
    the dangerous ones: more than planned, or given faster than the rapid limit."""
    limits = protocol.infusion_record
    given = round_to_step(ended.dose_given_mg, protocol.dosing.dose_rounding_mg)
    minutes = ended.duration_minutes
    deviations = {
        InfusionDeviation.DOSE_ABOVE_PLAN: given > planned_mg,
        InfusionDeviation.DOSE_BELOW_PLAN: given
        < planned_mg * (1 - limits.dose_below_plan_percent / _PERCENT),
        InfusionDeviation.DURATION_BELOW_RANGE: minutes < limits.accepted_minutes_min,
        InfusionDeviation.DURATION_ABOVE_RANGE: minutes > limits.accepted_minutes_max,
    }

    def alert(rule: SafetyRule, reading: float, threshold: float, unit: VitalUnit) -> SafetyAlert:
        return SafetyAlert(
            session_id=session_id,
            rule=rule,
            action=SafetyAction.NOTIFY,  # the infusion is over: the clinic and a review act
            reading_value=reading,
            threshold_value=threshold,
            unit=unit,
            measured_at=ended.ended_at,
            protocol=protocol.ref,
        )

    alerts = []
    if deviations[InfusionDeviation.DOSE_ABOVE_PLAN]:
        alerts.append(alert(SafetyRule.DOSE_ABOVE_PLAN, given, planned_mg, VitalUnit.MG))
    if minutes < limits.rapid_below_minutes:
        alerts.append(
            alert(
                SafetyRule.INFUSION_TOO_FAST, minutes, limits.rapid_below_minutes, VitalUnit.MINUTES
            )
        )
    return RecordJudgement(
        deviations=sorted(code for code, applies in deviations.items() if applies),
        alerts=alerts,
    )
