#!/usr/bin/env bash
# Load benchmark of one or more packaged Zeroserve servers, driven from outside by C load generators (wrk for
# HTTP/1.1: REST JSON, REST binary tensors, /v1/embeddings; h2load for gRPC over h2c), so the client's own cost is
# small next to the server's. Usage (after ./mvnw package -DskipTests in each checkout):
#
#   src/tools/scripts/load-bench.sh JAR [JAR2 ...]      # JAR = .../target/quarkus-app/quarkus-run.jar
#
# All servers run at once, each on its own port; cells are interleaved (for each protocol and concurrency: server 1,
# then server 2, ...) so the ratios between servers come from one run on one machine state. Before the servers
# start it measures the in-process ceilings (InProcessCeiling) on the idle machine, and again after they stop.
#
# Environment: SECONDS_PER_CELL (15), WARMUP_SECONDS (30, per protocol per server: C2 needs tens of seconds),
# WARMUP_CONCURRENCY (16), ROUNDS (1: each cell that many times, the first round beside the warm-ups, only the last
# tabled: with 2, every cell is measured after every protocol's warm-up),
# CONCURRENCY ("1 16 64"), PROTOCOLS ("json binary grpc embeddings"), TOKENS (16, for the
# v2 bodies; embeddings always sends one ~12-token sentence), BASE_PORT (18081), JAVA (java), JAVA_OPTS (all servers),
# JAVA_OPTS_1, JAVA_OPTS_2, ... (one server each), SERVER_ENV (NAME=value pairs for every server's environment) and
# ENV_1, ENV_2, ... (one server's), CEILING_SECONDS (10 per ceiling cell; 0 skips it), WRK_THREADS (1),
# H2_CONNECTIONS (1: gRPC's concurrency is streams on one connection, as one gRPC channel does), SKIP_BUILD (1 reuses
# the last compile of the helper classes), MODEL_FILE (another model file with the bundled model's inputs and a
# tokenizer.json beside it, such as lib.sh's float_model: every server serves it, the ceiling runs it), AUTH_KEY (sent as 'Authorization: Bearer' by every request and check, to
# every server: set ENV_1=ZEROSERVE_AUTH_API_KEYS=<key> to compare one server checking keys with one that does not).
# errors: wrk's non-2xx responses and socket errors; for gRPC, answers that are not a complete successful message
# (h2load counts every HTTP 200, gRPC errors included). Each cell is preceded by one curl request that must succeed
# (gRPC: grpc-status 0), else the cell is skipped and its errors column says why.
# Output: the table on stdout (computed by dev.zeroserve.tools.bench.Numbers from the CSV), progress on stderr,
# target/load-bench/results.csv, server logs beside it. Servers, load and numbers: lib.sh.
set -euo pipefail
cd "$(dirname "$0")/../../.."
. src/tools/scripts/lib.sh

