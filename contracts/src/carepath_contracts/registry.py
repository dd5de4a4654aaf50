"""The event registry: every event type with its data model, topic, producer and consumers."""

import builtins
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from carepath_contracts import followup as fu
from carepath_contracts import infusion as inf
from carepath_contracts import intake as ik
from carepath_contracts import reviews as rv
from carepath_contracts.envelope import (
    Event,
    EventData,
    carepath_source,
    dataschema_for,
    envelope_model,
    new_event,
)
from carepath_contracts.errors import UnknownEventTypeError
from carepath_contracts.examples import (
    EXAMPLE_PATHWAY_ID,
    EXAMPLE_PATIENT_ID,
    EXAMPLES,
)
from carepath_contracts.topics import (
    FOLLOWUP_EVENTS,
    FOLLOWUP_INBOUND,
    INFUSION_EVENTS,
    INFUSION_INBOUND,
    INTAKE_EVENTS,
    INTAKE_INBOUND,
    Topic,
)

CLINIC_SYSTEMS = "clinic systems"
_EXAMPLE_ID_NAMESPACE = uuid.UUID("6f1c3e52-4d1a-4c59-9a43-0d3b1c2e7a10")


@dataclass(frozen=True)
class EventSpec:
    """How one event type travels: data model, topic, who produces and who consumes it."""

    data_model: type[EventData]
    topic: Topic
    producer: str
    source: str
    consumers: tuple[str, ...]

    @property
    def type(self) -> str:
        return self.data_model.event_type

    @property
    def dataschema(self) -> str:
        return dataschema_for(self.type)

    @property
    def summary(self) -> str:
        return (self.data_model.__doc__ or "").strip().splitlines()[0]

    @property
    def envelope_model(self) -> builtins.type[Event[Any]]:
        return envelope_model(self.data_model)

    def example(self) -> Event[Any]:
        """A complete, deterministic example event of this type."""
        example = next(item for item in EXAMPLES if type(item.data) is self.data_model)
        return new_event(
            example.data,
            subject=EXAMPLE_PATIENT_ID,
            correlation_id=EXAMPLE_PATHWAY_ID,
            source=self.source,
            time=example.time,
            event_id=str(uuid.uuid5(_EXAMPLE_ID_NAMESPACE, self.type)),
        )


class EventRegistry:
    """Every event type of the catalogue, looked up by type string or by data model."""

    def __init__(self, specs: Sequence[EventSpec]) -> None:
        self._by_type: dict[str, EventSpec] = {}
        self._by_model: dict[type[EventData], EventSpec] = {}
        for spec in specs:
            if spec.type in self._by_type:
                raise ValueError(f"event type {spec.type} is registered twice")
            self._by_type[spec.type] = spec
            self._by_model[spec.data_model] = spec

    def __iter__(self) -> Iterator[EventSpec]:
        return iter(self._by_type.values())

    def __len__(self) -> int:
        return len(self._by_type)

    def __contains__(self, event_type: object) -> bool:
        return event_type in self._by_type

    def get(self, event_type: str) -> EventSpec:
        """The spec of a type string; raises UnknownEventTypeError."""
        try:
            return self._by_type[event_type]
        except KeyError:
            raise UnknownEventTypeError(event_type) from None

    def spec_for(self, data: EventData | type[EventData]) -> EventSpec:
        """The spec of a data model (class or instance)."""
        model = data if isinstance(data, type) else type(data)
        try:
            return self._by_model[model]
        except KeyError:
            raise UnknownEventTypeError(getattr(model, "event_type", model.__name__)) from None

    def types(self) -> tuple[str, ...]:
        return tuple(self._by_type)

    def on_topic(self, topic: Topic) -> tuple[EventSpec, ...]:
        return tuple(spec for spec in self if spec.topic.name == topic.name)

    def consumed_by(self, consumer: str) -> tuple[EventSpec, ...]:
        return tuple(spec for spec in self if consumer in spec.consumers)

    def produced_by(self, producer: str) -> tuple[EventSpec, ...]:
        return tuple(spec for spec in self if spec.producer == producer)


def _inbound(topic: Topic, producer: str, source: str, *models: type[EventData]) -> list[EventSpec]:
    return [EventSpec(model, topic, producer, source, (topic.owner,)) for model in models]


def _published(topic: Topic, consumers: Sequence[str], *models: type[EventData]) -> list[EventSpec]:
    source = carepath_source(topic.owner)
    return [EventSpec(model, topic, topic.owner, source, tuple(consumers)) for model in models]


