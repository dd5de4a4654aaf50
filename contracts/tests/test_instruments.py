"""PCL-5 and IES-R scoring at the edges: floors, ceilings, cluster minimums, item 14."""

import pytest

from carepath_contracts import (
    IesrSubscale,
    InvalidItemsError,
    TreatmentProtocol,
    score_iesr,
    score_pcl5,
)

# Endorsed (rated 2) items exactly at each cluster's minimum: B 1, C 1, D 2, E 2.
AT_MINIMUM = {1: 2, 6: 2, 8: 2, 9: 2, 15: 2, 16: 2}


def _pcl5(rated: dict[int, int], rest: int = 0) -> list[int]:
    return [rated.get(number, rest) for number in range(1, 21)]


def test_pcl5_all_zeros(protocol: TreatmentProtocol):
    score = score_pcl5([0] * 20, protocol)

    assert (score.total, score.cluster_b, score.cluster_c, score.cluster_d, score.cluster_e) == (
        0,
        0,
        0,
        0,
        0,
    )
    assert not score.provisional_diagnosis
    assert not score.probable_ptsd


def test_pcl5_all_fours(protocol: TreatmentProtocol):
    score = score_pcl5([4] * 20, protocol)

    assert (score.total, score.cluster_b, score.cluster_c, score.cluster_d, score.cluster_e) == (
        80,
        20,
        8,
        28,
        24,
    )
    assert (score.endorsed_b, score.endorsed_c, score.endorsed_d, score.endorsed_e) == (5, 2, 7, 6)
    assert score.provisional_diagnosis and score.probable_ptsd


def test_provisional_diagnosis_exactly_at_every_cluster_minimum(protocol: TreatmentProtocol):
    score = score_pcl5(_pcl5(AT_MINIMUM, rest=1), protocol)

    assert (score.endorsed_b, score.endorsed_c, score.endorsed_d, score.endorsed_e) == (1, 1, 2, 2)
    assert score.provisional_diagnosis


@pytest.mark.parametrize(("cluster", "item"), [("B", 1), ("C", 6), ("D", 9), ("E", 16)])
def test_one_endorsed_item_short_in_any_cluster_means_no_provisional_diagnosis(
    protocol: TreatmentProtocol, cluster: str, item: int
):
    # Rated 1 is "a little bit": below the endorsement threshold of 2.
    score = score_pcl5(_pcl5(AT_MINIMUM | {item: 1}, rest=1), protocol)

    assert not score.provisional_diagnosis, cluster


def test_probable_ptsd_starts_exactly_at_the_cut_point(protocol: TreatmentProtocol):
    at_cut = [2] * 16 + [1] * 1 + [0] * 3  # 33
    below = [2] * 16 + [0] * 4  # 32

    assert score_pcl5(at_cut, protocol).total == 33
    assert score_pcl5(at_cut, protocol).probable_ptsd
    assert not score_pcl5(below, protocol).probable_ptsd
    assert score_pcl5(below, protocol).cut_point == 33


def test_incomplete_or_out_of_range_responses_are_refused_not_imputed(protocol: TreatmentProtocol):
    with pytest.raises(InvalidItemsError, match=r"got 19 \(item 20 missing\)"):
        score_pcl5([1] * 19, protocol)
    with pytest.raises(InvalidItemsError, match="item 3 is 5, must be 0-4"):
        score_pcl5([1, 1, 5] + [1] * 17, protocol)
    with pytest.raises(InvalidItemsError, match="IES-R needs exactly 22 items"):
        score_iesr([1] * 20, protocol)


def test_iesr_all_zeros_and_all_fours(protocol: TreatmentProtocol):
    floor = score_iesr([0] * 22, protocol)
    ceiling = score_iesr([4] * 22, protocol)

    assert (floor.total, floor.probable_ptsd) == (0, False)
    assert (ceiling.total, ceiling.probable_ptsd) == (88, True)
    assert (ceiling.intrusion_mean, ceiling.avoidance_mean, ceiling.hyperarousal_mean) == (4, 4, 4)


def test_iesr_item14_counts_as_intrusion_by_default(protocol: TreatmentProtocol):
    only_item_14 = [0] * 13 + [4] + [0] * 8

    score = score_iesr(only_item_14, protocol)

    assert score.item14_subscale is IesrSubscale.INTRUSION
    assert (score.intrusion_sum, score.hyperarousal_sum) == (4, 0)
    assert score.intrusion_mean == 0.5  # 4 over 8 intrusion items
    assert score.hyperarousal_mean == 0


def test_iesr_item14_can_be_mapped_to_hyperarousal(protocol: TreatmentProtocol):
    other_mapping = protocol.model_copy(
        update={"iesr": protocol.iesr.model_copy(update={"item14_subscale": "hyperarousal"})}
    )
    only_item_14 = [0] * 13 + [4] + [0] * 8

    score = score_iesr(only_item_14, other_mapping)

    assert score.item14_subscale is IesrSubscale.HYPERAROUSAL
    assert (score.intrusion_sum, score.hyperarousal_sum) == (0, 4)
    assert score.hyperarousal_mean == round(4 / 7, 2)


def test_iesr_subscale_sums_add_up_to_the_total(protocol: TreatmentProtocol):
    items = [number % 5 for number in range(1, 23)]

    score = score_iesr(items, protocol)

    assert score.intrusion_sum + score.avoidance_sum + score.hyperarousal_sum == score.total
    assert score.total == sum(items)
    assert score.probable_ptsd == (score.total >= 33)
