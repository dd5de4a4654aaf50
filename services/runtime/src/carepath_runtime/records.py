"""Kafka records as the runtime moves them: what is consumed and what is published."""

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class OutgoingRecord:
    """One record to publish: topic (already prefixed), key, value and headers."""

    topic: str
    key: bytes
    value: bytes
    headers: dict[str, str] = field(default_factory=dict)
    event_id: str = ""


def header_value(headers: object, name: str) -> str | None:
    """A header from an aiokafka record's `[(name, bytes)]` list, decoded as UTF-8."""
    for key, value in headers or ():  # type: ignore[union-attr]
        if key == name and value is not None:
            return value.decode("utf-8", errors="replace")
    return None
