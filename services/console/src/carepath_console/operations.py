"""The operators' view: each service's readiness, consumer lag and outbox backlog (from its
/metrics, with the operator's own token) and its dead letters with their reasons. No patient
data: a dead letter is shown by position, error and original topic, never by its key."""

from dataclasses import dataclass, field

from prometheus_client.parser import text_string_to_metric_families

from carepath_console.services import Services, ServiceUnavailableError
from carepath_runtime.bus import Bus
from carepath_runtime.dead_letter_reading import SERVICES, DeadLetter, list_dead_letters
from carepath_runtime.errors import CarepathError

GAUGES = {
    "carepath_consumer_lag": "consumer_lag",
    "carepath_outbox_backlog": "outbox_backlog",
}


@dataclass
class ServiceHealth:
    name: str
    ready: bool | None  # None: did not answer
    checks: dict[str, bool] = field(default_factory=dict)
    consumer_lag: float | None = None
    outbox_backlog: float | None = None
    dead_lettered: float | None = None
    problem: str = ""
    dead_letters: list[DeadLetter] = field(default_factory=list)


async def service_health(services: Services, name: str, token: str) -> ServiceHealth:
    status, body = await services.status(name, "/readyz")
    health = ServiceHealth(name, None if status is None else status == 200)
    if isinstance(body, dict):
        health.checks = {k: bool(v) for k, v in (body.get("checks") or {}).items()}
    try:
        exposition = await services.text(name, "/metrics", token)
    except CarepathError as error:
        health.problem = str(error)
        return health
    for family in text_string_to_metric_families(exposition):
        if family.name in GAUGES:
            setattr(health, GAUGES[family.name], sum(s.value for s in family.samples))
        elif family.name == "carepath_events_dead_lettered":
            health.dead_lettered = sum(s.value for s in family.samples if s.name.endswith("_total"))
    return health


async def overview(services: Services, token: str, bus: Bus, prefix: str) -> list[ServiceHealth]:
    healths = []
    for name in SERVICES:
        health = await service_health(services, name, token)
        try:
            health.dead_letters = await list_dead_letters(bus, prefix, name)
        except CarepathError as error:
            health.problem = health.problem or str(error)
        healths.append(health)
    return healths


__all__ = ["ServiceHealth", "ServiceUnavailableError", "overview", "service_health"]
