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
. src/tools/scripts/lib.sh
out=$BODIES
jfr_file=$(realpath -m "$out/profile-${LABEL:-$(echo "$jar" | md5sum | cut -c1-6)}-$protocol-$c.jfr")
dir=$(mktemp -d)
# shellcheck disable=SC2086 # JAVA_OPTS is a list of flags
serve_warm "$jar" "$port" "$dir/server.log" "$protocol" "$c" "$warmup" ${JAVA_OPTS:-}
jcmd $pid JFR.start name=profile settings=profile filename="$jfr_file" > /dev/null
requests=$(drive_load "$port" "$protocol" "$c" "$record")
jcmd $pid JFR.stop name=profile > /dev/null
# Allocation per request (JFR's allocation samples are weighted to estimate every byte allocated); the samples of
# threads at work per thread group (a thread waiting in epoll or accept is in native code too, but idle: left out),
# and the share of the batch workers' inside ONNX Runtime's run.
profiles jfr "$jfr_file" "$requests" "$protocol c=$c"
