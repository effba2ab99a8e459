#!/usr/bin/env bash
# A self-hosted Temporal cluster for Baton on this machine (docs/design.md): the
# Temporal server built from source once, a PostgreSQL of its own, and the
# frontend, history, matching and worker services as separate processes.
#
#   scripts/cluster.sh up [--tls]      build once, start, make ready for Baton; prints
#                                      the settings a client needs (eval/export them)
#   scripts/cluster.sh status          what runs (exit 0 when all of it does)
#   scripts/cluster.sh down [--purge]  stops exactly what `up` started; --purge also
#                                      deletes the state (databases, certificates, logs)
#   scripts/cluster.sh build           only the build into the cache (CI warms it so); starts
#                                      nothing, prints the cache directory
#
# `up` prints KEY=VALUE lines on stdout, TEMPORAL_ADDRESS last:
#   eval "$(scripts/cluster.sh up)" && npx baton run workflows/hello.yaml
# Progress and errors go to stderr. `up` on a cluster that is up prints the
# same lines again.
#
# Settings (environment):
#   BATON_CLUSTER_DIR          state: PostgreSQL data, config, certificates, logs, pid
#                              files (default ~/.cache/baton/cluster)
#   BATON_CLUSTER_HOST         address every service binds and announces (127.0.0.1)
#   BATON_CLUSTER_PORT         the frontend's gRPC port, the one clients use (7333); the
#                              services take the nine ports after it
#   BATON_CLUSTER_PG_PORT      PostgreSQL's port (BATON_CLUSTER_PORT + 9)
#   BATON_CLUSTER_HISTORY_SHARDS  history shards, fixed once the cluster exists (4)
#   BATON_CLUSTER_LOG_LEVEL    the services' log level (info)
#   BATON_CLUSTER_TLS_REFRESH_INTERVAL  how often --tls certificate files are re-read (30s)
#   BATON_CLUSTER_PG_BIN       PostgreSQL's bin directory (found by itself)
#   TEMPORAL_NAMESPACE         the namespace registered for Baton (baton-local)
#   BATON_TEMPORAL_SERVER_VERSION  the server to build (v1.30.4)
#   BATON_TEMPORAL_SERVER_CACHE    where the built binaries and schemas live
#                              (~/.cache/baton/temporal-server/<version>)
#   BATON_TEMPORAL_CLI         the Temporal CLI (operator commands); else `temporal`
#                              on PATH, else the one `npm ci` put in ~/.cache/baton
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TEMPLATES=$HERE/cluster
CACHE_BASE=${XDG_CACHE_HOME:-$HOME/.cache}/baton
VERSION=${BATON_TEMPORAL_SERVER_VERSION:-v1.30.4}
BIN_DIR=${BATON_TEMPORAL_SERVER_CACHE:-$CACHE_BASE/temporal-server/$VERSION}
STATE=${BATON_CLUSTER_DIR:-$CACHE_BASE/cluster}
CONFIG_DIR=$STATE/config
LOG_DIR=$STATE/logs
RUN_DIR=$STATE/run
TLS_DIR=$STATE/tls
SETTINGS_FILE=$STATE/cluster.env
# Started in this order, stopped in the reverse one: history owns the shards
# the others need, and the internal worker is a client of the frontend.
SERVICES=(history matching frontend worker)
RETENTION=14d
SEARCH_ATTRIBUTE=BatonWorkflow
# What the server and tools see of the environment: nothing of the caller's
# (a TEMPORAL_* or SQL_* variable meant for another cluster must not leak in).
CLEAN_ENV=(env -i "PATH=/usr/local/bin:/usr/bin:/bin" "HOME=$HOME")

log() { echo "cluster: $*" >&2; }
die() {
  log "$*"
  exit 1
}
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

# ---------------------------------------------------------------- settings

