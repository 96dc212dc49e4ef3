#!/usr/bin/env bash
# Load benchmark of one or more packaged Zeroserve servers, driven from outside by C load generators (wrk for
# HTTP/1.1: REST JSON, REST binary tensors, /v1/embeddings; h2load for gRPC over h2c), so the client's own cost is
# small next to the server's. Usage (after ./mvnw package -DskipTests in each checkout):
#
#   src/test/scripts/load-bench.sh JAR [JAR2 ...]      # JAR = .../target/quarkus-app/quarkus-run.jar
#
# All servers run at once, each on its own port; cells are interleaved (for each protocol and concurrency: server 1,
# then server 2, ...) so the ratios between servers come from one run on one machine state. Before the servers
# start it measures the in-process ceilings (InProcessCeiling) on the idle machine, and again after they stop.
#
# Environment: SECONDS_PER_CELL (15), WARMUP_SECONDS (30, per protocol per server: C2 needs tens of seconds),
# WARMUP_CONCURRENCY (16), CONCURRENCY ("1 16 64"), PROTOCOLS ("json binary grpc embeddings"), TOKENS (16, for the
# v2 bodies; embeddings always sends one ~12-token sentence), BASE_PORT (18081), JAVA (java), JAVA_OPTS (all servers),
# JAVA_OPTS_1, JAVA_OPTS_2, ... (one server each), SERVER_ENV (NAME=value pairs for every server's environment) and
# ENV_1, ENV_2, ... (one server's), CEILING_SECONDS (10 per ceiling cell; 0 skips it), WRK_THREADS (1),
# H2_CONNECTIONS (1: gRPC's concurrency is streams on one connection, as one gRPC channel does), SKIP_BUILD (1 reuses
# the last compile of the helper classes), AUTH_KEY (sent as 'Authorization: Bearer' by every request and check, to
# every server: set ENV_1=ZEROSERVE_AUTH_API_KEYS=<key> to compare one server checking keys with one that does not).
# errors: wrk's non-2xx responses and socket errors; for gRPC, answers that are not a complete successful message
# (h2load counts every HTTP 200, gRPC errors included). Each cell is preceded by one curl request that must succeed
# (gRPC: grpc-status 0), else the cell is skipped and its errors column says why.
# Output: the table on stdout, progress on stderr, target/load-bench/results.csv, server logs beside it.
set -euo pipefail
cd "$(dirname "$0")/../../.."

