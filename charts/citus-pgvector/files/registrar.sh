#!/usr/bin/env bash
# citus-worker-registrar: keeps one Citus worker registered with its coordinator.
#
# Runs as a sidecar in every pod of a worker cluster (both pods of the Patroni pair; they race,
# which is fine). Talks to the worker and the coordinator through their Services, which follow
# Patroni failovers. Every REGISTRAR_INTERVAL_SECONDS it checks the catalogs and repairs:
#   - the worker or coordinator database lacks an extension of REGISTRAR_EXTENSIONS -> wait for the operator
#     to create it (preparedDatabases), and CREATE EXTENSION only after REGISTRAR_EXTENSION_GRACE_SECONDS;
#   - pg_dist_authinfo lacks the superuser password           -> store it (see below);
#   - an application role (REGISTRAR_APPLICATION_ROLES) is missing, or its password in pg_dist_authinfo is not the
#     one of its file in REGISTRAR_APPLICATION_ROLES_DIR      -> create it with LOGIN / set its password, and store
#     the password (on the worker and on the coordinator alike: each node's roles are kept by its own registrars);
#   - the coordinator is not in pg_dist_node                   -> citus_set_coordinator_host;
#   - the worker is not in pg_dist_node (new, rebuilt or restored coordinator) -> citus_add_node;
#   - the worker is in pg_dist_node but inactive               -> citus_activate_node.
#   - replica reads (WORKER_REPLICA_HOST set): the worker's one Citus secondary names its replica Service while a
#     streaming standby of this worker answers there (same system identifier, in recovery, WAL receiver streaming),
#     else the worker's primary under its second name WORKER_PRIMARY_ALIAS_HOST, so that reads with
#     citus.use_secondary_nodes = 'always' go on without a standby; the roles of REGISTRAR_REPLICA_READ_ROLES may set
#     that and start read-only transactions (registrar-replica-reads.sql).
# A worker that the chart's scale-down hook drained and removed is marked in the coordinator's
# citus_pgvector.retired_workers until Helm deletes it: it is left out (state "retired").
# Changes on the coordinator are serialized by a transaction-scoped advisory lock and re-checked
# under it, so a worker is added exactly once however many registrars race.
#
# Internode authentication: Citus connects between nodes as the superuser. The chart gives every
# cluster the same superuser password, and this script stores it in pg_dist_authinfo (node 0 =
# every node) on the worker and on the coordinator, which is where Citus looks for it (the
# sidecar cannot write a .pgpass into the postgres container). Set REGISTRAR_MANAGE_AUTHINFO=false
# to manage the superuser's entry yourself. Application roles' queries need their passwords there
# too; their files come from a projected Secret volume, which the kubelet updates when a Secret
# changes, so each pass reads them again and a new password is applied without a restart. The
# passwords travel only in environment variables (PGPASSWORD, POSTGRES_PASSWORD), in those files, and as
# COPY data over the (TLS) connection when a node lacks one (registrar-credentials.py compares digests on
# this side first, and computes an application role's SCRAM verifier here); they never appear in a
# statement's text (which bg_mon and pg_stat_activity show), on a command line or in this script's output.
#
# State: written to REGISTRAR_STATUS_FILE; `registrar.sh status` prints it and exits 0 only while
# the worker is registered and the registrar is running. Logs: one line per state change or
# action, plus a reminder every REGISTRAR_REPEAT_LOG_SECONDS while a problem persists.
# Exit: only on SIGTERM/SIGINT (exit 0). Errors never end the loop.
set -euo pipefail

readonly STATUS_FILE="${REGISTRAR_STATUS_FILE:-/tmp/registrar.status}"

