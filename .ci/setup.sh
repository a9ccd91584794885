#!/usr/bin/env bash
# Installs what building and testing TapRain needs on a fresh machine (Rust via rustup, Node/npm,
# Debian). Idempotent: each step is skipped when its tool is already there.
#   bash .ci/setup.sh            build tools only (wasm target, cargo-leptos, wasm-bindgen, npm packages)
#   bash .ci/setup.sh --test     also Chromium and PostgreSQL for the test suites
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '\033[1;34m[setup]\033[0m %s\n' "$*"; }

rustup target list --installed | grep -q wasm32-unknown-unknown || { log "adding the wasm32 target"; rustup target add wasm32-unknown-unknown; }

# cargo-leptos 0.3.11 needs a newer rustc than this machine's; 0.3.10 is verified (BUILD.md).
if [ "$(cargo-leptos --version 2>/dev/null)" != "cargo-leptos 0.3.10" ]; then
  log "installing cargo-leptos 0.3.10 (about 15 minutes on 2 cores)"
  cargo install cargo-leptos --locked --version 0.3.10
fi

# wasm-bindgen-cli must match the wasm-bindgen crate in Cargo.lock exactly.
WB=$(awk '/^name = "wasm-bindgen"$/{getline; gsub(/"/,"",$3); print $3}' Cargo.lock)
if [ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $WB" ]; then
  log "installing wasm-bindgen-cli $WB"
  cargo install wasm-bindgen-cli --version "$WB" --force
fi

# npm packages: Playwright for the browser tests, binaryen's wasm-opt for release builds.
if [ ! -x end2end/node_modules/.bin/wasm-opt ] || [ end2end/package-lock.json -nt end2end/node_modules/.package-lock.json ]; then
  log "installing npm packages in end2end/"
  (cd end2end && npm ci --no-audit --no-fund --loglevel=error)
fi

if [ "${1:-}" = "--test" ]; then
  need=()
  [ -x /usr/bin/chromium ] || need+=(chromium)
  ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || need+=(postgresql)
  command -v cargo-nextest >/dev/null || cargo install cargo-nextest --locked
  if [ ${#need[@]} -gt 0 ]; then
    log "installing Debian packages: ${need[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  fi
fi
log "tools ready"
