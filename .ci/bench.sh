#!/usr/bin/env bash
# Benchmarks the running release server with a load generator (oha, from crates.io):
# /healthz and GET /api/postback/cpa with unique lead_ids, in one run, on SQLite with
# synchronous=FULL (every 200 committed). Prints requests/s, p50/p99 and the ratio, and writes
# the figures to target/bench/postbacks.md. Usage: bash .ci/bench.sh [seconds] [connections]
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_PER_RUN=${1:-10}
CONNECTIONS=${2:-50}
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/taprain/target}"
command -v oha >/dev/null || cargo install oha --locked
cargo build --release --features ssr --bin taprain -q
BIN="$CARGO_TARGET_DIR/release/taprain"

WORK=$(mktemp -d)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
BASE="http://127.0.0.1:$PORT"
export DATABASE_URL="sqlite://$WORK/bench.db" TAPRAIN_LISTEN="127.0.0.1:$PORT" RUST_LOG=warn
TAPRAIN_ADMIN_PASSWORD="bench admin password" "$BIN" admin create --email bench@example.com >/dev/null
TOKEN=$("$BIN" admin token --email bench@example.com 2>/dev/null)
"$BIN" serve >"$WORK/server.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; rm -rf "$WORK"' EXIT
for _ in $(seq 1 100); do curl -sf "$BASE/healthz" >/dev/null && break; sleep 0.1; done

api() { curl -sf -H "Authorization: Bearer $TOKEN" -H 'content-type: application/json' -d "$2" "$BASE$1"; }
NET=$(api /api/admin/networks '{"name":"Bench"}')
NET_ID=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["id"])' "$NET")
KEY=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["key"])' "$NET")
api "/api/admin/networks/$NET_ID/ips" '{"ip":"127.0.0.1"}' >/dev/null
api /api/admin/publishers '{"name":"Bench","id":"6422f1b3e8a0000012345678"}' >/dev/null

run() { oha --no-tui --output-format json -z "${SECONDS_PER_RUN}s" -c "$CONNECTIONS" "$@"; }
run "$BASE/healthz" >"$WORK/healthz.json"
# Unique lead ids (20 random characters) so every postback is a new, credited conversion;
# end-user IPs vary too so the repeated-IP quality rule does not hold them.
run --rand-regex-url "$BASE/api/postback/cpa\\?key=$KEY&external_identifier=6422f1b3e8a0000012345678&amount=350&offer_name=Bench&country_code=US&ip=203[.][1-9]{2}[.][1-9]{2}[.][1-9]{2}&status=1&lead_id=[a-z0-9]{20}" >"$WORK/cpa.json"

mkdir -p target/bench
python3 - "$WORK/healthz.json" "$WORK/cpa.json" "$SECONDS_PER_RUN" "$CONNECTIONS" <<'PY' | tee target/bench/postbacks.md
import json, sys, datetime
h, c = (json.load(open(p)) for p in sys.argv[1:3])
def fig(r):
    s, p = r["summary"], r["latencyPercentiles"]
    codes = r.get("statusCodeDistribution", {})
    return s["requestsPerSec"], p["p50"] * 1000, p["p99"] * 1000, codes
hr, h50, h99, hc = fig(h)
cr, c50, c99, cc = fig(c)
print(f"# Postback benchmark ({datetime.date.today()}, {sys.argv[3]} s per run, {sys.argv[4]} connections, SQLite synchronous=FULL)\n")
print("| endpoint | requests/s | p50 ms | p99 ms | status codes |")
print("|---|---:|---:|---:|---|")
print(f"| /healthz | {hr:,.0f} | {h50:.2f} | {h99:.2f} | {hc} |")
print(f"| /api/postback/cpa (unique lead_id) | {cr:,.0f} | {c50:.2f} | {c99:.2f} | {cc} |")
print(f"\npostback / healthz throughput: {cr / hr:.1%}")
PY
CREDITED=$(curl -sf -H "Authorization: Bearer $TOKEN" "$BASE/api/admin/publishers/6422f1b3e8a0000012345678" | python3 -c 'import json,sys; print(json.load(sys.stdin)["balance_cents"] // 350)')
echo "conversions credited during the run: $CREDITED" | tee -a target/bench/postbacks.md
