#!/usr/bin/env bash
# A throwaway PostgreSQL on 127.0.0.1 for the tests of the PostgreSQL store.
#   scripts/test-postgres.sh start   installs PostgreSQL from Debian's packages if it is missing (as root), starts a
#                                    fresh cluster on a free port, prints "URL DIRECTORY"
#   scripts/test-postgres.sh stop DIRECTORY
set -euo pipefail

pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1; }

case "${1:-}" in
start)
  bin=$(pg_bin)
  if [ -z "$bin" ] && [ "$(id -u)" = 0 ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -q postgresql >/dev/null 2>&1 \
      || { apt-get update -q >/dev/null 2>&1 && apt-get install -y -q postgresql >/dev/null 2>&1; } || true
    bin=$(pg_bin)
  fi
  [ -n "$bin" ] || { echo "PostgreSQL is not installed: apt-get install postgresql" >&2; exit 1; }
  dir=$(mktemp -d /tmp/argo-mcp-pg.XXXXXX)
  chmod 755 "$dir"
  run() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
  [ "$(id -u)" = 0 ] && chown postgres "$dir"
  port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  run "$bin/initdb" -D "$dir/data" -A trust -U argo_mcp >"$dir/initdb.log" 2>&1 \
    || { cat "$dir/initdb.log" >&2; exit 1; }
  run "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c max_connections=200 -c fsync=off" start >/dev/null \
    || { cat "$dir/server.log" >&2; exit 1; }
  echo "postgres://argo_mcp@127.0.0.1:$port/postgres?sslmode=disable $dir"
  ;;
stop)
  dir=${2:?directory}
  bin=$(pg_bin)
  if [ "$(id -u)" = 0 ]; then
    runuser -u postgres -- "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
  else
    "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$dir"
  ;;
*)
  echo "usage: $0 start | stop DIRECTORY" >&2
  exit 2
  ;;
esac
