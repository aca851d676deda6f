#!/usr/bin/env bash
# Start Debian's PostgreSQL on 127.0.0.1 for the team-library tests and print the address of a
# test role that may create (and drop) databases: postgresql://USER:PASSWORD@127.0.0.1:PORT/postgres
set -euo pipefail
version="$(ls /usr/lib/postgresql | sort -V | tail -1)"
if [ "$(id -u)" != 0 ]; then
  echo "error: starting the test PostgreSQL server needs root; or start one yourself and set STUDIO_TEST_POSTGRES" >&2
  exit 1
fi
pg_lsclusters -h | grep -q "^$version main " || pg_createcluster "$version" main >/dev/null
pg_ctlcluster "$version" main start >/dev/null 2>&1 || pg_ctlcluster "$version" main status >/dev/null
port="$(pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main" {print $3}')"
runuser -u postgres -- psql -qAt -p "$port" >/dev/null <<'SQL'
SET client_min_messages = warning;
DO $$BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'conext_test') THEN
    CREATE ROLE conext_test LOGIN CREATEDB PASSWORD 'conext-test';
  END IF;
END$$;
GRANT pg_signal_backend TO conext_test;
-- a server for tests only: it need not survive a power cut, and hundreds of test databases
-- are made and dropped in a run (each a checkpoint's worth of fsyncs otherwise)
ALTER SYSTEM SET fsync = off;
ALTER SYSTEM SET synchronous_commit = off;
ALTER SYSTEM SET full_page_writes = off;
SELECT pg_reload_conf();
SQL
echo "postgresql://conext_test:conext-test@127.0.0.1:$port/postgres"
