#!/usr/bin/env bash
# Runs every Hermes test. On a fresh Debian machine it first installs what the tests need (the PostgreSQL server, and
# Chromium for the browser tests), starts a throwaway PostgreSQL cluster on a free local port when DATABASE_URL is
# unset, and stops it again on exit, whatever happened. Extra arguments go to `dotnet test` (e.g. --filter Jobs).
set -euo pipefail
cd "$(dirname "$0")"
root=$(pwd)

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
apt_updated=
apt_install() {
  [ -n "$apt_updated" ] || { as_root apt-get update -qq; apt_updated=1; }
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
if [ -z "${DATABASE_URL:-}" ] && { [ -z "$pgbin" ] || [ ! -x "$pgbin/initdb" ]; }; then
  echo "test.sh: installing the PostgreSQL server"
  apt_install postgresql
  pgbin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
fi
if [ -d tests/Hermes.BrowserTests ] && [ ! -x /usr/bin/chromium ]; then
  echo "test.sh: installing Chromium for the browser tests"
  apt_install chromium
fi

cluster=
stop_cluster() {
  if [ -n "$cluster" ] && [ -f "$cluster/data/postmaster.pid" ]; then
    run_pg "$pgbin/pg_ctl" -D "$cluster/data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  [ -n "$cluster" ] && rm -rf "$cluster"
}
trap stop_cluster EXIT INT TERM
run_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

if [ -z "${DATABASE_URL:-}" ]; then
  port=55432
  while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done
  cluster=$(mktemp -d /tmp/hermes-test-pg.XXXXXX)
  [ "$(id -u)" = 0 ] && chown postgres:postgres "$cluster"
  chmod 700 "$cluster"
  run_pg "$pgbin/initdb" -D "$cluster/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 --no-sync >/dev/null
  run_pg "$pgbin/pg_ctl" -D "$cluster/data" -l "$cluster/server.log" -w \
    -o "-p $port -c listen_addresses=127.0.0.1 -k $cluster -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" start >/dev/null
  export DATABASE_URL="postgres://postgres@127.0.0.1:$port/postgres"
  echo "test.sh: throwaway PostgreSQL on 127.0.0.1:$port"
fi

results="$root/artifacts/test-results"
rm -rf "$results"; mkdir -p "$results"
status=0
dotnet test Hermes.slnx --logger "trx" --logger "console;verbosity=minimal" --results-directory "$results" \
  --blame-hang-timeout 5m "$@" || status=$?

passed=0; failed=0
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
  p=$(echo "$counters" | sed -n 's/.* passed="\([0-9]*\)".*/\1/p'); f=$(echo "$counters" | sed -n 's/.* failed="\([0-9]*\)".*/\1/p')
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0}))
done
echo "Tests: $passed passed, $failed failed"
if [ "$status" -eq 0 ] && [ "$passed" -eq 0 ]; then echo "test.sh: no test ran"; exit 1; fi
exit "$status"
