#!/usr/bin/env bash
# Cold start of the packaged JVM service: process start -> first successful v2 inference and -> first successful
# /v1/embeddings answer (which also needs the tokenizer), measured from outside, then the resident memory once warm.
# Usage: src/tools/scripts/first-inference.sh [runs] (after ./mvnw package).
# JAVA (the java binary) and JAVA_OPTS choose the JVM and its flags, JAR the service (default: this build),
# SERVER_ENV more NAME=value pairs for its environment (LD_PRELOAD=...); cold-start-matrix.sh compares them.
set -euo pipefail
cd "$(dirname "$0")/../../.."
. src/tools/scripts/lib.sh
runs=${1:-5}
port=${PORT:-18080}
jar=${JAR:-target/quarkus-app/quarkus-run.jar}
[ -f "$jar" ] || { echo "build first: ./mvnw package -DskipTests" >&2; exit 1; }
server_log=/tmp/zeroserve-first-inference.log
times=()
embedding_times=()
for run in $(seq "$runs"); do
  start=$(date +%s%N)
  # shellcheck disable=SC2086 # JAVA_OPTS is a list of flags
  launch_server "$jar" "$port" "$server_log" ${JAVA_OPTS:-}
  until_answered "$server_pid" "$server_log" v2_infer "$port"
  end=$(date +%s%N)
  until_answered "$server_pid" "$server_log" embed_once "$port"
  embedded=$(date +%s%N)
  ms=$(( (end - start) / 1000000 ))
  embedding_ms=$(( (embedded - start) / 1000000 ))
  times+=("$ms")
  embedding_times+=("$embedding_ms")
  rss=$(grep VmRSS "/proc/$server_pid/status" | tr -dc 0-9)
  echo "run $run: first inference after ${ms} ms, first embeddings after ${embedding_ms} ms, RSS ${rss} KiB"
  stop_server "$server_pid"
done
summary() { # label, times...
  local label=$1 median min max; shift
  read -r median min max < <(printf '%s\n' "$@" | numbers stats)
  echo "start -> $label over $runs runs: median $median ms, min $min ms, max $max ms"
}
summary "first inference" "${times[@]}"
summary "first embeddings" "${embedding_times[@]}"
