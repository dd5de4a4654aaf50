"""Safety rules during the infusion: each at its threshold, one alert per episode."""

import pytest

from carepath_contracts import Comparison
from carepath_infusion.domain.model import SessionStatus
from carepath_infusion.domain.safety import assess_reading, monitor

from .builders import PROTOCOL, vitals
from .domain_fixtures import MONDAY

FIELD_OF = {
    "systolic_mmhg": "systolic",
    "diastolic_mmhg": "diastolic",
    "heart_rate_bpm": "heart_rate",
    "spo2_percent": "spo2",
    "respiratory_rate_per_min": "respiratory_rate",
}
ALERTS = [a for a in PROTOCOL.infusion_safety.alerts if a.vital.value in FIELD_OF]


def reading(**values):
    return vitals("pt-safety", "session-safety", MONDAY, **values).data


def crossing_and_safe(threshold) -> tuple[int, int]:
    """The reading nearest the threshold that crosses it, and the nearest that does not."""
    value = int(threshold.threshold)
    return {
        Comparison.AT_OR_ABOVE: (value, value - 1),
        Comparison.ABOVE: (value + 1, value),
        Comparison.BELOW: (value - 1, value),
        Comparison.AT_OR_BELOW: (value, value + 1),
    }[threshold.comparison]


@pytest.mark.parametrize("threshold", ALERTS, ids=[a.rule.value for a in ALERTS])
def test_each_rule_alerts_at_its_threshold_naming_rule_reading_and_threshold(threshold):
    crossing, safe = crossing_and_safe(threshold)
    field = FIELD_OF[threshold.vital.value]
    assert assess_reading(reading(**{field: safe}), (), PROTOCOL).alerts == ()
    (alert,) = assess_reading(reading(**{field: crossing}), (), PROTOCOL).alerts
    assert alert.rule == threshold.rule and alert.action == threshold.action
    assert alert.reading_value == crossing and alert.threshold_value == threshold.threshold
    assert alert.unit == threshold.unit and alert.protocol == PROTOCOL.ref
    assert alert.measured_at == MONDAY and alert.session_id == "session-safety"


# Finding 8: low values (the numbers are the protocol's, each marked *confirm*).


@pytest.mark.parametrize(
    ("values", "rules"),
    [
        ({"systolic": 70, "diastolic": 40}, ["systolic_low", "mean_arterial_pressure_low"]),
        ({"heart_rate": 35}, ["heart_rate_low"]),
        ({"respiratory_rate": 5}, ["respiratory_rate_low"]),
        ({"respiratory_rate": 31}, ["respiratory_rate_high"]),
    ],
    ids=["bp-70-over-40", "hr-35", "rr-5", "rr-31"],
)
def test_the_low_values_of_the_issue_each_raise_their_alert(values, rules):
    outcome = assess_reading(reading(**values), (), PROTOCOL)

    assert sorted(alert.rule.value for alert in outcome.alerts) == sorted(rules)


def test_each_low_value_rule_is_protocol_data():
    rules = {a.rule.value: (a.comparison, a.threshold) for a in PROTOCOL.infusion_safety.alerts}

    assert rules["systolic_low"] == (Comparison.BELOW, 90)
    assert rules["mean_arterial_pressure_low"] == (Comparison.BELOW, 65)
    assert rules["heart_rate_low"] == (Comparison.BELOW, 50)
    assert rules["respiratory_rate_low"] == (Comparison.BELOW, 10)
    assert rules["respiratory_rate_high"] == (Comparison.ABOVE, 30)
    assert PROTOCOL.needs_confirmation("infusion_safety.alerts")


@pytest.mark.parametrize(
    ("systolic", "diastolic", "mean", "alerted"),
    [(95, 50, 65.0, False), (95, 48, 63.7, True)],
    ids=["map-65", "map-63.7"],
)
def test_the_mean_arterial_pressure_is_derived_and_alerts_below_65(
    systolic, diastolic, mean, alerted
):
    outcome = assess_reading(reading(systolic=systolic, diastolic=diastolic), (), PROTOCOL)

    assert [(a.rule.value, a.reading_value) for a in outcome.alerts] == (
        [("mean_arterial_pressure_low", mean)] if alerted else []
    )


def test_a_reading_without_a_respiratory_rate_leaves_its_episode_as_it_was():
    low = assess_reading(reading(respiratory_rate=6), frozenset(), PROTOCOL)
    unknown = assess_reading(reading(), low.open_rules, PROTOCOL)

    assert unknown.open_rules == {"respiratory_rate_low"} and unknown.alerts == ()


def test_a_run_of_dangerous_readings_is_one_episode_with_one_alert():
    open_rules: frozenset[str] = frozenset()
    alerts = []
    for systolic in (185, 190, 200, 183):
        outcome = assess_reading(reading(systolic=systolic), open_rules, PROTOCOL)
        open_rules = outcome.open_rules
        alerts.extend(outcome.alerts)
    assert [alert.reading_value for alert in alerts] == [185]
    assert open_rules == {"systolic_high"}


def test_a_reading_back_in_range_ends_the_episode_and_a_new_crossing_alerts_again():
    first = assess_reading(reading(systolic=185), frozenset(), PROTOCOL)
    calm = assess_reading(reading(systolic=150), first.open_rules, PROTOCOL)
    again = assess_reading(reading(systolic=181), calm.open_rules, PROTOCOL)
    assert calm.open_rules == frozenset() and calm.alerts == ()
    assert [alert.reading_value for alert in again.alerts] == [181]


def test_rules_keep_separate_episodes():
    both = assess_reading(reading(systolic=185, spo2=88), frozenset(), PROTOCOL)
    oxygen_back = assess_reading(reading(systolic=186, spo2=95), both.open_rules, PROTOCOL)
    oxygen_low_again = assess_reading(
        reading(systolic=187, spo2=89), oxygen_back.open_rules, PROTOCOL
    )
    assert sorted(alert.rule.value for alert in both.alerts) == ["spo2_low", "systolic_high"]
    assert oxygen_back.alerts == () and oxygen_back.open_rules == {"systolic_high"}
    assert [alert.rule.value for alert in oxygen_low_again.alerts] == ["spo2_low"]


@pytest.mark.parametrize(
    "status",
    [SessionStatus.SCHEDULED, SessionStatus.DISCHARGED, SessionStatus.ABORTED],
)
def test_readings_while_the_patient_is_not_in_the_chair_change_nothing(status):
    outcome = monitor(status, frozenset({"spo2_low"}), reading(systolic=220), PROTOCOL)
    assert outcome.alerts == () and outcome.open_rules == {"spo2_low"}


@pytest.mark.parametrize("status", [SessionStatus.IN_PROGRESS, SessionStatus.COMPLETED])
def test_readings_during_the_infusion_and_the_observation_are_judged(status):
    outcome = monitor(status, frozenset(), reading(systolic=220), PROTOCOL)
    assert [alert.rule.value for alert in outcome.alerts] == ["systolic_high"]
