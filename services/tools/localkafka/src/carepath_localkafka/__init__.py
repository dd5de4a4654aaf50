"""A real single-node Apache Kafka (KRaft) on the local JVM, from Maven Central's jars."""

from carepath_localkafka.errors import (
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
from carepath_localkafka.jar_cache import KafkaJarCache
from carepath_localkafka.local_kafka import BrokerStatus, LocalKafka, StartOutcome
from carepath_localkafka.versions import KAFKA_DOCKER_IMAGE, KAFKA_VERSION

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
