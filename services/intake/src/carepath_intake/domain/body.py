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
    weight_kg: float | None,
    height_cm: float | None,
    bmi: float | None,
    dosing: DosingSettings,
    ideal_body_weight_reference_bmi: float,
) -> DosingWeight | None:
    """Actual body weight, or ideal body weight where the protocol asks for it at this BMI."""
    if weight_kg is None:
        return None
    uses_ideal = (
        dosing.use_ideal_body_weight
        and bmi is not None
        and height_cm is not None
        and bmi >= dosing.ideal_body_weight_bmi_at_or_above
    )
    if not uses_ideal:
        return DosingWeight(round(weight_kg, 1), DosingWeightBasis.ACTUAL)
    ideal = ideal_body_weight_reference_bmi * (height_cm / CM_PER_M) ** 2
    # Ideal body weight only ever lowers the dose; it never raises it above actual weight.
    return DosingWeight(round(min(ideal, weight_kg), 1), DosingWeightBasis.IDEAL)