# Settings come from the environment when the cluster is created or started
# from stopped, and from $SETTINGS_FILE while any part of it runs (a second
# `up` or a `down` from another shell must find the same ports).
load_settings_from_env() {
  MODE=$1
  HOST=${BATON_CLUSTER_HOST:-127.0.0.1}
  PORT=${BATON_CLUSTER_PORT:-7333}
  PG_PORT=${BATON_CLUSTER_PG_PORT:-$((PORT + 9))}
  SHARDS=${BATON_CLUSTER_HISTORY_SHARDS:-4}
  NAMESPACE=${TEMPORAL_NAMESPACE:-baton-local}
  LOG_LEVEL=${BATON_CLUSTER_LOG_LEVEL:-info}
  TLS_REFRESH_INTERVAL=${BATON_CLUSTER_TLS_REFRESH_INTERVAL:-30s}
  [[ $PORT =~ ^[0-9]+$ ]] && ((PORT > 0 && PORT + 9 < 65536)) || die "BATON_CLUSTER_PORT must be a port with nine free after it, got \"$PORT\""
  [[ $PG_PORT =~ ^[0-9]+$ ]] && ((PG_PORT > 0 && PG_PORT < 65536)) || die "BATON_CLUSTER_PG_PORT must be a port, got \"$PG_PORT\""
  [[ $SHARDS =~ ^[0-9]+$ ]] && ((SHARDS >= 1)) || die "BATON_CLUSTER_HISTORY_SHARDS must be a whole number, got \"$SHARDS\""
  [[ $NAMESPACE =~ ^[A-Za-z0-9._-]{2,255}$ ]] || die "TEMPORAL_NAMESPACE is not a valid namespace name: \"$NAMESPACE\""
  [[ $HOST =~ ^[0-9.]+$ ]] || die "BATON_CLUSTER_HOST must be an IPv4 address, got \"$HOST\""
  PG_DIR=${PG_DIR:-}
}

save_settings() {
  local name SERVER_VERSION=$VERSION
  : >"$SETTINGS_FILE"
  for name in MODE HOST PORT PG_PORT SHARDS NAMESPACE LOG_LEVEL TLS_REFRESH_INTERVAL PG_DIR SERVER_VERSION; do
    printf '%s=%q\n' "$name" "${!name}" >>"$SETTINGS_FILE"
  done
}

load_saved_settings() {
  [ -f "$SETTINGS_FILE" ] || return 1
  # shellcheck disable=SC1090
  source "$SETTINGS_FILE"
}

derive_ports() {
  ADDRESS=$HOST:$PORT
  FRONTEND_PORT=$PORT
  FRONTEND_HTTP_PORT=$((PORT + 1))
  FRONTEND_MEMBERSHIP_PORT=$((PORT + 2))
  HISTORY_PORT=$((PORT + 3))
  HISTORY_MEMBERSHIP_PORT=$((PORT + 4))
  MATCHING_PORT=$((PORT + 5))
  MATCHING_MEMBERSHIP_PORT=$((PORT + 6))
  WORKER_PORT=$((PORT + 7))
  WORKER_MEMBERSHIP_PORT=$((PORT + 8))
  PGDATA=$PG_DIR/data
  PG_SOCKET=$PG_DIR/socket
}

service_ports() {
  case $1 in
    frontend) echo "$FRONTEND_PORT $FRONTEND_HTTP_PORT $FRONTEND_MEMBERSHIP_PORT" ;;
    history) echo "$HISTORY_PORT $HISTORY_MEMBERSHIP_PORT" ;;
    matching) echo "$MATCHING_PORT $MATCHING_MEMBERSHIP_PORT" ;;
    worker) echo "$WORKER_MEMBERSHIP_PORT" ;;
  esac
}

