#!/usr/bin/env bash
# The whole stack on this machine, without Docker (README, "Running the stack"): a private PostgreSQL cluster and
# Kafka broker, the db and logging services, two api replicas and nginx, in the background under
# .run/.
#
#   scripts/stack.sh up          start, in dependency order, whatever is not running, waiting for
#                                each to be ready; write .run/stack.env; return once /readyz
#                                answers 200 on each api replica and through nginx (what
#                                `make up` runs)
#   scripts/stack.sh start       the same as up (after `kill`, it starts what was killed)
#   scripts/stack.sh down        stop everything (SIGTERM; SIGKILL after STACK_STOP_TIMEOUT);
#                                the data stays
#   scripts/stack.sh kill NAME   SIGKILL one process, as a crash would, and wait until it is
#                                gone; NAME is api-1, api-2, db, logging, nginx, kafka or
#                                postgres (the postmaster and its backends at once)
#   scripts/stack.sh status      one line per component: running or not, pid, port
#
# The services talk gRPC over mutual TLS with certificates from a private CA under .run/pki
# (scripts/pki.sh, run by every up: it renews what expires within 30 days); each service reads
# its own folder (.run/pki/api, db, logging) from GRPC_TLS_DIR.
#
# The services log to .run/NAME.log and keep their pid in .run/NAME.pid; nginx keeps its
# config, pid and logs in .run/nginx; PostgreSQL and Kafka keep theirs in .run/postgres and
# .run/kafka (scripts/postgres.sh, scripts/kafka.sh).
#
# Environment: BUILD_DIR (where the binaries are; default: while part of the stack runs, the
# build tree it was started from, else build), NGINX_PORT (8080), API_PORT_1 (8081), API_PORT_2
# (8082), DB_SERVICE_PORT (15051), LOGGING_SERVICE_PORT (15052), DB_METRICS_PORT and
# LOGGING_METRICS_PORT (/metrics of the db and logging services: their service port + 10,
# 15061 and 15062 by default), PG_PORT (15432), KAFKA_PORT
# (9092), KAFKA_TOPIC (log-channel), JWT_SECRET (default: while a replica runs, the one it was
# given, else the one generated once into .run/jwt_secret), STACK_START_TIMEOUT (seconds to wait
# for each process to be ready, 60), STACK_STOP_TIMEOUT (seconds to wait for each to stop before
# SIGKILL, 15), HASH_THREADS (argon2id workers per api replica; default half the cores, at least
# 1: the two replicas share this machine, and more hashes than cores at once cost each hash ~20 %
# more, argon2id's 19 MiB evicting each other's from the caches). The services' other settings
# (DB_POOL_SIZE, API_THREADS, ...) pass through from the environment.
#
# Fault injection (tests/faults puts a TCP proxy in these paths; unset, the services connect
# directly): API_DB_SERVICE_ADDR (host:port the api replicas dial for the db service, default
# 127.0.0.1:DB_SERVICE_PORT), DB_PG_ADDR (host:port merch-db dials for PostgreSQL instead of
# 127.0.0.1:PG_PORT). .run/stack.env still names the direct addresses.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
run=$root/.run
BUILD_DIR=${BUILD_DIR:+$(realpath -m -- "$BUILD_DIR")}
# Every default port is below the kernel's ephemeral range (32768-60999 here): a port in it can be
# held, for a minute after, by any outgoing loopback connection that happened to get it, and the
# start would fail with "address already in use" (CI saw this once for PostgreSQL on 55432).
NGINX_PORT=${NGINX_PORT:-8080}
API_PORT_1=${API_PORT_1:-8081}
API_PORT_2=${API_PORT_2:-8082}
DB_SERVICE_PORT=${DB_SERVICE_PORT:-15051}
LOGGING_SERVICE_PORT=${LOGGING_SERVICE_PORT:-15052}
DB_METRICS_PORT=${DB_METRICS_PORT:-$((DB_SERVICE_PORT + 10))}
LOGGING_METRICS_PORT=${LOGGING_METRICS_PORT:-$((LOGGING_SERVICE_PORT + 10))}
STACK_START_TIMEOUT=${STACK_START_TIMEOUT:-60}
STACK_STOP_TIMEOUT=${STACK_STOP_TIMEOUT:-15}
# Read by scripts/postgres.sh and scripts/kafka.sh too.
export PG_PORT=${PG_PORT:-15432}
export KAFKA_PORT=${KAFKA_PORT:-9092}
export KAFKA_TOPIC=${KAFKA_TOPIC:-log-channel}
pg_dir=$(realpath -m -- "${PG_DIR:-$run/postgres}")
nginx_dir=$run/nginx
pki_dir=$run/pki
services=(db logging api-1 api-2)

