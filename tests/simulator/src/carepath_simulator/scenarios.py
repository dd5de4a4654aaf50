"""What happens to each simulated patient: the scenario mix and each scenario's script."""

import random
from dataclasses import dataclass, field
from enum import StrEnum

from carepath_contracts import HistoryFlag, ReviewOutcome, ReviewTrigger, Timepoint


class Scenario(StrEnum):
    RESPONDER_MAINTENANCE = "responder_maintenance"
    NON_RESPONDER = "non_responder"
    INELIGIBLE = "ineligible"
    NEEDS_REVIEW_APPROVED = "needs_review_approved"
    DEFERRED_HIGH_BP = "deferred_high_bp"
    SAFETY_ALERT = "safety_alert"
    MISSED_SESSION = "missed_session"
    WITHDRAWAL = "withdrawal"
    ASSESSMENT_OVERDUE = "assessment_overdue"
    WORSENING = "worsening"
    REVIEW_RESUMES_COURSE = "review_resumes_course"
    MAINTENANCE_SERIES = "maintenance_series"
    RELAPSE_AFTER_RESPONSE = "relapse_after_response"
    MISSED_END_OF_TREATMENT = "missed_end_of_treatment"
    SUICIDE_RISK_AT_SCREENING = "suicide_risk_at_screening"
    MONITOR_SILENCE = "monitor_silence"
    DOSE_DEVIATION = "dose_deviation"
    PROTOCOL_UPGRADE = "protocol_upgrade"


class Outcome(StrEnum):
    """The event that ends a scenario's pathway for the simulator."""

    SCREENED_INELIGIBLE = "screened ineligible"
    PATHWAY_COMPLETED = "pathway completed"
    WITHDRAWN = "withdrawn"


# PCL-5 totals per timepoint. "Steady" keeps improving by >= 5 points, so no plateau is seen
# and the pathway completes at week 12; "plateau" responds and then levels off (a maintenance
# series follows, a PCL-5 before each of its infusions).
STEADY = {
    Timepoint.AFTER_FIRST_INFUSION: 48,
    Timepoint.END_OF_TREATMENT: 40,
    Timepoint.WEEK_2: 34,
    Timepoint.WEEK_4: 28,
    Timepoint.WEEK_8: 22,
    Timepoint.WEEK_12: 16,
}
PLATEAU = {
    Timepoint.AFTER_FIRST_INFUSION: 46,
    Timepoint.END_OF_TREATMENT: 36,
    Timepoint.WEEK_2: 31,
    Timepoint.WEEK_4: 30,
    Timepoint.WEEK_8: 32,
    Timepoint.WEEK_12: 33,
    Timepoint.BEFORE_MAINTENANCE: 32,
}
NO_RESPONSE = {
    Timepoint.AFTER_FIRST_INFUSION: 55,
    Timepoint.END_OF_TREATMENT: 53,
    Timepoint.WEEK_2: 53,
    Timepoint.WEEK_4: 52,
    Timepoint.WEEK_8: 52,
    Timepoint.WEEK_12: 51,
}
WORSE = {
    Timepoint.AFTER_FIRST_INFUSION: 68,
    Timepoint.END_OF_TREATMENT: 70,
    Timepoint.WEEK_2: 70,
    Timepoint.WEEK_4: 70,
    Timepoint.WEEK_8: 70,
    Timepoint.WEEK_12: 70,
}
# Responds, then a bad fortnight (worse than baseline): the clinician starts maintenance.
WORSE_AFTER_RESPONSE = {
    Timepoint.AFTER_FIRST_INFUSION: 46,
    Timepoint.END_OF_TREATMENT: 38,
    Timepoint.WEEK_2: 67,
    Timepoint.WEEK_4: 40,
    Timepoint.WEEK_8: 38,
    Timepoint.WEEK_12: 37,
    Timepoint.BEFORE_MAINTENANCE: 38,
}

# Issue 14, finding 1: a response (52 -> 30), then lost from week 2 (a relapse review).
RELAPSE = {
    Timepoint.AFTER_FIRST_INFUSION: 44,
    Timepoint.END_OF_TREATMENT: 30,
    Timepoint.WEEK_2: 45,
    Timepoint.WEEK_4: 50,
    Timepoint.WEEK_8: 55,
    Timepoint.WEEK_12: 61,
}
# Issue 14, finding 2 (baseline 50): the end-of-treatment score never comes; week 2 decides.
LATE_NON_RESPONSE = {
    Timepoint.AFTER_FIRST_INFUSION: 49,
    Timepoint.WEEK_2: 48,
    Timepoint.WEEK_4: 47,
    Timepoint.WEEK_8: 46,
    Timepoint.WEEK_12: 45,
}
# A drop of 12 at the end of treatment: a response under protocol v1 (10 points), not under
# v2 (15 points), then a steady improvement to remission.
MODEST_START = {
    Timepoint.AFTER_FIRST_INFUSION: 50,
    Timepoint.END_OF_TREATMENT: 44,
    Timepoint.WEEK_2: 38,
    Timepoint.WEEK_4: 32,
    Timepoint.WEEK_8: 26,
    Timepoint.WEEK_12: 20,
}

Answer = tuple[ReviewOutcome, int | None]