port_open() { (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null; }

# Before anything starts: every port the cluster will take is free.
check_ports_free() {
  local svc port
  for svc in "${SERVICES[@]}"; do
    for port in $(service_ports "$svc"); do
      port_open "$port" && die "port $port ($svc) is taken by another process: set BATON_CLUSTER_PORT to move the cluster's ports"
    done
  done
  port_open "$PG_PORT" && die "port $PG_PORT (PostgreSQL) is taken by another process: set BATON_CLUSTER_PG_PORT"
  return 0
}

# ---------------------------------------------------------------- processes

# True while pid $1 is a live process (a zombie is not: PID 1 in a container
# may never reap it).
alive_pid() {
  local stat
  [ -n "$1" ] && stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  stat=${stat##*) }
  [ "${stat%% *}" != Z ]
}

# Prints the pid of a service this state dir started, if it runs: the pid
# file's process, and only if its command line names our config (a pid the
# system handed to something else since is not ours).
service_pid() {
  local file=$RUN_DIR/$1.pid pid
  [ -f "$file" ] || return 1
  pid=$(<"$file")
  alive_pid "$pid" || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$CONFIG_DIR/temporal.yaml" || return 1
  echo "$pid"
}

# Each service is a session and process group of its own (setsid), with its
# pid in run/<service>.pid: `down` signals exactly that group, and a Ctrl-C
# in the shell that ran `up` reaches none of them. It does not inherit the
# lock files' descriptors (8, 9), or it would hold the locks for its life.
start_service() {
  local svc=$1 port
  service_pid "$svc" >/dev/null && return 0
  for port in $(service_ports "$svc"); do
    port_open "$port" && die "port $port ($svc) is taken by another process: set BATON_CLUSTER_PORT to move the cluster's ports"
  done
  echo "--- $(date -u +%FT%TZ) starting $svc" >>"$LOG_DIR/$svc.log"
  setsid "${CLEAN_ENV[@]}" "$BIN_DIR/temporal-server" --config-file "$CONFIG_DIR/temporal.yaml" --allow-no-auth \
    start --service "$svc" >>"$LOG_DIR/$svc.log" 2>&1 </dev/null 8>&- 9>&- &
  local pid=$! i
  echo "$pid" >"$RUN_DIR/$svc.pid"
  # Until the forked shell has exec'd the server, its command line is this
  # script's, and service_pid would take it for a process that is not ours
  # (on a loaded machine that window was long enough to fail a start-up).
  for ((i = 0; i < 100; i++)); do
    alive_pid "$pid" || return 0
    service_pid "$svc" >/dev/null && return 0
    sleep 0.05
  done
}

stop_group() {
  local pid=$1 i
  kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < 200; i++)); do
    alive_pid "$pid" || return 0
    sleep 0.1
  done
  log "pid $pid still there after 20 s: SIGKILL"
  kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
}

stop_service() {
  local pid
  if pid=$(service_pid "$1"); then
    log "stopping $1 (pid $pid)"
    stop_group "$pid"
  fi
  rm -f "$RUN_DIR/$1.pid"
}

# The last lines of the named services' logs (all of them by default), cut short.
tail_logs() {
  local svc
  for svc in "${@:-${SERVICES[@]}}"; do
    [ -f "$LOG_DIR/$svc.log" ] || continue
    log "last lines of $LOG_DIR/$svc.log:"
    tail -n 6 "$LOG_DIR/$svc.log" | cut -c1-300 >&2
  done
}

# Waits until the service listens on its first port (the worker: its
# membership port), or fails naming it.
wait_listening() {
  local svc=$1 port deadline=$((SECONDS + 60))
  port=$(service_ports "$svc")
  port=${port%% *}
  until port_open "$port"; do
    service_pid "$svc" >/dev/null || {
      tail_logs "$svc"
      die "the $svc service exited during start-up (logs in $LOG_DIR)"
    }
    ((SECONDS < deadline)) || {
      tail_logs "$svc"
      die "the $svc service did not listen on $HOST:$port after 60 s"
    }
    sleep 0.1
  done
}

# ---------------------------------------------------------------- PostgreSQL

# PostgreSQL refuses to run as root: as root it runs as the OS user postgres
# (on directories chowned to it), as anyone else as that user.
as_pg() {
  if [ "$(id -u)" = 0 ]; then
    (cd / && runuser -u postgres -- "$@")
  else
    (cd / && "$@")
  fi
}

find_pg_bin() {
  local dir=${BATON_CLUSTER_PG_BIN:-}
  if [ -z "$dir" ]; then
    dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
    [ -n "$dir" ] || dir=$(dirname "$(command -v initdb 2>/dev/null || echo /nonexistent/initdb)")
  fi
  [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ] && [ -x "$dir/psql" ] ||
    die "no PostgreSQL binaries (initdb, pg_ctl, psql) in \"$dir\": install PostgreSQL 12 or later (apt-get install postgresql) or set BATON_CLUSTER_PG_BIN"
  PG_BIN=$dir
}

# Where PostgreSQL keeps its data: in the state dir when its user can get
# there; root's home (mode 700) is closed to the postgres user, so then a
# directory of its own under /var/lib/baton, named after the state dir.
choose_pg_dir() {
  [ -n "$PG_DIR" ] && return 0
  if [ "$(id -u)" != 0 ] || runuser -u postgres -- test -x "$STATE" 2>/dev/null; then
    PG_DIR=$STATE/postgres
  else
    PG_DIR=/var/lib/baton/cluster-$(printf '%s' "$STATE" | sha256sum | cut -c1-12)
    log "the postgres user cannot reach $STATE: PostgreSQL's data goes to $PG_DIR"
  fi
}

pg_running() { [ -f "$PGDATA/postmaster.pid" ] && as_pg "$PG_BIN/pg_ctl" -D "$PGDATA" status >/dev/null 2>&1; }

