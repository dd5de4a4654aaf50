"""Pinned versions of everything the local broker is built from."""

# 4.4.0 is the newest kafka_2.13 on Maven Central that we checked end to end here:
# KRaft combined mode starts, and aiokafka's admin, idempotent and transactional
# producers all work against it.
KAFKA_VERSION = "4.4.0"

# kafka_2.13 brings log4j-api/core but no SLF4J binding; this must match the
# log4j-core version that kafka_2.13 itself depends on.
LOG4J_VERSION = "2.25.5"

# Pinned so a fresh machine resolves the same plugin every time (3.8.x still runs on Maven 3.8).
MAVEN_DEPENDENCY_PLUGIN = "org.apache.maven.plugins:maven-dependency-plugin:3.8.1"

# The official image of the same Kafka release, for testcontainers.
KAFKA_DOCKER_IMAGE = f"apache/kafka:{KAFKA_VERSION}"

# Kafka 4.x brokers need Java 17 or newer.
MINIMUM_JAVA_MAJOR = 17
