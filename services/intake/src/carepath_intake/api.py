"""Intake's HTTP API: referral, screening, review and withdrawal forms, and patient status."""

from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from typing import Any

from fastapi import APIRouter, HTTPException, Response, status
from fastapi.exceptions import RequestValidationError
from sqlalchemy.exc import IntegrityError

from carepath_contracts import TreatmentProtocol
from carepath_intake import domain, fhir, handlers
from carepath_intake.forms import ReferralForm, ReviewForm, ScreeningForm, WithdrawalForm
from carepath_intake.ids import new_pathway_id, new_patient_id
from carepath_intake.settings import IntakeSettings
from carepath_intake.views import PatientView, ReferralReply, read_patient, unknown_patient
from carepath_runtime.access import FORM_BODY_LIMIT, AccessTable, allow
from carepath_runtime.auth import CurrentCaller
from carepath_runtime.fhir import FHIR_ROUTE, FHIR_VIEW_ROLES, fhir_router
from carepath_runtime.openapi import CONFLICT, NOT_FOUND
from carepath_runtime.patient_view import PATIENT_VIEW_ROUTE, PatientIdPath, patient_view_router
from carepath_runtime.service import ServiceRuntime

ACCESS: AccessTable = {
    "POST /v1/referrals": allow("clinician", "integration", body_limit=FORM_BODY_LIMIT),
    "POST /v1/patients/{patient_id}/screening": allow(
        "clinician", "integration", body_limit=FORM_BODY_LIMIT
    ),
    "POST /v1/patients/{patient_id}/review": allow("clinician", body_limit=FORM_BODY_LIMIT),
    "POST /v1/patients/{patient_id}/withdraw": allow(
        "clinician", "integration", body_limit=FORM_BODY_LIMIT
    ),
    PATIENT_VIEW_ROUTE: allow("clinician", "integration"),
    FHIR_ROUTE: allow(*FHIR_VIEW_ROLES),
}
"""Who may call which route (the runtime adds /metrics and /asyncapi)."""

FORM_REFUSALS = NOT_FOUND | CONFLICT


def repeated(model: type) -> dict[int | str, dict[str, Any]]:
    """The 200 of a form posted again: nothing changed."""
    return {200: {"model": model, "description": "The same form again: nothing changed."}}


REFUSAL_STATUS = {domain.UnknownPatientError: status.HTTP_404_NOT_FOUND}
"""Refusals other than these contradict the record or the patient's status: 409 Conflict."""


@contextmanager
def refusals_as_http_errors() -> Iterator[None]:
    try:
        yield
    except domain.ImplausibleMeasurementsError as refusal:
        raise _invalid_field(("weight_kg", "height_cm"), str(refusal)) from refusal
    except domain.IntakeRefusal as refusal:
        status_code = REFUSAL_STATUS.get(type(refusal), status.HTTP_409_CONFLICT)
        raise HTTPException(status_code, str(refusal)) from refusal


