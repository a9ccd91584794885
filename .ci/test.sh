#!/usr/bin/env bash
# Sets up a fresh machine and runs every test TapRain has: formatting and lints, unit tests,
# integration tests against SQLite and PostgreSQL, and the browser tests in Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
started=$(date +%s)
log() { printf '\033[1;34m[test]\033[0m %s\n' "$*"; }

bash .ci/setup.sh --test

# Builds are cached outside the clone so repeated runs (and CI on a kept machine) are warm.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/taprain/target}"
export PATH="$PWD/end2end/node_modules/.bin:$PATH"
# cargo-leptos compiles the server with these; the test builds use the same so nothing is
# compiled twice.
export RUSTFLAGS="--cfg erase_components"
export LEPTOS_OUTPUT_NAME=taprain

log "cargo fmt --check"
cargo fmt --all -- --check

log "building the site (server + hydration bundle)"
cargo leptos build

log "cargo clippy"
cargo clippy --workspace --all-targets --features ssr -- -D warnings

log "starting PostgreSQL"
TAPRAIN_TEST_POSTGRES_URL=$(bash .ci/postgres.sh)
export TAPRAIN_TEST_POSTGRES_URL

log "unit and integration tests (SQLite and PostgreSQL)"
cargo nextest run --workspace --features ssr --no-fail-fast

log "browser tests"
bash end2end/run.sh "$CARGO_TARGET_DIR/debug/taprain" "$PWD/target/site"

log "all tests passed in $(( $(date +%s) - started )) s"
