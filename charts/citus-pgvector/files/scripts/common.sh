# shellcheck shell=bash
# Shared by the chart's hook and test scripts (sourced, not run). They talk to the coordinator with psql
# through the standard libpq environment (PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE, PGSSLMODE) and run the
# SQL files in SQL_DIR (default: the folder of the script, where the chart's ConfigMap mounts them all).
# TIMEOUT_SECONDS bounds the whole script: every statement gets the time that is left as statement_timeout.

: "${PGHOST:?PGHOST must name the coordinator}"
: "${PGPASSWORD:?PGPASSWORD must hold the superuser password}"
export PGCONNECT_TIMEOUT="${PGCONNECT_TIMEOUT:-10}"
export PGAPPNAME="${PGAPPNAME:-citus-pgvector-${SCRIPT_NAME:-hook}}"
unset PGSERVICE PGPASSFILE

SQL_DIR="${SQL_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)}"
readonly SQL_DIR
readonly TIMEOUT_SECONDS="${TIMEOUT_SECONDS:-1800}"
readonly POLL_SECONDS="${POLL_SECONDS:-10}"
[[ "${TIMEOUT_SECONDS}" =~ ^[1-9][0-9]*$ ]] || { echo "TIMEOUT_SECONDS must be a positive number" >&2; exit 2; }
[[ "${POLL_SECONDS}" =~ ^[1-9][0-9]*$ ]] || { echo "POLL_SECONDS must be a positive number" >&2; exit 2; }
DEADLINE=$(($(date +%s) + TIMEOUT_SECONDS))
readonly DEADLINE

log() {
  printf '%s %s: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "${SCRIPT_NAME:-hook}" "$*"
}

fail() {
  log "FAILED: $*"
  exit 1
}

seconds_left() {
  local left=$((DEADLINE - $(date +%s)))
  ((left > 0)) || left=0
  echo "${left}"
}

# Runs one SQL file on the coordinator: stops at the first error, prints rows unaligned (tab-separated) without
# headers, the rest of the arguments are psql options (-v name=value). The statement timeout is the time left.
sql_file() {
  local file="$1"
  shift
  local left
  left="$(seconds_left)"
  ((left > 0)) || { echo "timed out after ${TIMEOUT_SECONDS}s" >&2; return 1; }
  PGOPTIONS="${PGOPTIONS:-} -c statement_timeout=${left}s" \
    psql -X -q -A -t -w -F $'\t' -v ON_ERROR_STOP=1 -v VERBOSITY=terse "$@" -f "${SQL_DIR}/${file}"
}

# Waits until the coordinator accepts connections (a failover or a rolling restart may be under way).
await_coordinator() {
  local error
  while ! error="$(psql -X -q -A -t -w -c 'SELECT 1' 2>&1 >/dev/null)"; do
    if (($(seconds_left) <= POLL_SECONDS)); then
      fail "the coordinator ${PGHOST}:${PGPORT:-5432} does not accept connections: ${error}"
    fi
    log "waiting for the coordinator ${PGHOST}:${PGPORT:-5432}: ${error}"
    sleep "${POLL_SECONDS}"
  done
}
