"""Assessments on the real broker: an invalid form reaches the dead-letter topic and the valid one
after it is scored. The rules (timers, early and duplicate submissions) run offline in
test_handlers_assessments.py."""

import json

import pytest

from carepath_contracts import AssessmentScored
from carepath_runtime import deadletters
from carepath_testing.kafka_io import header, produce

from .builders import (
    event,
    new_patient,
    screened_data,
    submission_data,
)
from .bus import (
    dead_letters,
    followup_events,
    of_type,
    publish,
    until_known,
)

pytestmark = pytest.mark.kafka


@pytest.mark.parametrize(
    ("items", "reason"),
    [
        ([1] * 19, "PCL-5 needs exactly 20 items, got 19 (item 20 missing)"),
        ([1, 1, 5] + [1] * 17, "item 3 must be at most 4"),
    ],
    ids=["19-items", "a-value-of-5"],
)
async def test_an_invalid_form_is_dead_lettered_with_a_reason_naming_the_item(
    service, kafka_bootstrap, topic_prefix, items, reason
):
    _, client = service
    patient, pathway = new_patient()
    await publish(kafka_bootstrap, topic_prefix, event(screened_data(), patient, pathway))
    await until_known(client, patient)
    valid = event(submission_data(30), patient, pathway)
    invalid = json.loads(valid.model_dump_json())
    invalid.update(id="0b9d1c1e-6a8f-4f63-9f57-7c1b5f0e2a41")
    invalid["data"]["items"] = items

    await produce(
        kafka_bootstrap,
        topic_prefix + "carepath.followup.inbound",
        [(patient.encode(), json.dumps(invalid).encode(), [])],
    )
    await publish(kafka_bootstrap, topic_prefix, valid)
    (dead,) = await dead_letters(kafka_bootstrap, topic_prefix, 1)
    events = await followup_events(
        kafka_bootstrap, topic_prefix, lambda got: of_type(got, AssessmentScored)
    )

    assert header(dead, deadletters.ERROR_CLASS) == "InvalidEventError"
    assert reason in header(dead, deadletters.ERROR_MESSAGE)
    assert json.loads(dead.value)["id"] == invalid["id"]
    assert [e.causationid for e in of_type(events, AssessmentScored)] == [valid.id]
