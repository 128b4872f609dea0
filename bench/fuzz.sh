#!/usr/bin/env bash
# A long fuzz run: FuzzIT (mutated real client requests against an in-process broker, then a restart and a check of
# the data directory against the metadata) for as long as asked, at low CPU priority so that it can share the
# machine. The last line is FuzzIT's summary: frames sent, answered, closed, held, failures, heap and RSS, seed.
#
#   bench/fuzz.sh [--minutes N] [--seed S]      (default 60 minutes, a fresh seed)
#
# The failures, with the frames that caused them, are in
# samsa-broker/target/failsafe-reports/io.samsa.it.FuzzIT.txt; replay a run with --seed.
set -euo pipefail
cd "$(dirname "$0")/.."
MINUTES=60 SEED=""
while [[ $# -gt 0 ]]; do
  case $1 in
    --minutes) MINUTES=$2; shift 2 ;;
    --seed) SEED=$2; shift 2 ;;
    *) echo "usage: $0 [--minutes N] [--seed S]" >&2; exit 2 ;;
  esac
done
[[ $MINUTES =~ ^[0-9]+$ && $MINUTES -gt 0 ]] || { echo "--minutes must be a positive number" >&2; exit 2; }
args=(-B -q -Dstyle.color=never verify -pl samsa-broker -am -Dtest=NONE -Dit.test=FuzzIT
  -Dsurefire.failIfNoSpecifiedTests=false -Dfailsafe.failIfNoSpecifiedTests=false
  -Dsamsa.fuzz.seconds=$((MINUTES * 60)))
[[ -n $SEED ]] && args+=(-Dsamsa.fuzz.seed="$SEED")
# The launcher finds a JDK 21+ the same way ./samsa does.
JAVA_HOME=$(bash -c 'source <(sed -n "/^java_major()/,/^}/p;/^find_jdk()/,/^}/p" ./samsa); find_jdk')
export JAVA_HOME
status=0
nice -n 15 ./mvnw "${args[@]}" >/dev/null 2>&1 || status=$?
report=samsa-broker/target/failsafe-reports/io.samsa.it.FuzzIT-output.txt
summary=$(grep -h '^FUZZ RESULT' "$report" 2>/dev/null | tail -1 || true)
if [[ -z $summary ]]; then
  echo "FUZZ RESULT none: the run did not finish (exit $status); see samsa-broker/target/failsafe-reports/" >&2
  exit 1
fi
[[ $status -eq 0 ]] || grep -h -A40 'problem(s)' samsa-broker/target/failsafe-reports/io.samsa.it.FuzzIT.txt | head -80
echo "$summary"
exit "$status"
