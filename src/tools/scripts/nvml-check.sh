#!/usr/bin/env bash
# The GPU meters' NVML binding on a real driver: builds a small self-contained bundle (a jlinked Java runtime, JNA,
# the Nvml class and a main that prints its readings), runs it, and prints nvidia-smi's readings of the same fields
# beside it. Usage: src/tools/scripts/nvml-check.sh [bundle-only] (after ./mvnw test-compile).
# "bundle-only" just writes target/nvml-check/ (about 50 MB), to copy to a GPU machine and run there as
#   target/nvml-check/run.sh
# Without a GPU, NVML=<path to a library> points it at another libnvidia-ml (the tests' fake one, for example).
set -euo pipefail
cd "$(dirname "$0")/../../.."
out=target/nvml-check
jna=$(find ~/.m2/repository/net/java/dev/jna/jna -name 'jna-5.17.0.jar' | head -1)  # the version pom.xml declares
[ -n "$jna" ] || { echo "JNA 5.17.0 is not in ~/.m2: ./mvnw test-compile first" >&2; exit 1; }
[ -f target/classes/dev/zeroserve/metrics/Nvml.class ] || { echo "build first: ./mvnw test-compile" >&2; exit 1; }
rm -rf "$out" && mkdir -p "$out/classes/dev/zeroserve/metrics"
cp target/classes/dev/zeroserve/metrics/Nvml*.class target/test-classes/dev/zeroserve/metrics/NvmlReadings.class \
  "$out/classes/dev/zeroserve/metrics/"
cp "$jna" "$out/jna.jar"
jlink --add-modules java.base,java.logging,jdk.unsupported --strip-debug --no-header-files --no-man-pages \
  --output "$out/java"
cat > "$out/run.sh" <<'RUN'
#!/usr/bin/env bash
cd "$(dirname "$0")"
echo "== Zeroserve's NVML binding"
./java/bin/java -cp classes:jna.jar dev.zeroserve.metrics.NvmlReadings ${NVML:-libnvidia-ml.so.1}
if command -v nvidia-smi >/dev/null; then
  echo "== nvidia-smi"
  nvidia-smi --query-gpu=uuid,name,utilization.gpu,memory.total,memory.used,power.draw,power.limit,temperature.gpu \
    --format=csv
fi
RUN
chmod +x "$out/run.sh"
du -sh "$out"
[ "${1:-}" = bundle-only ] || "$out/run.sh"
