"""Scoring submissions: matching to assessments, change, response, remission, refusals."""

from dataclasses import replace

import pytest

from carepath_contracts import (
    AssessmentSubmitted,
    IesrSubscale,
    Instrument,
    InvalidItemsError,
    ScheduleAnchor,
    Timepoint,
)
from carepath_followup import domain
from carepath_followup.domain.schedule import assessments_anchored

from .builders import DAY, HOUR, PROTOCOL, T0, pathway, submission_data

# Endorsed (rated 2) items exactly at each cluster's minimum: B 1, C 1, D 2, E 2.
AT_CLUSTER_MINIMUM = {1: 2, 6: 2, 8: 2, 9: 2, 15: 2, 16: 2}
ONLY_ITEM_14 = [0] * 13 + [4] + [0] * 8


def score(path, submission, *, history=(), assessment=None, protocol=PROTOCOL, event_id="e-1"):
    return domain.score_submission(
        path,
        submission,
        event_id=event_id,
        assessment=assessment,
        history=list(history),
        protocol=protocol,
    )


def after_first_infusion(path) -> domain.Assessment:
    (assessment,) = assessments_anchored(path, ScheduleAnchor.FIRST_INFUSION, T0, PROTOCOL)
    return assessment


def test_a_scored_submission_keeps_its_item_responses_in_order():
    items = [n % 5 for n in range(22)]
    outcome = score(pathway(), submission_data(items=items, instrument=Instrument.IESR))
    assert outcome.scored.items == tuple(items)


def test_a_first_follow_up_score_is_compared_with_baseline_both_ways():
    outcome = score(pathway(52), submission_data(40))

    assert outcome.event.change_from_baseline == -12
    assert outcome.event.change_from_previous == -12  # the screening PCL-5 is the previous one
    assert outcome.event.protocol == PROTOCOL.ref


def test_change_from_previous_uses_the_last_score_on_the_same_instrument():
    path = pathway(52)
    first = score(path, submission_data(44), event_id="e-1").scored
    iesr = score(path, submission_data(items=[1] * 22, instrument=Instrument.IESR)).scored

    outcome = score(path, submission_data(47), history=[first, iesr], event_id="e-3")

    assert (outcome.event.change_from_previous, outcome.event.change_from_baseline) == (3, -5)


@pytest.mark.parametrize(("total", "response"), [(42, True), (43, False)])
def test_response_starts_exactly_at_the_meaningful_change_drop(total, response):
    outcome = score(pathway(52), submission_data(total))

    assert outcome.event.response is response


@pytest.mark.parametrize(("total", "response"), [(37, True), (38, False)])
def test_the_strict_option_needs_the_reliable_change_drop(total, response):
    strict = PROTOCOL.model_copy(
        update={"pcl5": PROTOCOL.pcl5.model_copy(update={"use_strict_change": True})}
    )

    outcome = score(pathway(52), submission_data(total), protocol=strict)

    assert outcome.event.response is response


@pytest.mark.parametrize(("total", "remission"), [(27, True), (28, False)])
def test_remission_is_a_total_below_the_protocol_threshold(total, remission):
    course_ended = pathway(52, first_infusion_at=T0 - 14 * DAY, last_infusion_at=T0 - DAY)

    assert score(course_ended, submission_data(total)).event.remission is remission


def test_iesr_scores_carry_no_baseline_change_response_or_remission():
    path = pathway(52)
    first = score(path, submission_data(items=[1] * 22, instrument=Instrument.IESR)).scored

    outcome = score(
        path, submission_data(items=[2] * 22, instrument=Instrument.IESR), history=[first]
    )

    event = outcome.event
    assert (event.change_from_baseline, event.response, event.remission) == (None, None, None)
    assert event.change_from_previous == 22
    assert event.score.total == 44


@pytest.mark.parametrize(("response", "clusters"), [(0, (0, 0, 0, 0, 0)), (4, (80, 20, 8, 28, 24))])
def test_assessment_scored_carries_the_pcl5_floor_and_ceiling(response, clusters):
    event = score(pathway(52), submission_data(items=[response] * 20)).event

    scored = event.score
    assert (scored.total, scored.cluster_b, scored.cluster_c, scored.cluster_d) == clusters[:4]
    assert scored.cluster_e == clusters[4]
    assert scored.provisional_diagnosis is (response == 4)
    assert scored.probable_ptsd is (response == 4)


def test_assessment_scored_carries_a_provisional_diagnosis_exactly_at_each_cluster_minimum():
    items = [AT_CLUSTER_MINIMUM.get(number, 1) for number in range(1, 21)]

    scored = score(pathway(52), submission_data(items=items)).event.score

    assert (scored.endorsed_b, scored.endorsed_c, scored.endorsed_d, scored.endorsed_e) == (
        1,
        1,
        2,
        2,
    )
    assert scored.provisional_diagnosis


@pytest.mark.parametrize("item", [1, 6, 9, 16], ids=["B", "C", "D", "E"])
def test_assessment_scored_has_no_provisional_diagnosis_one_endorsed_item_short(item):
    rated = AT_CLUSTER_MINIMUM | {item: 1}
    items = [rated.get(number, 1) for number in range(1, 21)]

    assert not score(pathway(52), submission_data(items=items)).event.score.provisional_diagnosis


