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

# The test site goes to its own folder: target/site is what a release server started from disk
# (`.ci/serve.sh`, `target/release/taprain serve`) serves, and a debug bundle there breaks it.
export LEPTOS_SITE_ROOT=target/site-test
log "building the site (server + hydration bundle) into $LEPTOS_SITE_ROOT"
cargo leptos build

log "cargo clippy"
cargo clippy --workspace --all-targets --features ssr -- -D warnings

log "starting PostgreSQL"
TAPRAIN_TEST_POSTGRES_URL=$(bash .ci/postgres.sh)
export TAPRAIN_TEST_POSTGRES_URL

log "unit and integration tests (SQLite and PostgreSQL)"
cargo nextest run --workspace --features ssr --no-fail-fast

log "OpenAPI document: openapi-spec-validator and a generated client"
bash .ci/openapi-check.sh "$CARGO_TARGET_DIR/debug/taprain"

log "the binary alone: site embedded (embed-site feature), copied to an empty folder"
cargo build --bin taprain --features embed-site
mkdir -p "$CARGO_TARGET_DIR/embedded"
cp "$CARGO_TARGET_DIR/debug/taprain" "$CARGO_TARGET_DIR/embedded/taprain"
bash end2end/run.sh "$CARGO_TARGET_DIR/embedded/taprain" --embedded tests/site.spec.ts

log "browser tests"
bash end2end/run.sh "$CARGO_TARGET_DIR/debug/taprain" "$PWD/$LEPTOS_SITE_ROOT"

log "all tests passed in $(( $(date +%s) - started )) s"