[ $# -ge 1 ] || { echo "usage: $0 JAR [JAR2 ...]  (each a target/quarkus-app/quarkus-run.jar)" >&2; exit 2; }
SECONDS_PER_CELL=${SECONDS_PER_CELL:-15}
WARMUP_SECONDS=${WARMUP_SECONDS:-30}
WARMUP_CONCURRENCY=${WARMUP_CONCURRENCY:-16}
CONCURRENCY=${CONCURRENCY:-"1 16 64"}
PROTOCOLS=${PROTOCOLS:-"json binary grpc embeddings"}
TOKENS=${TOKENS:-16}
BASE_PORT=${BASE_PORT:-18081}
JAVA=${JAVA:-java}
CEILING_SECONDS=${CEILING_SECONDS:-10}
WRK_THREADS=${WRK_THREADS:-1}
H2_CONNECTIONS=${H2_CONNECTIONS:-1}
MODEL=all-minilm-l6-v2
auth=()  # curl's and h2load's arguments for the key, where one is set
[ -z "${AUTH_KEY:-}" ] || auth=(-H "Authorization: Bearer $AUTH_KEY")
GRPC_PATH=/inference.GRPCInferenceService/ModelInfer
out=target/load-bench
mkdir -p "$out"
log() { echo "# $*" >&2; }

for c in $CONCURRENCY $WARMUP_CONCURRENCY; do  # h2load runs H2_CONNECTIONS connections of equal stream counts
  [ $((c % (H2_CONNECTIONS < c ? H2_CONNECTIONS : c))) -eq 0 ] \
    || { echo "concurrency $c is not a multiple of H2_CONNECTIONS $H2_CONNECTIONS" >&2; exit 2; }
done

jars=()
for jar in "$@"; do
  [ -f "$jar" ] || { echo "no such jar: $jar (build it: ./mvnw package -DskipTests)" >&2; exit 2; }
  jars+=("$(realpath "$jar")")
done

# --- Tools: wrk and h2load (nghttp2-client) from Debian, curl for the checks. ---
if ! command -v wrk >/dev/null || ! command -v h2load >/dev/null || ! command -v curl >/dev/null; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo
  log "installing wrk, nghttp2-client (h2load), curl"
  $sudo apt-get update -q >&2
  $sudo apt-get install -y -q wrk nghttp2-client curl >&2
fi

# --- Request bodies and the ceiling come from test classes of this checkout (LoadBodies, InProcessCeiling). ---
# One Maven run compiles them and writes the test classpath, so both then run as plain java processes.
if [ "${SKIP_BUILD:-0}" != 1 ] || [ ! -f "$out/classpath.txt" ]; then
  log "compiling the benchmark helpers (./mvnw -Pbench test-compile)"
  ./mvnw -q -B -Pbench test-compile dependency:build-classpath -Dmdep.includeScope=test \
    -Dmdep.outputFile="$out/classpath.txt" >&2
fi
# The classpath goes in CLASSPATH, not -cp: ONNX Runtime 1.29's native start-up crashes (SIGSEGV, no hs_err) when
# the process's command line is longer than about 4 KiB, and the test classpath is ~27 KiB.
helpers() { # main class and arguments of a helper: run on the test classpath (the servers get none)
  CLASSPATH="target/test-classes:target/classes:$(cat "$out/classpath.txt")" "$JAVA" \
    -Djava.util.logging.manager=org.jboss.logmanager.LogManager "$@"
}
helpers dev.zeroserve.tools.bench.LoadBodies "$out" "$TOKENS" >&2

# --- In-process ceiling, first, while nothing else runs: the servers are not started yet. ---
# CPU in use by anything at all over 2 s, in % of all cores: whether the machine is quiet enough to measure on.
busy() {
  local a b
  a=($(head -1 /proc/stat)); sleep 2; b=($(head -1 /proc/stat))
  awk -v a="${a[*]}" -v b="${b[*]}" 'BEGIN { n = split(a, x, " "); split(b, y, " ")
    for (i = 2; i <= n; i++) { t += y[i] - x[i]; if (i == 5 || i == 6) idle += y[i] - x[i] }
    printf "%.0f%%", 100 * (t - idle) / t }'
}
measure_ceiling() { # the in-process ceiling's cell lines, or nothing when CEILING_SECONDS is 0
  [ "$CEILING_SECONDS" != 0 ] || return 0
  log "in-process ceilings (tensor, $TOKENS tokens; embeddings), ${CEILING_SECONDS}s per cell"
  helpers dev.zeroserve.tools.bench.InProcessCeiling --seconds "$CEILING_SECONDS" --tokens "$TOKENS" | grep '^ceiling '
}
busy_before=$(busy)  # the ceiling needs a quiet machine; say whether it had one
ceiling_before=$(measure_ceiling | tee "$out/ceiling-before.txt")
# What each cell is a ratio to, per pipeline (tensor for the v2 protocols, embeddings for /v1/embeddings): the best
# rows/s of its ceiling cells, and its one-caller single-request p50. While the cells run, the ceiling measured
# before them; in the summary, the mean of that and the ceiling measured again after them, as the machine's speed
# drifts over a run of many minutes (both are printed).
ceiling_field() { # ceiling lines, pipeline, awk program over the key=value fields v[...] of that pipeline's cells
  [ -n "$1" ] || { echo NA; return; }
  echo "$1" | awk -v pipeline="$2" \
    "{ for (i = 2; i <= NF; i++) { split(\$i, kv, \"=\"); v[kv[1]] = kv[2] } if (v[\"pipeline\"] != pipeline) next; $3 }"
}
declare -A best_rows single_p50
references() { # ceiling lines [more ceiling lines]: best_rows and single_p50 per pipeline, averaged over the sets
  local pipeline set best p50
  for pipeline in tensor embeddings; do
    best=(); p50=()
    for set in "$@"; do
      best+=("$(ceiling_field "$set" $pipeline 'if (v["rows_per_s"] > best) best = v["rows_per_s"] } END { print best + 0')")
      p50+=("$(ceiling_field "$set" $pipeline 'if (v["batch"] == 1 && v["callers"] == 1) p50 = v["p50_ms"] }
        END { print p50 == "" ? "NA" : p50')")
    done
    best_rows[$pipeline]=$(printf '%s\n' "${best[@]}" | awk '$1 != "NA" { s += $1; n++ } END { print n ? sprintf("%.1f", s / n) : "NA" }')
    single_p50[$pipeline]=$(printf '%s\n' "${p50[@]}" | awk '$1 != "NA" { s += $1; n++ } END { print n ? sprintf("%.3f", s / n) : "NA" }')
  done
}
references "$ceiling_before"
pipeline_of() { [ "$1" = embeddings ] && echo embeddings || echo tensor; }

# --- Servers: all at once, each on its own port (src/test/scripts/server.sh). ---
. src/test/scripts/server.sh
pids=()
ports=()
labels=()
stop_servers() {
  [ ${#pids[@]} -gt 0 ] || return 0
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  done
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

# --- Per protocol: the wrk Lua script (HTTP/1.1 POST of a body file) or h2load's arguments. ---
lua_script() { # protocol, body file, content type, [extra header name, extra header value]
  local extra=""
  [ $# -lt 4 ] || extra="wrk.headers[\"$4\"] = \"$5\""
  cat > "$out/$1.lua" <<EOF
-- Generated by load-bench.sh: POST $2, and one parseable summary line at the end.
local f = assert(io.open("$2", "rb"))
wrk.method = "POST"
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = "$3"
$extra
${AUTH_KEY:+wrk.headers[\"Authorization\"] = \"Bearer $AUTH_KEY\"}
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("LOADBENCH requests=%d seconds=%.3f p50_ms=%.3f p99_ms=%.3f non2xx=%d socket_errors=%d\n",
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    e.status, e.connect + e.read + e.write + e.timeout))
end
EOF
}
lua_script json "$out/json.body" application/json
lua_script binary "$out/binary.body" application/octet-stream Inference-Header-Content-Length "$(cat "$out/binary.header-length")"
lua_script embeddings "$out/embeddings.body" application/json

path_of() { # protocol
  case $1 in
    json|binary) echo "/v2/models/$MODEL/infer" ;;
    embeddings) echo /v1/embeddings ;;
    grpc) echo "$GRPC_PATH" ;;
    *) echo "unknown protocol $1" >&2; exit 2 ;;
  esac
}

# One request with curl before each cell, as a check that the protocol answers successfully on this server (a
# broken path would otherwise be measured as fast errors). Prints the size of a successful response body (gRPC:
# the length-prefixed message, used to count h2load's successes) or "ERR <reason>".
check() { # protocol, port
  local url="http://localhost:$2$(path_of "$1")" code
  case $1 in
    json|embeddings)
      code=$(curl -s -o "$out/check.out" -w '%{http_code}' "${auth[@]}" -H 'Content-Type: application/json' \
        --data-binary "@$out/$1.body" "$url") || code=000 ;;
    binary)
      code=$(curl -s -o "$out/check.out" -w '%{http_code}' "${auth[@]}" -H 'Content-Type: application/octet-stream' \
        -H "Inference-Header-Content-Length: $(cat "$out/binary.header-length")" \
        --data-binary "@$out/binary.body" "$url") || code=000 ;;
    grpc)
      # HTTP/2 answers 200 whatever the outcome; the outcome is grpc-status, a trailer (or a header when the
      # response has no message), which curl -v shows.
      local status
      status=$(curl -s -v --http2-prior-knowledge -o "$out/check.out" "${auth[@]}" -H 'content-type: application/grpc' \
        -H 'te: trailers' --data-binary "@$out/grpc.body" "$url" 2>&1 \
        | tr -d '\r' | sed -n 's/^< grpc-status: *//p' | tail -1) || true
      if [ "$status" = 0 ]; then stat -c %s "$out/check.out"; else echo "ERR grpc-status=${status:-none}"; fi
      return ;;
  esac
  if [ "$code" = 200 ]; then stat -c %s "$out/check.out"; else echo "ERR http=$code"; fi
}

