"""Structured JSON logs: one object per line, with event, pathway and patient ids when known."""

import json
import logging
from datetime import UTC, datetime

CONTEXT_FIELDS = ("service", "event_id", "event_type", "correlation_id", "patient_id")


class JsonFormatter(logging.Formatter):
    def __init__(self, service: str) -> None:
        super().__init__()
        self._service = service

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
            "service": self._service,
        }
        for name in CONTEXT_FIELDS[1:]:
            value = getattr(record, name, None)
            if value is not None:
                entry[name] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


OWN_HANDLERS = ("faststream", "uvicorn", "uvicorn.error", "uvicorn.access")
"""Loggers that libraries give a plain-text handler of their own (FastStream's with colour
codes): theirs is removed and they go through the root's JSON handler."""


def configure_logging(service: str, level: str = "INFO") -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter(service))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in OWN_HANDLERS:
        library = logging.getLogger(name)
        library.handlers.clear()
        library.propagate = True
    logging.captureWarnings(True)  # warnings as log lines, not plain text on stderr
    # aiokafka logs every reconnect attempt at INFO/ERROR; keep warnings and above.
    logging.getLogger("aiokafka").setLevel(logging.WARNING)