@pytest.mark.parametrize(
    ("mapping", "intrusion_sum", "hyperarousal_sum"),
    [(IesrSubscale.INTRUSION, 4, 0), (IesrSubscale.HYPERAROUSAL, 0, 4)],
)
def test_assessment_scored_places_iesr_item_14_where_the_protocol_says(
    mapping, intrusion_sum, hyperarousal_sum
):
    protocol = PROTOCOL.model_copy(
        update={"iesr": PROTOCOL.iesr.model_copy(update={"item14_subscale": mapping})}
    )
    submission = submission_data(items=ONLY_ITEM_14, instrument=Instrument.IESR)

    scored = score(pathway(52), submission, protocol=protocol).event.score

    assert scored.item14_subscale is mapping
    assert (scored.intrusion_sum, scored.hyperarousal_sum) == (intrusion_sum, hyperarousal_sum)
    assert scored.intrusion_mean == round(intrusion_sum / 8, 2)
    assert scored.hyperarousal_mean == round(hyperarousal_sum / 7, 2)


def test_a_submission_at_its_due_time_satisfies_the_assessment_and_cancels_its_timers():
    path = pathway(52)
    assessment = after_first_infusion(path)
    submission = submission_data(44, assessment.due_at, assessment_id=assessment.assessment_id)

    outcome = score(path, submission, assessment=assessment)

    assert outcome.event.timepoint is Timepoint.AFTER_FIRST_INFUSION
    assert outcome.event.assessment_id == assessment.assessment_id
    assert outcome.assessment.status is domain.AssessmentStatus.SUBMITTED
    assert outcome.cancel_timer_keys == (assessment.due_timer_key, assessment.overdue_timer_key)


def test_a_submission_before_its_due_time_is_scored_as_unscheduled():
    path = pathway(52)
    assessment = after_first_infusion(path)
    early = submission_data(44, assessment.due_at - HOUR, assessment_id=assessment.assessment_id)

    outcome = score(path, early, assessment=assessment)

    assert (outcome.event.timepoint, outcome.event.assessment_id) == (None, None)
    assert outcome.assessment is None and outcome.cancel_timer_keys == ()


def test_a_second_submission_for_a_satisfied_assessment_is_refused_naming_it():
    path = pathway(52)
    assessment = after_first_infusion(path)
    submission = submission_data(44, assessment.due_at, assessment_id=assessment.assessment_id)
    satisfied = score(path, submission, assessment=assessment).assessment

    with pytest.raises(domain.PathwayRuleError, match=f"{assessment.assessment_id}.*already"):
        score(path, submission, assessment=satisfied, event_id="e-2")


def test_a_submission_naming_an_unknown_or_foreign_assessment_is_refused():
    path = pathway(52)
    foreign = after_first_infusion(pathway(52))
    submission = submission_data(44, T0 + DAY, assessment_id=foreign.assessment_id)

    with pytest.raises(domain.PathwayRuleError, match="is not an assessment of patient"):
        score(path, submission, assessment=None)
    with pytest.raises(domain.PathwayRuleError, match="is not an assessment of patient"):
        score(path, submission, assessment=foreign)


def test_an_instrument_the_assessment_did_not_ask_for_is_refused():
    path = pathway(52)
    assessment = after_first_infusion(path)
    iesr = submission_data(
        items=[1] * 22,
        instrument=Instrument.IESR,
        at=assessment.due_at,
        assessment_id=assessment.assessment_id,
    )

    with pytest.raises(domain.PathwayRuleError, match="asks for pcl5, not iesr"):
        score(path, iesr, assessment=assessment)


def test_a_two_instrument_assessment_is_satisfied_only_once_both_are_in():
    path = pathway(52)
    both = replace(after_first_infusion(path), instruments=(Instrument.PCL5, Instrument.IESR))
    named = both.assessment_id

    first = score(path, submission_data(44, both.due_at, assessment_id=named), assessment=both)
    second = score(
        path,
        submission_data(
            items=[1] * 22, instrument=Instrument.IESR, at=both.due_at, assessment_id=named
        ),
        assessment=first.assessment,
        event_id="e-2",
    )

    assert first.assessment.status is domain.AssessmentStatus.SCHEDULED
    assert first.cancel_timer_keys == ()
    assert second.assessment.status is domain.AssessmentStatus.SUBMITTED
    assert len(second.cancel_timer_keys) == 2


@pytest.mark.parametrize(
    ("items", "reason"),
    [([1] * 19, r"got 19 \(item 20 missing\)"), ([1, 1, 5] + [1] * 17, "item 3 is 5")],
)
def test_invalid_items_are_refused_naming_the_item_never_imputed(items, reason):
    # The contract already refuses these at decoding; scoring refuses them on its own too.
    unchecked = AssessmentSubmitted.model_construct(
        assessment_id=None, instrument=Instrument.PCL5, items=items, submitted_at=T0
    )

    with pytest.raises(InvalidItemsError, match=reason):
        score(pathway(52), unchecked)


def test_a_withdrawn_pathway_scores_nothing():
    path = domain.pathway_withdrawn(pathway(52), T0)

    with pytest.raises(domain.PathwayRuleError, match="pathway is withdrawn"):
        score(path, submission_data(40))
