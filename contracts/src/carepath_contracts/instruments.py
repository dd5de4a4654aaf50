"""Scoring of the PCL-5 and IES-R questionnaires, shared by intake and follow-up."""

from collections.abc import Sequence
from typing import Annotated, Literal

from pydantic import AfterValidator, Field

from carepath_contracts.codes import IesrSubscale, Instrument
from carepath_contracts.errors import ContractError
from carepath_contracts.protocol import TreatmentProtocol
from carepath_contracts.values import ItemScore, ValueModel

INSTRUMENT_LABELS = {Instrument.PCL5: "PCL-5", Instrument.IESR: "IES-R"}
ITEM_COUNTS = {Instrument.PCL5: 20, Instrument.IESR: 22}
ITEM_MAX = 4

Count = Annotated[int, Field(ge=0, le=22)]
SubscaleMean = Annotated[float, Field(ge=0, le=4)]


class InvalidItemsError(ContractError, ValueError):
    """Questionnaire responses are incomplete or out of range; they are never imputed."""

    code = "invalid-items"


class Pcl5Score(ValueModel):
    """A scored PCL-5: total, cluster sums, endorsed items and the cut-point result."""

    instrument: Literal[Instrument.PCL5] = Instrument.PCL5
    total: Annotated[int, Field(ge=0, le=80)]
    cluster_b: Annotated[int, Field(ge=0, le=20, description="Intrusion, items 1-5.")]
    cluster_c: Annotated[int, Field(ge=0, le=8, description="Avoidance, items 6-7.")]
    cluster_d: Annotated[int, Field(ge=0, le=28, description="Cognition and mood, items 8-14.")]
    cluster_e: Annotated[int, Field(ge=0, le=24, description="Arousal, items 15-20.")]
    endorsed_b: Count
    endorsed_c: Count
    endorsed_d: Count
    endorsed_e: Count
    provisional_diagnosis: bool = Field(description="DSM-5 cluster rule met by endorsed items.")
    probable_ptsd: bool = Field(description="Total at or above the protocol's cut-point.")
    cut_point: Annotated[int, Field(ge=0, le=80)]


class IesrScore(ValueModel):
    """A scored IES-R: total, subscale sums and means, and where item 14 was counted."""

    instrument: Literal[Instrument.IESR] = Instrument.IESR
    total: Annotated[int, Field(ge=0, le=88)]
    intrusion_sum: Annotated[int, Field(ge=0, le=32)]
    avoidance_sum: Annotated[int, Field(ge=0, le=32)]
    hyperarousal_sum: Annotated[int, Field(ge=0, le=28)]
    intrusion_mean: SubscaleMean
    avoidance_mean: SubscaleMean
    hyperarousal_mean: SubscaleMean
    item14_subscale: IesrSubscale
    probable_ptsd: bool = Field(description="Total at or above the protocol's cut-off.")
    cut_off: Annotated[int, Field(ge=0, le=88)]


def item_count_problem(instrument: Instrument, items: Sequence[int]) -> str | None:
    """Why a response list has the wrong length for its instrument, or None when it is right."""
    expected = ITEM_COUNTS[instrument]
    got = len(items)
    if got == expected:
        return None
    label = INSTRUMENT_LABELS[instrument]
    if got < expected:
        missing = f"item {expected}" if got + 1 == expected else f"items {got + 1}-{expected}"
        return f"{label} needs exactly {expected} items, got {got} ({missing} missing)"
    return f"{label} needs exactly {expected} items, got {got} ({got - expected} too many)"


def _pcl5_item_count(items: list[int]) -> list[int]:
    if problem := item_count_problem(Instrument.PCL5, items):
        raise ValueError(problem)
    return items


Pcl5Items = Annotated[
    list[ItemScore],
    AfterValidator(_pcl5_item_count),
    Field(json_schema_extra={"minItems": 20, "maxItems": 20}),
]
"""The 20 PCL-5 responses, item 1 first; a wrong count is refused naming what is missing."""


def _checked(instrument: Instrument, items: Sequence[int]) -> list[int]:
    problem = item_count_problem(instrument, items)
    if problem:
        raise InvalidItemsError(problem)
    for number, value in enumerate(items, start=1):
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= ITEM_MAX:
            label = INSTRUMENT_LABELS[instrument]
            raise InvalidItemsError(f"{label} item {number} is {value!r}, must be 0-{ITEM_MAX}")
    return list(items)


def score_pcl5(items: Sequence[int], protocol: TreatmentProtocol) -> Pcl5Score:
    """Score 20 PCL-5 responses (item 1 first) under the protocol's cut-point and cluster rule."""
    responses = _checked(Instrument.PCL5, items)
    settings = protocol.pcl5
    sums: dict[str, int] = {}
    endorsed: dict[str, int] = {}
    for name, cluster in settings.clusters.items():
        values = [responses[number - 1] for number in cluster.items]
        sums[name] = sum(values)
        endorsed[name] = sum(value >= settings.endorsed_at_or_above for value in values)
    total = sum(responses)
    return Pcl5Score(
        total=total,
        cluster_b=sums["B"],
        cluster_c=sums["C"],
        cluster_d=sums["D"],
        cluster_e=sums["E"],
        endorsed_b=endorsed["B"],
        endorsed_c=endorsed["C"],
        endorsed_d=endorsed["D"],
        endorsed_e=endorsed["E"],
        provisional_diagnosis=all(
            endorsed[name] >= cluster.min_endorsed for name, cluster in settings.clusters.items()
        ),
        probable_ptsd=total >= settings.probable_ptsd_at_or_above,
        cut_point=settings.probable_ptsd_at_or_above,
    )


def score_iesr(items: Sequence[int], protocol: TreatmentProtocol) -> IesrScore:
    """Score 22 IES-R responses (item 1 first), placing item 14 where the protocol says."""
    responses = _checked(Instrument.IESR, items)
    settings = protocol.iesr
    sums: dict[IesrSubscale, int] = {}
    means: dict[IesrSubscale, float] = {}
    for subscale in IesrSubscale:
        values = [responses[number - 1] for number in settings.items_of(subscale)]
        sums[subscale] = sum(values)
        means[subscale] = round(sum(values) / len(values), 2)
    total = sum(responses)
    return IesrScore(
        total=total,
        intrusion_sum=sums[IesrSubscale.INTRUSION],
        avoidance_sum=sums[IesrSubscale.AVOIDANCE],
        hyperarousal_sum=sums[IesrSubscale.HYPERAROUSAL],
        intrusion_mean=means[IesrSubscale.INTRUSION],
        avoidance_mean=means[IesrSubscale.AVOIDANCE],
        hyperarousal_mean=means[IesrSubscale.HYPERAROUSAL],
        item14_subscale=settings.item14_subscale,
        probable_ptsd=total >= settings.probable_ptsd_at_or_above,
        cut_off=settings.probable_ptsd_at_or_above,
    )
