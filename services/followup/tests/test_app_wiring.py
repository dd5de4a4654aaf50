"""Follow-up's service definition: what it consumes is what the registry says it consumes."""

import carepath_followup
from carepath_contracts import ALL_TOPICS, FOLLOWUP_DLQ, REGISTRY, load_catalogue
from carepath_followup import FollowupSettings
from carepath_followup.app import definition
from carepath_followup.domain import TimerKind

from .builders import PROTOCOL


def test_the_package_exposes_only_the_app_factory_and_the_settings():
    assert sorted(carepath_followup.__all__) == ["FollowupSettings", "create_app"]


def test_follow_up_handles_exactly_the_types_the_registry_says_it_consumes():
    service = definition(FollowupSettings(), load_catalogue(PROTOCOL.id, PROTOCOL.version))
    consumed = REGISTRY.consumed_by("followup")

    assert set(service.handlers) == {spec.type for spec in consumed}
    assert set(service.consumes) == {spec.topic.name for spec in consumed}
    assert service.dead_letter_topic == FOLLOWUP_DLQ.name
    assert set(service.timer_handlers) == {kind.value for kind in TimerKind}
    assert service.topics_to_create == {topic.name: topic.partitions for topic in ALL_TOPICS}