# Prints the status file; exit 0 only when registered and the registrar process is alive.
print_status() {
  if [[ ! -r "${STATUS_FILE}" ]]; then
    echo "no status file at ${STATUS_FILE}: the registrar has not started"
    return 1
  fi
  cat "${STATUS_FILE}"
  local state pid
  state="$(sed -n 's/^state=//p' "${STATUS_FILE}")"
  pid="$(sed -n 's/^pid=//p' "${STATUS_FILE}")"
  if [[ -n "${pid}" ]] && ! kill -0 "${pid}" 2>/dev/null; then
    echo "the registrar (pid ${pid}) is not running"
    return 1
  fi
  [[ "${state}" == registered ]]
}

if [[ "${1:-}" == status ]]; then
  if print_status; then exit 0; else exit 1; fi
fi

readonly COORDINATOR_HOST="${COORDINATOR_HOST:?COORDINATOR_HOST must name the coordinator Service}"
readonly COORDINATOR_PORT="${COORDINATOR_PORT:-5432}"
readonly WORKER_HOST="${WORKER_HOST:?WORKER_HOST must name the Service of this worker}"
readonly WORKER_PORT="${WORKER_PORT:-5432}"
readonly WORKER_ID="${WORKER_ID:-${WORKER_HOST}}"
readonly DATABASE="${PGDATABASE:-postgres}"
readonly SUPERUSER="${POSTGRES_USER:-postgres}"
readonly INTERVAL_SECONDS="${REGISTRAR_INTERVAL_SECONDS:-30}"
readonly MAX_BACKOFF_SECONDS="${REGISTRAR_MAX_BACKOFF_SECONDS:-30}"
readonly REPEAT_LOG_SECONDS="${REGISTRAR_REPEAT_LOG_SECONDS:-600}"
readonly MANAGE_AUTHINFO="${REGISTRAR_MANAGE_AUTHINFO:-true}"
# name:schema,... as the operator's preparedDatabases creates them.
readonly EXTENSIONS="${REGISTRAR_EXTENSIONS:-}"
readonly EXTENSION_GRACE_SECONDS="${REGISTRAR_EXTENSION_GRACE_SECONDS:-300}"
# Comma-separated; the password of each is the file of that name in APPLICATION_ROLES_DIR.
readonly APPLICATION_ROLES="${REGISTRAR_APPLICATION_ROLES:-}"
readonly APPLICATION_ROLES_DIR="${REGISTRAR_APPLICATION_ROLES_DIR:-/etc/citus-pgvector/application-roles}"
# Replica reads: the worker's replica Service, and the primary's second name (its Service under another name).
readonly WORKER_REPLICA_HOST="${WORKER_REPLICA_HOST:-}"
readonly WORKER_REPLICA_PORT="${WORKER_REPLICA_PORT:-5432}"
readonly WORKER_PRIMARY_ALIAS_HOST="${WORKER_PRIMARY_ALIAS_HOST:-}"
readonly WORKER_PRIMARY_ALIAS_PORT="${WORKER_PRIMARY_ALIAS_PORT:-${WORKER_PORT}}"
# Comma-separated application roles that read from the secondaries.
readonly REPLICA_READ_ROLES="${REGISTRAR_REPLICA_READ_ROLES:-}"
PSQL="${REGISTRAR_PSQL:-psql}"
# Serializes every registrar's changes on the coordinator ("citus" in ASCII).
readonly LOCK_KEY=426870929779

export PGCONNECT_TIMEOUT="${PGCONNECT_TIMEOUT:-5}"
export PGAPPNAME="${PGAPPNAME:-citus-worker-registrar}"
# Bounded statements: a registrar waiting behind a long lock retries instead of hanging.
export PGOPTIONS="${PGOPTIONS:-} -c statement_timeout=${REGISTRAR_STATEMENT_TIMEOUT:-300s} -c lock_timeout=${REGISTRAR_LOCK_TIMEOUT:-60s}"
# libpq and psql read the password from the environment, never from the command line.
export PGPASSWORD="${POSTGRES_PASSWORD:-}"
export POSTGRES_PASSWORD="${POSTGRES_PASSWORD:-}"
unset PGHOST PGPORT PGUSER PGPASSFILE PGSERVICE

