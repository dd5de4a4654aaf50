#!/usr/bin/env bash
# CI step for the compose stack, called by .ci/run after the main test suite (it relies on
# what .ci/run provides: uv with `uv sync --frozen` done, Java and Maven, the Kafka jars).
# Runs deploy/smoke.sh: Podman when no Docker engine answers, local images, nothing pulled.
set -euo pipefail
cd "$(dirname "$0")/.."
exec bash deploy/smoke.sh "$@"