psql_admin() { as_pg "$PG_BIN/psql" -h "$PG_SOCKET" -p "$PG_PORT" -U postgres -d "${2:-postgres}" -qtAX -v ON_ERROR_STOP=1 -c "$1"; }

start_postgres() {
  mkdir -p "$PG_DIR"
  [ "$(id -u)" = 0 ] && chown postgres: "$PG_DIR"
  chmod 700 "$PG_DIR"
  if [ ! -f "$PGDATA/PG_VERSION" ]; then
    log "initdb $PGDATA"
    as_pg "$PG_BIN/initdb" -D "$PGDATA" -U postgres -E UTF8 --no-locale \
      --auth-local=trust --auth-host=scram-sha-256 >"$LOG_DIR/initdb.log" 2>&1 ||
      die "initdb failed: $(tail -n 5 "$LOG_DIR/initdb.log")"
  fi
  if ! pg_running; then
    port_open "$PG_PORT" && die "port $PG_PORT (PostgreSQL) is taken by another process: set BATON_CLUSTER_PG_PORT"
    as_pg mkdir -p "$PG_SOCKET"
    log "starting PostgreSQL on $HOST:$PG_PORT"
    # The socket lives in a directory only its user can enter, so trust on
    # local connections admits nobody else; TCP takes the password.
    as_pg setsid "$PG_BIN/pg_ctl" -D "$PGDATA" -l "$PG_DIR/postgres.log" -w -t 60 -s \
      -o "-p $PG_PORT -k $PG_SOCKET -c listen_addresses=$HOST -c max_connections=200" start </dev/null >&2 8>&- 9>&- ||
      die "PostgreSQL did not start: $(as_pg tail -n 10 "$PG_DIR/postgres.log")"
  fi
  ln -sfn "$PG_DIR/postgres.log" "$LOG_DIR/postgres.log"
}

# The `temporal` role, and both databases with the schema of this server
# version: create once, setup-schema once, update-schema every time (it
# applies only the versions the database does not have yet).
apply_schema() {
  local password db dir started
  password=$(<"$CONFIG_DIR/pg-password")
  started=$(now)
  if [ "$(psql_admin "select 1 from pg_roles where rolname = 'temporal'")" != 1 ]; then
    psql_admin "create role temporal login createdb password '$password'"
  else
    psql_admin "alter role temporal password '$password'"
  fi
  for db in temporal temporal_visibility; do
    case $db in
      temporal) dir=$BIN_DIR/schema/postgresql/v12/temporal/versioned ;;
      temporal_visibility) dir=$BIN_DIR/schema/postgresql/v12/visibility/versioned ;;
    esac
    if [ "$(psql_admin "select 1 from pg_database where datname = '$db'")" != 1 ]; then
      sql_tool "$db" create-database
    fi
    if [ "$(psql_admin "select 1 from pg_tables where tablename = 'schema_version'" "$db")" != 1 ]; then
      sql_tool "$db" setup-schema -v 0.0
    fi
    sql_tool "$db" update-schema -d "$dir"
  done
  log "schema of $VERSION applied in $(since "$started") s"
}

sql_tool() {
  local db=$1
  shift
  "${CLEAN_ENV[@]}" "$BIN_DIR/temporal-sql-tool" --plugin postgres12_pgx --ep "$HOST" -p "$PG_PORT" \
    -u temporal --pw "$(<"$CONFIG_DIR/pg-password")" --db "$db" "$@" >>"$LOG_DIR/schema.log" 2>&1 ||
    die "temporal-sql-tool $* on $db failed: $(tail -n 5 "$LOG_DIR/schema.log")"
}

stop_postgres() {
  if pg_running; then
    log "stopping PostgreSQL"
    as_pg "$PG_BIN/pg_ctl" -D "$PGDATA" -m fast -w -t 60 -s stop >&2
  fi
}

# ---------------------------------------------------------------- build