export REGISTRAR_APPLICATION_ROLES="${APPLICATION_ROLES}"
export REGISTRAR_APPLICATION_ROLES_DIR="${APPLICATION_ROLES_DIR}"
LOG_NAME="registrar[${WORKER_ID}]"
LOG_REDACT="${POSTGRES_PASSWORD}"
# shellcheck source-path=SCRIPTDIR source-path=SCRIPTDIR/scripts source=common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
# What registrar-node.sql runs (from psql, with this environment) to send passwords as COPY data.
export REGISTRAR_CREDENTIALS_PROGRAM="${SQL_DIR}/registrar-credentials.py"

config_error() {
  log "configuration error: $*; fix the environment and restart the pod"
}

# A configuration error is not fixed by retrying, but exiting would crash-loop the pod:
# report it and wait for the signal.
config_ok=true
for port in "${COORDINATOR_PORT}" "${WORKER_PORT}" "${WORKER_REPLICA_PORT}" "${WORKER_PRIMARY_ALIAS_PORT}"; do
  [[ "${port}" =~ ^[0-9]+$ ]] || { config_error "port '${port}' is not a number"; config_ok=false; }
done
for seconds in "${INTERVAL_SECONDS}" "${MAX_BACKOFF_SECONDS}" "${REPEAT_LOG_SECONDS}"; do
  [[ "${seconds}" =~ ^[1-9][0-9]*$ ]] || { config_error "'${seconds}' is not a positive number of seconds"; config_ok=false; }
done
[[ "${EXTENSION_GRACE_SECONDS}" =~ ^[0-9]+$ ]] \
  || { config_error "REGISTRAR_EXTENSION_GRACE_SECONDS '${EXTENSION_GRACE_SECONDS}' is not a number of seconds"; config_ok=false; }
[[ "${EXTENSIONS}" =~ ^[a-z_][a-z0-9_]*:[a-z_][a-z0-9_]*(,[a-z_][a-z0-9_]*:[a-z_][a-z0-9_]*)*$ ]] \
  || { config_error "REGISTRAR_EXTENSIONS '${EXTENSIONS}' must list extension:schema pairs, comma-separated"; config_ok=false; }
[[ -n "${POSTGRES_PASSWORD}" ]] || { config_error "POSTGRES_PASSWORD is empty"; config_ok=false; }
[[ "${MANAGE_AUTHINFO}" == true || "${MANAGE_AUTHINFO}" == false ]] \
  || { config_error "REGISTRAR_MANAGE_AUTHINFO must be true or false"; config_ok=false; }
[[ -z "${APPLICATION_ROLES}" || "${APPLICATION_ROLES}" =~ ^[a-z_][a-z0-9_]*(,[a-z_][a-z0-9_]*)*$ ]] \
  || { config_error "REGISTRAR_APPLICATION_ROLES '${APPLICATION_ROLES}' must list lowercase role names, comma-separated"; config_ok=false; }
[[ "${SUPERUSER}" =~ ^[^,:]+$ ]] || { config_error "POSTGRES_USER '${SUPERUSER}' must not contain ',' or ':'"; config_ok=false; }
if [[ "${MANAGE_AUTHINFO}" == true || -n "${APPLICATION_ROLES}" ]] && ! command -v python3 >/dev/null; then
  config_error "python3 (the image's, which Patroni runs on) is not on PATH: registrar-credentials.py needs it"
  config_ok=false
fi

[[ -z "${WORKER_REPLICA_HOST}" || -n "${WORKER_PRIMARY_ALIAS_HOST}" ]] \
  || { config_error "WORKER_REPLICA_HOST is set but WORKER_PRIMARY_ALIAS_HOST is empty"; config_ok=false; }
[[ -z "${REPLICA_READ_ROLES}" || "${REPLICA_READ_ROLES}" =~ ^[a-z_][a-z0-9_]*(,[a-z_][a-z0-9_]*)*$ ]] \
  || { config_error "REGISTRAR_REPLICA_READ_ROLES '${REPLICA_READ_ROLES}' must list lowercase role names, comma-separated"; config_ok=false; }

