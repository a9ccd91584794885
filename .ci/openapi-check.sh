#!/usr/bin/env bash
# Checks the OpenAPI document the way its users meet it:
#   1. the official openapi-spec-validator finds zero errors;
#   2. openapi-python-client generates a client from it, and that client calls three endpoints
#      of a running server (tests/openapi/client_check.py).
#
#   .ci/openapi-check.sh <path-to-taprain-binary>
# The Python tools are pinned and installed into a virtualenv under ~/.cache/taprain.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
VENV="${TAPRAIN_OPENAPI_VENV:-$HOME/.cache/taprain/openapi-venv}"
log() { printf '\033[1;34m[openapi]\033[0m %s\n' "$*"; }

if ! "$VENV/bin/openapi-spec-validator" --version 2>/dev/null | grep -q '0.9.0' \
  || ! "$VENV/bin/openapi-python-client" --version 2>/dev/null | grep -q '0.29.1'; then
  log "installing openapi-spec-validator and openapi-python-client into $VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check openapi-spec-validator==0.9.0 openapi-python-client==0.29.1
fi

TMP="$(mktemp -d -t taprain-openapi.XXXXXX)"
SERVER_PID=""
cleanup() {
  if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
  rm -rf "$TMP"
}
trap cleanup EXIT

"$BIN" openapi >"$TMP/openapi.json"
log "openapi-spec-validator"
"$VENV/bin/openapi-spec-validator" "$TMP/openapi.json"

log "generating a Python client"
mkdir -p "$TMP/pkg"
(cd "$TMP" && "$VENV/bin/openapi-python-client" generate --path openapi.json --meta none --output-path pkg/taprain_admin_api_client >"$TMP/generate.log" 2>&1) \
  || { cat "$TMP/generate.log"; exit 1; }
# The one warning allowed: /t.js answers application/javascript, a type the generator leaves out.
if [ "$(grep -c 'WARNING parsing' "$TMP/generate.log")" != "$(grep -c 'Unsupported content_type application/javascript' "$TMP/generate.log")" ]; then
  cat "$TMP/generate.log"
  echo "openapi-python-client warned about the document" >&2
  exit 1
fi

PORT="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')"
export DATABASE_URL="sqlite://$TMP/openapi.db" TAPRAIN_LISTEN="127.0.0.1:$PORT"
TAPRAIN_ADMIN_PASSWORD="openapi-check-password" "$BIN" admin create --email openapi@check.test >/dev/null
TOKEN="$("$BIN" admin token --email openapi@check.test 2>/dev/null)"
"$BIN" serve >"$TMP/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 100); do
  curl -fsS -o /dev/null "http://127.0.0.1:$PORT/healthz" 2>/dev/null && break
  sleep 0.2
done
log "calling the server through the generated client"
PYTHONPATH="$TMP/pkg" "$VENV/bin/python" tests/openapi/client_check.py "http://127.0.0.1:$PORT" "$TOKEN" \
  || { tail -n 30 "$TMP/server.log"; exit 1; }
