"""Events to Kafka records and back, and the named errors decoding raises."""

import json
from typing import Any

import pytest

from carepath_contracts import (
    REGISTRY,
    ContractError,
    EventSpec,
    InvalidEventError,
    NotAnEventError,
    NotJsonError,
    UnknownEventTypeError,
    from_record,
    to_record,
)


def _example_document(event_type: str) -> dict[str, Any]:
    return REGISTRY.get(event_type).example().model_dump(mode="json")


def _encode(document: Any) -> bytes:
    return json.dumps(document).encode("utf-8")


def _decode_error(document: Any) -> InvalidEventError:
    with pytest.raises(InvalidEventError) as caught:
        from_record(_encode(document))
    return caught.value


@pytest.mark.parametrize("spec", list(REGISTRY), ids=lambda spec: spec.type)
def test_every_event_type_survives_a_round_trip_through_a_record(spec: EventSpec):
    event = spec.example()

    record = to_record(event)
    decoded = from_record(record.value, record.headers)

    assert decoded == event
    assert type(decoded.data) is spec.data_model
    assert record.topic == spec.topic.name
    assert record.key == event.subject.encode()
    assert ("content-type", b"application/cloudevents+json; charset=utf-8") in record.headers


def test_record_topic_carries_the_deployment_prefix():
    event = REGISTRY.get("carepath.infusion.safety-alert.v1").example()

    record = to_record(event, prefix="test-7f2a.")

    assert record.topic == "test-7f2a.carepath.infusion.events"
    assert record.header_dict["content-type"].startswith("application/cloudevents+json")


def test_traceparent_also_travels_as_a_header():
    event = REGISTRY.get("carepath.infusion.safety-alert.v1").example()
    traced = event.model_copy(update={"traceparent": "00-" + "a" * 32 + "-" + "b" * 16 + "-01"})

    assert to_record(traced).header_dict["traceparent"] == traced.traceparent


def test_decoding_accepts_str_values_dict_headers_and_plain_json_content_type():
    record = to_record(REGISTRY.get("carepath.intake.referral-received.v1").example())

    decoded = from_record(record.value.decode(), {"content-type": "application/json"})

    assert decoded.type == "carepath.intake.referral-received.v1"


def test_unknown_fields_are_ignored_on_read_and_not_written_back():
    document = _example_document("carepath.infusion.vitals-recorded.v1")
    document["data"]["device_serial"] = "MX-400-1182"
    document["partitionkey"] = "x"

    decoded = from_record(_encode(document))

    assert "device_serial" not in decoded.data.model_dump()
    assert "partitionkey" not in decoded.model_dump()


def test_bytes_that_are_not_utf8_are_not_json():
    with pytest.raises(NotJsonError, match="not UTF-8"):
        from_record(b"\xff\xfe{}")


def test_text_that_is_not_json_is_named_as_such():
    with pytest.raises(NotJsonError, match="not JSON"):
        from_record(b"systolic=120")


@pytest.mark.parametrize("document", [[1, 2], "event", 42, None])
def test_json_that_is_not_an_object_is_not_an_event(document):
    with pytest.raises(NotAnEventError, match="JSON object"):
        from_record(_encode(document))


def test_json_without_the_required_cloudevent_attributes_is_not_an_event():
    with pytest.raises(NotAnEventError, match="missing or non-string id, source"):
        from_record(_encode({"specversion": "1.0", "type": "carepath.intake.referral-received.v1"}))


def test_binary_content_mode_is_named_in_the_error():
    with pytest.raises(NotAnEventError, match="binary content mode"):
        from_record(
            b'{"systolic_mmhg": 120}', [("ce_type", b"carepath.infusion.vitals-recorded.v1")]
        )


def test_other_spec_versions_are_not_events():
    document = _example_document("carepath.intake.referral-received.v1") | {"specversion": "0.3"}

    with pytest.raises(NotAnEventError, match=r"specversion '0\.3'"):
        from_record(_encode(document))


def test_unknown_event_type_names_the_type():
    document = _example_document("carepath.intake.referral-received.v1")
    document["type"] = "carepath.intake.referral-received.v9"

    with pytest.raises(
        UnknownEventTypeError, match=r"carepath\.intake\.referral-received\.v9"
    ) as caught:
        from_record(_encode(document))
    assert caught.value.event_type == "carepath.intake.referral-received.v9"


def test_a_missing_pcl5_item_names_the_item():
    document = _example_document("carepath.followup.assessment-submitted.v1")
    document["data"]["items"] = document["data"]["items"][:19]

    error = _decode_error(document)

    assert error.problems == ("data.items: PCL-5 needs exactly 20 items, got 19 (item 20 missing)",)
    assert error.event_type == "carepath.followup.assessment-submitted.v1"


def test_an_out_of_range_item_names_the_item_and_the_bound():
    document = _example_document("carepath.followup.assessment-submitted.v1")
    document["data"]["items"][6] = 5

    assert _decode_error(document).problems == ("data.items[6]: item 7 must be at most 4",)


def test_iesr_needs_twenty_two_items():
    document = _example_document("carepath.followup.assessment-submitted.v1")
    document["data"]["instrument"] = "iesr"

    assert _decode_error(document).problems == (
        "data.items: IES-R needs exactly 22 items, got 20 (items 21-22 missing)",
    )


def test_screening_with_too_many_pcl5_items_is_rejected():
    document = _example_document("carepath.intake.screening-submitted.v1")
    document["data"]["pcl5_items"].append(2)

    assert _decode_error(document).problems == (
        "data.pcl5_items: PCL-5 needs exactly 20 items, got 21 (1 too many)",
    )


def test_impossible_vitals_name_the_field_and_the_bound():
    document = _example_document("carepath.infusion.session-checked-in.v1")
    document["data"]["vitals"]["systolic_mmhg"] = 350
    document["data"]["vitals"]["spo2_percent"] = 30

    assert _decode_error(document).problems == (
        "data.vitals.systolic_mmhg: must be at most 300",
        "data.vitals.spo2_percent: must be at least 50",
    )


def test_a_missing_field_and_an_unknown_code_are_both_reported():
    document = _example_document("carepath.infusion.safety-alert.v1")
    del document["data"]["session_id"]
    document["data"]["action"] = "panic"

    problems = _decode_error(document).problems

    assert "data.session_id: is required but missing" in problems
    assert "data.action: must be one of 'pause', 'stop' or 'notify'" in problems


def test_a_naive_timestamp_in_the_data_is_rejected():
    document = _example_document("carepath.infusion.vitals-recorded.v1")
    document["data"]["measured_at"] = "2025-03-03T09:20:00"

    (problem,) = _decode_error(document).problems

    assert problem.startswith("data.measured_at: has no timezone")
    assert "2025-03-03T09:20:00" not in problem


def test_envelope_problems_are_invalid_events_too():
    document = _example_document("carepath.intake.referral-received.v1")
    document["subject"] = "Jane Doe"
    del document["correlationid"]

    problems = _decode_error(document).problems

    # The value is never repeated: it may be personal, and problems go into headers and logs.
    assert problems[0].startswith("subject: must match")
    assert "Jane" not in " ".join(problems)
    assert problems[1] == "correlationid: is required but missing"


@pytest.mark.parametrize(
    "error",
    [
        NotJsonError("x"),
        NotAnEventError("x"),
        UnknownEventTypeError("t"),
        InvalidEventError("t", []),
    ],
)
def test_every_decoding_error_is_a_permanent_contract_error(error):
    assert isinstance(error, ContractError)
    assert error.retryable is False
    assert error.code