# The server and its schema tool, built once per version into a cache
# outside the repository, from a throwaway module in a temporary directory
# (no Go sources of Temporal's enter the repository). The SQL schemas ship in
# the module; they are copied beside the binaries, so a warm cache needs no Go.
ensure_server() {
  local have_bins=false started work schema_src
  [ -x "$BIN_DIR/temporal-server" ] && [ -x "$BIN_DIR/temporal-sql-tool" ] && have_bins=true
  $have_bins && [ -d "$BIN_DIR/schema/postgresql/v12" ] && return 0
  mkdir -p "$BIN_DIR"
  exec 8>"$BIN_DIR/.build.lock"
  flock 8
  command -v go >/dev/null || die "Go is needed once to build the Temporal server $VERSION (into $BIN_DIR)"
  work=$(mktemp -d)
  # shellcheck disable=SC2064
  trap "rm -rf '$work'" EXIT
  if ! { [ -x "$BIN_DIR/temporal-server" ] && [ -x "$BIN_DIR/temporal-sql-tool" ]; }; then
    started=$(now)
    log "building the Temporal server $VERSION and its SQL tool into $BIN_DIR (about 5 minutes on 2 cores the first time)"
    (
      cd "$work"
      go mod init baton-temporal-server-build >/dev/null 2>&1
      # -mod=mod: the module's go.sum is made here; nothing is vendored.
      GOFLAGS=-mod=mod go get "go.temporal.io/server@$VERSION"
      GOFLAGS="-mod=mod -trimpath" go build -ldflags='-s -w' -o "$BIN_DIR/temporal-server.partial" go.temporal.io/server/cmd/server
      GOFLAGS="-mod=mod -trimpath" go build -ldflags='-s -w' -o "$BIN_DIR/temporal-sql-tool.partial" go.temporal.io/server/cmd/tools/sql
    ) >&2 || die "building the Temporal server $VERSION failed (a newer version may need GOTOOLCHAIN=go1.27.3 or later)"
    mv "$BIN_DIR/temporal-server.partial" "$BIN_DIR/temporal-server"
    mv "$BIN_DIR/temporal-sql-tool.partial" "$BIN_DIR/temporal-sql-tool"
    log "built in $(since "$started") s"
  fi
  if [ ! -d "$BIN_DIR/schema/postgresql/v12" ]; then
    schema_src=$(go env GOMODCACHE)/go.temporal.io/server@$VERSION/schema
    if [ ! -d "$schema_src" ]; then
      (cd "$work" && go mod init baton-temporal-schema >/dev/null 2>&1 && GOFLAGS=-mod=mod go mod download "go.temporal.io/server@$VERSION") >&2 ||
        die "could not download go.temporal.io/server@$VERSION for its schema"
    fi
    rm -rf "$BIN_DIR/schema.partial"
    mkdir -p "$BIN_DIR/schema.partial"
    cp -R "$schema_src/postgresql" "$BIN_DIR/schema.partial/"
    chmod -R u+w "$BIN_DIR/schema.partial"
    mv "$BIN_DIR/schema.partial" "$BIN_DIR/schema"
  fi
  rm -rf "$work"
  trap - EXIT
  exec 8>&-
}

find_cli() {
  local candidate
  for candidate in "${BATON_TEMPORAL_CLI:-}" "$(command -v temporal 2>/dev/null || true)" "$CACHE_BASE/temporal/v1.5.1/temporal"; do
    if [ -n "$candidate" ] && [ -x "$candidate" ]; then
      CLI=$candidate
      return 0
    fi
  done
  die "no Temporal CLI (for the operator commands): run \`npm ci\`, which installs it, or set BATON_TEMPORAL_CLI"
}

# The operator CLI against this cluster, with its certificate when --tls.
cli() {
  local tls=()
  if [ "$MODE" = tls ]; then
    tls=(--tls-cert-path "$TLS_DIR/client.pem" --tls-key-path "$TLS_DIR/client.key"
      --tls-ca-path "$TLS_DIR/ca.pem" --tls-server-name localhost)
  fi
  "${CLEAN_ENV[@]}" "$CLI" "$@" --address "$ADDRESS" --disable-config-file --disable-config-env --command-timeout 10s "${tls[@]}"
}

# ---------------------------------------------------------------- TLS

openssl_quiet() {
  local out
  out=$(openssl "$@" 2>&1) || die "openssl $1 failed: $(tail -n 3 <<<"$out")"
}

make_ca() {
  local name=$1
  [ -f "$TLS_DIR/$name.pem" ] && openssl x509 -checkend 86400 -noout -in "$TLS_DIR/$name.pem" >/dev/null && return 0
  openssl_quiet req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
    -keyout "$TLS_DIR/$name.key" -out "$TLS_DIR/$name.pem" -days 3650 -subj "/CN=baton-cluster-$name" \
    -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign
  ISSUED=true
}