work_dir="$(mktemp -d "${TMPDIR:-/tmp}/registrar.XXXXXX")"
readonly work_dir
sleep_pid=""
state=""
state_since=""
last_error=""
last_error_at=""
last_action=""
last_action_at=""

now() { date -u +%Y-%m-%dT%H:%M:%SZ; }

write_status() {
  local tmp="${STATUS_FILE}.tmp.$$"
  {
    printf 'state=%s\n' "${state}"
    printf 'since=%s\n' "${state_since}"
    printf 'updated=%s\n' "$(now)"
    printf 'worker=%s:%s\n' "${WORKER_HOST}" "${WORKER_PORT}"
    printf 'coordinator=%s:%s\n' "${COORDINATOR_HOST}" "${COORDINATOR_PORT}"
    printf 'database=%s\n' "${DATABASE}"
    printf 'last_action=%s\n' "${last_action}"
    printf 'last_action_at=%s\n' "${last_action_at}"
    printf 'last_error=%s\n' "${last_error}"
    printf 'last_error_at=%s\n' "${last_error_at}"
    printf 'pid=%s\n' "$$"
  } >"${tmp}" || true
  if ! mv -f "${tmp}" "${STATUS_FILE}" 2>/dev/null; then
    log "cannot write ${STATUS_FILE}"
  fi
}

on_signal() {
  trap - TERM INT
  [[ -n "${sleep_pid}" ]] && kill "${sleep_pid}" 2>/dev/null
  state=stopped
  state_since="$(now)"
  write_status
  rm -rf "${work_dir}"
  log "stopping on signal"
  exit 0
}
trap on_signal TERM INT

# Sleeps so that a signal interrupts the wait at once.
pause() {
  sleep "$1" &
  sleep_pid=$!
  wait "${sleep_pid}" || true
  sleep_pid=""
}

# Runs psql on one node (the rest of the arguments: -c, or -f - with the script on standard input, and -v). Sets
# psql_out and psql_err; returns psql's status.
node_psql() {
  local host="$1" port="$2"
  shift 2
  local rc=0
  psql_out="$(run_psql -h "${host}" -p "${port}" -U "${SUPERUSER}" -d "${DATABASE}" -v lock_key="${LOCK_KEY}" \
    -v superuser="${SUPERUSER}" -v extensions="${EXTENSIONS}" -v application_roles="${APPLICATION_ROLES}" \
    -v credential_roles="${credential_roles}" -v credentials="$([[ -n "${credential_roles}" ]] && echo true || echo false)" \
    "$@" \
    2>"${work_dir}/stderr")" || rc=$?
  psql_err="$(tr -s '\n' ' ' <"${work_dir}/stderr")"
  psql_err="${psql_err% }"
  return "${rc}"
}

# The step psql was in when it stopped (the last "step ..." line it printed).
last_step() {
  sed -n 's/^step //p' <<<"${psql_out}" | tail -n 1
}

log_actions() {
  local line
  while IFS= read -r line; do
    case "${line}" in
      "did "* | "info "*)
        last_action="${line#* } (${1})"
        last_action_at="$(now)"
        log "${1}: ${line#* }"
        ;;
      *) ;;
    esac
  done <<<"${psql_out}"
}

