#!/usr/bin/env bash
# End-to-end run of the chart on a real Kubernetes (kind) with the real Zalando operator and the image built from
# docker/. One command for anyone with Docker:
#
#   docker/e2e/run.sh [--operator 2.0|1.15] [--variant pg17|pg18] [--keep] [--logs DIR]
#
# Needs docker (a running engine), kind, kubectl and helm on PATH, Java 17 (for the project's `verify`), network access
# to the image and chart registries, and CITUS_REPO_KEY_FINGERPRINT: the full fingerprint of the signing key of Citus's
# apt repository, which the image build checks (read it with
# `curl -fsSL https://repos.citusdata.com/community/gpgkey | gpg --show-keys` and check it against Citus's docs).
#
# Steps, each printing what it waits for and how long it took: build the image; start kind and load the image into it;
# install the operator from its Helm chart; install the chart with values/dev.yaml; wait for every cluster; helm test;
# load vectors; scale to 3 workers and check that the new worker holds shards; scale back to 2 and check that every
# row is still there; kill a worker's primary pod and check that `verify` passes again; check that `helm uninstall` is
# refused while data exists and allowed once the data is dropped. On a failure, `kubectl describe`, the operator's log
# and every pod's log are written to the logs folder (default target/e2e-logs) before the script exits non-zero.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
OPERATOR_LINE="2.0"
VARIANT="pg17"
KEEP=false
LOGS="${ROOT}/target/e2e-logs"
KIND_CLUSTER="citus-pgvector-e2e"
RELEASE="citus"
NAMESPACE="citus"
OPERATOR_NAMESPACE="postgres-operator"
OPERATOR_REPO="https://opensource.zalando.com/postgres-operator/charts/postgres-operator"
IMAGE_REPOSITORY="localhost/spilo-citus-pgvector"
IMAGE_TAG="e2e"
# Helm waits for the hook Jobs: scaling.timeoutSeconds (dev profile default 1800 s) plus the Job's margin.
UPGRADE_TIMEOUT="35m"

usage() {
  sed -n '2,19p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
}

while (($# > 0)); do
  case "$1" in
    --operator) OPERATOR_LINE="${2:?--operator needs 2.0 or 1.15}"; shift 2 ;;
    --variant) VARIANT="${2:?--variant needs pg17 or pg18}"; shift 2 ;;
    --keep) KEEP=true; shift ;;
    --logs) LOGS="${2:?--logs needs a folder}"; shift 2 ;;
    -h | --help) usage; exit 0 ;;
    *) echo "e2e: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done

case "${OPERATOR_LINE}" in
  2.0) OPERATOR_CHART_VERSION="2.0.1" ;;
  1.15) OPERATOR_CHART_VERSION="1.15.1" ;;
  *) echo "e2e: --operator must be 2.0 or 1.15, got '${OPERATOR_LINE}'" >&2; exit 2 ;;
esac

# The image variants of docker/Dockerfile.spilo-citus-pgvector: build arguments and the chart's postgresql.version.
case "${VARIANT}" in
  pg17) BUILD_ARGS=(); PG_VERSION="17" ;;
  pg18)
    BUILD_ARGS=(--build-arg SPILO_IMAGE=ghcr.io/zalando/spilo-18 --build-arg SPILO_TAG=4.1-p2
      --build-arg PG_MAJOR=18 --build-arg CITUS_VERSION=14.0.1.citus-1)
    PG_VERSION="18"
    if [[ "${OPERATOR_LINE}" == "1.15" ]]; then
      echo "e2e: operator line 1.15 accepts postgresql.version 13-17 only; use --variant pg17 with it" >&2
      exit 2
    fi
    ;;
  *) echo "e2e: --variant must be pg17 or pg18, got '${VARIANT}'" >&2; exit 2 ;;
esac

STARTED=${SECONDS}
step_started=${SECONDS}

step() {
  step_started=${SECONDS}
  printf '\n==> %s\n' "$*"
}

done_step() {
  printf '    done in %ss (total %ss)\n' "$((SECONDS - step_started))" "$((SECONDS - STARTED))"
}

# Waits up to $1 seconds for the command after it to succeed, saying what it waits for ($2).
wait_for() {
  local timeout="$1" what="$2"
  shift 2
  local deadline=$((SECONDS + timeout))
  printf '    waiting for %s (up to %ss)\n' "${what}" "${timeout}"
  until "$@" >/dev/null 2>&1; do
    if ((SECONDS >= deadline)); then
      echo "e2e: timed out after ${timeout}s waiting for ${what}" >&2
      return 1
    fi
    sleep 5
  done
}

collect_logs() {
  mkdir -p "${LOGS}"
  echo "e2e: collecting diagnostics into ${LOGS}" >&2
  kubectl get all,postgresql,pvc,jobs -A -o wide >"${LOGS}/objects.txt" 2>&1 || true
  kubectl describe postgresql,pods,jobs,statefulsets -n "${NAMESPACE}" >"${LOGS}/describe.txt" 2>&1 || true
  kubectl logs -n "${OPERATOR_NAMESPACE}" -l app.kubernetes.io/name=postgres-operator --tail=-1 \
    >"${LOGS}/operator.log" 2>&1 || true
  local pod
  for pod in $(kubectl get pods -n "${NAMESPACE}" -o name 2>/dev/null); do
    kubectl logs -n "${NAMESPACE}" "${pod}" --all-containers --prefix --tail=-1 \
      >"${LOGS}/$(basename "${pod}").log" 2>&1 || true
  done
  kubectl get events -A --sort-by=.lastTimestamp >"${LOGS}/events.txt" 2>&1 || true
}

