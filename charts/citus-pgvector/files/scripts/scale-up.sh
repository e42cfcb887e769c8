#!/usr/bin/env bash
# Post-upgrade hook: waits until every worker of workers.count is an active node of the coordinator (their
# registrars add them), removes nodes of this release that are no longer wanted and hold no shards, then (REBALANCE
# true) rebalances so new workers get their share, logging progress until the moves are done.
#
# Environment: the libpq variables of the coordinator (see common.sh), DESIRED_WORKERS (host:port of every
# worker, comma-separated), WORKER_NAME_REGEX, REBALANCE (true or false), SHARD_TRANSFER_MODE, TIMEOUT_SECONDS,
# POLL_SECONDS.
set -euo pipefail

readonly SCRIPT_NAME=scale-up
# shellcheck source-path=SCRIPTDIR source=common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
hook_setup

readonly DESIRED_WORKERS="${DESIRED_WORKERS:?DESIRED_WORKERS must list every worker}"
readonly WORKER_NAME_REGEX="${WORKER_NAME_REGEX:?WORKER_NAME_REGEX must match the worker names of this release}"
readonly REBALANCE="${REBALANCE:-true}"
readonly SHARD_TRANSFER_MODE="${SHARD_TRANSFER_MODE:-auto}"

await_coordinator
# A worker wanted again after a scale-down retired it (rollback, or workers.count raised back) may register again.
sql_file unretire-workers.sql -v desired_workers="${DESIRED_WORKERS}" \
  || fail "cannot clear the retired marks of the desired workers (see the error above)"
last=""
while true; do
  status="$(sql_file scale-up-status.sql -v desired_workers="${DESIRED_WORKERS}")" \
    || fail "cannot read pg_dist_node on the coordinator (see the error above)"
  IFS=$'\t' read -r active desired missing <<<"${status}"
  if [[ "${active}" == "${desired}" ]]; then
    log "all ${desired} workers are active"
    break
  fi
  if [[ "${status}" != "${last}" ]]; then
    log "waiting: ${active} of ${desired} workers active; not yet: ${missing}"
    last="${status}"
  fi
  if (($(seconds_left) <= POLL_SECONDS)); then
    fail "after ${TIMEOUT_SECONDS}s only ${active} of ${desired} workers are active; not yet: ${missing}"
  fi
  sleep "${POLL_SECONDS}"
done

changes="$(sql_file settle-workers.sql -v desired_workers="${DESIRED_WORKERS}" \
  -v worker_name_regex="${WORKER_NAME_REGEX}")" || fail "cannot settle pg_dist_node (see the error above)"
while IFS=$'\t' read -r change _; do
  [[ -z "${change}" ]] || log "${change}"
done <<<"${changes}"

if [[ "${REBALANCE}" != true ]]; then
  log "done; rebalancing is off (scaling.rebalanceOnScaleUp=false): SELECT citus_rebalance_start(); moves shards"
  exit 0
fi

job="$(sql_file rebalance-start.sql -v shard_transfer_mode="${SHARD_TRANSFER_MODE}")" \
  || fail "cannot start the rebalance (see the error above)"
if [[ -z "${job}" ]]; then
  log "done: the shards are balanced, nothing to move"
  exit 0
fi
log "rebalance job ${job} started (shard transfer mode ${SHARD_TRANSFER_MODE})"
# citus_rebalance_wait in the background; the progress is logged while it waits.
sql_file rebalance-wait.sql &
wait_pid=$!
last=""
while true; do
  progress="$(sql_file rebalance-progress.sql -v job_id="${job}")" \
    || fail "cannot read the progress of rebalance job ${job} (see the error above); it goes on in the background"
  IFS=$'\t' read -r state done_tasks tasks message <<<"${progress}"
  if [[ "${progress}" != "${last}" ]]; then
    log "rebalance job ${job}: ${state}, ${done_tasks} of ${tasks} moves done${message:+; last error: ${message}}"
    last="${progress}"
  fi
  case "${state}" in
    finished | failed | cancelled) break ;;
    *) ;;
  esac
  kill -0 "${wait_pid}" 2>/dev/null || break
  sleep "${POLL_SECONDS}"
done
wait_status=0
wait "${wait_pid}" || wait_status=$?
progress="$(sql_file rebalance-progress.sql -v job_id="${job}")" || progress=""
IFS=$'\t' read -r state _ _ message <<<"${progress}"
if ((wait_status != 0)) || [[ "${state}" != finished ]]; then
  fail "rebalance job ${job} is ${state:-unknown}${message:+: ${message}}; if it still runs, it goes on in the background (SELECT * FROM citus_rebalance_status();)"
fi
log "done: rebalance job ${job} finished"
