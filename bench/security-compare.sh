#!/usr/bin/env bash
# Samsa against Apache Kafka 4.1.1, each over PLAINTEXT and over SASL_SSL (PLAIN, TLS 1.3, the JDK's provider),
# interleaved round by round (Samsa, Kafka, Samsa, Kafka, ...), with compare.sh's produce_100b and consume_100b
# workloads: Kafka's own ProducerPerformance (acks=all, linger.ms=5, batch.size=65536, 100-byte records) and
# ConsumerPerformance, the same client classpath and JVM options for both brokers. The client's security settings
# (security.protocol, sasl.*, ssl.*) go in a client properties file given to the tools; Kafka is configured with the
# same listeners, SASL users and key store as Samsa. Prints, per broker, protocol and workload, the median records/s
# and broker CPU seconds per million records, then the ratios Samsa/Kafka and SASL_SSL/PLAINTEXT.
#
# Usage: bench/security-compare.sh [--rounds R] [--records N] [--port P] [--keep]
#   --rounds R    rounds (default 3); each starts both brokers afresh
#   --records N   records per workload (default 2000000)
#   --port P      Samsa: PLAINTEXT P, SASL_SSL P+1; Kafka: P+10, P+11, controller P+12 (default 23000)
#   --keep        keep the work directory (logs, results.tsv)
# Needs ../shared/bench/setup.sh to have resolved Kafka 4.1.1 (run once), and a built samsa-broker/target/samsa.jar.
# Uses the whole machine: run it under the bench lock: flock /work/notes/bench.lock bench/security-compare.sh
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=3; records=2000000; port=23000; keep=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --rounds) rounds=$2; shift 2 ;;
    --records) records=$2; shift 2 ;;
    --port) port=$2; shift 2 ;;
    --keep) keep=1; shift ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
java="$JAVA_HOME/bin/java"
cache=${SAMSA_BENCH_CACHE:-$HOME/.cache/samsa-bench}/kafka-4.1.1
[[ -f $cache/classpath.txt ]] || { echo "run ../shared/bench/setup.sh first" >&2; exit 1; }
kafka_cp=$(<"$cache/classpath.txt")
shared_lib=$(cd ../shared/bench/lib 2>/dev/null && pwd || echo /work/shared/bench/lib)
[[ -f samsa-broker/target/samsa.jar ]] || { echo "build samsa-broker/target/samsa.jar first" >&2; exit 1; }
# Kafka's defaults from bin/kafka-server-start.sh and kafka-run-class.sh, as ../shared/bench/kafka.sh uses them.
perf_opts="-server -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35 \
-XX:+ExplicitGCInvokesConcurrent -XX:MaxInlineLevel=15 -Djava.awt.headless=true"
tool=("$java" -Xmx512M $perf_opts "-Dlog4j2.configurationFile=$shared_lib/log4j2-tools.properties" -cp "$kafka_cp")

work=$(mktemp -d /tmp/samsa-security-compare-XXXX)
pw=bench-secret
"$JAVA_HOME/bin/keytool" -genkeypair -keystore "$work/broker.p12" -storetype PKCS12 -storepass $pw -keypass $pw \
  -alias broker -keyalg EC -groupname secp256r1 -dname CN=localhost -validity 30 \
  -ext SAN=ip:127.0.0.1,dns:localhost 2>/dev/null
"$JAVA_HOME/bin/keytool" -exportcert -keystore "$work/broker.p12" -storetype PKCS12 -storepass $pw -alias broker \
  -file "$work/broker.crt" -rfc 2>/dev/null
"$JAVA_HOME/bin/keytool" -importcert -noprompt -keystore "$work/trust.p12" -storetype PKCS12 -storepass $pw \
  -alias broker -file "$work/broker.crt" 2>/dev/null
security="sasl.enabled.mechanisms=PLAIN
listener.name.sasl_ssl.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required user_bench=\"$pw\";
ssl.keystore.type=PKCS12
ssl.keystore.location=$work/broker.p12
ssl.keystore.password=$pw"
: > "$work/plaintext.properties"
cat > "$work/sasl_ssl.properties" <<EOF
security.protocol=SASL_SSL
sasl.mechanism=PLAIN
sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="bench" password="$pw";
ssl.truststore.type=PKCS12
ssl.truststore.location=$work/trust.p12
ssl.truststore.password=$pw
EOF

broker_pid=""
stop_broker() {
  [[ -n $broker_pid ]] || return 0
  kill "$broker_pid" 2>/dev/null || true
  wait "$broker_pid" 2>/dev/null || true
  broker_pid=""
}
trap 'stop_broker; [[ $keep == 1 ]] || rm -rf "$work"' EXIT

start_samsa() { # dir
  cat > "$1/server.properties" <<EOF
listeners=PLAINTEXT://127.0.0.1:$port,SASL_SSL://127.0.0.1:$((port + 1))
log.dirs=$1/data
samsa.http.port=-1
$security
EOF
  "$java" -Xms32m -Xmx1g -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -Xss512k --enable-native-access=ALL-UNNAMED \
    -jar samsa-broker/target/samsa.jar start --config "$1/server.properties" > "$1/broker.log" 2>&1 &
  broker_pid=$!
  for _ in $(seq 1 600); do grep -q "Samsa is listening" "$1/broker.log" && return 0; sleep 0.1; done
  echo "Samsa did not start: $1/broker.log" >&2; exit 1
}

