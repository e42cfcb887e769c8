#!/usr/bin/env bash
# Restore point job (the CronJob of backup.restorePoints, or by hand before a risky change): one Citus restore point
# on every node, named POINT_PREFIX-<UTC time> (names sort by time) or POINT_NAME when given, and per node the
# recovery target a restore needs, recorded in citus_pgvector.restore_points on the coordinator (restore-point.sql)
# and printed as the nodes of an entry of the chart's restore.points. Keeps the newest RETAIN points in the table.
#
# Environment: the libpq variables of the coordinator (see common.sh), POINT_PREFIX or POINT_NAME, RETAIN,
# TIMEOUT_SECONDS.
set -euo pipefail

readonly SCRIPT_NAME=restore-point
# shellcheck source-path=SCRIPTDIR source=common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
hook_setup

readonly RETAIN="${RETAIN:-2000}"
[[ "${RETAIN}" =~ ^[1-9][0-9]*$ ]] || fail "RETAIN must be a positive number, got '${RETAIN}'"
POINT_NAME="${POINT_NAME:-${POINT_PREFIX:?POINT_PREFIX or POINT_NAME must be set}-$(date -u +%Y%m%dT%H%M%SZ)}"
readonly POINT_NAME
((${#POINT_NAME} < 64)) || fail "restore point name ${POINT_NAME} is longer than 63 characters"

await_coordinator
rows="$(sql_file restore-point.sql -v point_name="${POINT_NAME}" -v retain="${RETAIN}")" \
  || fail "restore point ${POINT_NAME} not taken or not recorded (see the error above)"
[[ -n "${rows}" ]] || fail "restore point ${POINT_NAME}: no record read back"

failed=0
nodes=""
while IFS=$'\t' read -r name group node port lsn target failures; do
  log "restore point ${name}: node ${node}:${port} (group ${group}) at ${lsn}, recovery target ${target}"
  nodes+="      ${node}: \"${target}\""$'\n'
  failed="${failures}"
done <<<"${rows}"
log "as restore.points entry: {name: ${POINT_NAME}, nodes: {...}}"
printf '  - name: %s\n    nodes:\n%s' "${POINT_NAME}" "${nodes}"
if ((failed > 0)); then
  fail "restore point ${POINT_NAME} is recorded, but ${failed} worker command(s) after it failed (a commit and a WAL switch): a restore to it needs a later commit on every worker in the archive"
fi
log "done"
