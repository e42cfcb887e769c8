#!/usr/bin/env bash
# Post-upgrade hook: waits until every worker of workers.count is an active node of the coordinator (their
# registrars add them), removes nodes of this release that are no longer wanted and hold no shards, splits shards
# (SPLIT_SHARDS not off) until every colocation group holds SHARDS_PER_WORKER shards on every worker, placing the
# pieces on the workers that lack them, then (REBALANCE true) rebalances so new workers get their share, logging
# progress until the moves are done. Each split is decided from the catalog (split-plan.sql), so a run stopped half
# way is finished by the next one and no shard is split twice.
#
# Environment: the libpq variables of the coordinator (see common.sh), DESIRED_WORKERS (host:port of every
# worker, comma-separated), WORKER_NAME_REGEX, REBALANCE (true or false), SHARD_TRANSFER_MODE, SPLIT_SHARDS
# (layout, all or off), SHARDS_PER_WORKER, RELEASE (the Helm release, for the command to resume), TIMEOUT_SECONDS,
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
readonly SPLIT_SHARDS="${SPLIT_SHARDS:-off}"
readonly SHARDS_PER_WORKER="${SHARDS_PER_WORKER:-1}"
readonly RELEASE="${RELEASE:-<release>}"
# A plan or split that fails (a worker failing over, a lock held by a move) is tried again, re-planned, until this
# many failures in a row.
readonly SPLIT_ATTEMPTS=3
STARTED_AT="$(date +%s)"
readonly STARTED_AT

# What to do after a stop: $1 shard id, $2 split points, $3 node ids of the next split, when known.
resume_hint() {
  local by_hand=""
  [[ -z "$1" ]] || by_hand=", or split one by one on the coordinator, starting with: SELECT
citus_split_shard_by_split_points($1, '$2', '$3', '${SHARD_TRANSFER_MODE}');"
  echo "the shards split so far stay split and the rest are whole; to finish, run the upgrade again (helm upgrade" \
    "${RELEASE} <chart> --reuse-values: the scale-up Job goes on from the catalog)${by_hand//$'\n'/ }"
}

# After a failed plan or split: fails when out of time or attempts (naming the split $1..$3, if any), else waits.
retry_or_fail() {
  failures=$((failures + 1))
  if (($(seconds_left) <= POLL_SECONDS)); then
    fail "out of time (scaling.timeoutSeconds=${TIMEOUT_SECONDS}) during ${4}; $(resume_hint "$1" "$2" "$3")"
  fi
  if ((failures >= SPLIT_ATTEMPTS)); then
    fail "${4} failed ${failures} times in a row (see the errors above); $(resume_hint "$1" "$2" "$3")"
  fi
  log "${4} failed (see the error above); trying again in ${POLL_SECONDS}s"
  sleep "${POLL_SECONDS}"
}

# Splits until split-plan.sql finds nothing left to split; fails with the command to resume when it runs out of
# time or a split keeps failing.
split_shards() {
  local plan kind a b c d e f g h first_plan=true split_line failures=0 done_splits=0 bytes_done=0 seconds_done=0
  local seconds estimate changes
  sql_file split-record-layout.sql || fail "cannot record the layout's shard count (see the error above)"
  changes="$(sql_file split-allow-citus-decoder.sql)" \
    || fail "cannot let Citus use its logical decoding plugin (see the error above); nothing was split"
  [[ -z "${changes}" ]] || log "${changes}"
  while true; do
    if ! plan="$(sql_file split-plan.sql -v shards_per_worker="${SHARDS_PER_WORKER}" -v split_tables="${SPLIT_SHARDS}" \
      -v shard_transfer_mode="${SHARD_TRANSFER_MODE}" -v run_started_at="${STARTED_AT}")"; then
      retry_or_fail "" "" "" "planning the shard splits"
      continue
    fi
    split_line=""
    while IFS=$'\t' read -r kind a b c d e f g h; do
      case "${kind}" in
        todo)
          [[ "${first_plan}" != true ]] \
            || log "shard splits to do: ${a} in ${b} colocation group(s), for ${SHARDS_PER_WORKER} shard(s) per worker"
          ;;
        skip) [[ "${first_plan}" != true ]] || log "NOT split: ${a}: ${b}" ;;
        split) split_line="${a}"$'\t'"${b}"$'\t'"${c}"$'\t'"${d}"$'\t'"${e}"$'\t'"${f}"$'\t'"${g}"$'\t'"${h}" ;;
        *) ;;
      esac
    done <<<"${plan}"
    first_plan=false
    [[ -n "${split_line}" ]] || break
    IFS=$'\t' read -r a b c d e f g h <<<"${split_line}"
    # a shard id, b colocation id, c tables, d bytes, e pieces, f split points, g node ids, h host:port of each piece
    if ((seconds_done > 0 && bytes_done > 0)); then
      estimate=$((d * seconds_done / bytes_done + POLL_SECONDS))
      if ((estimate > $(seconds_left))); then
        fail "stopping before the split of shard ${a} (${c}, ${d} bytes): it would take about ${estimate}s at the" \
          "rate so far, $(seconds_left)s of scaling.timeoutSeconds=${TIMEOUT_SECONDS} are left; $(resume_hint "${a}" "${f}" "${g}")"
      fi
    fi
    log "splitting shard ${a} of ${c} (${d} bytes) into ${e} pieces at ${f} onto nodes ${g} (${h})"
    if seconds="$(sql_file split-shard.sql -v shard_id="${a}" -v colocation_id="${b}" -v tables="${c}" \
      -v bytes="${d}" -v pieces="${e}" -v split_points="${f}" -v node_ids="${g}" -v nodes="${h}" \
      -v shard_transfer_mode="${SHARD_TRANSFER_MODE}")"; then
      log "split shard ${a} of ${c} (${d} bytes) into ${e} pieces on ${h} in ${seconds}s"
      failures=0
      done_splits=$((done_splits + 1))
      bytes_done=$((bytes_done + d))
      seconds_done=$((seconds_done + ${seconds%.*} + 1))
      continue
    fi
    retry_or_fail "${a}" "${f}" "${g}" "the split of shard ${a} (${c}; Citus rolled it back)"
  done
  log "shard splits done: ${done_splits}; every colocation group that can be split holds ${SHARDS_PER_WORKER} shard(s) per worker"
}

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

if [[ "${SPLIT_SHARDS}" != off ]]; then
  split_shards
else
  log "shard splits are off (scaling.splitShards=off): tables with fewer shards than workers stay on the workers they are on"
fi

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