issue_cert() {
  local name=$1 ca=$2 usage=$3 san=$4
  if [ -f "$TLS_DIR/$name.pem" ] && [ "$ISSUED" = false ] &&
    openssl x509 -checkend 86400 -noout -in "$TLS_DIR/$name.pem" >/dev/null; then
    return 0
  fi
  printf '%s\n' basicConstraints=critical,CA:FALSE keyUsage=critical,digitalSignature \
    "extendedKeyUsage=$usage" "subjectAltName=$san" >"$TLS_DIR/$name.ext"
  openssl_quiet req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
    -keyout "$TLS_DIR/$name.key" -out "$TLS_DIR/$name.csr" -subj "/CN=baton-cluster-$name"
  openssl_quiet x509 -req -in "$TLS_DIR/$name.csr" -CA "$TLS_DIR/$ca.pem" -CAkey "$TLS_DIR/$ca.key" \
    -CAcreateserial -out "$TLS_DIR/$name.pem" -days 365 -extfile "$TLS_DIR/$name.ext"
  rm -f "$TLS_DIR/$name.csr" "$TLS_DIR/$name.ext"
}

# Made once and kept; a certificate within a day of its end is made again.
ensure_certs() {
  local san="IP:127.0.0.1,DNS:localhost"
  [ "$HOST" != 127.0.0.1 ] && san="$san,IP:$HOST"
  mkdir -p "$TLS_DIR"
  chmod 700 "$TLS_DIR"
  ISSUED=false
  make_ca ca
  issue_cert server ca serverAuth,clientAuth "$san"
  ISSUED=false
  make_ca client-ca
  issue_cert client client-ca clientAuth DNS:baton-client
  # A new client CA (the first, or one past its end) replaces whatever was trusted: client.pem needs it.
  if [ "$ISSUED" = true ]; then rm -f "$TLS_DIR/trusted-client-ca.pem" "$TLS_DIR/trusted-client-ca-next.pem"; fi
  # The client CAs the frontend trusts (see tls.yaml); an operator changes them to rotate, so they are never overwritten.
  [ -f "$TLS_DIR/trusted-client-ca.pem" ] || cp "$TLS_DIR/client-ca.pem" "$TLS_DIR/trusted-client-ca.pem"
  [ -f "$TLS_DIR/trusted-client-ca-next.pem" ] || cp "$TLS_DIR/client-ca.pem" "$TLS_DIR/trusted-client-ca-next.pem"
  chmod 600 "$TLS_DIR"/*.key
}

# ---------------------------------------------------------------- config

render() {
  local text name
  text=$(<"$1")
  for name in LOG_LEVEL HISTORY_SHARDS PG_HOST PG_PORT PG_PASSWORD HOST TLS_SECTION FRONTEND_PORT FRONTEND_HTTP_PORT \
    FRONTEND_MEMBERSHIP_PORT HISTORY_PORT HISTORY_MEMBERSHIP_PORT MATCHING_PORT MATCHING_MEMBERSHIP_PORT WORKER_PORT \
    WORKER_MEMBERSHIP_PORT CONFIG_DIR TLS_DIR TLS_REFRESH_INTERVAL; do
    text=${text//"\${$name}"/"${!name:-}"}
  done
  if [[ $text =~ \$\{[A-Z_]+\} ]]; then die "$1 names a setting the script does not know: ${BASH_REMATCH[0]}"; fi
  printf '%s\n' "$text"
}

write_config() {
  local PG_HOST=$HOST PG_PASSWORD HISTORY_SHARDS=$SHARDS TLS_SECTION=""
  mkdir -p "$CONFIG_DIR"
  chmod 700 "$CONFIG_DIR"
  [ -f "$CONFIG_DIR/pg-password" ] || (umask 077 && openssl rand -hex 24 >"$CONFIG_DIR/pg-password")
  PG_PASSWORD=$(<"$CONFIG_DIR/pg-password")
  [ "$MODE" = tls ] && TLS_SECTION=$(render "$TEMPLATES/tls.yaml")
  (umask 077 && render "$TEMPLATES/temporal.yaml" >"$CONFIG_DIR/temporal.yaml")
  cp "$TEMPLATES/dynamicconfig.yaml" "$CONFIG_DIR/dynamicconfig.yaml"
}

# ---------------------------------------------------------------- readiness

wait_healthy() {
  local deadline=$((SECONDS + 90)) svc
  until cli operator cluster health 2>/dev/null | grep -q SERVING; do
    for svc in "${SERVICES[@]}"; do
      service_pid "$svc" >/dev/null || {
        tail_logs "$svc"
        die "the $svc service exited during start-up (logs in $LOG_DIR)"
      }
    done
    if ((SECONDS > deadline)); then
      tail_logs
      die "the frontend at $ADDRESS was not healthy after 90 s (logs in $LOG_DIR)"
    fi
    sleep 0.3
  done
}

# The frontend answers before history and matching have joined its
# membership ring; until then a start fails with "Not enough hosts to serve
# the request". Two read-only calls tell: describing a workflow that does
# not exist reaches history (which answers "not found"), describing a task
# queue reaches matching.
wait_ready() {
  local deadline=$((SECONDS + 60)) out
  for (( ; ; )); do
    out=$(cli workflow describe --namespace "$NAMESPACE" --workflow-id baton-cluster-probe 2>&1 || true)
    if grep -qi "not found" <<<"$out" &&
      cli task-queue describe --namespace "$NAMESPACE" --task-queue baton-cluster-probe >/dev/null 2>&1; then
      return 0
    fi
    if ((SECONDS > deadline)); then
      tail_logs
      die "history and matching did not answer through the frontend after 60 s: $out"
    fi
    sleep 0.3
  done
}

# What Baton's worker would do itself where it may (shared/temporal/namespace.ts,
# shared/runs/search-attributes.ts), done here so that clients that never
# register anything (the API, `baton run`) find the cluster ready.
prepare_namespace() {
  local deadline out
  if ! cli operator namespace describe --namespace "$NAMESPACE" >/dev/null 2>&1; then
    out=$(cli operator namespace create --namespace "$NAMESPACE" --retention "$RETENTION" 2>&1) ||
      grep -qi "already" <<<"$out" || die "registering namespace $NAMESPACE failed: $out"
    log "registered namespace $NAMESPACE (retention $RETENTION)"
  fi
  # The frontend's namespace cache catches up within seconds; the operator service after it.
  deadline=$((SECONDS + 30))
  until cli operator search-attribute list --namespace "$NAMESPACE" -o json 2>/dev/null | grep -q "\"$SEARCH_ATTRIBUTE\""; do
    out=$(cli operator search-attribute create --namespace "$NAMESPACE" --name "$SEARCH_ATTRIBUTE" --type Keyword 2>&1) ||
      ((SECONDS < deadline)) || die "adding the $SEARCH_ATTRIBUTE search attribute failed: $out"
    sleep 0.3
  done
}

print_settings() {
  printf 'TEMPORAL_NAMESPACE=%q\n' "$NAMESPACE"
  if [ "$MODE" = tls ]; then
    printf 'TEMPORAL_TLS_CLIENT_CERT_PATH=%q\n' "$TLS_DIR/client.pem"
    printf 'TEMPORAL_TLS_CLIENT_KEY_PATH=%q\n' "$TLS_DIR/client.key"
    printf 'TEMPORAL_TLS_SERVER_CA_CERT_PATH=%q\n' "$TLS_DIR/ca.pem"
    printf 'TEMPORAL_TLS_SERVER_NAME=%q\n' localhost
  fi
  printf 'TEMPORAL_ADDRESS=%q\n' "$ADDRESS"
}

# ---------------------------------------------------------------- commands

anything_runs() {
  local svc
  for svc in "${SERVICES[@]}"; do service_pid "$svc" >/dev/null && return 0; done
  [ -n "${PG_DIR:-}" ] && [ -f "$PG_DIR/data/postmaster.pid" ] && pg_running && return 0
  return 1
}

all_run() {
  local svc
  for svc in "${SERVICES[@]}"; do service_pid "$svc" >/dev/null || return 1; done
  pg_running
}

cmd_up() {
  local want=plain started svc saved=false saved_shards=""
  while [ $# -gt 0 ]; do
    case $1 in
      --tls) want=tls ;;
      *) die "up: unknown option $1 (usage: up [--tls])" ;;
    esac
    shift
  done
  started=$(now)
  mkdir -p "$STATE" "$LOG_DIR" "$RUN_DIR"
  exec 9>"$STATE/.lock"
  flock 9
  find_pg_bin
  find_cli
  PG_DIR=""
  if load_saved_settings; then
    saved=true
    saved_shards=$SHARDS
    derive_ports
  fi
  if $saved && anything_runs; then
    # Up already (or partly): keep its settings, whatever the environment says now.
    [ "$MODE" = "$want" ] || die "the cluster in $STATE is up $([ "$MODE" = tls ] && echo with || echo without) TLS: run \`$0 down\` first"
    if [ -n "${BATON_CLUSTER_PORT:-}" ] && [ "$BATON_CLUSTER_PORT" != "$PORT" ]; then
      die "the cluster in $STATE is up on port $PORT, not BATON_CLUSTER_PORT=$BATON_CLUSTER_PORT: run \`$0 down\` first"
    fi
    if all_run; then
      wait_healthy
      prepare_namespace
      log "already up: $ADDRESS ($MODE, namespace $NAMESPACE, state in $STATE)"
      print_settings
      return 0
    fi
    log "partly up: starting what is not running"
  else
    load_settings_from_env "$want"
    if [ -n "$saved_shards" ] && [ "$saved_shards" != "$SHARDS" ]; then
      die "the cluster in $STATE was made with $saved_shards history shards, which cannot change: unset BATON_CLUSTER_HISTORY_SHARDS, or \`$0 down --purge\` to start over"
    fi
    choose_pg_dir
    derive_ports
    check_ports_free
    save_settings
    if [ "$MODE" = tls ]; then ensure_certs; fi
    write_config
  fi
  ensure_server
  start_postgres
  apply_schema
  # History first, alone: on a new database the first service to start
  # writes the cluster's metadata, and two writing at once make one fail.
  start_service history
  wait_listening history
  for svc in matching frontend worker; do start_service "$svc"; done
  wait_healthy
  prepare_namespace
  wait_ready
  log "up in $(since "$started") s: $ADDRESS ($MODE, namespace $NAMESPACE, $SHARDS history shards, state in $STATE)"
  print_settings
}

cmd_down() {
  local purge=false svc i
  while [ $# -gt 0 ]; do
    case $1 in
      --purge) purge=true ;;
      *) die "down: unknown option $1 (usage: down [--purge])" ;;
    esac
    shift
  done
  [ -d "$STATE" ] || {
    log "nothing in $STATE"
    return 0
  }
  exec 9>"$STATE/.lock"
  flock 9
  PG_DIR=""
  load_saved_settings || {
    log "no cluster in $STATE (no $SETTINGS_FILE)"
    return 0
  }
  derive_ports
  find_pg_bin
  for ((i = ${#SERVICES[@]} - 1; i >= 0; i--)); do stop_service "${SERVICES[i]}"; done
  stop_postgres
  if $purge; then
    log "deleting $STATE${PG_DIR:+ and $PG_DIR}"
    if [ -n "$PG_DIR" ] && { [ -f "$PG_DIR/data/PG_VERSION" ] || [ ! -e "$PG_DIR/data" ]; }; then
      rm -rf "$PG_DIR"
      [ "${PG_DIR%/*}" = /var/lib/baton ] && rmdir /var/lib/baton 2>/dev/null || true
    fi
    rm -rf "$STATE"
  fi
  log "down"
}

cmd_status() {
  local svc pid all=true ports
  PG_DIR=""
  load_saved_settings || {
    echo "no cluster in $STATE"
    return 1
  }
  derive_ports
  find_pg_bin
  echo "state      $STATE ($MODE, $SHARDS history shards, Temporal ${SERVER_VERSION:-?})"
  if pg_running; then
    echo "postgres   running  pid $(head -1 "$PGDATA/postmaster.pid")  $HOST:$PG_PORT  data $PGDATA"
  else
    echo "postgres   stopped"
    all=false
  fi
  for svc in "${SERVICES[@]}"; do
    ports=$(service_ports "$svc" | tr ' ' ',')
    if pid=$(service_pid "$svc"); then
      printf '%-10s running  pid %s  ports %s  log %s\n' "$svc" "$pid" "$ports" "$LOG_DIR/$svc.log"
    else
      printf '%-10s stopped\n' "$svc"
      all=false
    fi
  done
  echo "address    $ADDRESS  namespace $NAMESPACE"
  $all
}

cmd_build() {
  [ $# -eq 0 ] || die "build: no options (usage: build)"
  ensure_server
  log "Temporal server $VERSION and its SQL tool in $BIN_DIR"
  echo "$BIN_DIR"
}

case ${1:-} in
  build) shift && cmd_build "$@" ;;
  up) shift && cmd_up "$@" ;;
  down) shift && cmd_down "$@" ;;
  status) shift && cmd_status "$@" ;;
  *)
    sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2
    ;;
esac
