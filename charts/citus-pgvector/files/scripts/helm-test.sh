#!/usr/bin/env bash
# helm test: runs helm-test.sql on the coordinator (extensions, EXPECTED_WORKERS active workers, router and fan-out
# kNN queries on a temporary distributed table) and drops the table even when the test fails.
#
# Environment: the libpq variables of the coordinator (see common.sh), EXPECTED_WORKERS (workers.count),
# TIMEOUT_SECONDS.
set -euo pipefail

readonly SCRIPT_NAME=helm-test
# shellcheck source-path=SCRIPTDIR source=common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

readonly EXPECTED_WORKERS="${EXPECTED_WORKERS:?EXPECTED_WORKERS must be workers.count}"
[[ "${EXPECTED_WORKERS}" =~ ^[1-9][0-9]*$ ]] || fail "EXPECTED_WORKERS must be a positive number"
test_table="citus_pgvector_helm_test_$(date +%s)_$$"
readonly test_table

await_coordinator
log "testing ${PGHOST}:${PGPORT:-5432}/${PGDATABASE:-postgres} with ${EXPECTED_WORKERS} expected workers"
if ! sql_file helm-test.sql -v expected_workers="${EXPECTED_WORKERS}" -v test_table="${test_table}"; then
  PGOPTIONS="${PGOPTIONS:-} -c statement_timeout=60s" psql -X -q -w -v test_table="${test_table}" \
    -f "${SQL_DIR}/drop-test-table.sql" || log "could not drop ${test_table}: drop it by hand"
  fail "the cluster did not pass (see the error above)"
fi
log "passed"
