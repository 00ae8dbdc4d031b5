#!/usr/bin/env bash
# sitemirror build, test and benchmark entry point.
#
#   ./build.sh          bootstrap what is missing, build dist/extension (+ zip) and dist/worker
#   ./build.sh test     the above, then every test layer: fmt, clippy, native, fuzz, wasm-in-Chromium, end-to-end
#   ./build.sh bench    the above build, then the benchmarks (results printed, see BENCHMARKS.md)
#   ./build.sh demo     build, then mirror a bundled demo site, stop its origin and show the offline copy
#                       (Chromium headed when a display exists, headless otherwise; screenshots in docs/)
#   ./build.sh fuzz [s] build the fuzz targets (fuzz/, cargo-fuzz) and run each for s seconds (default 60), keeping
#                       what they learn in fuzz/corpus/; see docs/fuzzing.md
#
# Idempotent: every bootstrap step checks first and says what it installs.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$ROOT"

# Must equal the `wasm-bindgen = "=…"` pin in Cargo.toml: the CLI only accepts wasm built by the same version.
WASM_BINDGEN_VERSION="$(sed -n 's/^wasm-bindgen = "=\(.*\)"/\1/p' Cargo.toml)"
WASM_TARGET=wasm32-unknown-unknown
DIST="$ROOT/dist"

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }
die() { printf 'build.sh: %s\n' "$*" >&2; exit 1; }

export PATH="$HOME/.cargo/bin:$PATH"

bootstrap() {
  command -v cargo >/dev/null || die "cargo not found: install Rust with rustup (https://rustup.rs) first."
  command -v node >/dev/null && command -v npm >/dev/null || die "node and npm not found: install Node.js 20+."

  if ! rustup target list --installed 2>/dev/null | grep -qx "$WASM_TARGET"; then
    say "Installing the Rust target $WASM_TARGET"
    rustup target add "$WASM_TARGET"
  fi

  if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$WASM_BINDGEN_VERSION" ] ||
     ! command -v wasm-bindgen-test-runner >/dev/null; then
    say "Installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (a few minutes on 2 cores)"
    # No --locked: a dependency version recorded in the CLI's lock file is no longer on the registry.
    cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
  fi

  if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
      say "Installing Debian's chromium and chromium-driver (tests drive this browser; none is downloaded)"
      apt-get update -qq
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null
    else
      echo "build.sh: chromium and chromedriver are needed for the browser tests." >&2
      echo "          On Debian/Ubuntu: sudo apt-get install chromium chromium-driver" >&2
      [ "${1:-}" = need-browser ] && exit 1
    fi
  fi

  # wget: the archive tests import a WARC it writes (an outside tool's file); the crawl benchmark races it.
  if [ "${1:-}" = need-browser ] && ! command -v wget >/dev/null; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
      say "Installing Debian's wget (the archive tests import a WARC file it writes)"
      apt-get update -qq
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wget >/dev/null
    else
      echo "build.sh: wget is needed by the archive tests. On Debian/Ubuntu: sudo apt-get install wget" >&2
      exit 1
    fi
  fi

  if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    say "Installing npm packages (playwright-core, binaryen, benchmark peers)"
    npm ci --no-audit --no-fund
  fi
}

# npm binaryen: Debian's binaryen 108 emits a wasm that fails at runtime (Table.set).
wasm_opt() {
  node node_modules/binaryen/bin/wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int \
    --enable-sign-ext --enable-mutable-globals --enable-reference-types --enable-multivalue "$@"
}

