#!/usr/bin/env bash
# The GPU path in one command, without network, in about 15 minutes: the bundled model on the CPU provider (the
# reference), on cuda and on tensorrt (FP16, the default, and FP32); each answer compared with the CPU's; the first
# answer of tensorrt with an empty and with a filled engine cache; a short load (one text a request) at c=1/16/64 on
# cpu, cuda and tensorrt; the float model (fp32 all-MiniLM-L6-v2: FLOAT_MODEL=file:<model.onnx>, tokenizer.json
# beside it, else lib.sh's float_model from the local Maven repository) on cpu, cuda and tensorrt, compared alike;
# NVML's readings beside nvidia-smi's. What cannot run here (no GPU, the CPU build, no wrk)
# is skipped and named at the end; it exits 1 when a provider did not answer or was off by more than its tolerance.
# Usage: src/tools/scripts/gpu-check.sh (after ./mvnw package -Pgpu -DskipTests, on a machine with an NVIDIA GPU and
# the CUDA 12 / cuDNN 9 / TensorRT 10 libraries). SECONDS_PER_CELL (10) sizes the load; files in target/gpu-check/.
# Tolerances, on the unit-length embeddings of five texts: FP32 (cuda, tensorrt with fp16=false) at most 1e-3 from
# the CPU's, FP16 (tensorrt's default) at most 2e-2 (FP32_TOLERANCE, FP16_TOLERANCE).
set -euo pipefail
# Paths given relative to where the script was started from, before it moves to the project root.
FLOAT_MODEL=${FLOAT_MODEL:+file:$(realpath -m "${FLOAT_MODEL#file:}")}
JAR=${JAR:+$(realpath -m "$JAR")}
cd "$(dirname "$0")/../../.."
. src/tools/scripts/lib.sh
port=${PORT:-18090}
jar=${JAR:-target/quarkus-app/quarkus-run.jar}
seconds=${SECONDS_PER_CELL:-10}
fp32_tolerance=${FP32_TOLERANCE:-1e-3}
fp16_tolerance=${FP16_TOLERANCE:-2e-2}
out=target/gpu-check
[ -f "$jar" ] || { echo "build first: ./mvnw package -Pgpu -DskipTests" >&2; exit 1; }
rm -rf "$out" && mkdir -p "$out" "$BODIES"
skipped=() failed=()
skip() { skipped+=("$1"); log "SKIPPED: $1"; }
fail() { failed+=("$1"); log "FAILED: $1"; }

cat > "$out/texts.json" <<EOF
{"model":"$MODEL","input":["hello world","The quick brown fox jumps over the lazy dog.",
"Scale to zero, and back, on a GPU.","a","$(printf 'token %.0s' $(seq 200))"]}
EOF
# The load's body: one text, so that 64 clients (64 rows) stay within the queue's 256 rows.
echo "{\"model\":\"$MODEL\",\"input\":\"The quick brown fox jumps over the lazy dog.\"}" > "$out/load.json"
embed_texts() { # port, answer file: the five texts' embeddings; succeeds only when they are answered 200
  curl -sf -o "$2" "http://localhost:$1/v1/embeddings" -H 'Content-Type: application/json' --data-binary "@$out/texts.json"
}

first_answer() { # label, NAME=value...: starts the server with that environment and waits (at most 10 min: an
  # engine build) for the first answer to the texts, kept in $out/<label>.json; sets first_ms to the milliseconds from
  # process start, or "failed", and leaves the server running (server_pid) when it answered
  local label=$1 start; shift
  start=$(date +%s%N)
  SERVER_ENV="$*" launch_server "$jar" "$port" "$out/$label.log"
  for _ in $(seq 60000); do
    if embed_texts "$port" "$out/$label.json"; then first_ms=$(( ($(date +%s%N) - start) / 1000000 )); return; fi
    kill -0 "$server_pid" 2>/dev/null || { first_ms=failed; return; }
    sleep 0.01
  done
  stop_server "$server_pid"; first_ms=failed
}

compare() { # label, tolerance, reference label: the label's answer against the reference's (the CPU's)
  local diff verdict
  read -r diff verdict < <(numbers maxdiff "$out/$3.json" "$out/$1.json" "$2")
  if [ "$verdict" = ok ]; then
    echo "$1: largest difference from $3's embeddings $diff (tolerance $2): ok"
  else
    fail "$1: largest difference from $3's embeddings $diff, tolerance $2"
  fi
}

load() { # label: closed-loop load on /v1/embeddings (one text a request) at c=1, 16, 64 against the running server
  if ! command -v wrk >/dev/null; then skip "$1: load at c=1/16/64 (wrk is not installed; no network to install it)"; return; fi
  for c in 1 16 64; do
    wrk -t 1 -c "$c" -d "${seconds}s" --timeout 10s --latency -s "$BODIES/gpu-check.lua" \
      "http://localhost:$port/v1/embeddings" > "$out/$1-c$c.wrk" 2>&1 || true
    echo "$1 c=$c: $(numbers wrk "$out/$1-c$c.wrk") (rps p50_ms p99_ms errors)"
  done
}

