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
# wrk (Debian) for the reward postback: its Lua script gives every request a unique level.
command -v wrk >/dev/null || { apt-get update -qq; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
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
# The server's own CPU time (user + system, in clock ticks) around each run: CPU per request is
# what bounds throughput, and unlike requests/s it barely depends on what else the machine does.
TICK=$(getconf CLK_TCK)
cpu() { awk '{print $14 + $15}' "/proc/$SERVER/stat"; }
measure() { local name=$1; shift; local before; before=$(cpu); "$@"; echo "$name $(( $(cpu) - before ))" >>"$WORK/cpu.txt"; }
measure healthz run "$BASE/healthz" >"$WORK/healthz.json"
# Unique lead ids (20 random characters) so every postback is a new, credited conversion;
# end-user IPs vary too so the repeated-IP quality rule does not hold them.
measure cpa run --rand-regex-url "$BASE/api/postback/cpa\\?key=$KEY&external_identifier=6422f1b3e8a0000012345678&amount=350&offer_name=Bench&country_code=US&ip=203[.][1-9]{2}[.][1-9]{2}[.][1-9]{2}&status=1&lead_id=[a-z0-9]{20}" >"$WORK/cpa.json"

# Reward level postbacks: one user, a new level per request (every 5th is a milestone).
api /api/admin/store-apps '{"pid":"cashgiraffe","name":"Bench app"}' >/dev/null
api /api/admin/reward-games '{"id":"my_game","name":"Bench game"}' >/dev/null
SECRET=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["secret"])' "$(api /api/admin/reward-secrets '{}')")
UID_=$(curl -sf -H "Authorization: Bearer $SECRET" -H 'content-type: application/json' -d '{"appId":"bench","deviceId":"bench"}' "$BASE/api/reward/users" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
cat >"$WORK/reward.lua" <<LUA
local n = 0
request = function()
  n = n + 1
  local body = string.format('{"pid":"cashgiraffe","uid":"$UID_","gid":"my_game","level_number":%d}', n)
  return wrk.format("POST", "/api/postback", {["Content-Type"] = "application/json", ["Authorization"] = "Bearer $SECRET"}, body)
end
done = function(summary, latency, requests)
  io.write(string.format('{"rps": %f, "p50": %f, "p99": %f, "errors": %d, "non2xx": %d}\n', summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000, latency:percentile(99) / 1000, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout, summary.errors.status))
end
LUA
measure reward wrk -t1 -c "$CONNECTIONS" -d "${SECONDS_PER_RUN}s" -s "$WORK/reward.lua" "$BASE" >"$WORK/reward.out"
tail -1 "$WORK/reward.out" >"$WORK/reward.json"
run -m POST -H "Authorization: Bearer $SECRET" -T application/json -d "{\"pid\":\"cashgiraffe\",\"uid\":\"$UID_\",\"gid\":\"my_game\",\"level_number\":5}" "$BASE/api/postback" >"$WORK/reward_dup.json"

mkdir -p target/bench
python3 - "$WORK/healthz.json" "$WORK/cpa.json" "$SECONDS_PER_RUN" "$CONNECTIONS" "$WORK/reward.json" "$WORK/reward_dup.json" "$WORK/cpu.txt" "$TICK" <<'PY' | tee target/bench/postbacks.md
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
w = json.load(open(sys.argv[5]))
dr, d50, d99, dc = fig(json.load(open(sys.argv[6])))
print(f"| POST /api/postback (new level each, wrk) | {w['rps']:,.0f} | {w['p50']:.2f} | {w['p99']:.2f} | errors {w['errors']}, non-2xx {w['non2xx']} |")
print(f"| POST /api/postback (same level: duplicates) | {dr:,.0f} | {d50:.2f} | {d99:.2f} | {dc} |")
print(f"\nCPA postback / healthz throughput: {cr / hr:.1%}; reward postback / healthz: {w['rps'] / hr:.1%}")
ticks = dict(line.split() for line in open(sys.argv[7]))
tick_us = 1e6 / int(sys.argv[8])
secs = int(sys.argv[3])
per = lambda name, rps: int(ticks[name]) * tick_us / max(rps * secs, 1)
print(f"Server CPU per request: /healthz {per('healthz', hr):.0f} µs, CPA postback {per('cpa', cr):.0f} µs, reward postback {per('reward', w['rps']):.0f} µs")
PY
CREDITED=$(curl -sf -H "Authorization: Bearer $TOKEN" "$BASE/api/admin/publishers/6422f1b3e8a0000012345678" | python3 -c 'import json,sys; print(json.load(sys.stdin)["balance_cents"] // 350)')
echo "conversions credited during the run: $CREDITED" | tee -a target/bench/postbacks.md
