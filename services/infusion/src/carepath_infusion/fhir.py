"""Infusion's part of the FHIR view, from infusion's own tables: the course (and any
maintenance series) as CarePlans, each session as an Appointment, each infusion given as a
MedicationAdministration (dose, rate, duration), check-in vitals and alert readings as
Observations (LOINC), safety alerts as Flags, serious adverse events as AdverseEvents.

Infusion does not keep the vitals stream (only the readings an alert was raised on) nor the
adverse effects reported at session end: the view shows what is kept, nothing more."""

from collections import defaultdict
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from carepath_contracts import ProtocolCatalogue, SessionKind, TreatmentProtocol, VitalSign
from carepath_infusion import store
from carepath_infusion.domain.model import (
    MONITORED,
    Course,
    CourseStatus,
    HistoryEntry,
    Session,
    SessionStatus,
)
from carepath_runtime.fhir import (
    ADVERSE_EVENT_SERIOUSNESS,
    FLAG_CATEGORY,
    Resource,
    carepath_concept,
    fhir_id,
    has_loinc,
    hl7_concept,
    identifier,
    instant,
    patient_reference,
    quantity,
    reference,
    reference_to,
    vital_reading,
    vital_signs,
)

PLAN_STATUS = {
    CourseStatus.ACTIVE: "active",
    CourseStatus.COMPLETED: "completed",
    CourseStatus.SUSPENDED: "on-hold",
    CourseStatus.WITHDRAWN: "revoked",
}
APPOINTMENT_STATUS = {
    SessionStatus.SCHEDULED: "booked",
    SessionStatus.IN_PROGRESS: "arrived",
    SessionStatus.COMPLETED: "fulfilled",
    SessionStatus.DISCHARGED: "fulfilled",
    SessionStatus.ABORTED: "fulfilled",  # the patient came; the infusion stopped early
    SessionStatus.DEFERRED: "cancelled",
    SessionStatus.MISSED: "noshow",
    SessionStatus.CANCELLED: "cancelled",
}


async def read_resources(
    session: AsyncSession, patient_id: str, *, protocols: ProtocolCatalogue
) -> list[Resource] | None:
    course = await store.course_of_patient(session, patient_id)
    if course is None:
        return None
    sessions = await store.sessions_of_course(session, course.course_id)
    history = await store.history_of_patient(session, patient_id)
    return course_resources(course, sessions, history, protocols.of(course.protocol))


def course_resources(
    course: Course,
    sessions: list[Session],
    history: list[HistoryEntry],
    protocol: TreatmentProtocol,
) -> list[Resource]:
    by_session: dict[str, list[HistoryEntry]] = defaultdict(list)
    for entry in history:
        by_session[entry.session_id].append(entry)
    plans = _care_plans(course, sessions)
    found: list[Resource] = []
    for booked in sessions:
        found += _session_resources(course, booked, by_session[booked.session_id], protocol)
    return plans + found


def _care_plans(course: Course, sessions: list[Session]) -> list[Resource]:
    induction = {
        "resourceType": "CarePlan",
        "id": fhir_id("course", course.course_id),
        "identifier": [identifier("course-id", course.course_id)],
        "status": PLAN_STATUS[course.status],
        "intent": "plan",
        "category": [carepath_concept("pathway", "induction-course")],
        "subject": patient_reference(course.patient_id),
        "period": {
            "start": instant(course.first_session_at),
            "end": instant(course.window_ends_at),
        },
        "created": instant(course.planned_at),
        "activity": [
            {"detail": _planned_dose(course)},
            *_appointments(sessions, SessionKind.INDUCTION),
        ],
    }
    maintenance = _appointments(sessions, SessionKind.MAINTENANCE)
    if not maintenance:
        return [induction]
    completed = course.status is CourseStatus.COMPLETED
    series = {
        "resourceType": "CarePlan",
        "id": fhir_id("maintenance", course.course_id),
        # Maintenance goes on once the induction course is completed.
        "status": PLAN_STATUS[CourseStatus.ACTIVE if completed else course.status],
        "intent": "plan",
        "category": [carepath_concept("pathway", "maintenance-series")],
        "subject": patient_reference(course.patient_id),
        "partOf": [reference(induction)],
        "activity": maintenance,
    }
    return [induction, series]


def _planned_dose(course: Course) -> Resource:
    """The dose every infusion of the course is planned at, and over how long."""
    detail: Resource = {
        "kind": "MedicationRequest",
        "code": carepath_concept("pathway", "ketamine-infusion"),
        "status": {
            CourseStatus.ACTIVE: "in-progress",
            CourseStatus.COMPLETED: "completed",
            CourseStatus.SUSPENDED: "on-hold",
            CourseStatus.WITHDRAWN: "stopped",
        }[course.status],
        "scheduledTiming": {"repeat": {"duration": course.dose.minutes, "durationUnit": "min"}},
        "productCodeableConcept": carepath_concept("pathway", "racemic-ketamine"),
        "dailyAmount": quantity(course.dose.mg, "mg"),
    }
    if course.status is CourseStatus.SUSPENDED and course.status_reason:
        detail["statusReason"] = carepath_concept("suspension-reason", course.status_reason)
    return detail


def _appointments(sessions: list[Session], kind: SessionKind) -> list[Resource]:
    return [
        {"reference": reference_to("Appointment", _appointment_id(s))}
        for s in sessions
        if s.kind is kind
    ]