note() { echo "stack.sh: $*"; }
die() { echo "stack.sh: $*" >&2; exit 1; }

binary_of() {
  case $1 in
    db) echo "${BUILD_DIR:-$root/build}/services/db/merch-db" ;;
    logging) echo "${BUILD_DIR:-$root/build}/services/logging/merch-logging" ;;
    api-1 | api-2) echo "${BUILD_DIR:-$root/build}/services/api/merch-api" ;;
  esac
}

port_of() {
  case $1 in
    postgres) echo "$PG_PORT" ;;
    kafka) echo "$KAFKA_PORT" ;;
    db) echo "$DB_SERVICE_PORT" ;;
    logging) echo "$LOGGING_SERVICE_PORT" ;;
    api-1) echo "$API_PORT_1" ;;
    api-2) echo "$API_PORT_2" ;;
    nginx) echo "$NGINX_PORT" ;;
  esac
}

log_of() {
  case $1 in
    postgres) echo "$pg_dir/postgres.log" ;;
    kafka) echo "$(realpath -m -- "${KAFKA_DIR:-$run/kafka}")/kafka.log" ;;
    nginx) echo "$nginx_dir/error.log" ;;
    *) echo "$run/$1.log" ;;
  esac
}

pid_in() { cat "$(pid_file_of "$1")" 2>/dev/null || echo 0; }

pid_file_of() {
  if [[ $1 == nginx ]]; then echo "$nginx_dir/nginx.pid"; else echo "$run/$1.pid"; fi
}

# The pid of a service or of nginx's master, when it is alive. The command line is checked too,
# so that a stale pid file never points at an unrelated process; a zombie has none.
pid_of() {
  local name=$1 marker pid
  marker=$nginx_dir/nginx.conf
  [[ $name == nginx ]] || marker=$(basename "$(binary_of "$name")")
  pid=$(cat "$(pid_file_of "$name")" 2>/dev/null) || return 1
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline" | grep -qF -- "$marker" || return 1
  echo "$pid"
}

# True while PID, or a process of the session it leads, is alive (zombies are not). Every
# process of the stack leads its own session (setsid; nginx's master calls setsid when it
# daemonises), which holds its children too (nginx's workers).
alive() {
  ps -o stat= -p "$1" -s "$1" 2>/dev/null | grep -qv '^Z'
}

# Prints the reason and the end of NAME's log, and exits.
fail() {
  local name=$1 reason=$2 log
  log=$(log_of "$name")
  {
    echo "stack.sh: $name $reason"
    if [[ -s $log ]]; then
      echo "stack.sh: the last 30 lines of $log:"
      tail -n 30 "$log"
    fi
  } >&2
  exit 1
}

# Exits when something that is not this stack's NAME listens on PORT: the start would fail, or
# the readiness check would talk to the wrong process.
require_free_port() {
  local name=$1 port=$2 holder
  holder=$(ss -Hltnp "sport = :$port" 2>/dev/null) || true
  [[ -z $holder ]] || die "$name cannot start: port $port is taken: $holder"
}

