# Sourced by the measurement scripts: start a packaged server, wait until it is ready.
# shellcheck shell=bash

launch_server() { # jar port log [java flags...]: starts the jar, sets server_pid; does not wait. SERVER_ENV: more
  # NAME=value pairs for the server's environment (LD_PRELOAD=… for another malloc, say)
  local jar=$1 port=$2 log=$3 dir
  shift 3
  jar=$(realpath "$jar"); log=$(realpath -m "$log")
  # An empty working directory: Quarkus reads .env and config/ from it, and none of this checkout's may leak in.
  dir=$(mktemp -d)
  # shellcheck disable=SC2086 # SERVER_ENV is a list of assignments
  (cd "$dir" && exec env ${SERVER_ENV:-} "${JAVA:-java}" "$@" -Dquarkus.http.port="$port" -jar "$jar") > "$log" 2>&1 &
  server_pid=$!
}

await_ready() { # port pid log: returns once /q/health/ready is UP; exits the script if the server exits first or
  # is not ready within 120 s
  for _ in $(seq 1200); do
    curl -sf -o /dev/null "http://localhost:$1/q/health/ready" && return 0
    kill -0 "$2" 2>/dev/null || { tail -40 "$3" >&2; echo "the server exited; its log: $3" >&2; exit 1; }
    sleep 0.1
  done
  echo "the server was not ready within 120 s; its log: $3" >&2
  exit 1
}

serve_for_script() { # jar port log [java flags...]: starts the jar, stops it when the script exits, returns once it
  # is ready; sets pid
  launch_server "$@"
  pid=$server_pid
  trap 'kill $pid 2>/dev/null || true' EXIT
  await_ready "$2" "$pid" "$3"
}

drive_load() { # port protocol concurrency seconds: closed-loop load with load-bench.sh's request bodies (in
  # target/load-bench/); prints the number of requests answered (h2load: those that succeeded)
  local port=$1 protocol=$2 c=$3 seconds=$4 bodies=target/load-bench path=/v2/models/all-minilm-l6-v2/infer
  if [ "$protocol" = grpc ]; then
    h2load -c 1 -m "$c" -D "$seconds" -d "$bodies/grpc.body" -H 'content-type: application/grpc' -H 'te: trailers' \
      "http://localhost:$port/inference.GRPCInferenceService/ModelInfer" 2>&1 | awk '/^requests:/ { print $8 }'
  else
    [ "$protocol" != embeddings ] || path=/v1/embeddings
    wrk -t 1 -c "$c" -d "${seconds}s" -s "$bodies/$protocol.lua" "http://localhost:$port$path" \
      2>&1 | awk '/requests in/ { print $1 }'
  fi
}