on_exit() {
  local status=$?
  local cluster_up=false
  if command -v kind >/dev/null && kind get clusters 2>/dev/null | grep -qx "${KIND_CLUSTER}"; then
    cluster_up=true
  fi
  if ((status != 0)); then
    echo "e2e: FAILED at step '${CURRENT_STEP:-setup}' after $((SECONDS - STARTED))s" >&2
    if [[ "${cluster_up}" == true ]]; then
      collect_logs
    fi
  fi
  if [[ "${KEEP}" != true && "${cluster_up}" == true ]]; then
    kind delete cluster --name "${KIND_CLUSTER}" >/dev/null 2>&1 || true
  fi
  exit "${status}"
}
trap on_exit EXIT

run_step() {
  CURRENT_STEP="$1"
  step "$1"
}

# The pod that holds cluster $1's leader (Spilo labels it spilo-role=master).
primary_pod() {
  kubectl get pods -n "${NAMESPACE}" -l "cluster-name=$1,spilo-role=master" -o jsonpath='{.items[0].metadata.name}'
}

# psql on the coordinator's primary, as the superuser over the local socket.
coordinator_sql() {
  kubectl exec -n "${NAMESPACE}" "$(primary_pod "${RELEASE}-coordinator")" -c postgres -- \
    psql -U postgres -d postgres -v ON_ERROR_STOP=1 -AXtq -c "$1"
}

all_clusters_running() {
  local statuses
  statuses="$(kubectl get postgresql -n "${NAMESPACE}" -l "app.kubernetes.io/instance=${RELEASE}" \
    -o jsonpath='{range .items[*]}{.status.PostgresClusterStatus}{"\n"}{end}')"
  [[ -n "${statuses}" ]] && ! grep -qv '^Running$' <<<"${statuses}"
}

workers_active() {
  [[ "$(coordinator_sql "SELECT count(*) FROM pg_dist_node WHERE noderole = 'primary' AND isactive AND groupid > 0")" == "$1" ]]
}

helm_chart_args() {
  printf '%s\n' "${ROOT}/charts/citus-pgvector" -n "${NAMESPACE}" -f "${ROOT}/values/dev.yaml" \
    --set "image.repository=${IMAGE_REPOSITORY}" --set "image.tag=${IMAGE_TAG}" \
    --set "operator.line=${OPERATOR_LINE}" --set-string "postgresql.version=${PG_VERSION}"
}

run_step "prerequisites"
missing=()
for tool in docker kind kubectl helm java; do
  command -v "${tool}" >/dev/null || missing+=("${tool}")
