#!/usr/bin/env bash
# Where a packaged server's threads spend their CPU under load: a JFR recording of one protocol at one concurrency,
# summed per thread group, and the share of the batch workers' samples that are inside ONNX Runtime's run call (the
# batch worker should run only the model; encoding belongs to the requesting side). Usage (the request bodies of
# load-bench.sh are written to target/load-bench/ when absent):
#
#   src/tools/scripts/batch-worker-profile.sh JAR [PROTOCOL: grpc|json|binary|embeddings] [CONCURRENCY: 16]
#
# Environment: WARMUP_SECONDS (30), RECORD_SECONDS (20), PORT (18090), JAVA (java), JAVA_OPTS, LABEL (names the
# recording target/load-bench/profile-LABEL-PROTOCOL-C.jfr).
set -euo pipefail
cd "$(dirname "$0")/../../.."
jar=$(realpath "$1"); protocol=${2:-grpc}; c=${3:-16}
warmup=${WARMUP_SECONDS:-30}; record=${RECORD_SECONDS:-20}; port=${PORT:-18090}
out=target/load-bench
. src/tools/scripts/lib.sh
[ -f "$out/$protocol.body" ] || load_bodies  # as load-bench.sh writes them
jfr_file=$(realpath -m "$out/profile-${LABEL:-$(echo "$jar" | md5sum | cut -c1-6)}-$protocol-$c.jfr")
dir=$(mktemp -d)
# shellcheck disable=SC2086 # JAVA_OPTS is a list of flags
serve_for_script "$jar" "$port" "$dir/server.log" ${JAVA_OPTS:-}
drive_load "$port" "$protocol" "$c" "$warmup" > /dev/null
jcmd $pid JFR.start name=profile settings=profile filename="$jfr_file" > /dev/null
requests=$(drive_load "$port" "$protocol" "$c" "$record")
jcmd $pid JFR.stop name=profile > /dev/null
# Allocation per request: JFR's allocation samples are weighted to estimate every byte allocated.
jfr print --events jdk.ObjectAllocationSample "$jfr_file" | awk -v requests="$requests" -v label="$protocol c=$c" '
  /weight = / { value = $3; unit = $4; scale = unit ~ /^kB/ ? 1024 : unit ~ /^MB/ ? 1048576 : unit ~ /^GB/ ? 1073741824 : 1
    bytes += value * scale }
  END { printf "%s: %d requests, about %.0f KiB allocated per request\n", label, requests, bytes / requests / 1024 }'
# Java samples (jdk.ExecutionSample) and native ones (jdk.NativeMethodSample: ONNX Runtime's run is a native method).
# A thread waiting in epoll or accept is in native code too, but idle: those samples are left out.
jfr print --events jdk.ExecutionSample,jdk.NativeMethodSample "$jfr_file" | awk -v label="$protocol c=$c" '
  function flush() {
    if (thread == "" || idle) { thread = ""; inRun = 0; idle = 0; return }
    group = thread; sub(/-[0-9]+$/, "", group); sub(/ #[0-9]+$/, "", group)
    samples[group]++; total++
    if (group == "zeroserve-batch") { batch++; if (inRun) batchInRun++ }
    thread = ""; inRun = 0
  }
  /^jdk\.(ExecutionSample|NativeMethodSample)/ { flush() }
  /sampledThread = / { match($0, /"[^"]*"/); thread = substr($0, RSTART + 1, RLENGTH - 2) }
  top { top = 0; if ($0 ~ /EPoll\.wait|epollWait|Net\.accept/) idle = 1 }
  /stackTrace = \[/ { top = 1 }
  /ai\.onnxruntime\.OrtSession\.run\(/ { inRun = 1 }
  END {
    flush()
    printf "%s: %d samples of threads at work\n", label, total
    for (g in samples) printf "  %-40s %6d  %5.1f %%\n", g, samples[g], 100 * samples[g] / total
    if (batch > 0) printf "batch workers inside OrtSession.run: %d of %d samples = %.1f %%\n", batchInRun, batch, 100 * batchInRun / batch
  }'
