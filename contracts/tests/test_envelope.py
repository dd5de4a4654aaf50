"""The CloudEvents envelope: building events, causation, time and type rules."""

import json
import uuid
from datetime import datetime, timedelta, timezone

import pytest
from pydantic import ValidationError

from carepath_contracts import (
    REGISTRY,
    Event,
    EventData,
    ReferralAccepted,
    ReferralSource,
    ResponderRole,
    SessionCompleted,
    VitalsRecorded,
    caused_by,
    dataschema_for,
    new_event,
)

from .conftest import T0


def _accepted() -> ReferralAccepted:
    return ReferralAccepted(
        responder_role=ResponderRole.FIREFIGHTER,
        referral_source=ReferralSource.SELF,
        accepted_at=T0,
    )


def test_new_event_takes_type_and_dataschema_from_the_data_model(patient_id, pathway_id):
    event = new_event(
        _accepted(),
        subject=patient_id,
        correlation_id=pathway_id,
        source="carepath/intake",
        time=T0,
    )

    assert event.type == "carepath.intake.referral-accepted.v1"
    assert event.type == REGISTRY.spec_for(ReferralAccepted).type
    assert event.dataschema == dataschema_for(event.type)
    assert event.specversion == "1.0"
    assert event.datacontenttype == "application/json"
    assert (event.subject, event.correlationid, event.time) == (patient_id, pathway_id, T0)
    assert uuid.UUID(event.id).version == 4


def test_new_event_requires_the_time_from_the_caller(patient_id, pathway_id):
    with pytest.raises(TypeError):
        new_event(  # type: ignore[call-arg]
            _accepted(), subject=patient_id, correlation_id=pathway_id, source="carepath/intake"
        )


def test_naive_time_is_rejected(patient_id, pathway_id):
    with pytest.raises(ValidationError, match="timezone"):
        new_event(
            _accepted(),
            subject=patient_id,
            correlation_id=pathway_id,
            source="carepath/intake",
            time=datetime(2025, 3, 3, 9, 0),
        )


def test_times_with_another_offset_are_normalised_to_utc(patient_id, pathway_id):
    local = T0.astimezone(timezone(timedelta(hours=2)))
    event = new_event(
        _accepted(),
        subject=patient_id,
        correlation_id=pathway_id,
        source="carepath/intake",
        time=local,
    )

    assert event.time.utcoffset() == timedelta(0)
    assert event.model_dump(mode="json")["time"] == "2025-03-03T09:00:00Z"


def test_caused_by_keeps_patient_and_pathway_and_names_the_cause(patient_id, pathway_id):
    cause = REGISTRY.get("carepath.infusion.session-ended.v1").example()
    completed = REGISTRY.spec_for(SessionCompleted).example().data

    effect = caused_by(cause, completed, source="carepath/infusion", time=T0 + timedelta(minutes=1))

    assert effect.subject == cause.subject
    assert effect.correlationid == cause.correlationid
    assert effect.causationid == cause.id
    assert effect.id != cause.id
    assert effect.type == SessionCompleted.event_type


def test_optional_attributes_are_left_out_rather_than_null(patient_id, pathway_id):
    event = new_event(
        _accepted(),
        subject=patient_id,
        correlation_id=pathway_id,
        source="carepath/intake",
        time=T0,
    )

    written = json.loads(event.model_dump_json())

    assert "causationid" not in written
    assert "traceparent" not in written


def test_envelope_type_must_name_the_data_model():
    example = REGISTRY.spec_for(VitalsRecorded).example().model_dump(mode="json")
    example["type"] = "carepath.infusion.session-ended.v1"

    with pytest.raises(ValidationError, match=r"data is a carepath\.infusion\.vitals-recorded\.v1"):
        Event[VitalsRecorded].model_validate(example)


def test_source_and_ids_are_bounded(patient_id, pathway_id):
    with pytest.raises(ValidationError, match="source"):
        new_event(_accepted(), subject=patient_id, correlation_id=pathway_id, source="x", time=T0)
    with pytest.raises(ValidationError, match="subject"):
        new_event(
            _accepted(),
            subject="Jane Doe",
            correlation_id=pathway_id,
            source="carepath/intake",
            time=T0,
        )


def test_a_data_model_without_an_event_type_cannot_be_published(patient_id, pathway_id):
    class NotAnEvent(EventData):
        """Not registered."""

    with pytest.raises(TypeError, match="declares no event_type"):
        new_event(
            NotAnEvent(),
            subject=patient_id,
            correlation_id=pathway_id,
            source="carepath/intake",
            time=T0,
        )


def test_a_malformed_event_type_is_refused_when_the_model_is_declared():
    with pytest.raises(TypeError, match="is not carepath"):

        class Misnamed(EventData):
            """Misnamed."""

            event_type = "SessionCompleted"
