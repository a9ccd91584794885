#!/usr/bin/env python3
"""What SQLite alone costs for the rows one credited CPA postback commits.

Replays, with no HTTP, no Rust and no sqlx, the writer's work for N new credited postbacks in
batches (the same prefetch reads, then the conversion, ledger entry, balance and postback-log
rows, one transaction per batch, WAL, synchronous=FULL) against a database migrated by TapRain,
and prints the CPU time per postback. Python's own per-row overhead is included, so the figure is
an upper bound on SQLite's share, not a lower one; compare it with the server's CPU per request
for /healthz that .ci/bench.sh prints.

Usage: python3 .ci/bench-sqlite-floor.py <path-to-taprain-binary> [postbacks] [batch]
"""
import json, os, random, sqlite3, subprocess, sys, tempfile, time

binary = sys.argv[1]
total = int(sys.argv[2]) if len(sys.argv) > 2 else 20000
batch = int(sys.argv[3]) if len(sys.argv) > 3 else 50
work = tempfile.mkdtemp()
path = os.path.join(work, "floor.db")
subprocess.run([binary, "migrate"], env={**os.environ, "DATABASE_URL": f"sqlite://{path}"}, check=True, capture_output=True)
db = sqlite3.connect(path, isolation_level=None)
for pragma in ["journal_mode=WAL", "synchronous=FULL", "foreign_keys=ON", "cache_size=-65536", "mmap_size=268435456"]:
    db.execute("PRAGMA " + pragma)
pub = "6422f1b3e8a0000012345678"
db.execute("INSERT INTO networks (id, name, created_at) VALUES ('net_1', 'n', 0)")
db.execute(f"INSERT INTO publishers (id, name, created_at) VALUES ('{pub}', 'p', 0)")
CONVERSION = ("INSERT INTO conversions (id, source, scope, dedup_key, network_id, publisher_id, state, amount_cents, status_raw, reasons, "
              "lead_id, offer_name, offer_key, country_code, end_user_ip, event_at, created_at, updated_at) "
              f"VALUES (?, 'cpa', 'net_1', ?, 'net_1', '{pub}', 'credited', 350, '1', '', ?, 'Bench', 'Bench', 'US', ?, ?, ?, ?)")
LEDGER = f"INSERT INTO ledger_entries (account, delta, reason, source_ref, created_at) VALUES ('pub:{pub}', 350, 'cpa conversion credited', ?, ?)"
BALANCE = ("INSERT INTO balances (account, balance, updated_at) VALUES (?, ?, ?) ON CONFLICT (account) "
           "DO UPDATE SET balance = balances.balance + excluded.balance, updated_at = excluded.updated_at")
LOG = ("INSERT INTO postback_log (received_at, source, network_id, source_ip, outcome, http_status, reason, latency_us, params, conversion_id) "
       "VALUES (?, 'cpa', 'net_1', '127.0.0.1', 'ok', 200, '', 120, ?, ?)")
params = json.dumps({"external_identifier": pub, "amount": "350", "offer_name": "Bench", "country_code": "US", "status": "1"})
alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
rows = []
for i in range(total):
    now = int(time.time() * 1000)
    rows.append((f"cnv_{now:012x}{random.getrandbits(32):08x}", "".join(random.choices(alphabet, k=20)),
                 f"203.{random.randint(10, 99)}.{random.randint(10, 99)}.{random.randint(10, 99)}", now))
started, cpu = time.time(), time.process_time()
for at in range(0, total, batch):
    chunk = rows[at:at + batch]
    marks = ",".join("?" * len(chunk))
    db.execute("BEGIN IMMEDIATE")
    db.execute(f"SELECT id FROM conversions WHERE source = 'cpa' AND scope = 'net_1' AND dedup_key IN ({marks})", [r[1] for r in chunk]).fetchall()
    db.execute(f"SELECT end_user_ip, COUNT(*) FROM conversions WHERE created_at > 0 AND end_user_ip IN ({marks}) GROUP BY end_user_ip", [r[2] for r in chunk]).fetchall()
    db.execute("SELECT amount_cents FROM conversions WHERE scope = 'net_1' AND offer_key = 'Bench' AND state = 'credited' ORDER BY created_at DESC LIMIT 20").fetchall()
    db.executemany(CONVERSION, [(c, lead, lead, ip, n, n, n) for c, lead, ip, n in chunk])
    db.executemany(LEDGER, [(c + ":credit", n) for c, _, _, n in chunk])
    db.execute(BALANCE, (f"pub:{pub}", 350 * len(chunk), chunk[0][3]))
    db.executemany(LOG, [(n, params, c) for c, _, _, n in chunk])
    db.execute("COMMIT")
wall, cpu = time.time() - started, time.process_time() - cpu
print(f"{total} credited postbacks in batches of {batch}: {total / wall:,.0f}/s wall, {cpu / total * 1e6:.0f} µs CPU per postback (SQLite + Python)")
