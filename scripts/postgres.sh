#!/usr/bin/env bash
# A throwaway PostgreSQL server for the tests and benchmarks: no systemd, no TCP port, nothing
# outside DIR.
#
#   scripts/postgres.sh start DIR   initdb into DIR/data (if new) and start the server with its
#                                   Unix socket in DIR; prints the connection string
#                                   (host=DIR user=avtaleflyt dbname=postgres); the role
#                                   avtaleflyt_password must give its password, the-right-one
#   scripts/postgres.sh halt DIR    stop it and keep its data (start brings it back)
#   scripts/postgres.sh stop DIR    stop it and remove DIR
#   scripts/postgres.sh url DIR     print the connection string
#
# PostgreSQL refuses to run as root: run as root, the server runs as the `postgres` user (made
# by Debian's package) and DIR is given to that user. DIR must be short (a Unix socket's path
# is at most 107 bytes): /tmp/avtaleflyt-pg-XXXX, say.
set -euo pipefail

command=${1:-}
dir=${2:-}
if [ -z "$command" ] || [ -z "$dir" ]; then
  echo "usage: $0 start|halt|stop|url DIR" >&2
  exit 2
fi

bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
if [ -z "$bin" ] || [ ! -x "$bin/pg_ctl" ]; then
  echo "$0: PostgreSQL's server is not installed (apt-get install postgresql, or scripts/install-deps.sh)" >&2
  exit 1
fi

as_server() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

url() { echo "host=$dir user=avtaleflyt dbname=postgres"; }

case "$command" in
  start)
    if [ ${#dir} -gt 80 ]; then
      echo "$0: $dir is too long for a Unix socket's folder (at most 80 characters)" >&2
      exit 1
    fi
    mkdir -p "$dir"
    if [ "$(id -u)" -eq 0 ]; then chown postgres: "$dir"; fi
    if [ -f "$dir/data/postmaster.pid" ]; then  # left by a run that was killed
      as_server "$bin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
    fi
    fresh=
    if [ ! -f "$dir/data/PG_VERSION" ]; then
      as_server "$bin/initdb" -D "$dir/data" -A trust -U avtaleflyt -E UTF8 --locale=C.UTF-8 \
        >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }
      # One role that must give its password (the tests of a wrong one); the rest trusted.
      as_server sh -c "{ echo 'local all avtaleflyt_password scram-sha-256'; cat '$dir/data/pg_hba.conf'; } > '$dir/data/pg_hba.new' && mv '$dir/data/pg_hba.new' '$dir/data/pg_hba.conf'"
      fresh=1
    fi
    # fsync off: a test server's data needs to survive no crash of the machine.
    if ! as_server "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w -t 60 \
        -o "-k $dir -c listen_addresses= -c fsync=off -c max_connections=300" start >/dev/null; then
      cat "$dir/log" >&2
      exit 1
    fi
    if [ -n "$fresh" ]; then
      "$bin/psql" -q -h "$dir" -U avtaleflyt -d postgres \
        -c "CREATE ROLE avtaleflyt_password LOGIN PASSWORD 'the-right-one'" >/dev/null
    fi
    url
    ;;
  halt|stop)
    if [ -f "$dir/data/postmaster.pid" ]; then
      as_server "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null
    fi
    if [ "$command" = stop ]; then rm -rf "$dir"; fi
    ;;
  url)
    url
    ;;
  *)
    echo "usage: $0 start|halt|stop|url DIR" >&2
    exit 2
    ;;
esac
