#!/usr/bin/env bash
# Run by Dockerfile.jvm and Dockerfile.jvm-cpu while the image is built: writes /deployments/jvm.options and, unless
# STARTUP_ARCHIVE=none, makes the class-loading archive with a training run of the image itself (an archive only
# loads in the exact JVM and class path that wrote it): the service starts on the CPU with the bundled model, warms
# up, answers one REST v2 inference and one embeddings request, gets SIGTERM, and the JVM writes the archive as it
# exits.
#   STARTUP_ARCHIVE=appcds  JDK dynamic AppCDS (-XX:ArchiveClassesAtExit / -XX:SharedArchiveFile), any JDK
#   STARTUP_ARCHIVE=aot     JDK 25 AOT cache (JEP 483/514: -XX:AOTCacheOutput / -XX:AOTCache)
#   STARTUP_ARCHIVE=none    no archive
set -euo pipefail
archive_kind=${STARTUP_ARCHIVE:-appcds}
timeout_seconds=${TRAINING_TIMEOUT_SECONDS:-180}

# --enable-native-access: ONNX Runtime and DJL load JNI libraries, which JDK 22+ warns about at every start otherwise.
printf '%s\n' '-Donnxruntime.native.path=/opt/onnxruntime/native' \
  '-Djava.util.logging.manager=org.jboss.logmanager.LogManager' '--enable-native-access=ALL-UNNAMED' \
  > /deployments/jvm.options

case "$archive_kind" in
  none) echo "no startup archive"; exit 0 ;;
  appcds)
    train_flag='-XX:ArchiveClassesAtExit=/deployments/app-cds.jsa'; archive=/deployments/app-cds.jsa
    run_flag='-XX:SharedArchiveFile=/deployments/app-cds.jsa' ;;
  aot)
    if ! java -XX:AOTCacheOutput=/tmp/probe.aot -version >/dev/null 2>&1; then
      echo "STARTUP_ARCHIVE=aot needs a JDK with the AOT cache (25+): build with --build-arg JAVA_VERSION=25"; exit 1
    fi
    rm -f /tmp/probe.aot
    train_flag='-XX:AOTCacheOutput=/deployments/app.aot'; archive=/deployments/app.aot
    run_flag='-XX:AOTCache=/deployments/app.aot' ;;
  *) echo "STARTUP_ARCHIVE must be appcds, aot or none, not '$archive_kind'"; exit 1 ;;
esac

ready() {
  (exec 3<>/dev/tcp/127.0.0.1/8080 && printf 'GET /q/health/ready HTTP/1.0\r\n\r\n' >&3 && head -n1 <&3) 2>/dev/null \
    | grep -q ' 200'
}

ZEROSERVE_ENGINE_EXECUTION_PROVIDERS=cpu QUARKUS_HTTP_PORT=8080 \
  java @/deployments/jvm.options "$train_flag" -jar /deployments/quarkus-run.jar > /tmp/training.log 2>&1 &
pid=$!
for i in $(seq 1 "$timeout_seconds"); do
  if ! kill -0 "$pid" 2>/dev/null; then echo "the training run exited before it was ready:"; cat /tmp/training.log; exit 1; fi
  if ready; then echo "training run ready after ${i}s"; break; fi
  if [ "$i" = "$timeout_seconds" ]; then echo "not ready after ${i}s:"; cat /tmp/training.log; kill -KILL "$pid"; exit 1; fi
  sleep 1
done
body='{"id":"training","inputs":[{"name":"input_ids","datatype":"INT64","shape":[1,4],"data":[101,7592,2088,102]},{"name":"attention_mask","datatype":"INT64","shape":[1,4],"data":[1,1,1,1]},{"name":"token_type_ids","datatype":"INT64","shape":[1,4],"data":[0,0,0,0]}]}'
post() { # path, JSON body: one request, its status line printed
  (exec 3<>/dev/tcp/127.0.0.1/8080 \
    && printf 'POST %s HTTP/1.0\r\nContent-Type: application/json\r\nContent-Length: %s\r\n\r\n%s' "$1" "${#2}" "$2" >&3 \
    && head -n1 <&3) || true
}
post /v2/models/all-minilm-l6-v2/infer "$body"
# The embeddings path too (tokenizer, pooling), when the model has a tokenizer; a 400 otherwise, which is harmless.
post /v1/embeddings '{"model":"all-minilm-l6-v2","input":["a sentence to train the archive with"]}'
kill -TERM "$pid"
wait "$pid" || true
if [ ! -s "$archive" ]; then echo "no archive was written:"; tail -n 50 /tmp/training.log; exit 1; fi
echo "$run_flag" >> /deployments/jvm.options
ls -l "$archive"; cat /deployments/jvm.options
rm -rf /tmp/* /tmp/.[!.]* 2>/dev/null || true
