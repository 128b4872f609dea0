#!/usr/bin/env bash
# Produce and consume throughput of one Samsa broker over PLAINTEXT and over SASL_SSL (PLAIN, TLS 1.3), measured
# with Kafka's own perf tools (ProducerPerformance, ConsumerPerformance of kafka-tools 4.1.1) on the same broker.
#
# Usage: bench/security-throughput.sh [--port P] [--records N] [--size BYTES]
#   --port P      PLAINTEXT on P, SASL_SSL on P+1 (default 23000)
#   --records N   records per run (default 2000000)
#   --size B      record size (default 100)
# Uses the whole machine: run it under the bench lock, e.g. flock /work/notes/bench.lock bench/security-throughput.sh
set -euo pipefail
cd "$(dirname "$0")/.."
port=23000; records=2000000; size=100
while [[ $# -gt 0 ]]; do
  case "$1" in
    --port) port=$2; shift 2 ;;
    --records) records=$2; shift 2 ;;
    --size) size=$2; shift 2 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
java="$JAVA_HOME/bin/java"
work=$(mktemp -d /tmp/samsa-security-bench-XXXX)
pw=bench-secret
"$JAVA_HOME/bin/keytool" -genkeypair -keystore "$work/broker.p12" -storetype PKCS12 -storepass $pw -keypass $pw \
  -alias broker -keyalg EC -groupname secp256r1 -dname CN=localhost -validity 30 \
  -ext SAN=ip:127.0.0.1,dns:localhost 2>/dev/null
"$JAVA_HOME/bin/keytool" -exportcert -keystore "$work/broker.p12" -storetype PKCS12 -storepass $pw -alias broker \
  -file "$work/broker.crt" -rfc 2>/dev/null
"$JAVA_HOME/bin/keytool" -importcert -noprompt -keystore "$work/trust.p12" -storetype PKCS12 -storepass $pw \
  -alias broker -file "$work/broker.crt" 2>/dev/null
cat > "$work/server.properties" <<EOF
listeners=PLAINTEXT://127.0.0.1:$port,SASL_SSL://127.0.0.1:$((port + 1))
log.dirs=$work/data
sasl.enabled.mechanisms=PLAIN
listener.name.sasl_ssl.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required user_bench="$pw";
ssl.keystore.type=PKCS12
ssl.keystore.location=$work/broker.p12
ssl.keystore.password=$pw
EOF
: > "$work/plaintext.properties"
cat > "$work/sasl_ssl.properties" <<EOF
security.protocol=SASL_SSL
sasl.mechanism=PLAIN
sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="bench" password="$pw";
ssl.truststore.type=PKCS12
ssl.truststore.location=$work/trust.p12
ssl.truststore.password=$pw
EOF
./mvnw -B -q -pl samsa-broker dependency:build-classpath -Dmdep.includeScope=test \
  -Dmdep.outputFile="$work/classpath" >/dev/null
cp=$(<"$work/classpath")
# The perf tools parse their arguments with argparse4j, which the tests' classpath leaves out of kafka-tools.
argparse=$(find "${HOME}/.m2/repository/net/sourceforge/argparse4j" -name 'argparse4j-*.jar' | head -1)
[[ -n $argparse ]] || ./mvnw -B -q dependency:get -Dartifact=net.sourceforge.argparse4j:argparse4j:0.7.0 >/dev/null
argparse=${argparse:-$(find "${HOME}/.m2/repository/net/sourceforge/argparse4j" -name 'argparse4j-*.jar' | head -1)}
cp="$cp:$argparse"
./samsa start --config "$work/server.properties" > "$work/broker.log" 2>&1 &
broker=$!
trap 'kill $broker 2>/dev/null || true; wait $broker 2>/dev/null || true' EXIT
for _ in $(seq 1 600); do
  grep -q "Samsa is listening" "$work/broker.log" && break
  sleep 0.1
done
for protocol in plaintext sasl_ssl; do
  p=$port; [[ $protocol == sasl_ssl ]] && p=$((port + 1))
  echo "== $protocol (127.0.0.1:$p), $records records of $size bytes"
  "$java" -cp "$cp" -Dorg.slf4j.simpleLogger.defaultLogLevel=warn org.apache.kafka.tools.ProducerPerformance \
    --topic "bench-$protocol" --num-records "$records" --record-size "$size" --throughput -1 \
    --producer.config "$work/$protocol.properties" \
    --producer-props bootstrap.servers=127.0.0.1:$p acks=1 linger.ms=5 batch.size=131072 | tail -1
  "$java" -cp "$cp" -Dorg.slf4j.simpleLogger.defaultLogLevel=warn org.apache.kafka.tools.ConsumerPerformance \
    --bootstrap-server 127.0.0.1:$p --topic "bench-$protocol" --messages "$records" \
    --consumer.config "$work/$protocol.properties" --timeout 60000 | tail -1
done
echo "work dir: $work"
