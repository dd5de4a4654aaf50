"""The safe defaults are really in force on the objects FastStream builds (fast, no broker)."""

from faststream import AckPolicy

from carepath_runtime.service import ServiceRuntime
from carepath_testing.probe.builders import probe_settings
from carepath_testing.probe.service import probe_definition


def runtime() -> ServiceRuntime:
    settings = probe_settings("127.0.0.1:1", "t.", "sqlite+aiosqlite:///:memory:")
    return ServiceRuntime(probe_definition(), settings)


def test_subscriber_commits_manually_never_automatically():
    subscriber = runtime().subscriber
    # A broker-level policy would not reach subscribers on a router: assert the subscriber's own.
    assert subscriber.ack_policy is AckPolicy.MANUAL
    assert subscriber._connection_args["enable_auto_commit"] is False
    assert subscriber._connection_args["auto_offset_reset"] == "earliest"


def test_subscriber_reads_the_prefixed_input_topic_in_batches_with_its_group():
    subscriber = runtime().subscriber
    assert subscriber.topic_names == ["t.carepath.intake.inbound"]
    assert subscriber.group_id == "t.probe"
    assert subscriber.max_records == 500


def test_producer_waits_for_all_replicas_and_is_idempotent():
    producer_options = runtime().broker._connection_kwargs
    assert producer_options["acks"] == "all"
    assert producer_options["enable_idempotence"] is True


def test_consumers_never_create_topics_by_accident():
    assert runtime().broker.config.broker_config.allow_auto_create_topics is False
