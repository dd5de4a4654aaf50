"""The default protocol holds every number of CLINICAL_RULES.md, with *(confirm)* rules marked."""

import pytest
from pydantic import ValidationError

from carepath_contracts import (
    DEFAULT_PROTOCOL_ID,
    HistoryFlag,
    Instrument,
    Medication,
    ProtocolRef,
    ReviewTrigger,
    SafetyAction,
    SafetyRule,
    Timepoint,
    TreatmentProtocol,
    UnknownProtocolError,
    Urgency,
    default_protocol,
    load_protocol,
)


def test_default_protocol_is_ketamine_ptsd_standard_version_1(protocol: TreatmentProtocol):
    assert protocol.ref == ProtocolRef(id="ketamine-ptsd-standard", version=1)
    assert load_protocol(DEFAULT_PROTOCOL_ID, 1) is default_protocol()


def test_instrument_numbers(protocol: TreatmentProtocol):
    pcl5, iesr = protocol.pcl5, protocol.iesr

    assert (pcl5.item_count, pcl5.item_max, pcl5.probable_ptsd_at_or_above) == (20, 4, 33)
    assert [(c.first_item, c.last_item, c.min_endorsed) for c in pcl5.clusters.values()] == [
        (1, 5, 1),
        (6, 7, 1),
        (8, 14, 2),
        (15, 20, 2),
    ]
    assert pcl5.endorsed_at_or_above == 2
    assert (pcl5.meaningful_change_points, pcl5.strict_reliable_change_points) == (10, 15)
    assert pcl5.response_drop_points == 10
    assert pcl5.remission_below == 28
    assert (iesr.item_count, iesr.probable_ptsd_at_or_above) == (22, 33)
    assert iesr.items_of("intrusion") == [1, 2, 3, 6, 9, 14, 16, 20]
    assert iesr.items_of("avoidance") == [5, 7, 8, 11, 12, 13, 17, 22]
    assert iesr.items_of("hyperarousal") == [4, 10, 15, 18, 19, 21]
    assert (protocol.cadss.item_count, protocol.cadss.total_max) == (23, 92)


def test_treatment_numbers(protocol: TreatmentProtocol):
    dosing, course = protocol.dosing, protocol.course

    assert (dosing.dose_mg_per_kg, dosing.infusion_minutes, dosing.dose_rounding_mg) == (
        0.5,
        40,
        0.1,
    )
    assert dosing.use_adjusted_body_weight is False
    assert course.induction_sessions == 6
    assert course.max_sessions_per_week == 3
    assert course.min_free_days_between_sessions == 1
    assert course.window_days == 21
    assert course.first_session_min_days_after_eligibility == 1
    assert (protocol.maintenance.interval_days_min, protocol.maintenance.interval_days_max) == (
        14,
        28,
    )
    assert (
        protocol.therapy.earliest_hours_after_infusion,
        protocol.therapy.latest_hours_after_infusion,
    ) == (24, 72)


def test_screening_rules(protocol: TreatmentProtocol):
    screening = protocol.screening

    assert (screening.age_min_years, screening.age_max_years) == (18, 75)
    assert screening.bmi_caution_at_or_above == 35
    assert (
        screening.requires_consent and screening.requires_named_escort and screening.requires_weight
    )
    assert set(screening.exclusions) | set(screening.cautions) == set(HistoryFlag)
    assert not set(screening.exclusions) & set(screening.cautions)
    assert HistoryFlag.HIGH_SUICIDE_RISK in screening.exclusions
    assert set(screening.caution_medications) == {Medication.BENZODIAZEPINE, Medication.MAOI}


def test_session_safety_rules(protocol: TreatmentProtocol):
    gate = protocol.check_in_gate
    alerts = {alert.rule: alert for alert in protocol.infusion_safety.alerts}

    assert (gate.systolic_max_mmhg, gate.diastolic_max_mmhg) == (140, 90)
    assert (gate.heart_rate_max_bpm, gate.spo2_min_percent) == (110, 94)
    assert gate.requires_negative_pregnancy_test and gate.requires_escort
    assert protocol.infusion_safety.vitals_interval_minutes == 10
    assert alerts[SafetyRule.SYSTOLIC_HIGH].is_crossed_by(180)
    assert not alerts[SafetyRule.SYSTOLIC_HIGH].is_crossed_by(179)
    assert alerts[SafetyRule.DIASTOLIC_HIGH].is_crossed_by(110)
    assert alerts[SafetyRule.SPO2_LOW].is_crossed_by(91)
    assert not alerts[SafetyRule.SPO2_LOW].is_crossed_by(92)
    assert alerts[SafetyRule.HEART_RATE_HIGH].is_crossed_by(131)
    assert not alerts[SafetyRule.HEART_RATE_HIGH].is_crossed_by(130)
    assert [alerts[rule].action for rule in list(SafetyRule)[:4]] == [
        SafetyAction.PAUSE,
        SafetyAction.PAUSE,
        SafetyAction.STOP,
        SafetyAction.NOTIFY,
    ]
    assert protocol.infusion_safety.serious_adverse_event_suspends_course
    assert protocol.discharge.min_observation_minutes == 120
    assert protocol.discharge.no_driving_hours == 24


