#!/usr/bin/env bash
# Whether a request's fate and result depend on what it shares the server with, for packaged servers side by side:
#  1. poisoning: 8 wrk clients send a valid 16-token v2 request while a 9th sends the same with a token id outside the
#     vocabulary (30522), for POISON_SECONDS; prints how many valid requests failed;
#  2. exactness: "hello world" and three sentences in one /v1/embeddings request against each text alone (lowest
#     cosine), and a v2 request of 3 rows against each row alone (largest absolute difference of last_hidden_state).
# Usage (the request bodies of load-bench.sh are written to target/load-bench/ when absent):
#   src/tools/scripts/isolation-check.sh JAR [JAR2 ...]      # JAVA_OPTS_1, JAVA_OPTS_2, ... per server
set -euo pipefail
cd "$(dirname "$0")/../../.."
out=target/load-bench; seconds=${POISON_SECONDS:-15}
. src/tools/scripts/lib.sh
[ -f "$out/json.body" ] || load_bodies
python3 - "$out/json.body" > "$out/poison.body" <<'PY'
import json, sys
body = json.load(open(sys.argv[1]))
body["inputs"][0]["data"][5] = 30522  # one past the vocabulary of all-MiniLM-L6-v2
print(json.dumps(body))
PY
wrk_script json "$out/json.body" application/json
wrk_script poison "$out/poison.body" application/json
n=0
for jar in "$@"; do
  n=$((n + 1)); port=$((18180 + n)); opts_var="JAVA_OPTS_$n"
  dir=$(mktemp -d)
  # shellcheck disable=SC2086 # the option strings are lists of flags
  launch_server "$jar" "$port" "$dir/server.log" ${JAVA_OPTS:-} ${!opts_var:-}
  pid=$server_pid
  trap 'stop_server $pid' EXIT
  await_ready "$port" "$pid" "$dir/server.log"
  url="http://localhost:$port/v2/models/all-minilm-l6-v2/infer"
  wrk -t 1 -c 8 -d "${seconds}s" -s "$out/json.lua" "$url" > "$dir/valid.out" 2>&1 &
  valid=$!
  wrk -t 1 -c 1 -d "${seconds}s" -s "$out/poison.lua" "$url" > "$dir/poison.out" 2>&1
  wait $valid
  counts=()  # requests and non-2xx answers of the valid and the poisoned client
  for f in valid poison; do
    counts+=("$(numbers answered "$dir/$f.out")" "$(numbers non2xx "$dir/$f.out")")
  done
  python3 - "$port" "${counts[@]}" "s$n:$(basename "$(dirname "$(dirname "$(dirname "$(realpath "$jar")")")")") ${!opts_var:-}" <<'PY'
import json, math, sys, urllib.request
port, label = sys.argv[1], sys.argv[6]
vt, vbad, pt, pbad = (int(n) for n in sys.argv[2:6])
def post(path, body):
    request = urllib.request.Request(f"http://localhost:{port}{path}", json.dumps(body).encode(),
                                     {"Content-Type": "application/json"})
    return json.load(urllib.request.urlopen(request))
def embed(texts):
    return [d["embedding"] for d in post("/v1/embeddings", {"model": "all-minilm-l6-v2", "input": texts})["data"]]
def cosine(a, b):
    return sum(x * y for x, y in zip(a, b)) / math.sqrt(sum(x * x for x in a) * sum(y * y for y in b))
texts = ["hello world", "The weather in Lisbon is sunny and warm today.", "How do I reset my password?",
         "Sentence embeddings turn a piece of text into a fixed-size vector of numbers."]
together = embed(texts)
lowest = min(cosine(together[i], embed([texts[i]])[0]) for i in range(len(texts)))
rows = [[101, 7592, 2088, 2003, 2307, 102], [101, 2129, 2079, 1045, 25141, 102], [101, 3000, 2003, 1996, 3007, 102]]
def v2(batch):
    flat = [t for row in batch for t in row]
    shape = [len(batch), len(batch[0])]
    inputs = [{"name": n, "datatype": "INT64", "shape": shape, "data": d} for n, d in
              (("input_ids", flat), ("attention_mask", [1] * len(flat)), ("token_type_ids", [0] * len(flat)))]
    return post("/v2/models/all-minilm-l6-v2/infer", {"inputs": inputs})["outputs"][0]["data"]
batched = v2(rows)
size = len(batched) // len(rows)
worst = max(abs(x - y) for r, row in enumerate(rows) for x, y in zip(batched[r * size:(r + 1) * size], v2([row])))
print(f"{label}: valid requests failed {vbad} of {vt} ({100 * vbad / max(vt, 1):.1f} %); poisoned refused {pbad} of {pt}; "
      f"embeddings lowest cosine together vs alone {lowest:.6f}; v2 3 rows vs each alone max |diff| {worst:.2e}")
PY
  stop_server $pid
done
