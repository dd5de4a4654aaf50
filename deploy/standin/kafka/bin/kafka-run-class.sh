#!/usr/bin/env bash
# Runs a Kafka class on the bundled jars, like the distribution's script of the same name.
# KAFKA_HEAP_OPTS, KAFKA_JVM_PERFORMANCE_OPTS, KAFKA_OPTS and KAFKA_LOG4J_OPTS are honoured.
set -euo pipefail
exec java ${KAFKA_HEAP_OPTS:--Xmx256m} \
  ${KAFKA_JVM_PERFORMANCE_OPTS:--XX:+UseG1GC -XX:MaxGCPauseMillis=20 -Djava.awt.headless=true} \
  ${KAFKA_LOG4J_OPTS:--Dlog4j2.configurationFile=/etc/kafka/docker/tools-log4j2.properties} \
  ${KAFKA_OPTS:-} -cp "/opt/kafka/libs/*" "$@"