# Turns a psql failure into a state (waiting or error), a kind (what to fix) and a message.
failure_state=""
failure_kind=""
failure_message=""
classify_failure() {
  local role="$1" host="$2" port="$3" step="$4" error="$5"
  local where="${role} ${host}:${port}"
  failure_state=error
  case "${error}" in
    *"password authentication failed"* | *"no password supplied"*)
      failure_kind="auth-${role}"
      failure_message="authentication failed at ${where} for user ${SUPERUSER}: every cluster must have the same superuser password (POSTGRES_PASSWORD)"
      ;;
    *"does not exist"*"database"* | *"database"*"does not exist"*)
      failure_state=waiting
      failure_kind="no-database-${role}"
      failure_message="database ${DATABASE} does not exist yet at ${where}"
      ;;
    *"certificate verify failed"* | *"does not match host name"* | *"root certificate file"*)
      failure_kind="tls-${role}"
      failure_message="the server certificate of ${where} does not verify against ${PGSSLROOTCERT:-the CA} (tls.caFile): it must be signed by that CA and name the Service"
      ;;
    *"Connection refused"* | *"could not connect"* | *"timeout expired"* | *"could not translate host name"* \
      | *"No route to host"* | *"Is the server running"* | *"server closed the connection"* \
      | *"the database system is"* | *"terminating connection"* | *"connection to server"*"failed"*)
      failure_state=waiting
      failure_kind="unreachable-${role}"
      failure_message="${where} does not accept connections yet"
      ;;
    *"read-only transaction"* | *"recovery is in progress"*)
      failure_state=waiting
      failure_kind="replica-${role}"
      failure_message="${where} is a replica right now (failover in progress?)"
      ;;
    *'extension "citus" is not available'* | *"citus.control"*)
      failure_kind="no-citus-${role}"
      failure_message="the citus extension is not installed at ${where}: use the citus-pgvector image"
      ;;
    *'extension "vector" is not available'* | *"vector.control"*)
      failure_kind="no-vector-${role}"
      failure_message="the vector extension is not installed at ${where}: use the citus-pgvector image"
      ;;
    *"shared_preload_libraries"*)
      failure_kind="no-preload-${role}"
      failure_message="citus is not loaded at ${where}: shared_preload_libraries must start with citus"
      ;;
    *"deadlock detected"* | *"lock timeout"* | *"duplicate key"* | *"already exists"* | *"could not obtain lock"*)
      failure_state=waiting
      failure_kind="race-${role}"
      failure_message="another registrar or a concurrent change got in the way at ${where} while ${step}; will check again"
      ;;
    *)
      failure_kind="failed-${role}-${step}"
      failure_message="failed at ${where} while ${step}"
      ;;
  esac
  failure_message="${failure_message} (${error:-psql failed without a message})"
}

last_logged_key=""
last_logged_at=0
attempts_in_state=0

# Records a state; logs it when it differs from the last logged one, or as a reminder.
set_state() {
  local new_state="$1" key="$2" message="$3"
  local now_epoch
  now_epoch="$(date +%s)"
  if [[ "${new_state}" != "${state}" ]]; then
    state_since="$(now)"
  fi
  state="${new_state}"
  if [[ "${key}" != "${last_logged_key}" ]]; then
    attempts_in_state=1
    last_logged_key="${key}"
    last_logged_at="${now_epoch}"
    log "${new_state}: ${message}"
  else
    attempts_in_state=$((attempts_in_state + 1))
    if ((now_epoch - last_logged_at >= REPEAT_LOG_SECONDS)); then
      last_logged_at="${now_epoch}"
      log "still ${new_state} after ${attempts_in_state} attempts: ${message}"
    fi
  fi
  if [[ "${new_state}" != registered ]]; then
    last_error="${message}"
    last_error_at="$(now)"
  fi
  write_status
}

# Until registered, first checks that both servers accept connections, so that the state names
# what is missing (a down coordinator) before any other step can fail on the worker.
probe() {
  local role="$1" host="$2" port="$3"
  if ! node_psql "${host}" "${port}" -c 'SELECT 1' </dev/null; then
    classify_failure "${role}" "${host}" "${port}" connecting "${psql_err}"
    set_state "${failure_state}" "${failure_kind}" "${failure_message}"
    return 1
  fi
}

# When each node was first seen without all of its extensions, in epoch seconds (empty: none missing).
declare -A extensions_missing_since=([worker]="" [coordinator]="")

# true when this pass may create a node's missing extensions: the operator had its grace period.
may_create_extensions() {
  local since="$1"
  if ((EXTENSION_GRACE_SECONDS == 0)) || { [[ -n "${since}" ]] && (($(date +%s) - since >= EXTENSION_GRACE_SECONDS)); }; then
    echo true
  else
    echo false
  fi
}

