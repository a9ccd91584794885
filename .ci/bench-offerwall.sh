#!/usr/bin/env bash
# Benchmarks the offerwall page against /healthz in one run: a release server on SQLite, 200
# active offers (varied countries and devices), one wall, then wrk on /healthz and on
# GET /o/{id}?s1=…&s2=…&country=US with a desktop user agent (every card carries a freshly
# signed click link). Writes the figures to target/bench/offerwall.md.
# Usage: bash .ci/bench-offerwall.sh [seconds] [connections]
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_PER_RUN=${1:-10}
CONNECTIONS=${2:-50}
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/taprain/target}"
command -v wrk >/dev/null || { apt-get update -qq; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
# BENCH_BIN=path/to/taprain benchmarks a binary built before (skips the build).
BIN="${BENCH_BIN:-$CARGO_TARGET_DIR/release/taprain}"
[ -n "${BENCH_BIN:-}" ] || cargo build --release --features ssr --bin taprain -q

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
PUB=$(api /api/admin/publishers '{"name":"Bench"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
WALL=$(api /api/admin/offerwalls "{\"publisher_id\":\"$PUB\",\"name\":\"Bench wall\",\"exchange_rate\":\"1000\"}" \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
for i in $(seq 1 200); do
  case $((i % 4)) in 0) C='[]';; 1) C='["US"]';; 2) C='["US","DE","GB"]';; 3) C='["FR"]';; esac
  case $((i % 3)) in 0) D=all;; 1) D=desktop;; 2) D=mobile;; esac
  api /api/admin/offers "{\"name\":\"Offer $i: install & play\",\"payout_cents\":$((i * 7 + 50)),\"countries\":$C,\"device\":\"$D\",\
\"description\":\"Reach level 10 within 7 days. New users only.\",\"url_template\":\"https://adv.example/go?c={click_id}&s1={s1}&u={uid}\"}" >/dev/null
done
PAGE="$BASE/o/$WALL?s1=bench&s2=home&uid=user-1&country=US"
CARDS=$(curl -sf -A 'Mozilla/5.0 (X11; Linux x86_64) Chrome/126.0' "$PAGE" | grep -o 'class="card"' | wc -l)
ALL_CARDS=$(curl -sf "$BASE/o/$WALL?device=desktop" | grep -o 'class="card"' | wc -l)

# wrk prints one JSON line per run (requests/s, p50/p99 in ms, errors, non-2xx answers).
cat >"$WORK/report.lua" <<'LUA'
wrk.headers["User-Agent"] = "Mozilla/5.0 (X11; Linux x86_64) Chrome/126.0"
done = function(summary, latency, requests)
  io.write(string.format('{"rps": %f, "p50": %f, "p99": %f, "errors": %d, "non2xx": %d}\n', summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout, summary.errors.status))
end
LUA
run() { wrk -t2 -c "$CONNECTIONS" -d "${SECONDS_PER_RUN}s" --latency -s "$WORK/report.lua" "$1" | tail -1 >"$2"; }
run "$BASE/healthz" "$WORK/healthz.json"
run "$PAGE" "$WORK/wall.json"
run "$BASE/o/$WALL?device=desktop" "$WORK/wall_all.json"

mkdir -p target/bench
python3 - "$WORK/healthz.json" "$WORK/wall.json" "$WORK/wall_all.json" "$SECONDS_PER_RUN" "$CONNECTIONS" "$CARDS" "$ALL_CARDS" <<'PY' | tee target/bench/offerwall.md
import json, sys, datetime
def fig(path):
    r = json.load(open(path))
    return r["rps"], r["p50"], r["p99"], f"errors {r['errors']}, non-2xx {r['non2xx']}"

hr, h50, h99, hc = fig(sys.argv[1])
wr, w50, w99, wc = fig(sys.argv[2])
ar, a50, a99, ac = fig(sys.argv[3])
print(f"# Offerwall benchmark ({datetime.date.today()}, {sys.argv[4]} s per run, {sys.argv[5]} connections, 200 active offers)\n")
print("| endpoint | requests/s | p50 ms | p99 ms | failures |")
print("|---|---:|---:|---:|---|")
print(f"| /healthz | {hr:,.0f} | {h50:.2f} | {h99:.2f} | {hc} |")
print(f"| /o/{{id}} country=US, desktop ({sys.argv[6]} cards) | {wr:,.0f} | {w50:.2f} | {w99:.2f} | {wc} |")
print(f"| /o/{{id}} no country, desktop ({sys.argv[7]} cards) | {ar:,.0f} | {a50:.2f} | {a99:.2f} | {ac} |")
print(f"\nOfferwall / healthz throughput: {wr / hr:.1%} (US) and {ar / hr:.1%} (no country filter); target >= 30 % and p99 <= 30 ms.")
PY
