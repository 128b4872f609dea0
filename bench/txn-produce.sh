#!/usr/bin/env bash
# Transactional produce throughput: Samsa against Apache Kafka 4.1.1 on this machine, interleaved rounds
# (Samsa, Kafka, Kafka, Samsa, ...), with kafka-tools' ProducerPerformance (--transactional-id,
# --transaction-duration-ms). ../shared/bench supplies Kafka 4.1.1, the client classpath and BenchTool; run its
# setup.sh once. Prints each run and the median ratio Samsa/Kafka of records/s.
#
#   bench/txn-produce.sh [--rounds N] [--records N] [--size BYTES] [--txn-ms MS]
set -euo pipefail
cd "$(dirname "$0")/.."
SAMSA_DIR=$PWD
BENCH=${BENCH_DIR:-$SAMSA_DIR/../shared/bench}
ROUNDS=3 RECORDS=1000000 SIZE=100 TXN_MS=100
while [[ $# -gt 0 ]]; do
  case $1 in
    --rounds) ROUNDS=$2; shift 2 ;;
    --records) RECORDS=$2; shift 2 ;;
    --size) SIZE=$2; shift 2 ;;
    --txn-ms) TXN_MS=$2; shift 2 ;;
    *) echo "usage: $0 [--rounds N] [--records N] [--size BYTES] [--txn-ms MS]" >&2; exit 2 ;;
  esac
done
# shellcheck source=/dev/null
source "$BENCH/lib/common.sh"
require_setup
JAVA=$(bench_java)
read -r -a CLIENT_OPTS <<<"$CLIENT_JAVA_OPTS"
TOOL=("$JAVA" "${CLIENT_OPTS[@]}" -cp "$KAFKA_CP:$BENCHTOOL_CLASSES")
WORK=$(mktemp -d /tmp/txn-produce-XXXXXX)
SAMSA_PORT=19200 KAFKA_PORT=19210
log "work folder $WORK; $RECORDS x $SIZE B, transactions of $TXN_MS ms, $ROUNDS rounds"

wait_port() {
  for _ in $(seq 1 300); do
    (echo >"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.1
  done
  die "nothing listens on $1"
}

# ProducerPerformance with transactions against 127.0.0.1:$1: $2 records, output in $WORK/$3.out.
perf() {
  "${TOOL[@]}" org.apache.kafka.tools.ProducerPerformance --topic txn-bench --num-records "$2" \
    --record-size "$SIZE" --throughput -1 --transactional-id "txn-bench-$3" --transaction-duration-ms "$TXN_MS" \
    --producer-props "bootstrap.servers=127.0.0.1:$1" acks=all linger.ms=5 batch.size=65536 \
    >"$WORK/$3.out" 2>&1 || { cat "$WORK/$3.out" >&2; die "ProducerPerformance failed ($3)"; }
}

# Creates the topic, warms up (JIT, transaction coordinator) untimed, then one timed run; prints records/s.
produce() {
  "${TOOL[@]}" BenchTool create-topics --bootstrap "127.0.0.1:$1" --rf 1 --topics txn-bench:4 >/dev/null
  perf "$1" 200000 "$2-warmup"
  perf "$1" "$RECORDS" "$2"
  grep -E 'records sent' "$WORK/$2.out" | tail -1 | sed -E 's/.* ([0-9.]+) records\/sec.*/\1/'
}

run_samsa() {
  local data="$WORK/samsa-data" pid rate
  rm -rf "$data"
  "$SAMSA_DIR/samsa" start --port "$SAMSA_PORT" --data-dir "$data" >"$WORK/samsa-$1.log" 2>&1 &
  pid=$!
  wait_port "$SAMSA_PORT"
  rate=$(produce "$SAMSA_PORT" "samsa-$1")
  kill "$pid"; wait "$pid" 2>/dev/null || true
  echo "$rate"
}

run_kafka() {
  local data="$WORK/kafka-data" rate
  "$BENCH/kafka.sh" start --port-base "$KAFKA_PORT" --data "$data" >"$WORK/kafka-$1.log" 2>&1
  rate=$(produce "$KAFKA_PORT" "kafka-$1")
  "$BENCH/kafka.sh" clean --port-base "$KAFKA_PORT" --data "$data" >>"$WORK/kafka-$1.log" 2>&1
  echo "$rate"
}

"$SAMSA_DIR/samsa" build >/dev/null
samsa_rates=() kafka_rates=()
for round in $(seq 1 "$ROUNDS"); do
  if (( round % 2 )); then
    s=$(run_samsa "$round"); k=$(run_kafka "$round")
  else
    k=$(run_kafka "$round"); s=$(run_samsa "$round")
  fi
  samsa_rates+=("$s") kafka_rates+=("$k")
  log "round $round: samsa $s rec/s, kafka $k rec/s"
done
python3 - "${samsa_rates[*]}" "${kafka_rates[*]}" <<'PY'
import statistics, sys
s = [float(x) for x in sys.argv[1].split()]
k = [float(x) for x in sys.argv[2].split()]
ratios = [a / b for a, b in zip(s, k)]
print(f"txn_produce rec/s median: samsa {statistics.median(s):.0f}, kafka {statistics.median(k):.0f}, "
      f"ratio of medians {statistics.median(s) / statistics.median(k):.2f}, "
      f"pairwise ratios {' '.join(f'{r:.2f}' for r in ratios)} (median {statistics.median(ratios):.2f})")
PY