tcp_open() { (: <"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

http_ok() { curl -sf -o /dev/null --max-time 2 "$1"; }

# Polls a check (the remaining arguments) every 0.1 s until it succeeds. Fails when NAME's
# process (PID) exits, or after STACK_START_TIMEOUT.
wait_ready() {
  local name=$1 pid=$2 deadline=$((SECONDS + STACK_START_TIMEOUT))
  shift 2
  until "$@"; do
    alive "$pid" || fail "$name" "exited while starting"
    ((SECONDS < deadline)) || fail "$name" "is not ready after $STACK_START_TIMEOUT s (waited for: $*)"
    sleep 0.1
  done
}

# BUILD_DIR when set. Else, while part of the stack runs, the build tree it was started from, so
# that `start` after `kill` runs the same binaries as the rest; else build.
resolve_build_dir() {
  [[ -n $BUILD_DIR ]] && return 0
  BUILD_DIR=$root/build
  local name
  for name in "${services[@]}"; do
    if pid_of "$name" >/dev/null && [[ -s $run/build_dir ]]; then
      BUILD_DIR=$(<"$run/build_dir")
      return 0
    fi
  done
}

require_binaries() {
  local name binary
  for name in "${services[@]}"; do
    binary=$(binary_of "$name")
    [[ -x $binary ]] || die "$binary not found: run make build first"
  done
  command -v nginx >/dev/null || [[ -x /usr/sbin/nginx ]] || die "nginx not found (run scripts/install-deps)"
  command -v curl >/dev/null || die "curl not found"
}

# JWT_SECRET from the environment. Else, while a replica runs, the one it was given (recorded in
# .run/stack.env), since every replica must accept every other's tokens. Else the one generated
# into .run/jwt_secret at the first start.
load_jwt_secret() {
  [[ -n ${JWT_SECRET:-} ]] && return 0
  local file=$run/jwt_secret
  if { pid_of api-1 || pid_of api-2; } >/dev/null && [[ -s $run/stack.env ]]; then
    JWT_SECRET=$(
      # shellcheck source=/dev/null
      . "$run/stack.env" && printf '%s' "${JWT_SECRET:-}"
    )
    [[ -n $JWT_SECRET ]] && return 0
  fi
  if [[ ! -s $file ]]; then
    (umask 077 && head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$file.new" && mv "$file.new" "$file")
  fi
  chmod 600 "$file"
  JWT_SECRET=$(<"$file")
}

# A value in single quotes, for sh.
quote() { printf "'%s'" "${1//\'/\'\\\'\'}"; }

write_stack_env() {
  (
    umask 077
    {
      echo "# Written by scripts/stack.sh up; sh can source it (set -a; . .run/stack.env; set +a)."
      echo "API_URL=$(quote "http://127.0.0.1:$NGINX_PORT")"
      echo "API_REPLICA_URLS=$(quote "http://127.0.0.1:$API_PORT_1,http://127.0.0.1:$API_PORT_2")"
      echo "DATABASE_URL=$(quote "$database_url")"
      echo "KAFKA_BROKERS=$(quote "127.0.0.1:$KAFKA_PORT")"
      echo "KAFKA_TOPIC=$(quote "$KAFKA_TOPIC")"
      echo "DB_SERVICE_ADDR=$(quote "127.0.0.1:$DB_SERVICE_PORT")"
      echo "LOGGING_SERVICE_ADDR=$(quote "127.0.0.1:$LOGGING_SERVICE_PORT")"
      echo "METRICS_URLS=$(quote "http://127.0.0.1:$API_PORT_1/metrics,http://127.0.0.1:$API_PORT_2/metrics,http://127.0.0.1:$DB_METRICS_PORT/metrics,http://127.0.0.1:$LOGGING_METRICS_PORT/metrics")"
      echo "JWT_SECRET=$(quote "$JWT_SECRET")"
      echo "PKI_DIR=$(quote "$pki_dir")"
    } >"$run/stack.env.new"
  )
  mv "$run/stack.env.new" "$run/stack.env"
}

# Starts a service in the background, in a session of its own, with the given VAR=value
# settings; stdout and stderr go to .run/NAME.log.
start_service() {
  local name=$1 port pid
  shift
  port=$(port_of "$name")
  if pid=$(pid_of "$name"); then
    note "$name is running (pid $pid)"
    return 0
  fi
  require_free_port "$name" "$port"
  note "starting $name on port $port"
  echo "=== stack.sh: $name starting at $(date -u +%FT%TZ)" >>"$(log_of "$name")"
  # Exported in a subshell rather than passed to env(1), so the secret is on no command line.
  (
    for setting in "$@"; do export "${setting?}"; done
    exec setsid "$(binary_of "$name")" </dev/null >>"$(log_of "$name")" 2>&1 9>&-
  ) &
  echo "$!" >"$(pid_file_of "$name")"
  # Not a job of this script: its death is reported by wait_ready, with its log.
  disown "$!"
}

start_nginx() {
  local pid nginx
  if pid=$(pid_of nginx); then
    note "nginx is running (pid $pid)"
    return 0
  fi
  require_free_port nginx "$NGINX_PORT"
  note "starting nginx on port $NGINX_PORT"
  nginx=$(command -v nginx || echo /usr/sbin/nginx)
  # The web face's static files (/shop/, /docs/), built by `make build` into the build tree.
  local web_dir=${BUILD_DIR:-$root/build}/web
  [[ -f $web_dir/shop/index.html && -f $web_dir/docs/index.html ]] \
    || note "no storefront or API explorer in $web_dir (make build makes them): /shop/ and /docs/ answer 404"
  NGINX_PORT=$NGINX_PORT API_PORT_1=$API_PORT_1 API_PORT_2=$API_PORT_2 WEB_DIR=$web_dir \
    "$root/deploy/nginx/render" --local "$nginx_dir"
  rm -f "$nginx_dir/nginx.pid"
  # -e: nginx opens its error log before it reads the config, by default under /var/log/nginx.
  # It daemonises itself and writes its pid file.
  "$nginx" -p "$nginx_dir" -e "$nginx_dir/error.log" -c "$nginx_dir/nginx.conf" \
    </dev/null >"$nginx_dir/start.log" 2>&1 9>&- \
    || { cat "$nginx_dir/start.log" >&2; fail nginx "did not start"; }
  # The first nginx process exits once it has forked the master, which then writes the pid file.
  local deadline=$((SECONDS + STACK_START_TIMEOUT))
  until pid_of nginx >/dev/null; do
    ((SECONDS < deadline)) || fail nginx "wrote no pid file within $STACK_START_TIMEOUT s"
    sleep 0.05
  done
}

# True when every api replica's /readyz and nginx's answer 200.
stack_ready() {
  local url
  for url in "http://127.0.0.1:$API_PORT_1/readyz" "http://127.0.0.1:$API_PORT_2/readyz" \
    "http://127.0.0.1:$NGINX_PORT/readyz"; do
    http_ok "$url" || return 1
  done
}

# The end of up: every replica reaches the db service (each is asked, not only the one nginx
# picks: after the db service restarts, each replica reconnects on its own), and so does nginx.
wait_stack_ready() {
  local url=http://127.0.0.1:$NGINX_PORT/readyz deadline=$((SECONDS + STACK_START_TIMEOUT)) name
  until stack_ready; do
    for name in "${services[@]}" nginx; do
      pid_of "$name" >/dev/null || fail "$name" "exited while the stack was starting"
    done
    if ((SECONDS >= deadline)); then
      echo "stack.sh: the stack is not ready after $STACK_START_TIMEOUT s; /readyz answers:" >&2
      for url in "http://127.0.0.1:$API_PORT_1/readyz" "http://127.0.0.1:$API_PORT_2/readyz" "$url"; do
        echo "  $url: $(curl -s --max-time 2 -w ' (%{http_code})' "$url" 2>&1 || true)" >&2
      done
      status >&2
      exit 1
    fi
    sleep 0.1
  done
}

up() {
  mkdir -p "$run"
  exec 9>"$run/stack.lock"
  flock 9
  resolve_build_dir
  require_binaries
  echo "$BUILD_DIR" >"$run/build_dir"
  load_jwt_secret
  database_url=$("$root/scripts/postgres.sh" url)
  "$root/scripts/pki.sh" "$pki_dir" api db logging | sed 's/^/stack.sh: /'
  write_stack_env

  if "$root/scripts/postgres.sh" status 2>/dev/null; then
    note "postgres is running"
  else
    note "starting PostgreSQL on port $PG_PORT"
    "$root/scripts/postgres.sh" start 9>&- || die "PostgreSQL did not start (log: $(log_of postgres))"
  fi
  if "$root/scripts/kafka.sh" status; then
    note "kafka is running"
  else
    note "starting Kafka on port $KAFKA_PORT"
    "$root/scripts/kafka.sh" start 9>&- || die "Kafka did not start (log: $(log_of kafka))"
  fi

  local db_addr=${API_DB_SERVICE_ADDR:-127.0.0.1:$DB_SERVICE_PORT}
  local logging_addr=127.0.0.1:$LOGGING_SERVICE_PORT name db_database_url=$database_url
  if [[ -n ${DB_PG_ADDR:-} ]]; then
    db_database_url=${database_url/@127.0.0.1:$PG_PORT\//@$DB_PG_ADDR/}
    [[ $db_database_url != "$database_url" ]] || die "DB_PG_ADDR: no 127.0.0.1:$PG_PORT in the database URL"
  fi
  start_service db DATABASE_URL="$db_database_url" DB_SERVICE_HOST=127.0.0.1 \
    DB_SERVICE_PORT="$DB_SERVICE_PORT" DB_METRICS_PORT="$DB_METRICS_PORT" LOGGING_SERVICE_ADDR="$logging_addr" \
    GRPC_TLS_DIR="$pki_dir/db" JWT_SECRET="$JWT_SECRET"
  start_service logging LOGGING_SERVICE_HOST=127.0.0.1 LOGGING_SERVICE_PORT="$LOGGING_SERVICE_PORT" \
    LOGGING_METRICS_PORT="$LOGGING_METRICS_PORT" GRPC_TLS_DIR="$pki_dir/logging" \
    KAFKA_BROKERS="127.0.0.1:$KAFKA_PORT" KAFKA_TOPIC="$KAFKA_TOPIC"
  # The gRPC services open their port once they can serve (merch-db: after its migrations).
  wait_ready db "$(pid_in db)" tcp_open "$DB_SERVICE_PORT"
  wait_ready logging "$(pid_in logging)" tcp_open "$LOGGING_SERVICE_PORT"

  local hash_threads=${HASH_THREADS:-$(( $(nproc) / 2 > 1 ? $(nproc) / 2 : 1 ))}
  for name in api-1 api-2; do
    start_service "$name" HASH_THREADS="$hash_threads" API_HOST=127.0.0.1 API_PORT="$(port_of "$name")" API_REPLICA_NAME="$name" \
      DB_SERVICE_ADDR="$db_addr" LOGGING_SERVICE_ADDR="$logging_addr" JWT_SECRET="$JWT_SECRET" \
      GRPC_TLS_DIR="$pki_dir/api"
  done
  for name in api-1 api-2; do
    wait_ready "$name" "$(pid_in "$name")" http_ok "http://127.0.0.1:$(port_of "$name")/healthz"
  done

  start_nginx
  wait_stack_ready
  note "ready: http://127.0.0.1:$NGINX_PORT (settings in .run/stack.env, logs in .run/)"
}

# SIGTERM to each named process (and its session), then a bounded wait; SIGKILL what is left.
stop_processes() {
  local name pid deadline=$((SECONDS + STACK_STOP_TIMEOUT)) left
  local -A sessions=()
  for name in "$@"; do
    if pid=$(pid_of "$name"); then
      note "stopping $name (pid $pid)"
      kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
      sessions[$name]=$pid
    fi
  done
  while ((${#sessions[@]} > 0)); do
    for name in "${!sessions[@]}"; do
      alive "${sessions[$name]}" || unset "sessions[$name]"
    done
    ((${#sessions[@]} > 0)) || break
    if ((SECONDS >= deadline)); then
      for name in "${!sessions[@]}"; do
        echo "stack.sh: $name did not stop within $STACK_STOP_TIMEOUT s; killing it" >&2
        kill -KILL -- "-${sessions[$name]}" 2>/dev/null || kill -KILL "${sessions[$name]}" 2>/dev/null || true
      done
      deadline=$((SECONDS + 10))
      left=${!sessions[*]}
      while ((SECONDS < deadline)); do
        for name in "${!sessions[@]}"; do
          alive "${sessions[$name]}" || unset "sessions[$name]"
        done
        ((${#sessions[@]} > 0)) || break 2
        sleep 0.1
      done
      die "$left survived SIGKILL"
    fi
    sleep 0.1
  done
  for name in "$@"; do rm -f "$(pid_file_of "$name")"; done
}

down() {
  mkdir -p "$run"
  exec 9>"$run/stack.lock"
  flock 9
  # Front to back. The logging service goes after the others, whose last events it still takes
  # (each flushes its log shipper when it stops), and before Kafka, to which it flushes them.
  stop_processes nginx
  stop_processes api-1 api-2
  stop_processes db
  stop_processes logging
  if "$root/scripts/kafka.sh" status; then
    note "stopping kafka"
    "$root/scripts/kafka.sh" stop
  fi
  if [[ -f $pg_dir/data/PG_VERSION ]] && "$root/scripts/postgres.sh" status 2>/dev/null; then
    note "stopping postgres"
    "$root/scripts/postgres.sh" stop
  fi
  note "stopped"
}

kill_process() {
  local name=${1:-} pid deadline
  case $name in
    api-1 | api-2 | db | logging | nginx) ;;
    kafka) exec "$root/scripts/kafka.sh" kill ;;
    postgres) kill_postgres; return ;;
    *) die "kill: NAME must be api-1, api-2, db, logging, nginx, kafka or postgres" ;;
  esac
  mkdir -p "$run"
  exec 9>"$run/stack.lock"
  flock 9
  if ! pid=$(pid_of "$name"); then
    note "$name is not running"
    return 0
  fi
  kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
  deadline=$((SECONDS + 10))
  while alive "$pid"; do
    ((SECONDS < deadline)) || die "$name (pid $pid) survived SIGKILL"
    sleep 0.05
  done
  rm -f "$(pid_file_of "$name")"
  note "killed $name (pid $pid)"
}

# The postmaster and its children (backends, checkpointer, ...) get SIGKILL together, as when a
# machine or container dies: a postmaster killed alone leaves backends holding its shared memory,
# and a new one refuses to start until they go. `start` then runs crash recovery.
kill_postgres() {
  local pid deadline
  local -a pids
  pid=$(head -n 1 "$pg_dir/data/postmaster.pid" 2>/dev/null) || true
  if ! [[ $pid =~ ^[0-9]+$ ]] || ! "$root/scripts/postgres.sh" status 2>/dev/null; then
    note "postgres is not running"
    return 0
  fi
  mapfile -t pids < <(echo "$pid"; pgrep -P "$pid")
  kill -KILL "${pids[@]}" 2>/dev/null || true
  deadline=$((SECONDS + 10))
  # Until they are reaped, not only dead: pg_ctl and a new postmaster take a zombie's pid in
  # postmaster.pid for a running server.
  while ps -o stat= -p "$(IFS=,; echo "${pids[*]}")" >/dev/null 2>&1; do
    ((SECONDS < deadline)) || die "postgres (pids ${pids[*]}) survived SIGKILL"
    sleep 0.05
  done
  note "killed postgres (pid $pid and its ${#pids[@]} processes)"
}

status() {
  local name pid state
  for name in postgres kafka "${services[@]}" nginx; do
    pid=
    case $name in
      postgres)
        if "$root/scripts/postgres.sh" status 2>/dev/null; then
          pid=$(head -n 1 "$pg_dir/data/postmaster.pid" 2>/dev/null || echo "?")
        fi
        ;;
      kafka)
        if "$root/scripts/kafka.sh" status; then
          pid=$(cat "$(realpath -m -- "${KAFKA_DIR:-$run/kafka}")/kafka.pid" 2>/dev/null || echo "?")
        fi
        ;;
      *) pid=$(pid_of "$name") || true ;;
    esac
    if [[ -n $pid ]]; then state=running; else state=stopped pid=-; fi
    printf '%-9s %-8s pid %-8s port %s\n' "$name" "$state" "$pid" "$(port_of "$name")"
  done
}

case ${1:-} in
  up | start) up ;;
  down) down ;;
  kill) kill_process "${2:-}" ;;
  status) status ;;
  *) echo "usage: $0 up|start|down|kill NAME|status" >&2; exit 2 ;;
esac