# Runs one node's SQL (the rest of the arguments are psql options). On failure, or while the node waits for the
# operator's extensions, records the state and returns 1.
run_node() {
  local role="$1" host="$2" port="$3" file="$4"
  shift 4
  local step missing
  # One script: registrar-node.sql's \quit (extensions still missing) ends the node's script.
  if ! node_psql "${host}" "${port}" -f - \
    -v create_extensions="$(may_create_extensions "${extensions_missing_since[${role}]}")" "$@" \
    < <(cat "${SQL_DIR}/registrar-node.sql" "${SQL_DIR}/${file}"); then
    step="$(last_step)"
    log_actions "${role}"
    classify_failure "${role}" "${host}" "${port}" "${step:-connecting}" "${psql_err}"
    set_state "${failure_state}" "${failure_kind}" "${failure_message}"
    return 1
  fi
  log_actions "${role}"
  missing="$(sed -n 's/^extensions_missing //p' <<<"${psql_out}")"
  if [[ -z "${missing}" ]]; then
    extensions_missing_since[${role}]=""
    return 0
  fi
  [[ -n "${extensions_missing_since[${role}]}" ]] || extensions_missing_since[${role}]="$(date +%s)"
  set_state waiting "extensions-${role}" \
    "extension(s) ${missing// /, } not in database ${DATABASE} at ${role} ${host}:${port} yet: waiting for the operator to create them (preparedDatabases); the registrar creates them itself when they are still missing ${EXTENSION_GRACE_SECONDS}s after it first saw them missing"
  return 1
}

