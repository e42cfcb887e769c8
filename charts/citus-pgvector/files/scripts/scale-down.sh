#!/usr/bin/env bash
# Pre-upgrade hook: empties the workers that the new workers.count drops, before Helm deletes their postgresql
# resources (and the operator their volumes). For every leaving worker, on the coordinator: no new shards
# (shouldhaveshards=false), citus_drain_node, citus_cleanup_orphaned_resources, citus_remove_node.
# Any failure exits non-zero, so Helm stops the upgrade and deletes no worker; a failed drain gives the leaving
# workers their shouldhaveshards back and removes nothing. First it records the shard count the release ran with, so
# the post-upgrade hook knows which tables the chart's layout distributed (split-record-layout.sql).
#
# Environment: the libpq variables of the coordinator (see common.sh), DESIRED_WORKERS (host:port of every worker
# that stays, comma-separated), WORKER_NAME_REGEX (node names this release manages), SHARD_TRANSFER_MODE,
# TIMEOUT_SECONDS.
set -euo pipefail

readonly SCRIPT_NAME=scale-down
# shellcheck source-path=SCRIPTDIR source=common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
hook_setup

readonly DESIRED_WORKERS="${DESIRED_WORKERS:?DESIRED_WORKERS must list the workers that stay}"
readonly WORKER_NAME_REGEX="${WORKER_NAME_REGEX:?WORKER_NAME_REGEX must match the worker names of this release}"
readonly SHARD_TRANSFER_MODE="${SHARD_TRANSFER_MODE:-auto}"

await_coordinator
log "workers that stay: ${DESIRED_WORKERS}"
if ! sql_file unretire-workers.sql -v desired_workers="${DESIRED_WORKERS}"; then
  fail "cannot clear the retired marks of the workers that stay (see the error above); the upgrade stops"
fi
# The shard count the release ran with, before the upgrade changes it: tables created with it are the layout's,
# which the scale-up Job may split (split-record-layout.sql). Not fatal: without the record the scale-up Job treats
# tables of this count as given their own count and leaves them unsplit, and a worker that is down (which the drain
# below reports with its reason) makes the bookkeeping schema's first creation fail.
if ! sql_file split-record-layout.sql; then
  log "warning: cannot record the layout's shard count (see the error above); tables of this count will not be split"
fi
if ! plan="$(sql_file scale-down-plan.sql -v desired_workers="${DESIRED_WORKERS}" \
  -v worker_name_regex="${WORKER_NAME_REGEX}")"; then
  fail "cannot scale down (see the error above); nothing was changed and the upgrade stops"
fi
if [[ -z "${plan}" ]]; then
  log "no worker leaves: nothing to drain"
  exit 0
fi

names=()
ports=()
while IFS=$'\t' read -r name port placements; do
  names+=("${name}")
  ports+=("${port}")
  log "leaving: ${name}:${port} with ${placements} shard placements"
done <<<"${plan}"

# After a failed drain the leaving workers stay in the cluster: let them hold shards again. Citus writes the property
# to every node that has its metadata, so while a worker fails over (its Service has no primary until Patroni
# promotes the replica) the change fails: it is retried every POLL_SECONDS for up to RESTORE_SECONDS, even when the
# script's own time is up.
readonly RESTORE_SECONDS=300
restore() {
  local i give_up_at
  give_up_at=$(($(date +%s) + RESTORE_SECONDS))
  for i in "${!names[@]}"; do
    until cleanup_sql_file set-should-have-shards.sql -v node_name="${names[i]}" -v node_port="${ports[i]}" \
      -v should_have_shards=true; do
      if (($(date +%s) + POLL_SECONDS > give_up_at)); then
        log "could not give ${names[i]}:${ports[i]} its shouldhaveshards back: run citus_set_node_property on the coordinator"
        continue 2
      fi
      log "giving ${names[i]}:${ports[i]} its shouldhaveshards back failed; retrying in ${POLL_SECONDS}s"
      sleep "${POLL_SECONDS}"
    done
    log "${names[i]}:${ports[i]} may have shards again"
  done
}

# All leaving workers first, so shards drained off one never land on another that is leaving too.
for i in "${!names[@]}"; do
  if ! sql_file set-should-have-shards.sql -v node_name="${names[i]}" -v node_port="${ports[i]}" \
    -v should_have_shards=false; then
    restore
    fail "could not stop placing shards on ${names[i]}:${ports[i]}; nothing was removed and the upgrade stops"
  fi
done

for i in "${!names[@]}"; do
  log "draining ${names[i]}:${ports[i]} (shard transfer mode ${SHARD_TRANSFER_MODE}, $(seconds_left)s left)"
  started="$(date +%s)"
  if ! sql_file drain-node.sql -v node_name="${names[i]}" -v node_port="${ports[i]}" \
    -v shard_transfer_mode="${SHARD_TRANSFER_MODE}"; then
    restore
    fail "draining ${names[i]}:${ports[i]} failed (see the error above): every worker stays in the cluster, nothing was removed and the upgrade stops"
  fi
  log "drained ${names[i]}:${ports[i]} in $(($(date +%s) - started))s"
done

for i in "${!names[@]}"; do
  if ! sql_file remove-node.sql -v node_name="${names[i]}" -v node_port="${ports[i]}"; then
    fail "removing ${names[i]}:${ports[i]} from the coordinator failed (see the error above); the upgrade stops"
  fi
  log "removed ${names[i]}:${ports[i]} from the coordinator"
done
log "done: ${#names[@]} worker(s) drained and removed; Helm may now delete them"