@dataclass(frozen=True)
class Script:
    """One patient's behaviour; session numbers are 1-based induction sessions."""

    scenario: Scenario
    expected: Outcome
    baseline_pcl5: int = 56
    history: tuple[HistoryFlag, ...] = ()
    trajectory: dict[Timepoint, int] = field(default_factory=lambda: dict(STEADY))
    high_blood_pressure_at_check_in_of: int | None = None
    dangerous_reading_in_session: int | None = None
    no_show_for_session: int | None = None
    withdraw_after_session: int | None = None
    silent_at: frozenset[Timepoint] = frozenset()
    serious_adverse_event_in_session: int | None = None
    monitor_silent_in_session: int | None = None
    dose_above_plan_in_session: int | None = None
    # Referred once intake starts new pathways under this protocol version (an upgrade).
    referred_under_protocol_version: int | None = None
    # What the reviewing clinician decides, by trigger (else: continue monitoring).
    review_answers: dict[ReviewTrigger, Answer] = field(default_factory=dict)

    def answer(self, trigger: ReviewTrigger) -> Answer:
        return self.review_answers.get(trigger, (ReviewOutcome.CONTINUE_MONITORING, None))


SCRIPTS: dict[Scenario, Script] = {
    Scenario.RESPONDER_MAINTENANCE: Script(
        Scenario.RESPONDER_MAINTENANCE, Outcome.PATHWAY_COMPLETED, trajectory=PLATEAU
    ),
    Scenario.NON_RESPONDER: Script(
        Scenario.NON_RESPONDER, Outcome.PATHWAY_COMPLETED, trajectory=NO_RESPONSE
    ),
    Scenario.INELIGIBLE: Script(
        Scenario.INELIGIBLE, Outcome.SCREENED_INELIGIBLE, history=(HistoryFlag.PSYCHOSIS,)
    ),
    Scenario.NEEDS_REVIEW_APPROVED: Script(
        Scenario.NEEDS_REVIEW_APPROVED,
        Outcome.PATHWAY_COMPLETED,
        history=(HistoryFlag.HYPERTENSION_CONTROLLED,),
    ),
    Scenario.DEFERRED_HIGH_BP: Script(
        Scenario.DEFERRED_HIGH_BP,
        Outcome.PATHWAY_COMPLETED,
        high_blood_pressure_at_check_in_of=2,
    ),
    Scenario.SAFETY_ALERT: Script(
        Scenario.SAFETY_ALERT, Outcome.PATHWAY_COMPLETED, dangerous_reading_in_session=3
    ),
    Scenario.MISSED_SESSION: Script(
        Scenario.MISSED_SESSION, Outcome.PATHWAY_COMPLETED, no_show_for_session=4
    ),
    Scenario.WITHDRAWAL: Script(Scenario.WITHDRAWAL, Outcome.WITHDRAWN, withdraw_after_session=3),
    Scenario.ASSESSMENT_OVERDUE: Script(
        Scenario.ASSESSMENT_OVERDUE,
        Outcome.PATHWAY_COMPLETED,
        silent_at=frozenset({Timepoint.WEEK_2}),
    ),
    Scenario.WORSENING: Script(Scenario.WORSENING, Outcome.PATHWAY_COMPLETED, trajectory=WORSE),
    Scenario.REVIEW_RESUMES_COURSE: Script(
        Scenario.REVIEW_RESUMES_COURSE,
        Outcome.PATHWAY_COMPLETED,
        serious_adverse_event_in_session=3,
        review_answers={ReviewTrigger.COURSE_SUSPENDED: (ReviewOutcome.RESUME_COURSE, None)},
    ),
    Scenario.MAINTENANCE_SERIES: Script(
        Scenario.MAINTENANCE_SERIES,
        Outcome.PATHWAY_COMPLETED,
        trajectory=WORSE_AFTER_RESPONSE,
        review_answers={ReviewTrigger.WORSENING: (ReviewOutcome.START_MAINTENANCE, 14)},
    ),
    Scenario.RELAPSE_AFTER_RESPONSE: Script(
        Scenario.RELAPSE_AFTER_RESPONSE, Outcome.PATHWAY_COMPLETED, 52, trajectory=RELAPSE
    ),
    Scenario.MISSED_END_OF_TREATMENT: Script(
        Scenario.MISSED_END_OF_TREATMENT,
        Outcome.PATHWAY_COMPLETED,
        50,
        trajectory=LATE_NON_RESPONSE,
        silent_at=frozenset({Timepoint.END_OF_TREATMENT}),
    ),
    Scenario.SUICIDE_RISK_AT_SCREENING: Script(
        Scenario.SUICIDE_RISK_AT_SCREENING,
        Outcome.SCREENED_INELIGIBLE,
        history=(HistoryFlag.HIGH_SUICIDE_RISK,),
        review_answers={ReviewTrigger.URGENT_SAFETY_CONCERN: (ReviewOutcome.REFER_OUT, None)},
    ),
    Scenario.MONITOR_SILENCE: Script(
        Scenario.MONITOR_SILENCE, Outcome.PATHWAY_COMPLETED, monitor_silent_in_session=2
    ),
    Scenario.DOSE_DEVIATION: Script(
        Scenario.DOSE_DEVIATION, Outcome.PATHWAY_COMPLETED, dose_above_plan_in_session=4
    ),
    Scenario.PROTOCOL_UPGRADE: Script(
        Scenario.PROTOCOL_UPGRADE,
        Outcome.PATHWAY_COMPLETED,
        trajectory=MODEST_START,
        referred_under_protocol_version=2,
    ),
}


def scenario_mix(patients: int, seed: int) -> list[Scenario]:
    """Every scenario at least once when there is room, the rest drawn evenly at random."""
    rng = random.Random(seed)
    scenarios = list(Scenario)
    mix = scenarios[:patients] + [rng.choice(scenarios) for _ in range(patients - len(scenarios))]
    rng.shuffle(mix)
    return mix


def pcl5_items(total: int) -> list[int]:
    """20 answers (0-4) adding up to `total`, spread evenly so every cluster is represented."""
    if not 0 <= total <= 80:
        raise ValueError(f"PCL-5 total must be 0-80, got {total}")
    base, extra = divmod(total, 20)
    return [min(base + (1 if item < extra else 0), 4) for item in range(20)]
