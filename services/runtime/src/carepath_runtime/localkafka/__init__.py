"""A real single-node Apache Kafka (KRaft) on the local JVM, from Maven Central's jars."""

from carepath_runtime.localkafka.errors import (
    BrokerNotReadyError,
    JarFetchError,
    JavaNotFoundError,
    JavaTooOldError,
    LocalKafkaError,
    MavenCentralUnreachableError,
    MavenNotFoundError,
    PortInUseError,
    StorageFormatError,
)
from carepath_runtime.localkafka.jar_cache import KafkaJarCache
from carepath_runtime.localkafka.local_kafka import BrokerStatus, LocalKafka, StartOutcome
from carepath_runtime.localkafka.versions import KAFKA_DOCKER_IMAGE, KAFKA_VERSION

__all__ = [
    "KAFKA_DOCKER_IMAGE",
    "KAFKA_VERSION",
    "BrokerNotReadyError",
    "BrokerStatus",
    "JarFetchError",
    "JavaNotFoundError",
    "JavaTooOldError",
    "KafkaJarCache",
    "LocalKafka",
    "LocalKafkaError",
    "MavenCentralUnreachableError",
    "MavenNotFoundError",
    "PortInUseError",
    "StartOutcome",
    "StorageFormatError",
]
