#!/usr/bin/env bash
# Pre-delete hook: refuses helm uninstall while the coordinator's database holds user data (uninstall-guard.sql),
# so uninstalling never deletes data by accident. Environment: the libpq variables of the coordinator (see common.sh).
set -euo pipefail

readonly SCRIPT_NAME=uninstall-guard
# shellcheck source-path=SCRIPTDIR source=common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
hook_setup

await_coordinator
sql_file uninstall-guard.sql || fail "helm uninstall stops here; every cluster and volume stays"
log "no user data: uninstall may go on"
