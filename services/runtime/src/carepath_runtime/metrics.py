"""Prometheus metrics of one service, on a registry of its own (tests run many apps at once)."""

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest


class ServiceMetrics:
    def __init__(self, service: str) -> None:
        self.registry = CollectorRegistry()
        labels = {"service": service}
        self.consumed = _Labelled(
            Counter(
                "carepath_events_consumed",
                "Records consumed and committed, by event type.",
                ["service", "event_type"],
                registry=self.registry,
            ),
            labels,
        )
        self.duplicates = _Labelled(
            Counter(
                "carepath_events_duplicate",
                "Redelivered events the inbox skipped.",
                ["service", "event_type"],
                registry=self.registry,
            ),
            labels,
        )
        self.published = _Labelled(
            Counter(
                "carepath_events_published",
                "Events the outbox relay published, by event type.",
                ["service", "event_type"],
                registry=self.registry,
            ),
            labels,
        )
        self.failed = _Labelled(
            Counter(
                "carepath_handler_failures",
                "Handler attempts that failed, by kind (transient, permanent, unexpected).",
                ["service", "kind"],
                registry=self.registry,
            ),
            labels,
        )
        self.dead_lettered = _Labelled(
            Counter(
                "carepath_events_dead_lettered",
                "Records sent to the dead-letter topic, by error class.",
                ["service", "error_class"],
                registry=self.registry,
            ),
            labels,
        )
        self.handler_latency = Histogram(
            "carepath_batch_handling_seconds",
            "Time to handle and commit one batch of records.",
            ["service"],
            registry=self.registry,
            buckets=(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
        ).labels(**labels)
        self.relay_failures = Counter(
            "carepath_outbox_relay_failures",
            "Outbox relay passes that failed and were retried.",
            ["service"],
            registry=self.registry,
        ).labels(**labels)
        self.outbox_backlog = Gauge(
            "carepath_outbox_backlog",
            "Outbox rows not yet published.",
            ["service"],
            registry=self.registry,
        ).labels(**labels)
        self.consumer_lag = Gauge(
            "carepath_consumer_lag",
            "Records on assigned partitions not yet consumed, summed.",
            ["service"],
            registry=self.registry,
        ).labels(**labels)
        self.rewinds = Counter(
            "carepath_batch_rewinds",
            "Batches an error left unfinished: the consumer was rewound to the batch's first "
            "offsets and the batch retried after a backoff.",
            ["service"],
            registry=self.registry,
        ).labels(**labels)
        self.consumer_stalled = Gauge(
            "carepath_consumer_stalled_seconds",
            "How long the oldest uncommitted batch has waited (0: every consumed batch is "
            "committed); readiness fails past consumer_stall_after_s.",
            ["service"],
            registry=self.registry,
        ).labels(**labels)
        self.timers_fired = _Labelled(
            Counter(
                "carepath_timers_fired",
                "Durable timers fired, by kind.",
                ["service", "kind"],
                registry=self.registry,
            ),
            labels,
        )

    def exposition(self) -> bytes:
        return generate_latest(self.registry)


class _Labelled:
    """A metric family with the service label filled in: `.labels(event_type=...)`."""

    def __init__(self, family, fixed: dict[str, str]) -> None:
        self._family = family
        self._fixed = fixed

    def labels(self, **labels: str):
        return self._family.labels(**self._fixed, **labels)
