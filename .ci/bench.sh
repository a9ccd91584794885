#!/usr/bin/env bash
# Benchmarks the release server with a load generator (oha, from crates.io), every figure from one
# run: /healthz; GET /api/postback/cpa with unique lead_ids (all credited); 10,000 identical CPA
# postbacks (one credit); reward level postbacks (new levels, and duplicates); the offerwall click
# redirect /c/{token}. SQLite with synchronous=FULL by default (every 200 committed); set
# BENCH_POSTGRES_URL=postgres://… (a server URL; a fresh database is created) for PostgreSQL.
# Prints requests/s, p50/p99, ratios to /healthz and the server's CPU per request, and writes the
# figures to target/bench/postbacks.md. Usage: bash .ci/bench.sh [seconds] [connections]
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_PER_RUN=${1:-10}
CONNECTIONS=${2:-50}
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/taprain/target}"
command -v oha >/dev/null || cargo install oha --locked
# wrk (Debian) for the reward postback: its Lua script gives every request a unique level.
command -v wrk >/dev/null || { apt-get update -qq; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
# BENCH_BIN=path/to/taprain benchmarks a binary built before (skips the build).
BIN="${BENCH_BIN:-$CARGO_TARGET_DIR/release/taprain}"
[ -n "${BENCH_BIN:-}" ] || cargo build --release --features ssr --bin taprain -q

WORK=$(mktemp -d)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
BASE="http://127.0.0.1:$PORT"
if [ -n "${BENCH_POSTGRES_URL:-}" ]; then
  DBNAME="taprain_bench_$RANDOM$RANDOM"
  psql "$BENCH_POSTGRES_URL" -qc "CREATE DATABASE $DBNAME" >/dev/null
  export DATABASE_URL="${BENCH_POSTGRES_URL%/*}/$DBNAME" BACKEND="PostgreSQL (synchronous_commit=on)"
else
  export DATABASE_URL="sqlite://$WORK/bench.db" BACKEND="SQLite synchronous=FULL"
fi
export TAPRAIN_LISTEN="127.0.0.1:$PORT" RUST_LOG=warn
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
# oha stops with requests still in flight; the server commits them anyway. Let them land before
# reading the balance, so the identical run's credits are counted alone.
sleep 2
CREDITED=$(curl -sf -H "Authorization: Bearer $TOKEN" "$BASE/api/admin/publishers/6422f1b3e8a0000012345678" | python3 -c 'import json,sys; print(json.load(sys.stdin)["balance_cents"] // 350)')
# 10,000 identical postbacks: one credit, the rest duplicates answered 200.
measure same oha --no-tui --output-format json -n 10000 -c "$CONNECTIONS" \
  "$BASE/api/postback/cpa?key=$KEY&external_identifier=6422f1b3e8a0000012345678&amount=100&offer_name=Bench&country_code=US&ip=198.51.100.7&status=1&lead_id=the-same-lead" >"$WORK/same.json"
AFTER_SAME=$(curl -sf -H "Authorization: Bearer $TOKEN" "$BASE/api/admin/publishers/6422f1b3e8a0000012345678" | python3 -c 'import json,sys; print(json.load(sys.stdin)["balance_cents"])')
SAME_CREDITS=$(( (AFTER_SAME - CREDITED * 350) / 100 ))

# The offerwall click redirect: one offer, one wall, a browser user agent (every request records a click).
WALL_PUB=$(api /api/admin/publishers '{"name":"Wall owner"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
api /api/admin/offers '{"name":"Bench offer","payout_cents":120,"url_template":"https://adv.example/go?c={click_id}&s1={s1}"}' >/dev/null
WALL=$(api /api/admin/offerwalls "{\"publisher_id\":\"$WALL_PUB\",\"name\":\"Bench wall\"}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
UA='Mozilla/5.0 (X11; Linux x86_64) Chrome/126.0'
CLICK=$(curl -sf -A "$UA" "$BASE/o/$WALL?s1=bench&device=desktop" | grep -o 'href="/c/[^"]*"' | head -1 | sed 's/href="//; s/"$//; s/&amp;/\&/g')
measure click run -H "User-Agent: $UA" "$BASE$CLICK" >"$WORK/click.json"

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
python3 - "$WORK/healthz.json" "$WORK/cpa.json" "$SECONDS_PER_RUN" "$CONNECTIONS" "$WORK/reward.json" "$WORK/reward_dup.json" "$WORK/cpu.txt" "$TICK" "$WORK/same.json" "$WORK/click.json" "$CREDITED" "$SAME_CREDITS" "$BACKEND" <<'PY' | tee target/bench/postbacks.md
import json, sys, datetime
h, c = (json.load(open(p)) for p in sys.argv[1:3])
def fig(r):
    s, p = r["summary"], r["latencyPercentiles"]
    codes = r.get("statusCodeDistribution", {})
    return s["requestsPerSec"], p["p50"] * 1000, p["p99"] * 1000, codes
hr, h50, h99, hc = fig(h)
cr, c50, c99, cc = fig(c)
print(f"# Postback benchmark ({datetime.date.today()}, {sys.argv[3]} s per run, {sys.argv[4]} connections, {sys.argv[13]})\n")
print("| endpoint | requests/s | p50 ms | p99 ms | status codes |")
print("|---|---:|---:|---:|---|")
print(f"| /healthz | {hr:,.0f} | {h50:.2f} | {h99:.2f} | {hc} |")
print(f"| /api/postback/cpa (unique lead_id) | {cr:,.0f} | {c50:.2f} | {c99:.2f} | {cc} |")
w = json.load(open(sys.argv[5]))
dr, d50, d99, dc = fig(json.load(open(sys.argv[6])))
print(f"| POST /api/postback (new level each, wrk) | {w['rps']:,.0f} | {w['p50']:.2f} | {w['p99']:.2f} | errors {w['errors']}, non-2xx {w['non2xx']} |")
print(f"| POST /api/postback (same level: duplicates) | {dr:,.0f} | {d50:.2f} | {d99:.2f} | {dc} |")
sr, s50, s99, sc = fig(json.load(open(sys.argv[9])))
kr, k50, k99, kc = fig(json.load(open(sys.argv[10])))
print(f"| /api/postback/cpa (10,000 identical: {sys.argv[12]} credit) | {sr:,.0f} | {s50:.2f} | {s99:.2f} | {sc} |")
print(f"| GET /c/{{token}} (click redirect, browser UA) | {kr:,.0f} | {k50:.2f} | {k99:.2f} | {kc} |")
print(f"\nRatios to /healthz: CPA unique {cr / hr:.1%}; reward new levels {w['rps'] / hr:.1%}; CPA identical {sr / hr:.1%}; click redirect {kr / hr:.1%}")
print(f"Conversions credited by the unique-lead CPA run: {sys.argv[11]}")
ticks = dict(line.split() for line in open(sys.argv[7]))
tick_us = 1e6 / int(sys.argv[8])
secs = int(sys.argv[3])
per = lambda name, rps, n=None: int(ticks[name]) * tick_us / max(n if n else rps * secs, 1)
print(f"Server CPU per request: /healthz {per('healthz', hr):.0f} µs, CPA postback {per('cpa', cr):.0f} µs, reward postback {per('reward', w['rps']):.0f} µs, "
      f"identical CPA {per('same', sr, 10000):.0f} µs, click {per('click', kr):.0f} µs")
PY
