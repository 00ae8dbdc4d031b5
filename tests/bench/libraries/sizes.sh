#!/usr/bin/env bash
# What each candidate library adds to a wasm module built like the engine (release, LTO, wasm-opt -Oz).
set -euo pipefail
cd "$(dirname "$0")"
opt() { node ../../../node_modules/binaryen/bin/wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int \
  --enable-sign-ext --enable-mutable-globals --enable-reference-types --enable-multivalue "$@"; }
for f in "" robots google xml date hexc zipc; do
  cargo build -q --release --lib --target wasm32-unknown-unknown ${f:+--features $f}
  opt target/wasm32-unknown-unknown/release/library_evaluation.wasm -o "target/probe-${f:-none}.wasm"
  printf '%-8s %8s B raw %8s B gzip\n' "${f:-none}" "$(stat -c %s "target/probe-${f:-none}.wasm")" \
    "$(gzip -9 -c "target/probe-${f:-none}.wasm" | wc -c)"
done