def _catalogue() -> list[EventSpec]:
    clinic = CLINIC_SYSTEMS
    return [
        *_inbound(INTAKE_INBOUND, "referral portal", "referral-portal/web", ik.ReferralReceived),
        *_inbound(INTAKE_INBOUND, "referral portal", "referral-portal/web", ik.ScreeningSubmitted),
        *_inbound(INTAKE_INBOUND, "clinician", "clinic/review", ik.ReviewDecided),
        *_inbound(INTAKE_INBOUND, "referral portal", "referral-portal/web", ik.ConsentWithdrawn),
        *_published(INTAKE_EVENTS, [clinic], ik.ReferralAccepted),
        *_published(INTAKE_EVENTS, ["infusion", "followup", clinic], ik.PatientScreened),
        *_published(INTAKE_EVENTS, ["infusion", "followup"], ik.PatientWithdrawn),
        *_published(INTAKE_EVENTS, ["followup", clinic], ik.SafetyConcernRaised),
        *_inbound(INFUSION_INBOUND, clinic, "clinic/infusion-suite", inf.SessionCheckedIn),
        *_inbound(INFUSION_INBOUND, clinic, "clinic/monitor", inf.VitalsRecorded),
        *_inbound(INFUSION_INBOUND, clinic, "clinic/infusion-suite", inf.SessionEnded),
        *_inbound(INFUSION_INBOUND, clinic, "clinic/infusion-suite", inf.SessionAbortReported),
        *_inbound(INFUSION_INBOUND, clinic, "clinic/infusion-suite", inf.PatientDischarged),
        *_published(INFUSION_EVENTS, [clinic], inf.CoursePlanned),
        *_published(INFUSION_EVENTS, ["followup", clinic], inf.SessionScheduled),
        *_published(INFUSION_EVENTS, [clinic], inf.SessionCleared, inf.SessionDeferred),
        *_published(INFUSION_EVENTS, ["followup", clinic], inf.SafetyAlert),
        *_published(INFUSION_EVENTS, ["followup", clinic], inf.SessionCompleted),
        *_published(INFUSION_EVENTS, [clinic], inf.SessionAborted, inf.SessionMissed),
        *_published(INFUSION_EVENTS, [clinic], inf.SessionCancelled),
        *_published(INFUSION_EVENTS, ["followup", clinic], inf.DischargeAssessed),
        *_published(INFUSION_EVENTS, ["followup", clinic], inf.CourseCompleted),
        *_published(INFUSION_EVENTS, ["followup", clinic], inf.CourseSuspended),
        *_published(INFUSION_EVENTS, ["followup", clinic], inf.PlanningFailed),
        *_inbound(
            FOLLOWUP_INBOUND, "patient app", "patient-app/assessments", fu.AssessmentSubmitted
        ),
        *_inbound(
            FOLLOWUP_INBOUND, "therapy scheduler", "therapy/scheduler", fu.TherapySessionAttended
        ),
        *_inbound(
            FOLLOWUP_INBOUND, "therapy scheduler", "therapy/scheduler", fu.TherapySessionMissed
        ),
        *_published(FOLLOWUP_EVENTS, [clinic], fu.TherapySessionScheduled),
        *_published(FOLLOWUP_EVENTS, [clinic], fu.AssessmentDue, fu.AssessmentOverdue),
        *_published(FOLLOWUP_EVENTS, [clinic], fu.AssessmentScored),
        *_inbound(FOLLOWUP_INBOUND, "clinician", "clinic/review", rv.ReviewOutcomeSubmitted),
        *_published(FOLLOWUP_EVENTS, ["infusion", clinic], fu.MaintenanceRecommended),
        # Superseded by review-opened (follow-up no longer emits it); kept so the catalogue
        # stays backward compatible and old records on the topic still decode.
        *_published(FOLLOWUP_EVENTS, [clinic], fu.ClinicalReviewRequired),
        *_published(FOLLOWUP_EVENTS, [clinic], fu.PathwayCompleted),
        *_published(FOLLOWUP_EVENTS, [clinic], rv.ReviewOpened, rv.ReviewEvidenceAdded),
        *_published(FOLLOWUP_EVENTS, [clinic], rv.ReviewOverdue),
        *_published(FOLLOWUP_EVENTS, ["infusion", clinic], rv.ReviewOutcomeRecorded),
    ]


REGISTRY = EventRegistry(_catalogue())
"""The v1 catalogue of ARCHITECTURE.md section 2."""