[ $# -ge 1 ] || { echo "usage: $0 JAR [JAR2 ...]  (each a target/quarkus-app/quarkus-run.jar)" >&2; exit 2; }
SECONDS_PER_CELL=${SECONDS_PER_CELL:-15}
WARMUP_SECONDS=${WARMUP_SECONDS:-30}
WARMUP_CONCURRENCY=${WARMUP_CONCURRENCY:-16}
CONCURRENCY=${CONCURRENCY:-"1 16 64"}
PROTOCOLS=${PROTOCOLS:-"json binary grpc embeddings"}
TOKENS=${TOKENS:-16}
BASE_PORT=${BASE_PORT:-18081}
CEILING_SECONDS=${CEILING_SECONDS:-10}
ROUNDS=${ROUNDS:-1}
[[ $ROUNDS =~ ^[1-9][0-9]*$ ]] || { echo "ROUNDS must be a whole number from 1: $ROUNDS" >&2; exit 2; }
H2_CONNECTIONS=${H2_CONNECTIONS:-1}
if [ -n "${MODEL_FILE:-}" ]; then  # another model of the bundled one's inputs and tokenizer, served and in-process
  MODEL_FILE=$(realpath "$MODEL_FILE")
  SERVER_ENV="ZEROSERVE_MODEL_URI=file:$MODEL_FILE ZEROSERVE_MODEL_NAME=$MODEL ${SERVER_ENV:-}"
fi
out=$BODIES
mkdir -p "$out"

for c in $CONCURRENCY $WARMUP_CONCURRENCY; do  # h2load runs H2_CONNECTIONS connections of equal stream counts
  [ $((c % (H2_CONNECTIONS < c ? H2_CONNECTIONS : c))) -eq 0 ] \
    || { echo "concurrency $c is not a multiple of H2_CONNECTIONS $H2_CONNECTIONS" >&2; exit 2; }
done

jars=()
for jar in "$@"; do
  [ -f "$jar" ] || { echo "no such jar: $jar (build it: ./mvnw package -DskipTests)" >&2; exit 2; }
  jars+=("$(realpath "$jar")")
done

ensure_load_tools
load_bodies "$TOKENS"  # compiles the tools (SKIP_BUILD=1 reuses the last compile) and writes the bodies

# --- In-process ceiling, first, while nothing else runs: the servers are not started yet. ---
measure_ceiling() { # to a file: the in-process ceiling's cell lines, or nothing when CEILING_SECONDS is 0
  : > "$1"
  [ "$CEILING_SECONDS" != 0 ] || return 0
  log "in-process ceilings (tensor, $TOKENS tokens; embeddings), ${CEILING_SECONDS}s per cell"
  tool dev.zeroserve.tools.bench.InProcessCeiling --seconds "$CEILING_SECONDS" --tokens "$TOKENS" \
    ${MODEL_FILE:+--model "$MODEL_FILE"} | grep '^ceiling ' > "$1" || log "the in-process ceiling failed"
}
busy_before=$(numbers busy)  # the ceiling needs a quiet machine; say whether it had one
measure_ceiling "$out/ceiling-before.txt"
rm -f "$out/ceiling-after.txt"

# --- Servers: all at once, each on its own port. ---
pids=()
ports=()
labels=()
stop_servers() {
  local pid
  for pid in "${pids[@]}"; do stop_server "$pid"; done
  pids=()
}
trap stop_servers EXIT
trap 'exit 130' INT TERM  # so that the EXIT trap stops the servers on ^C too
for i in "${!jars[@]}"; do
  n=$((i + 1))
  port=$((BASE_PORT + i))
  opts_var="JAVA_OPTS_$n"
  env_var="ENV_$n"
  # Label: server number and the checkout the jar comes from (…/<checkout>/target/quarkus-app/quarkus-run.jar).
  labels+=("s$n:$(basename "$(dirname "$(dirname "$(dirname "${jars[$i]}")")")")")
  ports+=("$port")
  # shellcheck disable=SC2086 # the option strings are lists of flags
  SERVER_ENV="${SERVER_ENV:-} ${!env_var:-}" launch_server "${jars[$i]}" "$port" "$out/server-$n.log" ${JAVA_OPTS:-} ${!opts_var:-}
  pids+=("$server_pid")
  log "server ${labels[$i]}: pid ${pids[$i]}, port $port, ${jars[$i]}"
done
for i in "${!pids[@]}"; do
  await_ready "${ports[$i]}" "${pids[$i]}" "$out/server-$((i + 1)).log"
done

# --- The cells, interleaved across servers; each to results.csv, the table computed from it at the end. ---
echo "protocol,concurrency,server,jar,rps,p50_ms,p99_ms,errors,rss_mib,tokens,seconds" > "$out/results.csv"
for round in $(seq "$ROUNDS"); do
  for protocol in $PROTOCOLS; do
    if (( round == 1 )); then
      for i in "${!pids[@]}"; do
        wait_idle "${ports[$i]}"
        log "warm-up: $protocol on ${labels[$i]}, ${WARMUP_SECONDS}s at concurrency $WARMUP_CONCURRENCY"
        size=$(check "$protocol" "${ports[$i]}")
        [[ $size == ERR* ]] || load_cell "$protocol" "${ports[$i]}" "$WARMUP_CONCURRENCY" "$WARMUP_SECONDS" "$size" \
          > /dev/null
      done
    fi
    for c in $CONCURRENCY; do
      for i in "${!pids[@]}"; do
        wait_idle "${ports[$i]}"
        size=$(check "$protocol" "${ports[$i]}")
        if [[ $size == ERR* ]]; then
          rps=0; p50=NA; p99=NA; errors=${size#ERR }
        else
          read -r rps p50 p99 errors < <(load_cell "$protocol" "${ports[$i]}" "$c" "$SECONDS_PER_CELL" "$size")
        fi
        rss=$(rss_mib "${pids[$i]}")
        log "round $round/$ROUNDS: $protocol c=$c ${labels[$i]}: $rps req/s, p50 $p50 ms, p99 $p99 ms, errors $errors," \
          "RSS $rss MiB"
        # Only the last round is tabled: in the earlier ones the JIT may still be compiling the later protocols'
        # code, which a protocol measured first pays.
        (( round < ROUNDS )) \
          || echo "$protocol,$c,${labels[$i]},${jars[$i]},$rps,$p50,$p99,$errors,$rss,$TOKENS,$SECONDS_PER_CELL" \
          >> "$out/results.csv"
      done
    done
  done
done

# --- Summary: the cells against server 1 and the ceiling measured before and after them (its mean: this machine's
# speed drifts by 10-30 % over a run of many minutes, which the two ceilings show). ---
stop_servers
busy_after=$(numbers busy)
measure_ceiling "$out/ceiling-after.txt"
echo
echo "Zeroserve load, $TOKENS tokens (embeddings: one ~12-token sentence), ${SECONDS_PER_CELL}s per cell, warm-up" \
  "${WARMUP_SECONDS}s, round $ROUNDS of $ROUNDS tabled. CPU busy without us: $busy_before before the ceiling," \
  "$busy_after after the servers stopped (well above 0 means something else shared the cores)."
numbers table "$out/results.csv" "$out/ceiling-before.txt" "$out/ceiling-after.txt"
echo "wrote $out/results.csv"
