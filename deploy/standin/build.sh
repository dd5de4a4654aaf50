#!/usr/bin/env bash
# Builds local stand-ins for the public images of deploy/docker-compose.yml, for a machine that
# cannot pull images (no registry reachable). Nothing is pulled:
#
#   debian:bookworm   debootstrap from Debian's package mirror, imported as an image
#   python:3.11-slim  Debian's Python 3.11 + venv + the host's extra CA certificates
#   apache/kafka      the pinned Kafka jars from Maven Central (the ones `carepath kafka`
#                     caches) on Debian's OpenJDK 17, configured like the official image
#   postgres          Debian's PostgreSQL 15 behind the official image's entry-point interface
#   jaegertracing/jaeger  (with --tracing only) Jaeger v2 built with Go from the Go module proxy
#                     (the release pinned in standin/jaeger/go.mod), for the `tracing` profile
#
# Idempotent: the base is bootstrapped once; the rest are ordinary cached image builds.
# Prints `export` lines (PYTHON_IMAGE, KAFKA_IMAGE, POSTGRES_IMAGE, and TRACING_IMAGE with
# --tracing) for the compose file.
# Usage: eval "$(deploy/standin/build.sh [--tracing])"   (CONTAINER_CLI=docker: build with Docker)
set -euo pipefail

STANDIN_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(dirname "$(dirname "$STANDIN_DIR")")
WORK_DIR="$REPO_DIR/var/standin"
CLI=${CONTAINER_CLI:-podman}
DEBIAN_MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}

BASE_IMAGE=localhost/carepath-standin/debian:bookworm
PYTHON_IMAGE=localhost/carepath-standin/python:3.11-slim
POSTGRES_IMAGE=localhost/carepath-standin/postgres:15

say() { echo "standin: $*" >&2; }
die() { echo "standin: error: $*" >&2; exit 1; }
timed() {
  local label=$1 start=$SECONDS
  shift
  "$@"
  say "$label: $((SECONDS - start)) s"
}

build() {
  local tag=$1 context=$2
  "$CLI" build --quiet --build-arg "BASE_IMAGE=$BASE_IMAGE" -t "$tag" "$context" >/dev/null ||
    die "building $tag from $context failed"
}

