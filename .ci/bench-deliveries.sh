#!/usr/bin/env bash
# Benchmarks outbound postback delivery (SPEC E) on the release build, SQLite synchronous=FULL:
#  1. 10,000 credited CPA postbacks, each queueing a delivery to a live local receiver (a second
#     TapRain answering /healthz with "ok"): time until all are delivered.
#  2. 10,000 more while the receiver is down: the first few fail, then the host's breaker opens
#     and holds the rest back (put off, not failed). The receiver comes back, "resend all failed"
#     is pressed, and after the breaker's 1 s cool-down its probe succeeds and the queue drains:
#     the drain time and deliveries/s of a full queue.
#  3. Ingest while deliveries flow: CPA postbacks for a second publisher (no postback URL, so
#     they queue nothing) for 3 s alone, then for 3 s right after the resend of phase 2, while
#     the 10,000 deliveries drain; the ratio of the two rates.
# Figures go to target/bench/deliveries.md. Usage: bash .ci/bench-deliveries.sh [count]
set -euo pipefail
cd "$(dirname "$0")/.."
COUNT=${1:-10000}
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/taprain/target}"
command -v oha >/dev/null || cargo install oha --locked
# BENCH_BIN=path/to/taprain benchmarks a binary built before (skips the build).
BIN="${BENCH_BIN:-$CARGO_TARGET_DIR/release/taprain}"
[ -n "${BENCH_BIN:-}" ] || cargo build --release --features ssr --bin taprain -q

WORK=$(mktemp -d)
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
PORT=$(free_port)
RPORT=$(free_port)
BASE="http://127.0.0.1:$PORT"
DB="$WORK/bench.db"
export RUST_LOG=warn
TAPRAIN_ADMIN_PASSWORD="bench admin password" DATABASE_URL="sqlite://$DB" "$BIN" admin create --email bench@example.com >/dev/null
TOKEN=$(DATABASE_URL="sqlite://$DB" "$BIN" admin token --email bench@example.com 2>/dev/null)
DATABASE_URL="sqlite://$DB" TAPRAIN_LISTEN="127.0.0.1:$PORT" TAPRAIN_ALLOW_PRIVATE_POSTBACK_TARGETS=true TAPRAIN_POSTBACK_BREAKER_SECONDS=1 "$BIN" serve >"$WORK/server.log" 2>&1 &
SERVER=$!
RECEIVER=
start_receiver() {
  DATABASE_URL="sqlite://$WORK/receiver.db" TAPRAIN_LISTEN="127.0.0.1:$RPORT" "$BIN" serve >"$WORK/receiver.log" 2>&1 &
  RECEIVER=$!
  for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$RPORT/healthz" >/dev/null && break; sleep 0.1; done
}
trap 'kill $SERVER $RECEIVER 2>/dev/null; rm -rf "$WORK"' EXIT
for _ in $(seq 1 100); do curl -sf "$BASE/healthz" >/dev/null && break; sleep 0.1; done
start_receiver

api() { curl -sf -X "${3:-POST}" -H "Authorization: Bearer $TOKEN" -H 'content-type: application/json' -d "$2" "$BASE$1"; }
NET=$(api /api/admin/networks '{"name":"Bench"}')
NET_ID=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["id"])' "$NET")
KEY=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["key"])' "$NET")
api "/api/admin/networks/$NET_ID/ips" '{"ip":"127.0.0.1"}' >/dev/null
PUB=6422f1b3e8a0000012345678
api /api/admin/publishers "{\"name\":\"Bench\",\"id\":\"$PUB\"}" >/dev/null
PUB2=$(api /api/admin/publishers '{"name":"Quiet"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
api "/api/admin/publishers/$PUB/postback" "{\"url_template\":\"http://127.0.0.1:$RPORT/healthz?tx={tx_id}&p={payout}\",\"max_retries\":0}" PUT >/dev/null

count() { python3 -c 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); print(c.execute("SELECT COUNT(*) FROM deliveries WHERE state = ?", (sys.argv[2],)).fetchone()[0])' "$DB" "$1"; }
wait_count() { # state target -> seconds waited
  local start; start=$(date +%s.%N)
  while [ "$(count "$1")" -lt "$2" ]; do sleep 0.05; done
  python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.2f}')" "$start" "$(date +%s.%N)"
}
postbacks() {
  oha --no-tui --output-format json -n "$COUNT" -c 50 --rand-regex-url \
    "$BASE/api/postback/cpa\\?key=$KEY&external_identifier=$PUB&amount=350&offer_name=Bench&country_code=US&ip=203[.][1-9]{2}[.][1-9]{2}[.][1-9]{2}&status=1&lead_id=[a-z0-9]{20}" >"$WORK/$1.json"
}

quiet_postbacks() {
  oha --no-tui --output-format json -z 3s -c 50 --rand-regex-url \
    "$BASE/api/postback/cpa\\?key=$KEY&external_identifier=$PUB2&amount=350&offer_name=Quiet&country_code=US&ip=203[.][1-9]{2}[.][1-9]{2}[.][1-9]{2}&status=1&lead_id=[a-z0-9]{20}" >"$WORK/$1.json"
}

# 1. Live receiver: postbacks in, deliveries out, concurrently.
T0=$(date +%s.%N)
postbacks live
LIVE=$(wait_count delivered "$COUNT")
T1=$(date +%s.%N)
LIVE_TOTAL=$(python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.2f}')" "$T0" "$T1")

# 2. Receiver down: every delivery fails; then it comes back and the queue drains.
kill "$RECEIVER"; wait "$RECEIVER" 2>/dev/null || true
postbacks down
sleep 1
quiet_postbacks solo
start_receiver
D0=$(date +%s.%N)
api "/api/admin/deliveries/resend-failed?publisher=$PUB" '{}' >/dev/null
quiet_postbacks during
DURING_DONE=$(count delivered)
wait_count delivered $((COUNT * 2)) >/dev/null
D1=$(date +%s.%N)

mkdir -p target/bench
python3 - "$COUNT" "$LIVE_TOTAL" "$LIVE" "$D0" "$D1" "$WORK/live.json" "$WORK/solo.json" "$WORK/during.json" "$DURING_DONE" <<'PY' | tee target/bench/deliveries.md
import json, sys, datetime
count, live_total, live_tail, d0, d1 = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5])
live = json.load(open(sys.argv[6]))["summary"]["requestsPerSec"]
drain = d1 - d0
print(f"# Delivery benchmark ({datetime.date.today()}, {count:,} deliveries per phase, SQLite synchronous=FULL, receiver on loopback)\n")
print("| phase | figure |")
print("|---|---:|")
print(f"| postbacks accepted while delivering (oha, 50 connections) | {live:,.0f} /s |")
print(f"| live: first postback sent → last delivery stored | {live_total:.2f} s ({count / live_total:,.0f} deliveries/s end to end; {live_tail:.2f} s after the last postback) |")
print(f"| receiver was down: back up → all {count:,} delivered (drain, after the breaker's 1 s cool-down) | {drain:.2f} s |")
print(f"| drain throughput | {count / drain:,.0f} deliveries/s |")
solo = json.load(open(sys.argv[7]))["summary"]["requestsPerSec"]
during = json.load(open(sys.argv[8]))["summary"]["requestsPerSec"]
done_during = int(sys.argv[9]) - count
print(f"| CPA postbacks alone (3 s, 50 connections, another publisher) | {solo:,.0f} /s |")
print(f"| CPA postbacks during the drain (3 s; {done_during:,} of {count:,} deliveries sent by its end) | {during:,.0f} /s |")
print(f"\nCPA during the drain / alone: {during / solo:.0%}")
PY
