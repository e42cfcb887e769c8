#!/usr/bin/env bash
# helm test: the cluster health checks (health-*.sql: extensions, EXPECTED_WORKERS active workers, vector indexes on
# every shard, SAME_SETTINGS with the coordinator's value on every worker), then helm-test.sql on the coordinator
# (router and fan-out kNN queries on a temporary distributed table), with REPLICA_READS=true one fan-out kNN query
# through the read endpoint answered by the workers' standbys (helm-test-replica-reads.sql), dropping the table even
# when the test fails.
#
# Environment: the libpq variables of the coordinator (see common.sh), EXPECTED_WORKERS (workers.count),
# SAME_SETTINGS (the settings the chart sets alike on every node, comma-separated), REPLICA_READS (true when the
# workers have standbys), TIMEOUT_SECONDS.
set -euo pipefail

readonly SCRIPT_NAME=helm-test
# shellcheck source-path=SCRIPTDIR source=common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
hook_setup

readonly EXPECTED_WORKERS="${EXPECTED_WORKERS:?EXPECTED_WORKERS must be workers.count}"
[[ "${EXPECTED_WORKERS}" =~ ^[1-9][0-9]*$ ]] || fail "EXPECTED_WORKERS must be a positive number"
readonly SAME_SETTINGS="${SAME_SETTINGS:-}"
# true when the workers have standbys: one kNN query then goes through the read endpoint (replica reads).
readonly REPLICA_READS="${REPLICA_READS:-false}"
[[ "${SAME_SETTINGS}" =~ ^[a-z0-9_.,]*$ ]] || fail "SAME_SETTINGS must be setting names, comma-separated"
test_table="citus_pgvector_helm_test_$(date +%s)_$$"
readonly test_table

# Runs one health check; logs its findings and returns 1 when one of them is a failure. Its inputs are session
# settings, as verify passes them.
health_check() {
  local check="$1" inputs findings status message failed=0
  inputs="-c citus_pgvector.expected_workers=${EXPECTED_WORKERS} -c citus_pgvector.settings=${SAME_SETTINGS}"
  findings="$(PGOPTIONS="${PGOPTIONS:-} ${inputs}" sql_file "health-${check}.sql")" \
    || fail "the ${check} check could not run (see the error above)"
  while IFS=$'\t' read -r status message; do
    [[ -n "${status}" ]] || continue
    log "${check}: ${status}: ${message}"
    [[ "${status}" != fail ]] || failed=1
  done <<<"${findings}"
  return "${failed}"
}

await_coordinator
log "testing ${PGHOST}:${PGPORT:-5432}/${PGDATABASE:-postgres} with ${EXPECTED_WORKERS} expected workers"
healthy=true
for check in extensions workers vector-indexes; do
  health_check "${check}" || healthy=false
done
if [[ -n "${SAME_SETTINGS}" ]]; then
  health_check settings || healthy=false
fi
[[ "${healthy}" == true ]] || fail "the cluster is not healthy (see the failures above)"
passed=true
if ! sql_file helm-test.sql -v expected_workers="${EXPECTED_WORKERS}" -v test_table="${test_table}"; then
  passed=false
elif [[ "${REPLICA_READS}" == true ]] \
  && ! PGOPTIONS="${PGOPTIONS:-} -c citus.use_secondary_nodes=always" \
    sql_file helm-test-replica-reads.sql -v test_table="${test_table}"; then
  passed=false
fi
cleanup_sql_file drop-test-table.sql -v test_table="${test_table}" || log "could not drop ${test_table}: drop it by hand"
[[ "${passed}" == true ]] || fail "the cluster did not pass (see the error above)"
log "passed"