done
if ((${#missing[@]} > 0)); then
  echo "e2e: missing on PATH: ${missing[*]}" >&2
  exit 2
fi
docker info >/dev/null 2>&1 || { echo "e2e: no running Docker engine (docker info failed)" >&2; exit 2; }
if [[ -z "${CITUS_REPO_KEY_FINGERPRINT:-}" ]]; then
  echo "e2e: set CITUS_REPO_KEY_FINGERPRINT (see the header of this script)" >&2
  exit 2
fi
echo "    operator line ${OPERATOR_LINE} (chart ${OPERATOR_CHART_VERSION}), image variant ${VARIANT}"
done_step

run_step "build the image from docker/ and the project's jar"
docker build --platform linux/amd64 -f "${ROOT}/docker/Dockerfile.spilo-citus-pgvector" \
  --build-arg "CITUS_REPO_KEY_FINGERPRINT=${CITUS_REPO_KEY_FINGERPRINT}" "${BUILD_ARGS[@]}" \
  -t "${IMAGE_REPOSITORY}:${IMAGE_TAG}" "${ROOT}/docker"
(cd "${ROOT}" && ./mvnw -B -q -DskipTests package)
JAR="${ROOT}/generator/target/citus-pgvector.jar"
done_step

run_step "start kind and load the image"
if ! kind get clusters 2>/dev/null | grep -qx "${KIND_CLUSTER}"; then
  kind create cluster --name "${KIND_CLUSTER}" --wait 180s
fi
kind load docker-image --name "${KIND_CLUSTER}" "${IMAGE_REPOSITORY}:${IMAGE_TAG}"
kubectl config use-context "kind-${KIND_CLUSTER}" >/dev/null
done_step

run_step "install the Zalando operator ${OPERATOR_CHART_VERSION}"
helm upgrade --install postgres-operator postgres-operator \
  --repo "${OPERATOR_REPO}" --version "${OPERATOR_CHART_VERSION}" \
  -n "${OPERATOR_NAMESPACE}" --create-namespace \
  --set configKubernetes.watched_namespace='*' --wait --timeout 5m
wait_for 180 "the postgresql CRD" kubectl get crd postgresqls.acid.zalan.do
done_step

run_step "install the chart with values/dev.yaml"
mapfile -t chart_args < <(helm_chart_args)
helm install "${RELEASE}" "${chart_args[@]}" --create-namespace --timeout 15m
wait_for 900 "every postgresql resource of ${RELEASE} to be Running" all_clusters_running
wait_for 600 "1 active worker on the coordinator" workers_active 1
done_step

run_step "helm test"
helm test "${RELEASE}" -n "${NAMESPACE}" --logs --timeout 10m
done_step

run_step "load vectors"
coordinator_sql "CREATE TABLE e2e_items (id bigint, channel bigint, embedding vector(16), PRIMARY KEY (channel, id))"
coordinator_sql "SELECT create_distributed_table('e2e_items', 'channel')"
coordinator_sql "INSERT INTO e2e_items SELECT i, i % 50, (SELECT array_agg(random())::vector(16) FROM generate_series(1, 16) WHERE i > 0) FROM generate_series(1, 20000) i"
coordinator_sql "CREATE INDEX ON e2e_items USING hnsw (embedding vector_cosine_ops)"
rows_before="$(coordinator_sql "SELECT count(*) FROM e2e_items")"
checksum_before="$(coordinator_sql "SELECT md5(string_agg(id::text || ':' || embedding::text, ',' ORDER BY id)) FROM e2e_items")"
echo "    ${rows_before} rows, checksum ${checksum_before}"
done_step

run_step "scale up to 3 workers (helm upgrade --set workers.count=3)"
helm upgrade "${RELEASE}" "${chart_args[@]}" --set workers.count=3 --timeout "${UPGRADE_TIMEOUT}"
wait_for 900 "every postgresql resource of ${RELEASE} to be Running" all_clusters_running
wait_for 600 "3 active workers on the coordinator" workers_active 3
placements="$(coordinator_sql "SELECT count(*) FROM citus_shards WHERE table_name = 'e2e_items'::regclass AND nodename = '${RELEASE}-worker-3'")"
echo "    shards of e2e_items on ${RELEASE}-worker-3: ${placements}"
((placements > 0)) || { echo "e2e: the new worker holds no shard of e2e_items" >&2; exit 1; }
done_step

run_step "scale back down to 2 workers"
helm upgrade "${RELEASE}" "${chart_args[@]}" --set workers.count=2 --timeout "${UPGRADE_TIMEOUT}"
wait_for 600 "2 active workers on the coordinator" workers_active 2
rows_after="$(coordinator_sql "SELECT count(*) FROM e2e_items")"
checksum_after="$(coordinator_sql "SELECT md5(string_agg(id::text || ':' || embedding::text, ',' ORDER BY id)) FROM e2e_items")"
echo "    ${rows_after} rows, checksum ${checksum_after}"
[[ "${rows_after}" == "${rows_before}" && "${checksum_after}" == "${checksum_before}" ]] \
  || { echo "e2e: rows changed across scaling: ${rows_before}/${checksum_before} -> ${rows_after}/${checksum_after}" >&2; exit 1; }
done_step

run_step "kill a worker's primary pod, then verify"
victim="$(primary_pod "${RELEASE}-worker-1")"
kubectl delete pod -n "${NAMESPACE}" "${victim}" --grace-period=0 --force
wait_for 600 "a primary of ${RELEASE}-worker-1 again" primary_pod "${RELEASE}-worker-1"
secret="postgres.${RELEASE}-coordinator.credentials.postgresql.acid.zalan.do"
PGPASSWORD="$(kubectl get secret -n "${NAMESPACE}" "${secret}" -o jsonpath='{.data.password}' | base64 --decode)"
export PGPASSWORD
kubectl port-forward -n "${NAMESPACE}" "svc/${RELEASE}-coordinator" 15432:5432 >/dev/null 2>&1 &
forward=$!
verified=false
deadline=$((SECONDS + 300))
echo "    waiting for verify to pass (up to 300s)"
while ((SECONDS < deadline)); do
  if PGSSLMODE=require java -jar "${JAR}" verify -h 127.0.0.1 -p 15432 -U postgres -d postgres --expected-workers 2; then
    verified=true
    break
  fi
  sleep 10
done
kill "${forward}" 2>/dev/null || true
[[ "${verified}" == true ]] || { echo "e2e: verify did not pass after the pod kill" >&2; exit 1; }
done_step

run_step "helm uninstall is refused while data exists"
if helm uninstall "${RELEASE}" -n "${NAMESPACE}" --timeout 10m; then
  echo "e2e: helm uninstall succeeded although e2e_items holds rows" >&2
  exit 1
fi
echo "    refused, as it must be"
done_step

run_step "helm uninstall once the data is dropped"
coordinator_sql "DROP TABLE e2e_items"
helm uninstall "${RELEASE}" -n "${NAMESPACE}" --timeout 10m
done_step

printf '\ne2e: passed in %ss (operator %s, %s)\n' "$((SECONDS - STARTED))" "${OPERATOR_LINE}" "${VARIANT}"
