"""A service's settings for a test on the session broker: its own topics and consumer group
(the test's prefix), its database, and short retry, poll and shutdown times so a test waits
on conditions, not on production intervals."""

from collections.abc import Iterable, Mapping
from typing import TypeVar

from carepath_runtime.settings import ServiceSettings

Settings = TypeVar("Settings", bound=ServiceSettings)

FAST = {
    "retry_initial_delay_s": 0.05,
    "retry_max_delay_s": 0.5,
    "outbox_poll_interval_s": 0.1,
    "shutdown_timeout_s": 10,
}


def settings_for(
    model: type[Settings],
    service: str,
    kafka_bootstrap: str,
    topic_prefix: str,
    database_url: str,
    tokens: Iterable[Mapping[str, str]] = (),
    **overrides,
) -> Settings:
    return model(
        kafka_bootstrap_servers=kafka_bootstrap,
        topic_prefix=topic_prefix,
        consumer_group=f"{topic_prefix}{service}",
        database_url=database_url,
        tokens=list(tokens),
        **(FAST | overrides),
    )
