# shellcheck shell=bash
# The library of the chart's scripts: the registrar sidecar, the hook Jobs and the helm test pod source it (it runs
# nothing by itself). One way to log, to run psql and to keep a deadline:
#   log, fail          one line per event: UTC time, LOG_NAME (default SCRIPT_NAME), the message; the value of
#                      LOG_REDACT (a password) never appears in a line
#   start_deadline N   the script must be done within N seconds; seconds_left tells what remains
#   run_psql ARGS...   psql as every script runs it: no psqlrc, no password prompt (libpq reads PGPASSWORD), rows
#                      unaligned and tab-separated without headers, stops at the first error with terse messages,
#                      and a statement timeout of the time left when a deadline runs; the libpq environment (PGHOST,
#                      PGPORT, PGUSER, PGDATABASE, PGSSLMODE, PGOPTIONS) applies
#   sql_file FILE ...  run_psql on one SQL file of SQL_DIR (default: this library's folder, where each ConfigMap
#                      mounts its scripts and SQL together); cleanup_sql_file: the same with 60 seconds of its own,
#                      after the deadline too
#   hook_setup         what a hook or test script needs: the coordinator in PGHOST, the password in PGPASSWORD,
#                      TIMEOUT_SECONDS (default 1800) as its deadline, POLL_SECONDS (default 10) between checks
#   await_coordinator  waits until the coordinator accepts connections (a failover may be under way)

SQL_DIR="${SQL_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)}"
LOG_NAME="${LOG_NAME:-${SCRIPT_NAME:-citus-pgvector}}"
PSQL="${PSQL:-psql}"
DEADLINE=""

log() {
  local line="$*"
  if [[ -n "${LOG_REDACT:-}" ]]; then
    line="${line//"${LOG_REDACT}"/[redacted]}"
  fi
  printf '%s %s: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "${LOG_NAME}" "${line}"
}

fail() {
  log "FAILED: $*"
  exit 1
}

start_deadline() {
  [[ "$1" =~ ^[1-9][0-9]*$ ]] || { echo "the time limit must be a positive number of seconds, got '$1'" >&2; exit 2; }
  DEADLINE=$(($(date +%s) + $1))
}

seconds_left() {
  local left=$((DEADLINE - $(date +%s)))
  ((left > 0)) || left=0
  echo "${left}"
}

run_psql() {
  local options="${PGOPTIONS:-}" left
  if [[ -n "${DEADLINE}" ]]; then
    left="$(seconds_left)"
    ((left > 0)) || { echo "out of time" >&2; return 1; }
    options="${options} -c statement_timeout=${left}s"
  fi
  PGOPTIONS="${options}" "${PSQL}" -X -q -A -t -w -F $'\t' -v ON_ERROR_STOP=1 -v VERBOSITY=terse "$@"
}

sql_file() {
  local file="$1"
  shift
  run_psql "$@" -f "${SQL_DIR}/${file}"
}

# sql_file with 60 seconds of its own: clean-up that must run even when the deadline has passed.
cleanup_sql_file() {
  DEADLINE="" PGOPTIONS="${PGOPTIONS:-} -c statement_timeout=60s" sql_file "$@"
}

hook_setup() {
  : "${PGHOST:?PGHOST must name the coordinator}"
  : "${PGPASSWORD:?PGPASSWORD must hold the superuser password}"
  export PGCONNECT_TIMEOUT="${PGCONNECT_TIMEOUT:-10}"
  export PGAPPNAME="${PGAPPNAME:-citus-pgvector-${SCRIPT_NAME:-hook}}"
  unset PGSERVICE PGPASSFILE
  TIMEOUT_SECONDS="${TIMEOUT_SECONDS:-1800}"
  POLL_SECONDS="${POLL_SECONDS:-10}"
  readonly TIMEOUT_SECONDS POLL_SECONDS
  [[ "${POLL_SECONDS}" =~ ^[1-9][0-9]*$ ]] || { echo "POLL_SECONDS must be a positive number" >&2; exit 2; }
  start_deadline "${TIMEOUT_SECONDS}"
}

await_coordinator() {
  local error
  while ! error="$(run_psql -c 'SELECT 1' 2>&1 >/dev/null)"; do
    if (($(seconds_left) <= POLL_SECONDS)); then
      fail "the coordinator ${PGHOST}:${PGPORT:-5432} does not accept connections: ${error}"
    fi
    log "waiting for the coordinator ${PGHOST}:${PGPORT:-5432}: ${error}"
    sleep "${POLL_SECONDS}"
  done
}
