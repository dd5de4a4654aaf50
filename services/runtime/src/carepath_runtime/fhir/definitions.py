"""The definitions Carepath's resources point to: its code systems and questionnaires."""

from carepath_contracts import Instrument
from carepath_runtime.fhir.resources import Resource
from carepath_runtime.fhir.scores import questionnaire
from carepath_runtime.fhir.terminology import CODE_SYSTEMS, code_system_resource


def definitions() -> list[Resource]:
    """Every Carepath CodeSystem (complete) and the PCL-5 and IES-R Questionnaires."""
    return [code_system_resource(spec) for spec in CODE_SYSTEMS.values()] + [
        questionnaire(instrument) for instrument in Instrument
    ]