build() {
  local raw="target/$WASM_TARGET/release/sitemirror.wasm"
  local gen="target/pkg"
  rm -rf "$gen" && mkdir -p "$gen/web" "$gen/no-modules"
  # The site worker's engine: no WARC/WACZ (the `archive` feature), which its visitors would download for nothing.
  say "Building the site worker's engine for $WASM_TARGET (release, without archive)"
  cargo build --release --target "$WASM_TARGET" -p sitemirror --no-default-features
  # A site's service worker must stay classic (importScripts) to run everywhere.
  wasm-bindgen --target no-modules --out-dir "$gen/no-modules" --out-name sitemirror "$raw"
  say "Building the extension's engine for $WASM_TARGET (release)"
  cargo build --release --target "$WASM_TARGET" -p sitemirror
  # The extension loads ES modules.
  wasm-bindgen --target web --out-dir "$gen/web" --out-name sitemirror "$raw"
  # The generated TypeScript declarations: shipped beside the glue, and what `tsc --checkJs` (the js-types test
  # layer) checks every call into the engine against (tsconfig.json maps extension/pkg/ and worker/pkg/ here).
  rm -rf target/types && mkdir -p target/types/extension/pkg target/types/worker/pkg
  cp "$gen/web/sitemirror.d.ts" target/types/extension/pkg/
  cp "$gen/no-modules/sitemirror.d.ts" target/types/worker/pkg/
  for dir in web no-modules; do
    wasm_opt "$gen/$dir/sitemirror_bg.wasm" -o "$gen/$dir/sitemirror_bg.wasm"
  done

  say "Assembling dist/extension and dist/worker"
  rm -rf "$DIST/extension" "$DIST/worker" "$DIST/sitemirror-extension.zip"
  mkdir -p "$DIST"
  # extension/lib is a link to lib/ (what both hosts share): copied as files. The classic site worker gets the same
  # declarations as globals (its `export` keywords dropped; the file has no imports).
  cp -rL extension "$DIST/extension"
  rm -rf "$DIST/extension/pkg" && mkdir -p "$DIST/extension/pkg"
  cp "$gen/web/sitemirror.js" "$gen/web/sitemirror.d.ts" "$gen/web/sitemirror_bg.wasm" "$DIST/extension/pkg/"
  cp -r worker "$DIST/worker"
  if grep -q '^import ' lib/shared.js; then die "lib/shared.js must not import: the site worker loads it as a classic script"; fi
  sed -E 's/^export //' lib/shared.js > "$DIST/worker/lib.js"
  rm -rf "$DIST/worker/pkg" "$DIST/worker/README.md" && mkdir -p "$DIST/worker/pkg"
  cp "$gen/no-modules/sitemirror.js" "$gen/no-modules/sitemirror_bg.wasm" "$DIST/worker/pkg/"
  (cd "$DIST/extension" && python3 -m zipfile -c ../sitemirror-extension.zip ./*)
  local ext_wasm="$DIST/extension/pkg/sitemirror_bg.wasm" worker_wasm="$DIST/worker/pkg/sitemirror_bg.wasm"
  say "Built: dist/extension (load unpacked), dist/sitemirror-extension.zip, dist/worker — wasm" \
    "$(stat -c %s "$ext_wasm") B raw, $(gzip -9 -c "$ext_wasm" | wc -c) B gzip (worker:" \
    "$(stat -c %s "$worker_wasm") B raw, $(gzip -9 -c "$worker_wasm" | wc -c) B gzip)"
}

# The test build: dist/extension plus what only tests need (tests/e2e/test-build/: the engine and store on a global
# of the service worker, the popup told which tab it stands for), in target/test-extension. Nothing of it ships.
build_test_extension() {
  local out="target/test-extension"
  rm -rf "$out" && mkdir -p target && cp -r "$DIST/extension" "$out"
  cp -r tests/e2e/test-build/. "$out/"
  node -e 'const fs = require("fs"); const f = process.argv[1]; const m = JSON.parse(fs.readFileSync(f));
    m.background.service_worker = "background-hooks.js"; m.name += " (test build)";
    fs.writeFileSync(f, JSON.stringify(m, null, 2));' "$out/manifest.json"
}

# Test tally: every layer adds its counts; the last line of `./build.sh test` is "N passed, N failed".
PASSED=0
FAILED=0
LAYER_FAILED=()
count_cargo() { # $1 = log file
  local p f
  p=$(grep -Eo 'test result: [a-zA-Z]+\. [0-9]+ passed' "$1" | awk '{s+=$4} END {print s+0}')
  f=$(grep -Eo '[0-9]+ failed' "$1" | awk '{s+=$1} END {print s+0}')
  PASSED=$((PASSED + p)); FAILED=$((FAILED + f))
}
count_fuzz() {
  local line
  line="$(grep -E '^fuzz targets: [0-9]+ passed, [0-9]+ failed' "$1" | tail -1)"
  PASSED=$((PASSED + $(echo "$line" | awk '{print $3+0}')))
  FAILED=$((FAILED + $(echo "$line" | awk '{print $5+0}')))
}
count_node() {
  local p f
  p=$(grep -E '^# pass [0-9]+' "$1" | awk '{s+=$3} END {print s+0}')
  f=$(grep -E '^# fail [0-9]+' "$1" | awk '{s+=$3} END {print s+0}')
  PASSED=$((PASSED + p)); FAILED=$((FAILED + f))
}
layer() { # $1 = name, $2 = counter (cargo|node|none), rest = command
  local name=$1 counter=$2; shift 2
  local log="target/test-logs/$name.log"
  mkdir -p target/test-logs
  say "Test layer: $name"
  set +e
  "$@" 2>&1 | tee "$log"
  local rc=${PIPESTATUS[0]}
  set -e
  case $counter in
    cargo) count_cargo "$log" ;;
    node) count_node "$log" ;;
    fuzz) count_fuzz "$log" ;;
  esac
  if [ "$rc" != 0 ]; then
    LAYER_FAILED+=("$name")
    # A layer that fails before its runner counts anything still counts as one failure.
    [ "$counter" = none ] || grep -qE '[0-9]+ failed|^# fail [1-9]' "$log" || FAILED=$((FAILED + 1))
    [ "$counter" = none ] && FAILED=$((FAILED + 1))
  fi
  return 0
}

# Fuzzing (fuzz/, its own cargo workspace; docs/fuzzing.md). cargo-fuzz passes rustc flags that only nightly
# accepts (-Zsanitizer); RUSTC_BOOTSTRAP=1 lets the stable toolchain accept them. Cargo caches what rustc printed for
# a set of flags whatever the environment, so a refusal seen once without RUSTC_BOOTSTRAP would stay: no cache.
FUZZ_TARGETS=(html css srcset url robots sitemap warc zip)
# Release code with overflow checks and debug assertions, under AddressSanitizer (whose allocator enforces
# -malloc_limit_mb: one allocation over the limit is a finding, touched or not).
FUZZ_BUILD_FLAGS=(--release --debug-assertions --sanitizer address)
# Bounded memory: the whole process under 2 GiB, no single allocation over 256 MiB; no input may take 10 s.
FUZZ_LIMITS=(-rss_limit_mb=2048 -malloc_limit_mb=256 -timeout=10)

fuzz_bootstrap() {
  if ! cargo fuzz --version >/dev/null 2>&1; then
    say "Installing cargo-fuzz (builds and runs the libFuzzer targets in fuzz/)"
    cargo install cargo-fuzz
  fi
}

fuzz_cargo() {
  CARGO_CACHE_RUSTC_INFO=0 RUSTC_BOOTSTRAP=1 cargo fuzz "$@"
}

# Runs every target for $1 seconds on its seeds (fuzz/seeds/<target>) and a corpus: fuzz/corpus/<target>, which
# grows, when $2 = keep; a scratch directory when $2 = scratch (the test layer leaves nothing behind). One line per
# target, then "fuzz targets: N passed, N failed"; non-zero when a target crashed.
fuzz_run() {
  local seconds=$1 mode=$2 t corpus log rc execs crash passed=0 failed=0 total=0
  say "Building the fuzz targets (libFuzzer, AddressSanitizer, overflow checks)"
  fuzz_cargo build "${FUZZ_BUILD_FLAGS[@]}" || { echo "fuzz targets: 0 passed, 1 failed"; return 1; }
  mkdir -p target/fuzz-logs
  for t in "${FUZZ_TARGETS[@]}"; do
    if [ "$mode" = keep ]; then corpus="fuzz/corpus/$t"; else corpus="$(mktemp -d)"; fi
    mkdir -p "$corpus"
    log="target/fuzz-logs/$t.log"
    set +e
    fuzz_cargo run "${FUZZ_BUILD_FLAGS[@]}" "$t" "$corpus" "fuzz/seeds/$t" -- \
      -max_total_time="$seconds" "${FUZZ_LIMITS[@]}" -print_final_stats=1 >"$log" 2>&1
    rc=$?
    set -e
    [ "$mode" = keep ] || rm -rf "$corpus"
    execs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)"
    total=$((total + ${execs:-0}))
    if [ "$rc" = 0 ]; then
      passed=$((passed + 1))
      echo "fuzz $t: ok, ${execs:-?} executions in $seconds s"
    else
      failed=$((failed + 1))
      crash="$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -1)"
      grep -m1 -A3 -E "panicked at|ERROR: libFuzzer|ERROR: AddressSanitizer" "$log" | sed 's/^/    /' || true
      echo "fuzz $t: FAILED (exit $rc), input: ${crash:-none written}, log: $log"
    fi
  done
  echo "fuzz: $total executions in all"
  echo "fuzz targets: $passed passed, $failed failed"
  [ "$failed" = 0 ]
}

# Every JavaScript file parses (the extension's as modules, the site worker's as classic scripts): a syntax error in
# one module otherwise shows up only as pages that never get ready.
js_syntax() {
  local f rc=0
  for f in $(git ls-files 'extension/*.js' 'lib/*.js'); do
    node --no-warnings --experimental-default-type=module --check "$f" || rc=1
  done
  for f in $(git ls-files 'worker/*.js'); do node --check "$f" || rc=1; done
  [ "$rc" = 0 ] && echo "js-syntax: every file parses"
  return "$rc"
}

js_types() {
  node_modules/.bin/tsc -p tsconfig.json && node_modules/.bin/tsc -p tsconfig.worker.json && echo "js-types: no type errors"
}

run_tests() {
  export CHROMEDRIVER="${CHROMEDRIVER:-/usr/bin/chromedriver}"
  export WASM_BINDGEN_TEST_TIMEOUT="${WASM_BINDGEN_TEST_TIMEOUT:-120}"
  layer fmt none cargo fmt --all -- --check
  layer clippy-native none cargo clippy --workspace --all-targets -- -D warnings
  layer clippy-wasm none cargo clippy -p sitemirror --lib --target "$WASM_TARGET" -- -D warnings
  layer clippy-wasm-worker none cargo clippy -p sitemirror --lib --target "$WASM_TARGET" --no-default-features -- -D warnings
  layer js-syntax none js_syntax
  # Every JavaScript file type-checked (tsc --checkJs): the extension and register.js against the DOM and Chrome's
  # API, the classic site worker against the worker types; calls into the engine against its generated declarations.
  layer js-types none js_types
  layer native cargo cargo test --workspace
  # The site worker's engine is built without the archive feature: its code paths are tested as built, not only linted.
  layer native-worker-build cargo cargo test -p sitemirror --no-default-features
  # Each fuzz target replays its seeds (regression inputs included), then fuzzes a few seconds.
  layer fuzz fuzz fuzz_run "${FUZZ_TEST_SECONDS:-5}" scratch
  layer wasm-in-chromium cargo cargo test -p sitemirror --target "$WASM_TARGET" --test wasm_page --test wasm_worker --test wasm_crawl
  layer e2e node node --test --test-concurrency=1 tests/e2e/
  echo
  if [ ${#LAYER_FAILED[@]} -gt 0 ]; then
    echo "Failed layers: ${LAYER_FAILED[*]}"
  fi
  echo "tests: $PASSED passed, $FAILED failed"
  [ ${#LAYER_FAILED[@]} -eq 0 ]
}

run_bench() {
  say "Benchmark: rewrite throughput (WASM vs parse5 vs htmlparser2 vs native lol_html)"
  cargo build --profile bench-native --example bench_native -p sitemirror
  # The floor: lol_html + url doing the least any rewriter must (tests/bench/floor.rs), built like the engine.
  cargo build --release --target "$WASM_TARGET" --example bench_floor -p sitemirror
  wasm_opt --strip-debug --strip-producers "target/$WASM_TARGET/release/examples/bench_floor.wasm" -o target/bench-floor.wasm
  node tests/bench/rewrite.mjs --native "target/bench-native/examples/bench_native" --floor target/bench-floor.wasm
  say "Benchmark: store throughput and dedup in the extension's service worker (MirrorStore vs plain IndexedDB)"
  node tests/bench/store.mjs
  say "Benchmark: replay serve time and offline fallback in the extension"
  node tests/bench/serve.mjs
  say "Benchmark: site worker — online overhead vs no worker, mirrored page served with the origin down"
  node tests/bench/worker.mjs
  say "Benchmark: crawl a generated 2,000-page site (extension vs wget vs wget2; 20 ms and no added latency)"
  node tests/bench/crawl.mjs
  # Debian's Python 3 documentation (Sphinx) is one of the real sites the fidelity benchmark mirrors.
  if [ ! -d /usr/share/doc/python3/html ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    say "Installing Debian's python3-doc (a real site for the fidelity benchmark)"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-doc >/dev/null
  fi
  say "Benchmark: fidelity of crawled mirrors of real sites (raw vs rendered; screenshot, text and links vs live)"
  node tests/bench/fidelity.mjs
}

run_demo() {
  say "Demo: mirror the bundled demo site, stop its origin, show the offline copy"
  node tests/e2e/demo.mjs
}

cmd="${1:-build}"
case "$cmd" in
  build) bootstrap; build ;;
  test) bootstrap need-browser; fuzz_bootstrap; build; build_test_extension; run_tests ;;
  bench) bootstrap need-browser; build; build_test_extension; run_bench ;;
  demo) bootstrap need-browser; build; build_test_extension; run_demo ;;
  fuzz)
    command -v cargo >/dev/null || die "cargo not found: install Rust with rustup (https://rustup.rs) first."
    fuzz_bootstrap
    fuzz_run "${2:-60}" keep ;;
  -h|--help|help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//' ;;
  *) die "unknown command '$cmd' (use: build, test, bench, demo, fuzz)" ;;
esac