def routers(
    runtime: ServiceRuntime, protocol: TreatmentProtocol, settings: IntakeSettings
) -> list[APIRouter]:
    rules = handlers.rules_for(protocol, settings)
    read = partial(read_patient, personal_details_roles=settings.personal_details_roles)
    api = APIRouter(prefix="/v1", tags=["intake"])

    async def view(patient_id: str, role: str) -> PatientView:
        """What the form changed, as the poster's role may see it."""
        async with runtime.read_sessions() as session:
            found = await read(session, patient_id, role)
        if found is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, unknown_patient(patient_id))
        return found

    @api.post(
        "/referrals",
        response_model=ReferralReply,
        status_code=201,
        responses=CONFLICT | repeated(ReferralReply),
    )
    async def post_referral(form: ReferralForm, response: Response) -> ReferralReply:
        """Open a pathway for a referral; the same external referral id again returns its ids."""
        today = runtime.clock.now().date()
        if form.date_of_birth > today:
            raise _invalid_field(("date_of_birth",), "is in the future")
        try:
            transition = await _refer(runtime, form)
        except IntegrityError:
            # Sent twice at once: the other request opened the pathway; this one finds it.
            transition = await _refer(runtime, form)
        if transition.repeated:
            response.status_code = status.HTTP_200_OK
        patient = transition.patient
        return ReferralReply(
            patient_id=patient.patient_id,
            pathway_id=patient.pathway_id,
            status=patient.status,
            created=not transition.repeated,
        )

    @api.post(
        "/patients/{patient_id}/screening",
        response_model=PatientView,
        status_code=201,
        responses=FORM_REFUSALS | repeated(PatientView),
    )
    async def post_screening(
        patient_id: PatientIdPath, form: ScreeningForm, response: Response, caller: CurrentCaller
    ) -> PatientView:
        """Screen a referred patient; the same form again answers 200, another one 409."""
        with refusals_as_http_errors():
            async with runtime.unit_of_work() as unit:
                submission = form.submission(unit.now())
                transition = await handlers.submit_screening(unit, patient_id, submission, rules)
        if transition.repeated:
            response.status_code = status.HTTP_200_OK
        return await view(patient_id, caller.role)

    @api.post("/patients/{patient_id}/review", response_model=PatientView, responses=FORM_REFUSALS)
    async def post_review(
        patient_id: PatientIdPath, form: ReviewForm, caller: CurrentCaller
    ) -> PatientView:
        """A clinician approves or declines a screening that needs review; the reviewer is the
        token's subject."""
        review = domain.Review(form.decision, form.reason_code, caller.subject, runtime.clock.now())
        with refusals_as_http_errors():
            async with runtime.unit_of_work() as unit:
                await handlers.decide_review(unit, patient_id, review)
        return await view(patient_id, caller.role)

    @api.post(
        "/patients/{patient_id}/withdraw", response_model=PatientView, responses=FORM_REFUSALS
    )
    async def post_withdrawal(
        patient_id: PatientIdPath, form: WithdrawalForm, caller: CurrentCaller
    ) -> PatientView:
        """The patient leaves the pathway; withdrawing again changes nothing."""
        with refusals_as_http_errors():
            async with runtime.unit_of_work() as unit:
                await handlers.withdraw(unit, patient_id, form.reason_code, unit.now())
        return await view(patient_id, caller.role)

    patient = patient_view_router(
        runtime,
        view=PatientView,
        read=read,
        not_found=unknown_patient,
        tag="intake",
        description="Status, screening outcome and every reason; personal details for the "
        "roles allowed to see them (clinicians).",
    )
    patient_fhir = fhir_router(
        runtime,
        read=fhir.read_resources,
        not_found=unknown_patient,
        tag="intake",
        description="The Patient (pseudonymous id as identifier; name, birth date and contact "
        "details: intake holds Carepath's only copy), the referral as a ServiceRequest, and the "
        "screening: baseline PCL-5 (QuestionnaireResponse and score Observation), the outcome "
        "with its reasons, body weight (LOINC 29463-7), dosing weight and screening vitals.",
    )
    return [api, patient, patient_fhir]


async def _refer(runtime: ServiceRuntime, form: ReferralForm) -> domain.Transition:
    with refusals_as_http_errors():
        async with runtime.unit_of_work() as unit:
            candidate = domain.Patient(
                patient_id=new_patient_id(),
                pathway_id=new_pathway_id(),
                referral=domain.Referral(
                    external_referral_id=form.external_referral_id,
                    responder_role=form.responder_role,
                    referral_source=form.referral_source,
                    received_at=unit.now(),
                ),
                accepted_at=unit.now(),
            )
            return await handlers.refer(
                unit, candidate, sender_chose_ids=False, details=form.personal_details()
            )


def _invalid_field(fields: tuple[str, ...], message: str) -> RequestValidationError:
    """A 422 in FastAPI's own shape, naming the field(s) at fault."""
    return RequestValidationError(
        [{"type": "value_error", "loc": ("body", field), "msg": message} for field in fields]
    )
