#!/usr/bin/env bash
# Starts the local PostgreSQL cluster (Debian's) and makes sure the test role exists.
# Prints the server URL the tests use (TAPRAIN_TEST_POSTGRES_URL).
set -euo pipefail
version=$(ls /usr/lib/postgresql | sort -n | tail -1)
if ! pg_lsclusters -h | awk '{print $1"-"$2}' | grep -q "^$version-main$"; then
  pg_createcluster "$version" main >/dev/null
fi
pg_ctlcluster "$version" main start >/dev/null 2>&1 || true
for _ in $(seq 1 30); do
  runuser -u postgres -- psql -qtAc "SELECT 1" >/dev/null 2>&1 && break
  sleep 1
done
port=$(pg_lsclusters -h | awk -v v="$version" '$1==v && $2=="main" {print $3}')
runuser -u postgres -- psql -qtAc "SELECT 1 FROM pg_roles WHERE rolname='taprain'" | grep -q 1 \
  || runuser -u postgres -- psql -qc "CREATE ROLE taprain LOGIN SUPERUSER PASSWORD 'taprain'" >/dev/null
echo "postgres://taprain:taprain@127.0.0.1:${port}/postgres"
