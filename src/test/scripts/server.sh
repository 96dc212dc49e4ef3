# Sourced by the measurement scripts: start a packaged server, wait until it is ready.
# shellcheck shell=bash

launch_server() { # jar port log [java flags...]: starts the jar, sets server_pid; does not wait
  local jar=$1 port=$2 log=$3 dir
  shift 3
  jar=$(realpath "$jar"); log=$(realpath -m "$log")
  # An empty working directory: Quarkus reads .env and config/ from it, and none of this checkout's may leak in.
  dir=$(mktemp -d)
  (cd "$dir" && exec "${JAVA:-java}" "$@" -Dquarkus.http.port="$port" -jar "$jar") > "$log" 2>&1 &
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
