"""The CloudEvents 1.0 envelope every Carepath event travels in, and helpers to build one."""

import functools
import re
import uuid
from datetime import datetime
from typing import Annotated, Any, ClassVar, Generic, Literal, Self, TypeVar

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    model_serializer,
    model_validator,
)

from carepath_contracts.values import EventId, PathwayId, PatientId, UtcDatetime

SPECVERSION = "1.0"
DATA_CONTENT_TYPE = "application/json"
EVENT_TYPE_PATTERN = r"^carepath\.[a-z]+\.[a-z0-9]+(-[a-z0-9]+)*\.v[1-9][0-9]*$"
SOURCE_PATTERN = r"^[a-z][a-z0-9-]*(/[a-z0-9][a-z0-9._-]*){1,4}$"
DATASCHEMA_PREFIX = "urn:carepath:schema:"

EventType = Annotated[str, Field(pattern=EVENT_TYPE_PATTERN, max_length=128)]
Source = Annotated[
    str,
    Field(
        pattern=SOURCE_PATTERN,
        max_length=128,
        description="carepath/<service> or the external system, e.g. clinic/monitor.",
    ),
]
DataSchemaUri = Annotated[str, Field(pattern=r"^[a-z][a-z0-9+.-]*:[!-~]{1,250}$", max_length=256)]
TraceParent = Annotated[
    str, Field(pattern=r"^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$", max_length=55)
]


class EventData(BaseModel):
    """Base of every event's data: immutable, ignores unknown fields, writes only its own."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    event_type: ClassVar[str]
    """The CloudEvent `type` of this data, e.g. `carepath.infusion.session-completed.v1`."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        declared = cls.__dict__.get("event_type")
        if declared is not None and not re.match(EVENT_TYPE_PATTERN, declared):
            raise TypeError(f"{cls.__name__}.event_type {declared!r} is not carepath.<svc>.<x>.vN")


DataT = TypeVar("DataT", bound=EventData)


class Event(BaseModel, Generic[DataT]):
    """A CloudEvents 1.0 envelope (structured JSON mode) around one event's data."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    specversion: Literal["1.0"]
    id: EventId
    source: Source
    type: EventType
    subject: PatientId
    time: UtcDatetime
    datacontenttype: Literal["application/json"] = DATA_CONTENT_TYPE
    dataschema: DataSchemaUri | None = None
    correlationid: PathwayId
    causationid: EventId | None = None
    traceparent: TraceParent | None = None
    data: DataT

    @model_validator(mode="after")
    def _type_names_the_data(self) -> Self:
        expected = getattr(type(self.data), "event_type", None)
        if expected is not None and self.type != expected:
            raise ValueError(f"type is {self.type!r} but data is a {expected}")
        return self

    @model_serializer(mode="wrap")
    def _omit_absent_attributes(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        # CloudEvents: an optional attribute without a value is left out, not written as null.
        return {key: value for key, value in handler(self).items() if value is not None}

    @property
    def patient_id(self) -> str:
        return self.subject

    @property
    def pathway_id(self) -> str:
        return self.correlationid


def dataschema_for(event_type: str) -> str:
    """The URI naming the JSON Schema of an event type (also the schema file's `$id`)."""
    return f"{DATASCHEMA_PREFIX}{event_type}"


def carepath_source(service: str) -> str:
    """The CloudEvent `source` of a Carepath service, e.g. `carepath/infusion`."""
    return f"carepath/{service}"


@functools.cache
def envelope_model(data_model: type[Any]) -> type[Event[Any]]:
    """`Event[data_model]`, kept: pydantic caches parametrized models only weakly, and
    rebuilding one after a garbage collection costs milliseconds on the hot path."""
    return Event[data_model]  # type: ignore[valid-type]


def new_event(
    data: DataT,
    *,
    subject: str,
    correlation_id: str,
    source: str,
    time: datetime,
    causation_id: str | None = None,
    traceparent: str | None = None,
    event_id: str | None = None,
) -> Event[DataT]:
    """Wrap data in an envelope; the type comes from the data model, the time from your clock."""
    event_type = getattr(type(data), "event_type", None)
    if event_type is None:
        raise TypeError(f"{type(data).__name__} declares no event_type; it is not an event")
    return envelope_model(type(data))(
        specversion=SPECVERSION,
        id=event_id or str(uuid.uuid4()),
        source=source,
        type=event_type,
        subject=subject,
        time=time,
        dataschema=dataschema_for(event_type),
        correlationid=correlation_id,
        causationid=causation_id,
        traceparent=traceparent,
        data=data,
    )


def caused_by(
    cause: Event[Any],
    data: DataT,
    *,
    source: str,
    time: datetime,
    traceparent: str | None = None,
    event_id: str | None = None,
) -> Event[DataT]:
    """A new event caused by `cause`: same patient and pathway, causationid = cause.id."""
    return new_event(
        data,
        subject=cause.subject,
        correlation_id=cause.correlationid,
        source=source,
        time=time,
        causation_id=cause.id,
        traceparent=traceparent,
        event_id=event_id,
    )
