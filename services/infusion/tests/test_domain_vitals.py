"""A vitals reading decided whole by the domain: episodes, alerts with history, silence."""

from datetime import timedelta

import pytest

from carepath_contracts import UnknownProtocolError, load_catalogue
from carepath_infusion.domain import RuleBroken, SessionStatus, WatchedSession, judge_reading

from .builders import PROTOCOL, vitals
from .domain_fixtures import MONDAY

SILENCE = timedelta(minutes=PROTOCOL.infusion_safety.monitor_silence_minutes)
PROTOCOLS = load_catalogue(PROTOCOL.id, PROTOCOL.version)


def reading(**values):
    return vitals("pt-1", "s-1", MONDAY, **values).data


def watched(status=SessionStatus.IN_PROGRESS, open_rules=frozenset()) -> WatchedSession:
    return WatchedSession("pt-1", status, frozenset(open_rules), PROTOCOL.ref)


def test_a_dangerous_reading_while_infusing_opens_an_episode_with_its_alert_and_history():
    decision = judge_reading(
        watched(), "pt-1", reading(systolic=200), protocols=PROTOCOLS, now=MONDAY
    )

    (alert,) = decision.alerts
    assert decision.open_rules == {alert.rule.value}
    assert [entry.what for entry in decision.history] == ["safety_alert"]
    assert decision.silent_at == MONDAY + SILENCE


def test_a_reading_under_observation_after_the_infusion_arms_no_silence_alert():
    decision = judge_reading(
        watched(SessionStatus.COMPLETED), "pt-1", reading(), protocols=PROTOCOLS, now=MONDAY
    )

    assert (decision.alerts, decision.open_rules, decision.silent_at) == ((), frozenset(), None)


def test_a_reading_back_in_range_closes_the_episode_without_an_alert():
    decision = judge_reading(
        watched(open_rules={"systolic_high"}), "pt-1", reading(), protocols=PROTOCOLS, now=MONDAY
    )

    assert (decision.alerts, decision.open_rules) == ((), frozenset())


@pytest.mark.parametrize(
    "session",
    [None, WatchedSession("pt-other", SessionStatus.IN_PROGRESS, frozenset(), PROTOCOL.ref)],
)
def test_a_reading_for_an_unknown_session_or_another_patients_is_refused(session):
    with pytest.raises(RuleBroken, match="vitals for session s-1, unknown for pt-1"):
        judge_reading(session, "pt-1", reading(), protocols=PROTOCOLS, now=MONDAY)


def test_a_reading_is_judged_under_the_protocol_version_of_its_course():
    on_v9 = WatchedSession("pt-1", SessionStatus.IN_PROGRESS, frozenset(), ref_v9())

    with pytest.raises(UnknownProtocolError, match="v9"):
        judge_reading(on_v9, "pt-1", reading(), protocols=PROTOCOLS, now=MONDAY)


def ref_v9():
    return PROTOCOL.ref.model_copy(update={"version": 9})