# Closed-loop load for a number of seconds; prints "rps p50_ms p99_ms errors".
load() { # protocol, port, concurrency, seconds, grpc response size
  local url="http://localhost:$2$(path_of "$1")" c=$3 s=$4
  if [ "$1" = grpc ]; then
    local conns=$((H2_CONNECTIONS < c ? H2_CONNECTIONS : c))
    rm -f "$out/h2load.log"
    # No --warm-up-time: with it h2load counts the warm-up's bytes in "data" but not its requests, and data bytes
    # are how successes are counted here (h2load counts any HTTP 200, gRPC errors included).
    h2load -c "$conns" -m $((c / conns)) -D "$s" -d "$out/grpc.body" "${auth[@]}" -H 'content-type: application/grpc' \
      -H 'te: trailers' --log-file="$out/h2load.log" "$url" > "$out/h2load.out" 2>&1 || true
    local latency
    latency=$(cut -f3 "$out/h2load.log" 2>/dev/null | percentiles)
    awk -v ok_size="$5" -v latency="$latency" '
      /^finished in/ { rps = $4 }
      /^requests:/ { done = $6; succeeded = $8 }
      /^traffic:/ { data = $(NF - 1); gsub(/[()]/, "", data) }
      END {
        # Complete successful gRPC responses: the DATA bytes over the size of one (errors are trailers only).
        ok = int(data / ok_size); bad = done - ok; if (done - succeeded > bad) bad = done - succeeded
        if (done == 0) bad = 1  # nothing answered at all (h2load could not connect, or the server hung)
        printf "%s %s %d\n", rps == "" ? 0 : rps, latency, bad < 0 ? 0 : bad
      }' "$out/h2load.out"
  else
    local threads=$((WRK_THREADS < c ? WRK_THREADS : c))
    wrk -t "$threads" -c "$c" -d "${s}s" --timeout 10s --latency -s "$out/$1.lua" "$url" > "$out/wrk.out" 2>&1 || true
    awk '/^LOADBENCH/ {
        for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
        printf "%.2f %.3f %.3f %d\n", v["requests"] / v["seconds"], v["p50_ms"], v["p99_ms"], v["non2xx"] + v["socket_errors"]
        found = 1 }
      END { if (!found) print "0 NA NA 1" }' "$out/wrk.out"
    grep -q '^LOADBENCH' "$out/wrk.out" || { log "wrk failed:"; tail -5 "$out/wrk.out" >&2; }
  fi
}

