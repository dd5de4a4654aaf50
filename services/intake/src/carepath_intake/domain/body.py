"""Age, body mass index and dosing weight: the body measures screening decides on."""

from dataclasses import dataclass
from datetime import date

from pydantic import TypeAdapter, ValidationError

from carepath_contracts import DosingWeightBasis
from carepath_contracts.protocol import DosingSettings
from carepath_contracts.values import Bmi
from carepath_intake.domain.refusals import ImplausibleMeasurementsError

_PLAUSIBLE_BMI = TypeAdapter(Bmi)
CM_PER_M = 100


@dataclass(frozen=True, slots=True)
class DosingWeight:
    kg: float
    basis: DosingWeightBasis


def age_in_years(born: date, on: date) -> int:
    """Completed years of life on a day (someone born on 29 February ages on 1 March)."""
    before_birthday = (on.month, on.day) < (born.month, born.day)
    return on.year - born.year - before_birthday


def body_mass_index(weight_kg: float | None, height_cm: float | None) -> float | None:
    """BMI to one decimal, as a clinician reads it; None when a measure is missing."""
    if weight_kg is None or height_cm is None:
        return None
    bmi = round(weight_kg / (height_cm / CM_PER_M) ** 2, 1)
    try:
        return _PLAUSIBLE_BMI.validate_python(bmi)
    except ValidationError as error:
        raise ImplausibleMeasurementsError(
            f"weight {weight_kg} kg and height {height_cm} cm give a BMI of {bmi}, "
            "which no patient has: check both measures"
        ) from error


def dosing_weight(
    weight_kg: float | None, height_cm: float | None, dosing: DosingSettings
) -> DosingWeight | None:
    """The weight the dose is calculated from: actual, or adjusted under the obesity option,
    and never above the protocol's maximum."""
    if weight_kg is None:
        return None
    weight = DosingWeight(weight_kg, DosingWeightBasis.ACTUAL)
    if dosing.use_adjusted_body_weight and height_cm is not None:
        ideal = dosing.ideal_body_weight_bmi * (height_cm / CM_PER_M) ** 2
        if weight_kg > ideal:
            # A share of the excess over ideal weight: it grows with weight, so the dose has
            # no step at any BMI (a switch to ideal weight at BMI 30 dropped it by a quarter).
            adjusted = ideal + dosing.adjusted_body_weight_factor * (weight_kg - ideal)
            weight = DosingWeight(adjusted, DosingWeightBasis.ADJUSTED)
    if weight.kg > dosing.max_dosing_weight_kg:
        weight = DosingWeight(dosing.max_dosing_weight_kg, DosingWeightBasis.MAXIMUM)
    return DosingWeight(round(weight.kg, 1), weight.basis)
