#!/usr/bin/env bash
# Cold start with and without each start-up optimisation, measured in interleaved rounds so that the shared machine's
# noise falls on every variant alike. Usage: src/test/scripts/cold-start-matrix.sh [rounds] (after ./mvnw package).
#   baseline        JDK 17, ONNX Runtime extracts its native libraries to /tmp at every start
#   ort-native-dir  + -Donnxruntime.native.path (libraries extracted once, as the images do)
#   appcds-17       + JDK 17 dynamic AppCDS archive from a training run
#   aot-25          JDK 25 AOT cache (JEP 483/514) from a training run, + native dir (needs JDK25_HOME)
set -euo pipefail
cd "$(dirname "$0")/../../.."
rounds=${1:-5}
jdk25=${JDK25_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
jar=target/quarkus-app/quarkus-run.jar
ort_jar=$(ls target/quarkus-app/lib/main/com.microsoft.onnxruntime.onnxruntime*.jar)
unzip -q -j "$ort_jar" 'ai/onnxruntime/native/linux-x64/*' -d "$work/native"
native="-Donnxruntime.native.path=$work/native"

train() { # java binary, archive flag: start, warm up, one inference, SIGTERM; the JVM writes the archive at exit
  "$1" $native "$2" -Dquarkus.http.port=18181 -jar "$jar" > "$work/train.log" 2>&1 &
  local pid=$!
  until curl -sf -o /dev/null localhost:18181/q/health/ready; do sleep 0.1; done
  curl -sf -o /dev/null -X POST localhost:18181/v2/models/all-minilm-l6-v2/infer -d '{"inputs":[
    {"name":"input_ids","datatype":"INT64","shape":[1,4],"data":[101,7592,2088,102]},
    {"name":"attention_mask","datatype":"INT64","shape":[1,4],"data":[1,1,1,1]},
    {"name":"token_type_ids","datatype":"INT64","shape":[1,4],"data":[0,0,0,0]}]}'
  kill -TERM "$pid"; wait "$pid" || true
}
train java "-XX:ArchiveClassesAtExit=$work/app.jsa"
variants=(baseline ort-native-dir appcds-17)
declare -A java_of=([baseline]=java [ort-native-dir]=java [appcds-17]=java)
declare -A opts_of=([baseline]="" [ort-native-dir]="$native" [appcds-17]="$native -XX:SharedArchiveFile=$work/app.jsa")
if [ -x "$jdk25/bin/java" ]; then
  train "$jdk25/bin/java" "-XX:AOTCacheOutput=$work/app.aot"
  variants+=(aot-25)
  java_of[aot-25]="$jdk25/bin/java"
  opts_of[aot-25]="$native -XX:AOTCache=$work/app.aot"
fi

for round in $(seq "$rounds"); do
  for variant in "${variants[@]}"; do
    JAVA="${java_of[$variant]}" JAVA_OPTS="${opts_of[$variant]}" src/test/scripts/first-inference.sh 1 \
      | sed -n "s/^run 1: first inference after \([0-9]*\) ms, RSS \([0-9]*\) KiB/$variant \1 \2/p" >> "$work/results"
  done
done
echo "variant: start -> first inference (median, min, max over $rounds runs), RSS after it"
for variant in "${variants[@]}"; do
  awk -v v="$variant" '$1 == v { print $2, $3 }' "$work/results" | sort -n | awk -v v="$variant" '
    { ms[NR] = $1; rss[NR] = $2 } END {
      printf "%-15s median %5d ms  min %5d ms  max %5d ms  RSS median %d MiB\n", v, ms[int((NR + 1) / 2)], ms[1], ms[NR],
        rss[int((NR + 1) / 2)] / 1024 }'
done
