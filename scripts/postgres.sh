#!/usr/bin/env bash
# A private PostgreSQL cluster for development and tests, under .run/ by default.
#
#   scripts/postgres.sh start     initialise (first time) and start; create the database
#   scripts/postgres.sh stop      stop it (fast shutdown)
#   scripts/postgres.sh status    exit 0 when it is running
#   scripts/postgres.sh url       print the DATABASE_URL (with the password: for programs, which
#                                 keep it out of logs)
#   scripts/postgres.sh psql ...  open psql on the database
#   scripts/postgres.sh reset     drop and recreate the database (migrations run again at the
#                                 next start of merch-db)
#   scripts/postgres.sh destroy   stop and delete the cluster
#
# The server accepts TCP connections (on 127.0.0.1 only) with the `postgres` user's password
# (scram-sha-256), generated at the first start into PG_DIR/password (mode 600), and local
# socket connections by peer authentication only: no user of the machine gets in without the
# password (README, "Security model"). A cluster made before passwords is switched over at its
# next start.
#
# Environment: PG_DIR (default .run/postgres), PG_PORT (15432), PG_DATABASE (merch),
# PG_BIN (the newest /usr/lib/postgresql/*/bin). As root, the server runs as `postgres`.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PG_DIR=${PG_DIR:-$root/.run/postgres}
PG_PORT=${PG_PORT:-15432}
PG_DATABASE=${PG_DATABASE:-merch}
if [[ -z ${PG_BIN:-} ]]; then
  PG_BIN=$(find /usr/lib/postgresql -maxdepth 2 -name bin -type d 2>/dev/null | sort -V | tail -n 1)
fi
[[ -x $PG_BIN/pg_ctl ]] || { echo "postgres.sh: PostgreSQL server binaries not found (run scripts/install-deps)" >&2; exit 1; }

# initdb and the server refuse to run as root; run them as `postgres` from a folder it can read.
as_postgres() {
  if [[ $(id -u) == 0 ]]; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi
}

password_file=$PG_DIR/password

# The password, made once: 128 random bits in hex, readable by its owner only (the server's
# user, which initdb runs as).
ensure_password() {
  if [[ ! -s $password_file ]]; then
    (umask 077 && openssl rand -hex 16 | tr -d '\n' >"$password_file.new" \
      && mv "$password_file.new" "$password_file")
  fi
  chmod 600 "$password_file"
  [[ $(id -u) != 0 ]] || chown postgres: "$password_file"
}

# psql as `postgres` over TCP; the password goes in the environment, never on a command line.
psql_admin() {
  PGPASSWORD=$(<"$password_file") "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 \
    -p "$PG_PORT" -U postgres "$@"
}

# A cluster initialised before passwords trusted every local connection: give `postgres` the
# password (while trust still lets psql in), then require it.
require_password() {
  local hba=$PG_DIR/data/pg_hba.conf
  grep -Eq '^[^#]*[[:space:]]trust([[:space:]]|$)' "$hba" || return 0
  # On standard input, not in psql's arguments, which any user could read in ps.
  psql_admin -d postgres >/dev/null <<<"ALTER USER postgres PASSWORD '$(<"$password_file")'"
  printf '%s\n' "local all all peer" "host all all 127.0.0.1/32 scram-sha-256" \
    "host all all ::1/128 scram-sha-256" >"$hba"
  as_postgres "$PG_BIN/pg_ctl" -D "$PG_DIR/data" reload >/dev/null
}

is_running() { [[ -f $PG_DIR/data/PG_VERSION ]] && as_postgres "$PG_BIN/pg_ctl" -D "$PG_DIR/data" status >/dev/null 2>&1; }

create_database() {
  if [[ -z $(psql_admin -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$PG_DATABASE'") ]]; then
    psql_admin -d postgres -c "CREATE DATABASE \"$PG_DATABASE\""
  fi
}

start() {
  mkdir -p "$PG_DIR"
  [[ $(id -u) == 0 ]] && chown postgres: "$PG_DIR"
  ensure_password
  if [[ ! -f $PG_DIR/data/PG_VERSION ]]; then
    as_postgres "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres --auth-local=peer \
      --auth-host=scram-sha-256 --pwfile="$password_file" -E UTF8 --locale=C.UTF-8 \
      >"$PG_DIR/initdb.log" 2>&1 || { cat "$PG_DIR/initdb.log" >&2; exit 1; }
  fi
  if ! is_running; then
    as_postgres "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/postgres.log" -w -t 60 \
      -o "-p $PG_PORT -k $PG_DIR -c listen_addresses=127.0.0.1 -c max_connections=200" start >/dev/null \
      || { tail -n 20 "$PG_DIR/postgres.log" >&2; exit 1; }
  fi
  require_password
  create_database
}

stop() {
  if is_running; then as_postgres "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast -w stop >/dev/null; fi
}

case ${1:-} in
  start) start ;;
  stop) stop ;;
  status) is_running ;;
  url)
    mkdir -p "$PG_DIR"
    ensure_password
    echo "postgresql://postgres:$(<"$password_file")@127.0.0.1:$PG_PORT/$PG_DATABASE"
    ;;
  psql)
    shift
    PGPASSWORD=$(<"$password_file") exec "$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres \
      -d "$PG_DATABASE" "$@"
    ;;
  reset)
    psql_admin -d postgres -c "DROP DATABASE IF EXISTS \"$PG_DATABASE\" WITH (FORCE)"
    create_database
    ;;
  destroy) stop; rm -rf "$PG_DIR" ;;
  *) echo "usage: $0 start|stop|status|url|psql|reset|destroy" >&2; exit 2 ;;
esac
