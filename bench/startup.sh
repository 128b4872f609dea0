#!/usr/bin/env bash
# Start-up to the first Metadata answer listing every broker: Samsa one node (wall and broker CPU), Samsa three nodes
# (./samsa cluster), Kafka 4.1.1 one and three nodes (../shared/bench/kafka.sh). Run under the bench lock:
#   flock /work/notes/bench.lock bench/startup.sh [RUNS] [PORT]
# Build first (./samsa build): a start that has to build would be timed too.
set -u
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
B=${BENCH_DIR:-$ROOT/../shared/bench}
RUNS=${1:-3}
PORT=${2:-20592}
now() { python3 -c 'import time; print(time.time())'; }
echo "== samsa, 1 node: wall_s cpu_s"
for _ in $(seq 1 "$RUNS"); do
  D=$(mktemp -d); t0=$(now)
  "$ROOT/samsa" start --port "$PORT" --data-dir "$D" --http-port -1 >"$D.log" 2>&1 &
  pid=$!
  wall=$(python3 "$B/lib/benchlib.py" wait --bootstrap "127.0.0.1:$PORT" --t0 "$t0" --timeout 60 --pid "$pid")
  echo "$wall $(awk '{printf "%.2f", ($14+$15)/100}' "/proc/$pid/stat")"
  kill "$pid"; wait "$pid" 2>/dev/null; rm -rf "$D" "$D.log"
done
echo "== samsa, 3 nodes: wall_s"
for _ in $(seq 1 "$RUNS"); do
  D=$(mktemp -d); t0=$(now)
  PID_FILE=$D.pids setsid "$ROOT/samsa" cluster --nodes 3 --port "$PORT" --data-dir "$D" >"$D.log" 2>&1 &
  python3 "$B/lib/benchlib.py" wait --bootstrap "127.0.0.1:$PORT" --brokers 3 --t0 "$t0" --timeout 90
  sleep 0.5
  for p in $(cat "$D.pids"); do kill "$p"; done
  sleep 3; rm -rf "$D" "$D.pids" "$D.log"
done
for nodes in 1 3; do
  echo "== kafka 4.1.1, $nodes node(s)"
  for _ in $(seq 1 "$RUNS"); do
    D=$(mktemp -d)
    "$B/kafka.sh" format --nodes "$nodes" --port-base "$PORT" --data "$D" >/dev/null 2>&1
    "$B/kafka.sh" start --nodes "$nodes" --port-base "$PORT" --data "$D" 2>&1 | grep -E 'startup_s|rror'
    "$B/kafka.sh" clean --nodes "$nodes" --port-base "$PORT" --data "$D" >/dev/null 2>&1
    rm -rf "$D"
  done
done