start_kafka() { # dir
  local p=$((port + 10))
  mkdir -p "$1/logs"
  cat > "$1/server.properties" <<EOF
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$((p + 2))
listeners=PLAINTEXT://127.0.0.1:$p,SASL_SSL://127.0.0.1:$((p + 1)),CONTROLLER://127.0.0.1:$((p + 2))
advertised.listeners=PLAINTEXT://127.0.0.1:$p,SASL_SSL://127.0.0.1:$((p + 1))
inter.broker.listener.name=PLAINTEXT
controller.listener.names=CONTROLLER
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SASL_SSL:SASL_SSL
num.network.threads=3
num.io.threads=8
log.dirs=$1/data
num.partitions=1
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
$security
EOF
  "$java" -cp "$kafka_cp" -Dlog4j2.configurationFile="$shared_lib/log4j2-tools.properties" \
    kafka.tools.StorageTool format -t "$("$java" -cp "$kafka_cp" kafka.tools.StorageTool random-uuid 2>/dev/null)" \
    -c "$1/server.properties" > "$1/format.log" 2>&1
  "$java" -Xmx1G -Xms1G $perf_opts -Dlog4j2.configurationFile="$shared_lib/log4j2-broker.properties" \
    -Dkafka.logs.dir="$1/logs" -cp "$kafka_cp" kafka.Kafka "$1/server.properties" > "$1/broker.log" 2>&1 &
  broker_pid=$!
  for _ in $(seq 1 1200); do
    grep -qs "Kafka Server started" "$1/broker.log" "$1/logs/server.log" && return 0
    sleep 0.1
  done
  echo "Kafka did not start: $1/broker.log" >&2; exit 1
}

cpu_seconds() { # pid: user+system CPU time of the process so far
  awk -v hz="$(getconf CLK_TCK)" '{ print ($14 + $15) / hz }' "/proc/$1/stat"
}

results="$work/results.tsv"
echo -e "round\tbroker\tprotocol\tworkload\trecords_per_s\tcpu_s" > "$results"
for ((round = 1; round <= rounds; round++)); do
  for broker in samsa kafka; do
    dir="$work/$broker-$round"; mkdir -p "$dir"
    "start_$broker" "$dir"
    base=$port; [[ $broker == kafka ]] && base=$((port + 10))
    for protocol in plaintext sasl_ssl; do
      p=$base; [[ $protocol == sasl_ssl ]] && p=$((base + 1))
      topic="bench-p100-$protocol"
      c0=$(cpu_seconds "$broker_pid")
      line=$("${tool[@]}" org.apache.kafka.tools.ProducerPerformance --topic "$topic" --num-records "$records" \
        --record-size 100 --throughput -1 --producer.config "$work/$protocol.properties" \
        --producer-props acks=all linger.ms=5 batch.size=65536 "bootstrap.servers=127.0.0.1:$p" 2>>"$dir/tools.err" \
        | grep "records sent" | tail -1)
      c1=$(cpu_seconds "$broker_pid")
      rate=$(sed -n 's/.* records sent, \([0-9.]*\) records\/sec.*/\1/p' <<< "$line")
      echo -e "$round\t$broker\t$protocol\tproduce_100b\t$rate\t$(awk -v a="$c0" -v b="$c1" 'BEGIN{print b-a}')" >> "$results"
      echo "round $round $broker $protocol produce_100b: $line"
      c0=$(cpu_seconds "$broker_pid")
      line=$("${tool[@]}" org.apache.kafka.tools.ConsumerPerformance --bootstrap-server "127.0.0.1:$p" \
        --topic "$topic" --messages "$records" --consumer.config "$work/$protocol.properties" --timeout 60000 \
        --group "bench-c100-$protocol-$round" 2>>"$dir/tools.err" | tail -1)
      c1=$(cpu_seconds "$broker_pid")
      # ConsumerPerformance's CSV line; field 10 is fetch.nMsg.sec (records/s once assigned), as compare.sh reads it.
      rate=$(awk -F', *' '{ print $10 }' <<< "$line")
      echo -e "$round\t$broker\t$protocol\tconsume_100b\t$rate\t$(awk -v a="$c0" -v b="$c1" 'BEGIN{print b-a}')" >> "$results"
      echo "round $round $broker $protocol consume_100b: $line"
    done
    stop_broker
  done
done

python3 - "$results" "$records" <<'EOF'
import csv, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
million = int(sys.argv[2]) / 1e6
med = {}
for key in {(r["broker"], r["protocol"], r["workload"]) for r in rows}:
    sel = [r for r in rows if (r["broker"], r["protocol"], r["workload"]) == key and r["records_per_s"]]
    med[key] = (statistics.median(float(r["records_per_s"]) for r in sel),
                statistics.median(float(r["cpu_s"]) for r in sel) / million,
                [round(float(r["records_per_s"])) for r in sel])
print("\nmedians (records/s; broker CPU s per million records; each round's records/s)")
for key in sorted(med):
    rate, cpu, each = med[key]
    print(f"  {key[0]:6} {key[1]:10} {key[2]:13} {rate:12,.0f}  cpu {cpu:6.2f}  {each}")
print("\nratios of the medians")
for workload in ("produce_100b", "consume_100b"):
    for protocol in ("plaintext", "sasl_ssl"):
        s, k = med.get(("samsa", protocol, workload)), med.get(("kafka", protocol, workload))
        if s and k:
            print(f"  samsa/kafka  {protocol:10} {workload:13} {s[0] / k[0]:.2f}")
    for broker in ("samsa", "kafka"):
        t, p = med.get((broker, "sasl_ssl", workload)), med.get((broker, "plaintext", workload))
        if t and p:
            print(f"  {broker} sasl_ssl/plaintext {workload:13} {t[0] / p[0]:.2f}")
EOF
echo "java: $("$java" -version 2>&1 | head -1); work dir: $work$([[ $keep == 1 ]] || echo ' (deleted)')"
