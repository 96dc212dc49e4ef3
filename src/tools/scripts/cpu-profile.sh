#!/usr/bin/env bash
# Where the whole machine's CPU goes while a packaged server is under load: Linux perf samples every core (the
# server's threads, the JIT compilers, the load generator, the kernel on their behalf) and the shares are printed by
# thread group and by library. ONNX Runtime's share is the most a server can reach of the in-process ceiling at the
# same settings: what it does not get, the rest of the table took. Usage, with the request bodies of load-bench.sh (written
# to target/load-bench/ when absent):
#
#   src/tools/scripts/cpu-profile.sh JAR [PROTOCOL: grpc|json|binary|embeddings] [CONCURRENCY: 16]
#
# Environment: WARMUP_SECONDS (90: C2 compiles for about a minute under load on two cores), RECORD_SECONDS (10),
# PORT (18090), JAVA (java), JAVA_OPTS, SERVER_ENV (NAME=value pairs for the server, e.g. LD_PRELOAD=...).
# Needs perf (Debian's linux-perf; installed if missing) and permission to sample the whole system (root here).
set -euo pipefail
cd "$(dirname "$0")/../../.."
jar=$(realpath "$1"); protocol=${2:-json}; c=${3:-16}
warmup=${WARMUP_SECONDS:-90}; record=${RECORD_SECONDS:-10}; port=${PORT:-18090}
. src/tools/scripts/lib.sh
out=$BODIES
if ! command -v perf > /dev/null; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo
  $sudo apt-get update -q >&2 && $sudo apt-get install -y -q linux-perf >&2
fi
dir=$(mktemp -d)
# shellcheck disable=SC2086 # JAVA_OPTS is a list of flags
serve_warm "$jar" "$port" "$dir/server.log" "$protocol" "$c" "$warmup" ${JAVA_OPTS:-}
drive_load "$port" "$protocol" "$c" $((record + 4)) > "$dir/requests" &
loader=$!
sleep 2
perf record -a -F 499 -o "$dir/perf.data" sleep "$record" 2> "$dir/perf.err" \
  || { cat "$dir/perf.err" >&2; echo "perf could not sample the whole system (root, or kernel.perf_event_paranoid <= 0)" >&2; exit 1; }
wait $loader
requests=$(cat "$dir/requests")
[ -n "$requests" ] || { echo "the load generator answered nothing (wrk, h2load installed? see load-bench.sh)" >&2; exit 1; }
echo "$protocol c=$c: $((requests / (record + 4))) requests/s; shares of all cores' samples over ${record} s:"
# Thread groups: Java's thread names without their numbers (perf shows the first 15 characters).
perf report -i "$dir/perf.data" --sort comm,dso -t ';' --stdio 2> /dev/null | profiles perf
rm -rf "$dir"
