"""What a dead letter carries: the original record plus headers that say what failed and where.

Defined here, beside the events, because operators and other systems read dead-letter topics
too; the runtime writes these headers and the AsyncAPI documents describe them.
"""

ERROR_CLASS = "dlq-error-class"
ERROR_MESSAGE = "dlq-error-message"
ORIGINAL_TOPIC = "dlq-original-topic"
ORIGINAL_PARTITION = "dlq-original-partition"
ORIGINAL_OFFSET = "dlq-original-offset"
CONSUMER_GROUP = "dlq-consumer-group"
DEAD_LETTERED_AT = "dlq-dead-lettered-at"
SERVICE = "dlq-service"
ORIGINAL_SIZE = "dlq-original-size"
ORIGINAL_SHA256 = "dlq-original-sha256"
VALUE_TRUNCATED = "dlq-value-truncated"

DEAD_LETTER_HEADERS: dict[str, str] = {
    ERROR_CLASS: "Class of the error, e.g. InvalidEventError, RuleViolationError.",
    ERROR_MESSAGE: "What was wrong, in words (at most 4,000 characters).",
    ORIGINAL_TOPIC: "The topic the record was read from.",
    ORIGINAL_PARTITION: "Its partition, in decimal.",
    ORIGINAL_OFFSET: "Its offset, in decimal.",
    CONSUMER_GROUP: "The consumer group that gave up on it.",
    DEAD_LETTERED_AT: "When it was dead-lettered (ISO 8601, UTC, the service's clock).",
    SERVICE: "The service that dead-lettered it.",
    ORIGINAL_SIZE: "The original value's length in bytes, in decimal.",
    ORIGINAL_SHA256: "SHA-256 of the original value, in hex: what the copy here is checked by.",
}
"""Every header a dead letter adds to the original record's own headers, with its meaning."""

TRUNCATION_HEADERS: dict[str, str] = {
    VALUE_TRUNCATED: "Present (`true`) when the original record was too large to copy whole: "
    "the value here is its first bytes only, and the original's own headers are left out "
    "when they alone are too large (dlq-original-size and dlq-original-sha256 describe the "
    "whole value; dlq-original-topic/-partition/-offset say where it is).",
}
"""Headers a dead letter carries only when the original could not be copied whole."""
