#!/usr/bin/env bash
# One-shot before the secure broker's first start (docker-compose.secure.yml, `kafka-format`):
# formats the KRaft storage with a SCRAM-SHA-512 credential for every principal whose password
# file is in /carepath/principals (KRaft keeps SCRAM credentials in its metadata log, and the
# admin's must be there before the broker can be administered). A formatted volume is left as
# it is; principals added later go in with kafka-configs.sh (deploy/README.md, section 13).
# Works with the official apache/kafka image and the stand-in alike. Runs as root, then gives
# the data to the broker's user.
set -euo pipefail

data=/var/lib/kafka/data
if [[ -f $data/meta.properties ]]; then
  echo "kafka-format: storage already formatted"
  exit 0
fi
config=$(mktemp)
# Only what the storage tool reads; the broker's own settings come from KAFKA_* at its start.
cat >"$config" <<PROPERTIES
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@localhost:9093
controller.listener.names=CONTROLLER
listeners=INTERNAL://0.0.0.0:9092,CONTROLLER://localhost:9093
advertised.listeners=INTERNAL://kafka:9092
inter.broker.listener.name=INTERNAL
listener.security.protocol.map=INTERNAL:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$data
PROPERTIES
scram=()
for file in /carepath/principals/*.password; do
  name=$(basename "$file" .password)
  scram+=(--add-scram "SCRAM-SHA-512=[name=$name,password=$(tr -d '\n' <"$file")]")
done
[[ ${#scram[@]} -gt 0 ]] || { echo "kafka-format: no principals in /carepath/principals" >&2; exit 1; }
# The tool prints the credential records it writes: kept out of the logs.
/opt/kafka/bin/kafka-storage.sh format --cluster-id "$CLUSTER_ID" --config "$config" \
  "${scram[@]}" >/dev/null
chown -R appuser "$data"
echo "kafka-format: formatted with $((${#scram[@]} / 2)) principals"
