#!/usr/bin/env bash
# Runs the browser suite against a real TapRain server on a fresh SQLite database.
#
#   end2end/run.sh <path-to-taprain-binary> <site-root-dir>
#   e.g. end2end/run.sh target/debug/taprain target/site-test
#   end2end/run.sh <binary> <site-root> tests/dashboard.spec.ts   (extra args go to Playwright)
#   end2end/run.sh <binary> --embedded tests/embedded.spec.ts
#     the binary must carry the site (release build, or the embed-site feature): it is copied
#     alone into an empty folder and started there, with no TAPRAIN_SITE_ROOT.
#
# Creates an admin (CLI) and a publisher with a login (admin API), hands the specs an admin API
# token and the publisher id (E2E_ADMIN_TOKEN, E2E_PUBLISHER_ID), runs Playwright with the
# system Chromium, always stops the server, and ends with the line CI reads:
#   end2end: N passed, N failed
# Needs: bash, python3, curl, node/npx with end2end/node_modules installed (npm ci).
set -euo pipefail

if [ $# -lt 2 ]; then
  echo "usage: $0 <path-to-taprain-binary> <site-root-dir> [playwright args, e.g. tests/reports.spec.ts]" >&2
  exit 2
fi

HERE="$(cd "$(dirname "$0")" && pwd)"
BIN="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
[ -x "$BIN" ] || { echo "not an executable: $BIN" >&2; exit 2; }
EMBEDDED=""
if [ "$2" = "--embedded" ]; then
  EMBEDDED=1
else
  SITE_ROOT="$(cd "$2" && pwd)"
  [ -d "$SITE_ROOT/pkg" ] || { echo "no pkg/ in site root $SITE_ROOT (run cargo leptos build)" >&2; exit 2; }
fi
[ -d "$HERE/node_modules/@playwright/test" ] || { echo "run 'npm ci' in $HERE first" >&2; exit 2; }

PORT="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')"
BASE_URL="http://127.0.0.1:$PORT"
TMP="$(mktemp -d -t taprain-e2e.XXXXXX)"
SERVER_LOG="$TMP/server.log"
SERVER_PID=""

ADMIN_EMAIL="admin@e2e.test"
ADMIN_PASSWORD="admin-e2e-$(python3 -c 'import secrets; print(secrets.token_hex(8))')"
PUBLISHER_EMAIL="pub@e2e.test"
PUBLISHER_PASSWORD="pub-e2e-$(python3 -c 'import secrets; print(secrets.token_hex(8))')"

export DATABASE_URL="sqlite://$TMP/e2e.db"
export TAPRAIN_LISTEN="127.0.0.1:$PORT"
if [ -n "$EMBEDDED" ]; then
  # The binary alone, in an empty folder: no target/site next to it, no TAPRAIN_SITE_ROOT.
  unset TAPRAIN_SITE_ROOT
  mkdir -p "$TMP/alone"
  cp "$BIN" "$TMP/alone/taprain"
  BIN="$TMP/alone/taprain"
  cd "$TMP/alone"
else
  export TAPRAIN_SITE_ROOT="$SITE_ROOT"
fi
export RUST_LOG="${RUST_LOG:-info}"
# The postback-settings test sends a test postback to a receiver the spec runs on 127.0.0.1.
export TAPRAIN_ALLOW_PRIVATE_POSTBACK_TARGETS=true

cleanup() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  # Keep the server log next to Playwright's artifacts for a failed run.
  mkdir -p "$HERE/test-results"
  cp "$SERVER_LOG" "$HERE/test-results/server.log" 2>/dev/null || true
  rm -rf "$TMP"
}
trap cleanup EXIT INT TERM

fail() {
  echo "end2end: setup failed: $*" >&2
  if [ -s "$SERVER_LOG" ]; then
    echo "--- last lines of the server log ---" >&2
    tail -n 40 "$SERVER_LOG" >&2
  fi
  echo "end2end: 0 passed, 1 failed"
  exit 1
}

# JSON field from stdin, without jq.
json_field() {
  node -e 'let s = ""; process.stdin.on("data", d => s += d).on("end", () => {
    const v = JSON.parse(s)[process.argv[1]];
    if (v === undefined) process.exit(1);
    console.log(v);
  });' "$1"
}

echo "== admin and token"
TAPRAIN_ADMIN_PASSWORD="$ADMIN_PASSWORD" "$BIN" admin create --email "$ADMIN_EMAIL" >/dev/null \
  || fail "admin create"
TOKEN="$("$BIN" admin token --email "$ADMIN_EMAIL" 2>/dev/null)" || fail "admin token"
[ -n "$TOKEN" ] || fail "admin token printed nothing"

echo "== server on $BASE_URL"
"$BIN" serve >"$SERVER_LOG" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 240); do
  if curl -fsS -o /dev/null "$BASE_URL/healthz" 2>/dev/null; then break; fi
  kill -0 "$SERVER_PID" 2>/dev/null || fail "the server exited during start"
  sleep 0.5
done
curl -fsS -o /dev/null "$BASE_URL/healthz" || fail "the server did not answer /healthz within 120 s"
if [ -n "$EMBEDDED" ]; then
  grep -q 'embedded in the binary' "$SERVER_LOG" || fail "the binary does not carry the site (build it with --release or --features embed-site)"
  echo "== serving the embedded site from $(pwd) (holds: $(ls -A | tr '\n' ' '))"
fi

echo "== publisher and its login"
api() { # method path json-body
  curl -fsS -X "$1" "$BASE_URL$2" \
    -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' --data "$3"
}
PUBLISHER="$(api POST /api/admin/publishers '{"name":"E2E Publisher"}')" || fail "creating the publisher"
PUBLISHER_ID="$(printf '%s' "$PUBLISHER" | json_field id)" || fail "no id in: $PUBLISHER"
api POST "/api/admin/publishers/$PUBLISHER_ID/users" \
  "{\"email\":\"$PUBLISHER_EMAIL\",\"password\":\"$PUBLISHER_PASSWORD\"}" >/dev/null \
  || fail "creating the publisher login"

echo "== playwright"
RESULTS="$HERE/results.json"
rm -f "$RESULTS"
set +e
(
  cd "$HERE"
  BASE_URL="$BASE_URL" \
  E2E_ADMIN_EMAIL="$ADMIN_EMAIL" E2E_ADMIN_PASSWORD="$ADMIN_PASSWORD" \
  E2E_PUBLISHER_EMAIL="$PUBLISHER_EMAIL" E2E_PUBLISHER_PASSWORD="$PUBLISHER_PASSWORD" \
  E2E_ADMIN_TOKEN="$TOKEN" E2E_PUBLISHER_ID="$PUBLISHER_ID" \
    npx --no-install playwright test "${@:3}"
)
PW_STATUS=$?
set -e

# Flaky tests passed on a retry; Playwright itself counts them as passing.
read -r PASSED FAILED < <(node -e '
  try {
    const s = require(process.argv[1]).stats ?? {};
    const errors = (require(process.argv[1]).errors ?? []).length;
    console.log((s.expected ?? 0) + (s.flaky ?? 0), (s.unexpected ?? 0) + errors);
  } catch { console.log(0, 1); }
' "$RESULTS")
if [ "$PW_STATUS" -ne 0 ] && [ "$FAILED" -eq 0 ]; then FAILED=1; fi
if [ "$FAILED" -ne 0 ]; then
  echo "--- last lines of the server log ---"
  tail -n 40 "$SERVER_LOG" || true
fi
echo "end2end: $PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