run() { # label, tolerance, NAME=value...: first answer, comparison with REFERENCE (cpu), load, stop
  local label=$1 tolerance=$2 providers reference=${REFERENCE:-cpu}; shift 2
  first_answer "$label" "$@"
  if [ "$first_ms" = failed ]; then fail "$label did not answer; its log: $out/$label.log"; return; fi
  providers=$(sed -n 's/.* on execution providers \(.*\); [0-9]* executions at once.*/\1/p' "$out/$label.log" | head -1)
  echo "$label: first answer $first_ms ms after process start, on $providers"
  [ "$label" = "$reference" ] || compare "$label" "$tolerance" "$reference"
  [ "${LOAD:-1}" = 0 ] || load "$label"
  stop_server "$server_pid"
}

wrk_script gpu-check "$(realpath "$out/load.json")" application/json
gpu=yes
if ! command -v nvidia-smi >/dev/null || ! nvidia-smi -L > "$out/gpus.txt" 2>&1; then
  gpu=no; skip "cuda and tensorrt: no NVIDIA GPU here (nvidia-smi -L: $(head -1 "$out/gpus.txt" 2>/dev/null || echo 'not installed'))"
elif ! ls "$(dirname "$jar")"/lib/main | grep -q onnxruntime_gpu; then
  gpu=no; skip "cuda and tensorrt: $jar has the CPU build of ONNX Runtime (build with -Pgpu)"
fi

run cpu 0 ZEROSERVE_ENGINE_EXECUTION_PROVIDERS=cpu
[ -f "$out/cpu.json" ] || { echo "the CPU reference did not answer; see $out/cpu.log" >&2; exit 1; }
if [ "$gpu" = yes ]; then
  cache=$(mktemp -d)
  run cuda "$fp32_tolerance" ZEROSERVE_ENGINE_EXECUTION_PROVIDERS=cuda,cpu
  run tensorrt-empty-cache "$fp16_tolerance" ZEROSERVE_ENGINE_EXECUTION_PROVIDERS=tensorrt,cuda,cpu \
    ZEROSERVE_ENGINE_TENSORRT_CACHE_DIR="$cache"
  echo "engine cache after the first tensorrt start: $(find "$cache" -type f | wc -l) files, $(du -sh "$cache" | cut -f1)"
  LOAD=0 run tensorrt-filled-cache "$fp16_tolerance" ZEROSERVE_ENGINE_EXECUTION_PROVIDERS=tensorrt,cuda,cpu \
    ZEROSERVE_ENGINE_TENSORRT_CACHE_DIR="$cache"
  LOAD=0 run tensorrt-fp32 "$fp32_tolerance" ZEROSERVE_ENGINE_EXECUTION_PROVIDERS=tensorrt,cuda,cpu \
    ZEROSERVE_ENGINE_TENSORRT_FP16=false ZEROSERVE_ENGINE_TENSORRT_CACHE_DIR="$(mktemp -d)"
  echo "== NVML beside nvidia-smi"
  src/tools/scripts/nvml-check.sh || fail "nvml-check.sh"
else
  skip "the first answer with an empty and a filled TensorRT engine cache (no GPU provider here)"
  skip "NVML beside nvidia-smi (no NVIDIA driver here; nvml-check.sh with NVML=<fake library> checks the binding)"
fi
float_model=${FLOAT_MODEL:-$(float_model || true)}
if [ -z "$float_model" ]; then
  skip "the float model: FLOAT_MODEL is not set and the fp32 jar is neither in the local Maven repository nor reachable"
else
  float=(ZEROSERVE_MODEL_URI="$float_model" ZEROSERVE_MODEL_NAME="$MODEL")
  REFERENCE=cpu-float LOAD=0 run cpu-float 0 ZEROSERVE_ENGINE_EXECUTION_PROVIDERS=cpu "${float[@]}"
  if [ "$gpu" = yes ] && [ -f "$out/cpu-float.json" ]; then
    REFERENCE=cpu-float LOAD=0 run cuda-float "$fp32_tolerance" ZEROSERVE_ENGINE_EXECUTION_PROVIDERS=cuda,cpu \
      "${float[@]}"
    REFERENCE=cpu-float LOAD=0 run tensorrt-float "$fp16_tolerance" ZEROSERVE_ENGINE_EXECUTION_PROVIDERS=tensorrt,cuda,cpu \
      ZEROSERVE_ENGINE_TENSORRT_CACHE_DIR="$(mktemp -d)" "${float[@]}"
  else
    skip "the float model on cuda and tensorrt (no GPU provider here)"
  fi
fi
echo "== skipped: ${#skipped[@]}"; printf '  %s\n' "${skipped[@]}"
echo "== failed: ${#failed[@]}"; [ ${#failed[@]} -eq 0 ] || { printf '  %s\n' "${failed[@]}"; exit 1; }
