#!/usr/bin/env bash
# Where a cold start's time goes: starts the packaged service once and prints, for process start -> first answered
# v2 inference, (1) the milestones from its log (Quarkus started, model loaded and warmed up, first answer), (2) the
# CPU each thread used up to the first answer, grouped by name (threads that end before it, such as the model and
# tokenizer loaders, are sampled every 20 ms while they live), and (3) Quarkus's slowest start-up steps
# (quarkus.debug.print-startup-times). Usage, after ./mvnw package: src/tools/scripts/startup-profile.sh
# JAVA and JAVA_OPTS choose the JVM and its flags (as first-inference.sh); JAR the service (default: this build).
set -euo pipefail
cd "$(dirname "$0")/../../.."
jar=${JAR:-target/quarkus-app/quarkus-run.jar}
port=${PORT:-18090}
log=$(mktemp)
cpu=$(mktemp)
trap 'rm -f "$log" "$cpu"' EXIT
. src/tools/scripts/lib.sh
hz=$(getconf CLK_TCK)
start=$(date +%s%N)
# shellcheck disable=SC2086 # JAVA_OPTS is a list of flags
launch_server "$jar" "$port" "$log" ${JAVA_OPTS:-} -Dquarkus.debug.print-startup-times=true
pid=$server_pid
ticks() { # a /proc/.../stat file: user + system CPU ticks so far (fields 14 and 15; the name before may hold spaces)
  local stat fields
  read -r stat < "$1" 2>/dev/null || return 0
  read -ra fields <<< "${stat##*) }"
  echo $(( fields[11] + fields[12] ))
}
sample() { # every thread's name and CPU ticks so far, one line each: tid ticks name
  for task in /proc/"$pid"/task/*; do
    echo "${task##*/} $(ticks "$task/stat") $(cat "$task/comm" 2>/dev/null)"
  done
}
until v2_infer "$port"; do
  kill -0 "$pid" 2>/dev/null || { cat "$log" >&2; echo "service exited" >&2; exit 1; }
  sample >> "$cpu"
  sleep 0.02
done
end=$(date +%s%N)
sample >> "$cpu"
total=$(ticks /proc/"$pid"/stat)
stop_server "$pid"

echo "start -> first answered inference: $(( (end - start) / 1000000 )) ms; process CPU $(( total * 1000 / hz )) ms"
grep -E "started in|is ready on|Loaded model" "$log" | sed -E 's/^[0-9-]+ ([0-9:,]+) [A-Z]+ +\[[^]]*\] \([^)]*\) /  \1 /' \
  | cut -c1-150
echo "CPU per thread up to the first answer (ms; numbered threads summed under one name):"
profiles threads "$cpu" "$hz"  # the last sample of each thread id is its CPU so far
echo "Quarkus's slowest start-up steps (ms, on the main thread):"
profiles steps "$log"
