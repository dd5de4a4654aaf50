"""Errors of the local Kafka broker, each with a one-line message for the command line."""


class LocalKafkaError(Exception):
    """Base class: the message is one line that tells the user what to do."""

    def __str__(self) -> str:
        # Keep it one line even if a cause's text has newlines in it.
        return " ".join(super().__str__().split())


class JavaNotFoundError(LocalKafkaError):
    """No `java` on PATH (or in JAVA_HOME)."""


class JavaTooOldError(LocalKafkaError):
    """`java` is there but older than Kafka needs."""


class MavenNotFoundError(LocalKafkaError):
    """The jars are not cached and `mvn` is not installed to fetch them."""


class MavenCentralUnreachableError(LocalKafkaError):
    """The jars are not cached and Maven could not reach its repository."""


class JarFetchError(LocalKafkaError):
    """Maven ran but failed for another reason (see its message)."""


class PortInUseError(LocalKafkaError):
    """Something already listens on a port the broker needs."""


class StorageFormatError(LocalKafkaError):
    """Kafka's StorageTool could not format the data directory."""


class BrokerNotReadyError(LocalKafkaError):
    """The broker process started but no client could list topics in time, or it exited."""
