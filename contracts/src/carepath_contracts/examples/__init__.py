"""One valid, realistic example of every event's data, for docs, tests and the demo."""

from carepath_contracts.examples.followup import FOLLOWUP_EXAMPLES, IESR_SCORED_EXAMPLE
from carepath_contracts.examples.infusion import INFUSION_EXAMPLES
from carepath_contracts.examples.intake import INTAKE_EXAMPLES
from carepath_contracts.examples.patient import (
    EXAMPLE_PATHWAY_ID,
    EXAMPLE_PATIENT_ID,
    EXAMPLE_TIME,
    Example,
)
from carepath_contracts.examples.reviews import REVIEW_EXAMPLES

EXAMPLES: tuple[Example, ...] = (
    *INTAKE_EXAMPLES,
    *INFUSION_EXAMPLES,
    *FOLLOWUP_EXAMPLES,
    *REVIEW_EXAMPLES,
)

__all__ = [
    "EXAMPLES",
    "EXAMPLE_PATHWAY_ID",
    "EXAMPLE_PATIENT_ID",
    "EXAMPLE_TIME",
    "IESR_SCORED_EXAMPLE",
    "Example",
]