# The roles whose passwords the nodes need in pg_dist_authinfo (names only: registrar-credentials.py reads the
# passwords itself when a node lacks one): the superuser unless REGISTRAR_MANAGE_AUTHINFO is false, then each
# application role with a password file, read again every pass. Sets roles_without_password to the roles whose file is
# missing or empty.
credential_roles=""
roles_without_password=""
read_credentials() {
  local roles=() role file
  roles_without_password=""
  if [[ "${MANAGE_AUTHINFO}" == true ]]; then
    roles+=("${SUPERUSER}")
  fi
  if [[ -n "${APPLICATION_ROLES}" ]]; then
    for role in ${APPLICATION_ROLES//,/ }; do
      file="${APPLICATION_ROLES_DIR}/${role}"
      if [[ -s "${file}" && -r "${file}" ]]; then
        roles+=("${role}")
      else
        roles_without_password+="${roles_without_password:+, }${role}"
      fi
    done
  fi
  credential_roles="$(IFS=,; echo "${roles[*]}")"
}

# One pass: worker first (extensions, passwords, shard ids), then the coordinator.
reconcile() {
  local shard_floor worker_group
  read_credentials
  if [[ "${state}" != registered ]]; then
    probe worker "${WORKER_HOST}" "${WORKER_PORT}" || return 1
    probe coordinator "${COORDINATOR_HOST}" "${COORDINATOR_PORT}" || return 1
  fi
  run_node worker "${WORKER_HOST}" "${WORKER_PORT}" registrar-worker.sql || return 1
  shard_floor="$(sed -n 's/^shard_floor //p' <<<"${psql_out}")"
  [[ "${shard_floor}" =~ ^[0-9]+$ ]] || shard_floor=0
  worker_group="$(sed -n 's/^worker_group //p' <<<"${psql_out}")"
  [[ "${worker_group}" =~ ^[0-9]+$ ]] || worker_group=0

  run_node coordinator "${COORDINATOR_HOST}" "${COORDINATOR_PORT}" registrar-coordinator.sql \
    -v coordinator_host="${COORDINATOR_HOST}" -v coordinator_port="${COORDINATOR_PORT}" \
    -v worker_host="${WORKER_HOST}" -v worker_port="${WORKER_PORT}" -v shard_floor="${shard_floor}" \
    -v worker_group="${worker_group}" || return 1
  if grep -qx retired <<<"${psql_out}"; then
    set_state retired retired \
      "worker ${WORKER_HOST}:${WORKER_PORT} was drained and removed by a scale-down (citus_pgvector.retired_workers on the coordinator); not registering it again"
    return 0
  fi
  replica_reads
  if [[ -n "${roles_without_password}" ]]; then
    set_state error "no-password-${roles_without_password}" \
      "worker ${WORKER_HOST}:${WORKER_PORT} is registered, but application role(s) ${roles_without_password} have no password in ${APPLICATION_ROLES_DIR} (a missing or empty key of its Secret): left as they are"
    return 0
  fi
  set_state registered registered \
    "worker ${WORKER_HOST}:${WORKER_PORT} is an active node of coordinator ${COORDINATOR_HOST}:${COORDINATOR_PORT}"
}

# Replica reads, after the worker is registered. The secondary names the replica Service only while a standby of
# this worker streams behind it; otherwise (no standby, one pod, a standby lost or not following) the primary's
# second name. A failure here is logged (once per message) and retried next pass; the worker stays registered.
replica_reads_problem=""
replica_reads() {
  [[ -n "${WORKER_REPLICA_HOST}" ]] || return 0
  local primary target_host="${WORKER_PRIMARY_ALIAS_HOST}" target_port="${WORKER_PRIMARY_ALIAS_PORT}"
  local problem=""
  if node_psql "${WORKER_HOST}" "${WORKER_PORT}" -f "${SQL_DIR}/node-identity.sql" </dev/null; then
    primary="${psql_out}"
    if node_psql "${WORKER_REPLICA_HOST}" "${WORKER_REPLICA_PORT}" -f "${SQL_DIR}/node-identity.sql" </dev/null \
      && [[ "${psql_out}" == "${primary%%$'\t'*}"$'\t't$'\t'streaming$'\t'* ]]; then
      target_host="${WORKER_REPLICA_HOST}"
      target_port="${WORKER_REPLICA_PORT}"
    fi
    if node_psql "${COORDINATOR_HOST}" "${COORDINATOR_PORT}" -f "${SQL_DIR}/registrar-replica-reads.sql" \
      -v worker_host="${WORKER_HOST}" -v worker_port="${WORKER_PORT}" -v secondary_host="${target_host}" \
      -v secondary_port="${target_port}" -v replica_read_roles="${REPLICA_READ_ROLES}" </dev/null; then
      log_actions coordinator
    else
      log_actions coordinator
      problem="replica reads: failed at coordinator ${COORDINATOR_HOST}:${COORDINATOR_PORT} while $(last_step) (${psql_err})"
    fi
  else
    problem="replica reads: cannot read the identity of worker ${WORKER_HOST}:${WORKER_PORT} (${psql_err})"
  fi
  if [[ -n "${problem}" && "${problem}" != "${replica_reads_problem}" ]]; then
    log "${problem}; will try again"
    last_error="${problem}"
    last_error_at="$(now)"
  elif [[ -z "${problem}" && -n "${replica_reads_problem}" ]]; then
    log "replica reads: working again"
  fi
  replica_reads_problem="${problem}"
}

state=starting
state_since="$(now)"
write_status
log "starting: worker ${WORKER_HOST}:${WORKER_PORT}, coordinator ${COORDINATOR_HOST}:${COORDINATOR_PORT}, database ${DATABASE}, every ${INTERVAL_SECONDS}s"

if [[ "${config_ok}" != true ]]; then
  state=error
  last_error="configuration error, see the log"
  last_error_at="$(now)"
  write_status
  while true; do pause 3600; done
fi

backoff=1
while true; do
  if reconcile; then
    backoff=1
    pause "${INTERVAL_SECONDS}"
  else
    pause "${backoff}"
    backoff=$((backoff * 2))
    ((backoff <= MAX_BACKOFF_SECONDS)) || backoff="${MAX_BACKOFF_SECONDS}"
  fi
done