base_image() {
  if "$CLI" image inspect "$BASE_IMAGE" >/dev/null 2>&1; then
    return
  fi
  command -v debootstrap >/dev/null || die "debootstrap is not installed (apt-get install debootstrap)"
  local rootfs="$WORK_DIR/rootfs"
  rm -rf "$rootfs"
  mkdir -p "$rootfs"
  say "debootstrap --variant=minbase bookworm from $DEBIAN_MIRROR"
  debootstrap --variant=minbase bookworm "$rootfs" "$DEBIAN_MIRROR" >"$WORK_DIR/debootstrap.log" 2>&1 ||
    die "debootstrap failed; see $WORK_DIR/debootstrap.log"
  cat >"$rootfs/etc/apt/sources.list" <<EOF
deb $DEBIAN_MIRROR bookworm main
deb $DEBIAN_MIRROR bookworm-updates main
deb ${DEBIAN_MIRROR%/debian}/debian-security bookworm-security main
EOF
  # Keep images small: no docs, no man pages, no apt caches (as Docker's debian images do).
  cat >"$rootfs/etc/dpkg/dpkg.cfg.d/excludes" <<'EOF'
path-exclude /usr/share/doc/*
path-exclude /usr/share/man/*
path-exclude /usr/share/locale/*
EOF
  printf 'APT::Install-Recommends "false";\nAPT::Install-Suggests "false";\n' \
    >"$rootfs/etc/apt/apt.conf.d/90carepath"
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
  tar -C "$rootfs" -c . | "$CLI" import --change 'CMD ["/bin/bash"]' - "$BASE_IMAGE" >/dev/null
  rm -rf "$rootfs"
}

python_image() {
  local context="$WORK_DIR/python"
  rm -rf "$context" && mkdir -p "$context/certs"
  cp "$STANDIN_DIR/python/Dockerfile" "$context/"
  # The host's own additions to the system CA store (e.g. a TLS-intercepting proxy's CA).
  if compgen -G "/usr/local/share/ca-certificates/*.crt" >/dev/null; then
    cp /usr/local/share/ca-certificates/*.crt "$context/certs/"
  fi
  build "$PYTHON_IMAGE" "$context"
}

kafka_image() {
  local version
  version=$(cd "$REPO_DIR" && uv run --frozen python -c \
    'from carepath_localkafka.versions import KAFKA_VERSION; print(KAFKA_VERSION)')
  KAFKA_IMAGE=localhost/carepath-standin/kafka:$version
  # The same jar cache as `carepath kafka` (CAREPATH_CACHE_DIR, else the checkout's .cache).
  local cache="${CAREPATH_CACHE_DIR:-$REPO_DIR/.cache}"
  local libs="$cache/kafka/$version/libs"
  if [ ! -f "$cache/kafka/$version/complete.json" ]; then
    (cd "$REPO_DIR" && uv run --frozen carepath kafka fetch >&2)
  fi
  # The broker's jars lack the command-line tools (kafka-tools); fetch that one jar too.
  local tools_dir="$cache/kafka-tools/$version"
  local tools_jar="$tools_dir/kafka-tools-$version.jar"
  if [ ! -f "$tools_jar" ]; then
    command -v mvn >/dev/null || die "mvn is needed once to fetch kafka-tools $version"
    say "fetching org.apache.kafka:kafka-tools:$version from Maven Central"
    mvn -B -q -Dstyle.color=never ${CAREPATH_MAVEN_ARGS:-} \
      org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy \
      "-Dartifact=org.apache.kafka:kafka-tools:$version:jar" "-DoutputDirectory=$tools_dir.partial" >&2
    mkdir -p "$tools_dir"
    mv "$tools_dir.partial/kafka-tools-$version.jar" "$tools_jar"
    rm -rf "$tools_dir.partial"
  fi
  local context="$WORK_DIR/kafka"
  rm -rf "$context" && mkdir -p "$context/libs"
  cp -r "$STANDIN_DIR/kafka/." "$context/"
  cp "$libs"/*.jar "$tools_jar" "$context/libs/"
  build "$KAFKA_IMAGE" "$context"
}

postgres_image() {
  build "$POSTGRES_IMAGE" "$STANDIN_DIR/postgres"
}

tracing_image() {
  command -v go >/dev/null || die "go is needed to build the Jaeger stand-in (--tracing)"
  local release
  release=$(awk '$1 == "require" && $2 == "github.com/jaegertracing/jaeger" {print $3; exit}' "$STANDIN_DIR/jaeger/go.mod")
  TRACING_IMAGE=localhost/carepath-standin/jaeger:$release
  if "$CLI" image inspect "$TRACING_IMAGE" >/dev/null 2>&1; then
    return
  fi
  local context="$WORK_DIR/jaeger"
  rm -rf "$context" && mkdir -p "$context"
  cp "$STANDIN_DIR/jaeger/Dockerfile" "$context/"
  say "building jaeger $release with Go (modules from the Go module proxy; minutes the first time)"
  (cd "$STANDIN_DIR/jaeger" && CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" \
    -o "$context/jaeger" github.com/jaegertracing/jaeger/cmd/jaeger >&2) ||
    die "go build of jaeger $release failed"
  build "$TRACING_IMAGE" "$context"
}

mkdir -p "$WORK_DIR"
timed "debian base" base_image
timed "python image" python_image
timed "kafka image" kafka_image
timed "postgres image" postgres_image
if [ "${1:-}" = "--tracing" ]; then
  timed "tracing image" tracing_image
  echo "export TRACING_IMAGE=$TRACING_IMAGE"
fi
echo "export PYTHON_IMAGE=$PYTHON_IMAGE"
echo "export KAFKA_IMAGE=$KAFKA_IMAGE"
echo "export POSTGRES_IMAGE=$POSTGRES_IMAGE"
