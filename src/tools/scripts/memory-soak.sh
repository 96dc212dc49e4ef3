#!/usr/bin/env bash
# Resident memory of a packaged server under a long mixed load: v2 JSON tensor requests of 1-3 rows and 4-256 tokens
# beside /v1/embeddings requests of 1-8 texts of 1-120 words (so the shapes keep changing), driven by two wrk
# processes at once; RSS is sampled every 10 s. Usage: src/tools/scripts/memory-soak.sh JAR [MINUTES: 5]
# Environment: JAVA (java), JAVA_OPTS (e.g. the images' heap flags), SERVER_ENV (e.g. the images' LD_PRELOAD),
# CONNECTIONS (8 per wrk), PORT (18095).
set -euo pipefail
cd "$(dirname "$0")/../../.."
jar=$(realpath "$1"); minutes=${2:-5}; port=${PORT:-18095}; c=${CONNECTIONS:-8}
. src/tools/scripts/lib.sh
ensure_load_tools
dir=$(mktemp -d)
cat > "$dir/tensors.lua" <<'LUA'
-- v2 JSON requests of varied shapes: 1-3 rows of 4-256 tokens ([CLS] words [SEP]), attention on every token.
local bodies = {}
for i = 1, 97 do
  local tokens, rows = 4 + (i * 37) % 253, 1 + i % 3
  local ids, ones, zeros = {}, {}, {}
  for r = 1, rows do
    for t = 1, tokens do
      ids[#ids + 1] = (t == 1) and 101 or ((t == tokens) and 102 or (2000 + (t * 131 + r * 17) % 20000))
      ones[#ones + 1] = 1; zeros[#zeros + 1] = 0
    end
  end
  local shape = "[" .. rows .. "," .. tokens .. "]"
  local function input(name, values)
    return '{"name":"' .. name .. '","datatype":"INT64","shape":' .. shape .. ',"data":[' .. table.concat(values, ",") .. ']}'
  end
  bodies[i] = '{"inputs":[' .. input("input_ids", ids) .. "," .. input("attention_mask", ones) .. ","
    .. input("token_type_ids", zeros) .. "]}"
end
local next = 0
request = function()
  next = next % #bodies + 1
  return wrk.format("POST", "/v2/models/all-minilm-l6-v2/infer", { ["Content-Type"] = "application/json" }, bodies[next])
end
LUA
cat > "$dir/embeddings.lua" <<'LUA'
-- Embeddings requests of 1-8 texts of 1-120 words each (at most about 200 tokens, under the 256 limit).
local words = { "model", "server", "embedding", "vector", "scale", "zero", "request", "token", "batch", "latency" }
local bodies = {}
for i = 1, 89 do
  local texts = {}
  for t = 1, 1 + i % 8 do
    local n, w = 1 + (i * 53 + t * 29) % 120, {}
    for k = 1, n do w[k] = words[(i + k * t) % #words + 1] end
    texts[t] = '"' .. table.concat(w, " ") .. '"'
  end
  bodies[i] = '{"model":"all-minilm-l6-v2","input":[' .. table.concat(texts, ",") .. ']}'
end
local next = 0
request = function()
  next = next % #bodies + 1
  return wrk.format("POST", "/v1/embeddings", { ["Content-Type"] = "application/json" }, bodies[next])
end
LUA
# shellcheck disable=SC2086 # JAVA_OPTS is a list of flags
serve_for_script "$jar" "$port" "$dir/server.log" ${JAVA_OPTS:-}
echo "RSS when ready: $(rss_mib "$pid") MiB"
seconds=$((minutes * 60))
wrk -t 1 -c "$c" -d "${seconds}s" --timeout 30s --latency -s "$dir/tensors.lua" "http://localhost:$port" > "$dir/tensors.out" 2>&1 &
w1=$!
wrk -t 1 -c "$c" -d "${seconds}s" --timeout 30s --latency -s "$dir/embeddings.lua" "http://localhost:$port" > "$dir/embeddings.out" 2>&1 &
w2=$!
samples=()
for ((t = 10; t <= seconds; t += 10)); do
  sleep 10
  samples+=("$(rss_mib "$pid")")
done
wait $w1 $w2 || true
n=${#samples[@]}; third=$(( n / 3 > 0 ? n / 3 : 1 ))
max() { printf '%s\n' "$@" | numbers stats | cut -d' ' -f3; }
max=$(max "${samples[@]}")
first=$(max "${samples[@]:0:$third}")
last=$(max "${samples[@]: -$third}")
for f in tensors embeddings; do
  read -r _ _ _ errors < <(numbers wrk "$dir/$f.out")
  echo "$f: $(numbers answered "$dir/$f.out") requests, $errors errors (non-2xx, socket)"
done
echo "RSS over ${minutes} min of mixed load: max ${max} MiB; highest in the first third ${first} MiB, in the last third ${last} MiB"
echo "samples (MiB, every 10 s): ${samples[*]}"
