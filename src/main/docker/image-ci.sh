#!/usr/bin/env bash
# Builds the CPU image (Dockerfile.jvm-cpu) with podman where no registry is reachable, and starts it as a container
# runtime would, without one (issue 28). Run as root, from anywhere, after ./mvnw package. ImageIT runs it in CI.
#
#   image-ci.sh base    stand-in bases made from Debian's packages (no registry): debootstrap --variant=minbase of
#                       Debian 12 imported as $BASE_BUILD, and the same with a Java 25 runtime jlinked from the
#                       machine's Temurin 25 JDK at /opt/java/openjdk (the eclipse-temurin images' layout) as
#                       $BASE_RUNTIME. Made once per target/ (marker target/image/base/.done): a clean clone makes
#                       them afresh.
#   image-ci.sh build   base, then podman build --isolation=chroot -f src/main/docker/Dockerfile.jvm-cpu with
#                       BUILD_IMAGE/RUNTIME_IMAGE pointing at the stand-ins (the AOT training run included), then
#                       export: the image's file system to target/image/rootfs (podman create + podman export), its
#                       entrypoint, environment, user and working directory to target/image/config/.
#   image-ci.sh build-gpu
#                       base, then Dockerfile.jvm (the GPU image) built the same way on a stand-in CUDA base: the
#                       Debian stand-in with the nvidia/cuda images' LD_LIBRARY_PATH and NVIDIA_* variables but no
#                       CUDA or cuDNN library ($BASE_CUDA); the JRE from $BASE_RUNTIME. With whatever package is in
#                       target/quarkus-app (the GPU one from ./mvnw package -Pgpu, or the CPU one as a stand-in);
#                       the training run uses the CPU, as it does on a real build. Prints the image's size, user,
#                       entrypoint and the files the training run wrote.
#   image-ci.sh start [NAME=value...]
#                       starts the exported image in the foreground: new network namespace (address $ADDRESS, the
#                       image's port 8080 unchanged), new mount and PID namespaces (the JVM is PID 1 there), the file
#                       system bind-mounted read-only with a tmpfs on /tmp only, as the image's user (185:0), with
#                       the image's entrypoint and environment (plus the NAME=value pairs given) and nothing else.
#                       Its exit status is the JVM's.
# podman run is not used: on this kind of machine crun fails (setrlimit RLIMIT_NOFILE, cgroups in hybrid mode).
set -euo pipefail
cd "$(dirname "$0")/../../.."
repo=$(pwd)
work=$repo/target/image
BASE_BUILD=${BASE_BUILD:-localhost/zeroserve-stand-in/debian:bookworm}
BASE_RUNTIME=${BASE_RUNTIME:-localhost/zeroserve-stand-in/temurin:25-jre}
BASE_CUDA=${BASE_CUDA:-localhost/zeroserve-stand-in/cuda:bookworm}
IMAGE=${IMAGE:-localhost/zeroserve:ci-cpu}
IMAGE_GPU=${IMAGE_GPU:-localhost/zeroserve:ci-gpu}
JDK25_HOME=${JDK25_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
DEBIAN_MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
ADDRESS=${ADDRESS:-10.213.0.2}

seconds_since() { echo $(( $(date +%s) - $1 )); }

base() {
  if [ -f "$work/base/.done" ] && podman image exists "$BASE_BUILD" && podman image exists "$BASE_RUNTIME"; then
    echo "stand-in bases already made in this target/: $BASE_BUILD, $BASE_RUNTIME"
    return
  fi
  local started; started=$(date +%s)
  rm -rf "$work/base"
  mkdir -p "$work/base"
  debootstrap --variant=minbase --include=ca-certificates bookworm "$work/base/rootfs" "$DEBIAN_MIRROR" > "$work/base/debootstrap.log" 2>&1 \
    || { tail -n 30 "$work/base/debootstrap.log"; echo "debootstrap failed (log: $work/base/debootstrap.log)"; exit 1; }
  rm -rf "$work/base/rootfs/var/cache/apt/archives/"*.deb "$work/base/rootfs/var/lib/apt/lists/"*
  echo "deb $DEBIAN_MIRROR bookworm main" > "$work/base/rootfs/etc/apt/sources.list"
  # As Debian's and Ubuntu's official images do (debuerreotype): apt keeps no package caches and fetches no
  # translations, so a Dockerfile's apt-get leaves no 77 MB of /var/cache/apt/*.bin in its layer.
  cat > "$work/base/rootfs/etc/apt/apt.conf.d/docker-clean" <<'APT'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
APT
  echo 'Acquire::Languages "none";' > "$work/base/rootfs/etc/apt/apt.conf.d/docker-no-languages"
  rm -f "$work/base/rootfs/var/cache/apt/"*.bin
  tar -C "$work/base/rootfs" --numeric-owner -cf - . \
    | podman import --change 'CMD ["/bin/bash"]' --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
      - "$BASE_BUILD"
  # A JRE as the eclipse-temurin JRE images carry it: the runtime modules of the machine's Temurin 25, without the
  # development tools, with its default CDS archive; jlink from the JDK's own run-time image (JEP 493).
  local modules
  modules=$("$JDK25_HOME/bin/java" --list-modules | sed 's/@.*//' | grep -vxE \
    'jdk\.(jlink|jpackage|javadoc|jshell|jdeps|compiler|jartool|jcmd|jconsole|jdi|jdwp\.agent|hotspot\.agent|jstatd|editpad|internal\.ed|internal\.jshell|internal\.opt|graal\.compiler|graal\.compiler\.management)' \
    | paste -sd, -)
  mkdir -p "$work/base/rootfs/opt/java"
  "$JDK25_HOME/bin/jlink" --add-modules "$modules" --strip-debug --no-man-pages --no-header-files \
    --generate-cds-archive --output "$work/base/rootfs/opt/java/openjdk" 2>&1 | grep -v 'incubator modules' || true
  "$work/base/rootfs/opt/java/openjdk/bin/java" -version
  tar -C "$work/base/rootfs" --numeric-owner -cf - . \
    | podman import --change 'CMD ["jshell"]' --change 'ENV JAVA_HOME=/opt/java/openjdk' \
      --change 'ENV PATH=/opt/java/openjdk/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
      --change 'ENV LANG=C.UTF-8' - "$BASE_RUNTIME"
  rm -rf "$work/base/rootfs"
  touch "$work/base/.done"
  echo "stand-in bases made in $(seconds_since "$started") s: $BASE_BUILD, $BASE_RUNTIME"
}

build() {
  [ -f target/quarkus-app/quarkus-run.jar ] || { echo "build the application first: ./mvnw package -DskipTests"; exit 1; }
  base
  local started; started=$(date +%s)
  podman build --isolation=chroot --pull=never -f src/main/docker/Dockerfile.jvm-cpu \
    --build-arg BUILD_IMAGE="$BASE_BUILD" --build-arg RUNTIME_IMAGE="$BASE_RUNTIME" -t "$IMAGE" .
  local built; built=$(seconds_since "$started")
  export_image
  echo "image build: ${built} s"
  echo "image size: $(podman image inspect --format '{{.Size}}' "$IMAGE") bytes (podman image inspect .Size)," \
    "$(du -sb "$work/rootfs" | cut -f1) bytes exported"
  echo "build time (s): $built" > "$work/config/figures"
  echo "image size (bytes): $(podman image inspect --format '{{.Size}}' "$IMAGE")" >> "$work/config/figures"
}

build_gpu() {
  [ -f target/quarkus-app/quarkus-run.jar ] || { echo "build the application first: ./mvnw package [-Pgpu] -DskipTests"; exit 1; }
  base
  local started; started=$(date +%s)
  printf '%s\n' "FROM $BASE_BUILD" \
    'ENV PATH=/usr/local/nvidia/bin:/usr/local/cuda/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    'ENV LD_LIBRARY_PATH=/usr/local/nvidia/lib:/usr/local/nvidia/lib64' \
    'ENV NVIDIA_VISIBLE_DEVICES=all NVIDIA_DRIVER_CAPABILITIES=compute,utility' > "$work/base/Dockerfile.cuda-stand-in"
  podman build --isolation=chroot --pull=never -f "$work/base/Dockerfile.cuda-stand-in" -t "$BASE_CUDA" "$work/base"
  podman build --isolation=chroot --pull=never -f src/main/docker/Dockerfile.jvm \
    --build-arg CUDA_IMAGE="$BASE_CUDA" --build-arg JRE_IMAGE="$BASE_RUNTIME" --build-arg BUILD_IMAGE="$BASE_BUILD" \
    -t "$IMAGE_GPU" .
  echo "GPU image build: $(seconds_since "$started") s"
  echo "GPU image size: $(podman image inspect --format '{{.Size}}' "$IMAGE_GPU") bytes"
  echo "GPU image user: $(podman image inspect --format '{{.Config.User}}' "$IMAGE_GPU")"
  echo "GPU image entrypoint: $(podman image inspect --format '{{json .Config.Entrypoint}}' "$IMAGE_GPU")"
  local container
  container=$(podman create "$IMAGE_GPU")
  echo "GPU image jvm.options: $(podman cp "$container:/deployments/jvm.options" - | tar -xOf - | paste -sd' ' -)"
  podman export "$container" | tar -tvf - | grep -E ' (deployments/app\.aot|opt/java/openjdk/bin/java|opt/onnxruntime/native/.*\.so)$' \
    | sed 's/^/GPU image file: /'
  podman rm "$container" > /dev/null
}

export_image() {
  rm -rf "$work/rootfs" "$work/config"
  mkdir -p "$work/rootfs" "$work/config" "$work/root"
  local container
  container=$(podman create "$IMAGE")
  podman export "$container" | tar -C "$work/rootfs" --numeric-owner -xf -
  podman rm "$container" > /dev/null
  podman image inspect --format '{{range .Config.Env}}{{println .}}{{end}}' "$IMAGE" | sed '/^$/d' > "$work/config/env"
  podman image inspect --format '{{range .Config.Entrypoint}}{{println .}}{{end}}' "$IMAGE" | sed '/^$/d' \
    > "$work/config/entrypoint"
  podman image inspect --format '{{range .Config.Cmd}}{{println .}}{{end}}' "$IMAGE" | sed '/^$/d' > "$work/config/cmd"
  podman image inspect --format '{{.Config.User}}' "$IMAGE" > "$work/config/user"
  podman image inspect --format '{{.Config.WorkingDir}}' "$IMAGE" > "$work/config/workdir"
  echo "exported $IMAGE to $work/rootfs; user $(cat "$work/config/user"), entrypoint $(paste -sd' ' "$work/config/entrypoint")"
}

start() {
  [ -d "$work/rootfs/deployments" ] || { echo "build and export the image first: $0 build"; exit 1; }
  local ns=zeroserve-image host=zsimg0 peer=zsimg1
  ip netns del "$ns" 2>/dev/null || true
  ip link del "$host" 2>/dev/null || true
  ip netns add "$ns"
  trap 'ip netns del '"$ns"' 2>/dev/null; ip link del '"$host"' 2>/dev/null || true' EXIT
  ip link add "$host" type veth peer name "$peer"
  ip link set "$peer" netns "$ns"
  ip addr add "${ADDRESS%.*}.1/24" dev "$host"
  ip link set "$host" up
  ip -n "$ns" addr add "$ADDRESS/24" dev "$peer"
  ip -n "$ns" link set "$peer" up
  ip -n "$ns" link set lo up
  # SIGTERM for this script goes to the JVM (PID 1 of its namespace), as a container runtime's stop does.
  ip netns exec "$ns" unshare --mount --pid --fork --kill-child "$0" enter "$@" &
  local child=$!
  trap 'terminate_java '"$child" TERM
  local status=0
  wait "$child" || status=$?
  while kill -0 "$child" 2>/dev/null; do wait "$child" || status=$?; done
  exit "$status"
}

terminate_java() { # pid: SIGTERM to the java processes below it
  local child
  for child in $(pgrep -P "$1"); do
    if [ "$(cat "/proc/$child/comm" 2>/dev/null)" = java ]; then kill -TERM "$child" 2>/dev/null || true; fi
    terminate_java "$child"
  done
}

enter() { # PID 1 of the new PID namespace, in the new mount namespace: lays out the container, then becomes the JVM
  local root=$work/root rootfs=$work/rootfs
  mount --make-rprivate /
  mount --bind "$rootfs" "$root"
  mount -o remount,bind,ro "$root"
  mount -t tmpfs -o mode=1777,size=512m,nosuid,nodev tmpfs "$root/tmp"
  mount -t proc -o nosuid,nodev,noexec proc "$root/proc"
  mount -t sysfs -o ro,nosuid,nodev,noexec sysfs "$root/sys" 2>/dev/null || mount --rbind -o ro /sys "$root/sys"
  mount -t tmpfs -o mode=755,size=64k,nosuid tmpfs "$root/dev"
  local device
  for device in null zero full random urandom tty; do
    touch "$root/dev/$device"
    mount --bind "/dev/$device" "$root/dev/$device"
  done
  mkdir "$root/dev/shm" "$root/dev/pts"
  mount -t tmpfs -o mode=1777,size=64m,nosuid,nodev tmpfs "$root/dev/shm"
  ln -s /proc/self/fd "$root/dev/fd"
  ln -s /proc/self/fd/0 "$root/dev/stdin"; ln -s /proc/self/fd/1 "$root/dev/stdout"; ln -s /proc/self/fd/2 "$root/dev/stderr"
  mount -o remount,bind,ro "$root/dev"
  local environment=() command=() line user group workdir
  while IFS= read -r line; do environment+=("$line"); done < "$work/config/env"
  while IFS= read -r line; do command+=("$line"); done < "$work/config/entrypoint"
  while IFS= read -r line; do command+=("$line"); done < "$work/config/cmd"
  user=$(cat "$work/config/user"); group=0
  case "$user" in *:*) group=${user#*:}; user=${user%%:*} ;; esac
  workdir=$(cat "$work/config/workdir"); workdir=${workdir:-/}
  # The image's environment is set here, before the chroot, so that unshare execs the entrypoint with it and nothing
  # else; this machine's env and unshare start under it too, and their loader says that it cannot preload the
  # image's LD_PRELOAD (ignored: the JVM, started inside the image, has it: ImageIT reads its memory map).
  echo "image-ci.sh: the entrypoint is exec'd at $(date +%s%3N) ms since the epoch"
  exec /usr/bin/env -i "${environment[@]}" "$@" \
    /usr/bin/unshare --root="$root" --wd="$workdir" --setuid="$user" --setgid="$group" -- "${command[@]}"
}

case "${1:-}" in
  base) base ;;
  build) build ;;
  build-gpu) build_gpu ;;
  export) export_image ;;
  start) shift; start "$@" ;;
  enter) shift; enter "$@" ;;
  *) sed -n '2,29p' "$0"; exit 2 ;;
esac