def _session_resources(
    course: Course, booked: Session, history: list[HistoryEntry], protocol: TreatmentProtocol
) -> list[Resource]:
    appointment = _appointment(course, booked, history)
    found = [appointment]
    if booked.baseline_vitals is not None and booked.checked_in_at is not None:
        found += vital_signs(
            booked.baseline_vitals,
            id_prefix=fhir_id("vs-checkin", booked.session_id),
            patient_id=booked.patient_id,
            at=booked.checked_in_at,
        )
    administration = _administration(course, booked, history, appointment)
    if administration is not None:
        found.append(administration)
        if booked.serious_adverse_event:
            found.append(_adverse_event(booked, administration))
    found += _alerts(booked, history, protocol)
    return found


def _appointment_id(booked: Session) -> str:
    return fhir_id("session", booked.session_id)


def _appointment(course: Course, booked: Session, history: list[HistoryEntry]) -> Resource:
    """The chair booked for the infusion's planned minutes (the observation period after it is
    not part of the slot infusion books)."""
    appointment: Resource = {
        "resourceType": "Appointment",
        "id": _appointment_id(booked),
        "identifier": [identifier("session-id", booked.session_id)],
        "status": APPOINTMENT_STATUS[booked.status],
        "serviceType": [
            carepath_concept("pathway", "ketamine-infusion"),
            carepath_concept("session-kind", booked.kind),
        ],
        "description": f"{booked.kind.value} infusion {booked.session_number}",
        "start": instant(booked.scheduled_for),
        "end": instant(booked.scheduled_for + timedelta(minutes=course.dose.minutes)),
        "minutesDuration": course.dose.minutes,
        "participant": [{"actor": patient_reference(booked.patient_id), "status": "accepted"}],
    }
    reasons = _cancellation_reasons(booked, history)
    if reasons:
        appointment["cancelationReason"] = reasons
    return appointment


def _cancellation_reasons(booked: Session, history: list[HistoryEntry]) -> Resource | None:
    for entry in reversed(history):
        if booked.status is SessionStatus.DEFERRED and entry.what == "deferred":
            codes = [carepath_concept("deferral-reason", c) for c in entry.detail["reason_codes"]]
            return {"coding": [coding for concept in codes for coding in concept["coding"]]}
        if booked.status is SessionStatus.CANCELLED and entry.what == "cancelled":
            return carepath_concept("cancellation-reason", entry.detail["reason"])
    return None


def _administration(
    course: Course, booked: Session, history: list[HistoryEntry], appointment: Resource
) -> Resource | None:
    """An infusion that was given (completed) or stopped early with a dose (aborted)."""
    if booked.dose_given_mg is None or booked.ended_at is None:
        return None
    completed = next((e for e in reversed(history) if e.what == "completed"), None)
    minutes = completed.detail.get("duration_minutes") if completed else None
    dosage: Resource = {
        "route": carepath_concept("pathway", "intravenous"),
        "dose": quantity(booked.dose_given_mg, "mg"),
    }
    period: Resource = {"end": instant(booked.ended_at)}
    if minutes:  # kept since the FHIR view; older records have the end only
        period["start"] = instant(booked.ended_at - timedelta(minutes=minutes))
        dosage["rateQuantity"] = quantity(round(booked.dose_given_mg / minutes, 2), "mg/min")
    return {
        "resourceType": "MedicationAdministration",
        "id": fhir_id("infusion", booked.session_id),
        "identifier": [identifier("session-id", booked.session_id)],
        "status": "stopped" if booked.status is SessionStatus.ABORTED else "completed",
        "medicationCodeableConcept": carepath_concept("pathway", "racemic-ketamine"),
        "subject": patient_reference(booked.patient_id),
        "effectivePeriod": period,
        "supportingInformation": [reference(appointment)],
        "dosage": dosage,
    }


def _adverse_event(booked: Session, administration: Resource) -> Resource:
    return {
        "resourceType": "AdverseEvent",
        "id": fhir_id("sae", booked.session_id),
        "actuality": "actual",
        "subject": patient_reference(booked.patient_id),
        "date": administration["effectivePeriod"]["end"],
        "seriousness": hl7_concept(ADVERSE_EVENT_SERIOUSNESS, "serious", "Serious"),
        "suspectEntity": [{"instance": reference(administration)}],
    }


def _alerts(
    booked: Session, history: list[HistoryEntry], protocol: TreatmentProtocol
) -> list[Resource]:
    """Each alert: the reading it was raised on (LOINC) and a Flag, active while its episode
    is open (the session still monitored and the rule not back in range since)."""
    vital_of = {
        threshold.rule.value: threshold.vital for threshold in protocol.infusion_safety.alerts
    }
    alerts = [entry for entry in history if entry.what == "safety_alert"]
    latest = {entry.detail["rule"]: entry for entry in alerts}
    found = []
    for number, entry in enumerate(alerts, start=1):
        rule = entry.detail["rule"]
        measured_at = datetime.fromisoformat(entry.detail["measured_at"])
        still_open = (
            latest[rule] is entry and rule in booked.open_alert_rules and booked.status in MONITORED
        )
        flag = {
            "resourceType": "Flag",
            "id": fhir_id("alert", booked.session_id, str(number)),
            "status": "active" if still_open else "inactive",
            "category": [hl7_concept(FLAG_CATEGORY, "safety", "Safety")],
            "code": carepath_concept("safety-rule", rule),
            "subject": patient_reference(booked.patient_id),
            "period": {"start": instant(measured_at)},
        }
        vital = vital_of.get(rule)
        if isinstance(vital, VitalSign) and has_loinc(vital):
            found.append(
                vital_reading(
                    vital,
                    entry.detail["reading_value"],
                    resource_id=fhir_id("alert-reading", booked.session_id, str(number)),
                    patient_id=booked.patient_id,
                    at=measured_at,
                )
            )
        found.append(flag)
    return found
