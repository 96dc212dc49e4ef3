#!/usr/bin/env bash
# Cold start of the packaged JVM service: process start -> first successful v2 inference and -> first successful
# /v1/embeddings answer (which also needs the tokenizer), measured from outside, then the resident memory once warm. Usage: src/test/scripts/first-inference.sh [runs] (after ./mvnw package).
# JAVA (the java binary) and JAVA_OPTS choose the JVM and its flags, JAR the service (default: this build),
# SERVER_ENV more NAME=value pairs for its environment (LD_PRELOAD=...); cold-start-matrix.sh compares them.
set -euo pipefail
cd "$(dirname "$0")/../../.."
runs=${1:-5}
port=${PORT:-18080}
jar=${JAR:-target/quarkus-app/quarkus-run.jar}
[ -f "$jar" ] || { echo "build first: ./mvnw package -DskipTests" >&2; exit 1; }
. src/test/scripts/first-request.sh
times=()
embedding_times=()
for run in $(seq "$runs"); do
  start=$(date +%s%N)
  env ${SERVER_ENV:-} ${JAVA:-java} ${JAVA_OPTS:-} -Dquarkus.http.port="$port" -jar "$jar" > "/tmp/zeroserve-first-inference.log" 2>&1 &
  pid=$!
  until v2_infer "$port"; do
    kill -0 "$pid" 2>/dev/null || { echo "service exited; see /tmp/zeroserve-first-inference.log" >&2; exit 1; }
    sleep 0.01
  done
  end=$(date +%s%N)
  until curl -sf -o /dev/null "http://localhost:$port/v1/embeddings" -H 'Content-Type: application/json' \
      -d '{"model":"all-minilm-l6-v2","input":"hello world"}'; do
    kill -0 "$pid" 2>/dev/null || { echo "service exited; see /tmp/zeroserve-first-inference.log" >&2; exit 1; }
    sleep 0.01
  done
  embedded=$(date +%s%N)
  ms=$(( (end - start) / 1000000 ))
  embedding_ms=$(( (embedded - start) / 1000000 ))
  times+=("$ms")
  embedding_times+=("$embedding_ms")
  rss=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")
  echo "run $run: first inference after ${ms} ms, first embeddings after ${embedding_ms} ms, RSS ${rss} KiB"
  kill "$pid"; wait "$pid" 2>/dev/null || true
done
summary() { # label, times...
  local label=$1; shift
  local sorted
  sorted=$(printf '%s\n' "$@" | sort -n)
  echo "start -> $label over $runs runs: median $(echo "$sorted" | sed -n "$(( (runs + 1) / 2 ))p") ms," \
    "min $(echo "$sorted" | head -1) ms, max $(echo "$sorted" | tail -1) ms"
}
summary "first inference" "${times[@]}"
summary "first embeddings" "${embedding_times[@]}"