def test_assessment_and_decision_rules(protocol: TreatmentProtocol):
    schedule = {entry.timepoint: entry for entry in protocol.assessments.schedule}

    scheduled = [t for t in Timepoint if t is not Timepoint.BEFORE_MAINTENANCE]
    assert list(schedule) == scheduled  # the PCL-5 before each maintenance infusion floats
    assert [schedule[t].offset_hours for t in scheduled] == [0, 24, 24, 336, 672, 1344, 2016]
    assert schedule[Timepoint.AFTER_FIRST_INFUSION].anchor == "first_infusion"
    assert schedule[Timepoint.WEEK_12].anchor == "last_infusion"
    assert protocol.assessments.overdue_after_hours == 48
    assert protocol.assessments.decision_instrument is Instrument.PCL5
    assert protocol.decisions.worsening_points == 10
    assert protocol.decisions.plateau_below_points == 5


def test_safety_net_numbers(protocol: TreatmentProtocol):
    """CLINICAL_RULES.md "Safety net and reviews (second wave)", each a protocol setting."""
    screening, dosing, decisions = protocol.screening, protocol.dosing, protocol.decisions

    assert screening.urgent_care_flags == ["high_suicide_risk"]
    assert (
        screening.uncontrolled_systolic_at_or_above,
        screening.uncontrolled_diastolic_at_or_above,
    ) == (180, 110)
    assert (dosing.ideal_body_weight_bmi, dosing.adjusted_body_weight_factor) == (22, 0.4)
    assert (dosing.max_dosing_weight_kg, dosing.max_dose_mg) == (120, 60)
    assert (decisions.rising_at_or_above_points, decisions.relapse_rise_points) == (5, 10)
    assert protocol.course.max_sessions_per_7_days == 3
    record = protocol.infusion_record
    assert (record.accepted_minutes_min, record.accepted_minutes_max) == (35, 60)
    assert (record.rapid_below_minutes, record.dose_below_plan_percent) == (30, 10)


@pytest.mark.parametrize(
    "setting",
    [
        "screening.age_min_years",
        "screening.age_max_years",
        "dosing.use_adjusted_body_weight",
        "dosing.max_dosing_weight_kg",
        "screening.uncontrolled_systolic_at_or_above",
        "decisions.relapse_rise_points",
        "check_in_gate.systolic_max_mmhg",
        "check_in_gate.requires_escort",
        "infusion_safety.alerts",
        "discharge.min_observation_minutes",
    ],
)
def test_rules_without_a_primary_source_are_marked_confirm(protocol, setting):
    assert protocol.needs_confirmation(setting)


def test_sourced_rules_are_not_marked_confirm(protocol: TreatmentProtocol):
    assert not protocol.needs_confirmation("dosing.dose_mg_per_kg")
    assert not protocol.needs_confirmation("course.induction_sessions")
    assert "dosing" in protocol.sources


def test_unknown_protocols_raise_a_named_error():
    with pytest.raises(
        UnknownProtocolError, match="no protocol 'ketamine-ptsd-standard' version 9"
    ):
        load_protocol("ketamine-ptsd-standard", 9)


def test_a_protocol_file_with_a_misspelt_setting_is_refused(protocol: TreatmentProtocol):
    document = protocol.model_dump(mode="json")
    document["course"]["window_dayz"] = 28

    with pytest.raises(ValidationError, match="window_dayz"):
        TreatmentProtocol.model_validate(document)


def test_marking_a_setting_that_does_not_exist_is_refused(protocol: TreatmentProtocol):
    document = protocol.model_dump(mode="json")
    document["to_confirm"].append("course.window_weeks")

    with pytest.raises(ValidationError, match=r"course\.window_weeks"):
        TreatmentProtocol.model_validate(document)


def test_iesr_subscales_must_cover_every_item_once(protocol: TreatmentProtocol):
    document = protocol.model_dump(mode="json")
    document["iesr"]["intrusion_items"].append(14)

    with pytest.raises(ValidationError, match="exactly once"):
        TreatmentProtocol.model_validate(document)


def test_review_urgencies_deadlines_and_escalation(protocol: TreatmentProtocol):
    reviews = protocol.reviews
    hours = {urgency: reviews.respond_within_hours[urgency] for urgency in Urgency}

    assert hours == {
        Urgency.IMMEDIATE: 1,
        Urgency.URGENT: 4,
        Urgency.SOON: 24,
        Urgency.ROUTINE: 7 * 24,
    }
    assert reviews.urgency_of(ReviewTrigger.FAILED_DISCHARGE) is Urgency.IMMEDIATE
    assert {
        trigger for trigger in ReviewTrigger if reviews.urgency_of(trigger) is Urgency.URGENT
    } == {
        ReviewTrigger.URGENT_SAFETY_CONCERN,
        ReviewTrigger.SERIOUS_ADVERSE_EVENT,
        ReviewTrigger.SAFETY_EVENT,
        ReviewTrigger.DOSE_ABOVE_PLAN,
        ReviewTrigger.WORSENING,
    }
    assert reviews.urgency_of(ReviewTrigger.COURSE_SUSPENDED) is Urgency.SOON
    assert reviews.urgency_of(ReviewTrigger.RELAPSE) is Urgency.ROUTINE
    assert reviews.escalation == {
        Urgency.ROUTINE: Urgency.SOON,
        Urgency.SOON: Urgency.URGENT,
        Urgency.URGENT: Urgency.IMMEDIATE,
    }
    assert protocol.needs_confirmation("reviews.respond_within_hours")
    assert (protocol.maintenance.series_infusions, protocol.maintenance.interval_days_min) == (
        6,
        14,
    )


def test_a_protocol_without_a_number_for_every_trigger_is_refused(protocol: TreatmentProtocol):
    settings = protocol.reviews.model_dump()
    del settings["urgency_by_trigger"]["relapse"]

    with pytest.raises(ValueError, match="urgency_by_trigger lacks relapse"):
        type(protocol.reviews).model_validate(settings)