# A stopped client leaves queued work behind; wait (at most ~10 s) until the server reports nothing in flight.
wait_idle() { # port
  local inflight
  for _ in $(seq 100); do
    inflight=$(curl -sf "${auth[@]}" "http://localhost:$1/q/metrics" \
      | awk '/^zeroserve_inflight_requests/ { s += $NF; seen = 1 } END { print seen ? s + 0 : "absent" }') || inflight=unknown
    [ "$inflight" = 0 ] || [ "$inflight" = absent ] && return
    sleep 0.1
  done
  log "port $1 still has $inflight requests in flight after 10 s"
}

# Nearest-rank p50 and p99 in ms of request times in microseconds, one a line on stdin.
percentiles() {
  sort -n | awk '{ v[NR] = $1 }
    function rank(p,  r) { r = int(p * NR); if (r < p * NR) r++; return r < 1 ? 1 : r }
    END { if (NR == 0) print "NA NA"; else printf "%.3f %.3f\n", v[rank(0.5)] / 1000, v[rank(0.99)] / 1000 }'
}

rss_mib() { awk '/^VmRSS/ { printf "%.0f", $2 / 1024 }' "/proc/$1/status"; }

# --- The cells, interleaved across servers. ---
format="%-10s %5s  %-20s %9s %9s %9s %7s %8s %6s %7s %8s\n"
cells=()  # protocol c label rps p50 p99 errors rss vs_s1, for the summary
ratios() { # protocol c rps p50: x_ceil (req/s over the pipeline's best in-process rows/s) and, at c=1, p50_over
  local pipeline
  pipeline=$(pipeline_of "$1")
  awk -v c="$2" -v rps="$3" -v p50="$4" -v best="${best_rows[$pipeline]}" -v single="${single_p50[$pipeline]}" \
    'BEGIN { printf "%s %s\n", (best != "NA" && best + 0 > 0 ? sprintf("%.2f", rps / best) : "NA"),
      (c == 1 && p50 != "NA" && single != "NA" ? sprintf("%+.2f", p50 - single) : "-") }'
}
row() { # protocol c label rps p50 p99 errors rss vs_s1
  cells+=("$*")
  # shellcheck disable=SC2046 # ratios prints two words
  printf "$format" "$@" $(ratios "$1" "$2" "$4" "$5")
}
echo "protocol,concurrency,server,jar,rps,p50_ms,p99_ms,errors,rss_mib,tokens,seconds" > "$out/results.csv"
header=(protocol conc server rps p50_ms p99_ms errors rss_MiB vs_s1 x_ceil p50_over)
printf "$format" "${header[@]}"
for protocol in $PROTOCOLS; do
  for i in "${!pids[@]}"; do
    wait_idle "${ports[$i]}"
    log "warm-up: $protocol on ${labels[$i]}, ${WARMUP_SECONDS}s at concurrency $WARMUP_CONCURRENCY"
    size=$(check "$protocol" "${ports[$i]}")
    [[ $size == ERR* ]] || load "$protocol" "${ports[$i]}" "$WARMUP_CONCURRENCY" "$WARMUP_SECONDS" "$size" > /dev/null
  done
  for c in $CONCURRENCY; do
    first_rps=""
    for i in "${!pids[@]}"; do
      wait_idle "${ports[$i]}"
      size=$(check "$protocol" "${ports[$i]}")
      if [[ $size == ERR* ]]; then
        rps=0; p50=NA; p99=NA; errors=${size#ERR }
      else
        read -r rps p50 p99 errors < <(load "$protocol" "${ports[$i]}" "$c" "$SECONDS_PER_CELL" "$size")
      fi
      rss=$(rss_mib "${pids[$i]}")
      [ -n "$first_rps" ] || first_rps=$rps
      ratio=$(awk -v a="$rps" -v b="$first_rps" 'BEGIN { print (b > 0 ? sprintf("%.2f", a / b) : "NA") }')
      row "$protocol" "$c" "${labels[$i]}" "$rps" "$p50" "$p99" "$errors" "$rss" "$ratio"
      echo "$protocol,$c,${labels[$i]},${jars[$i]},$rps,$p50,$p99,$errors,$rss,$TOKENS,$SECONDS_PER_CELL" >> "$out/results.csv"
    done
  done
done

# --- Summary: the table again, its ratios against the ceiling measured before and after the cells. ---
stop_servers
busy_after=$(busy)
ceiling_after=$(measure_ceiling | tee "$out/ceiling-after.txt") || { log "the ceiling after the cells failed"; ceiling_after=""; }
echo
echo "Zeroserve load, $TOKENS tokens (embeddings: one ~12-token sentence), ${SECONDS_PER_CELL}s per cell, warm-up" \
  "${WARMUP_SECONDS}s. CPU busy without us: $busy_before before the ceiling, $busy_after after the servers stopped" \
  "(well above 0 means something else shared the cores)."
print_ceiling() { # title, ceiling lines
  [ -n "$2" ] || return 0
  echo "$1"
  echo "$2" | awk '{ for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
    printf "  %-10s %3s tokens  batch %-3s callers %s x %s threads  %9.1f calls/s  %9.1f rows/s  p50 %7.3f ms  p99 %7.3f ms\n",
      v["pipeline"], v["tokens"], v["batch"], v["callers"], v["threads"], v["calls_per_s"], v["rows_per_s"],
      v["p50_ms"], v["p99_ms"] }'
}
echo "In-process ceilings (no server; tensor: ONNX Runtime on $TOKENS tokens; embeddings: tokenizer, ONNX Runtime and" \
  "pooling on the embeddings cells' sentence; rows/s = calls/s x batch):"
print_ceiling "before the cells:" "$ceiling_before"
print_ceiling "after the cells:" "$ceiling_after"
references "$ceiling_before" "$ceiling_after"
echo "x_ceil: req/s over the best in-process rows/s (mean of before and after: tensor ${best_rows[tensor]}," \
  "embeddings ${best_rows[embeddings]}); p50_over: c=1 p50 minus the in-process single-request p50 (tensor" \
  "${single_p50[tensor]} ms, embeddings ${single_p50[embeddings]} ms)."
printf "$format" "${header[@]}"
for cell in "${cells[@]}"; do
  # shellcheck disable=SC2086 # a cell is its fields, space-separated
  set -- $cell
  # shellcheck disable=SC2046 # ratios prints two words
  printf "$format" "$@" $(ratios "$1" "$2" "$4" "$5")
done
echo "wrote $out/results.csv"
