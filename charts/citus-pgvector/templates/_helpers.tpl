{{/*
Chart name, overridable, for the app.kubernetes.io/name label.
*/}}
{{- define "citus-pgvector.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Prefix of every resource name: the release name (not release + chart), so release "citus" gives "citus-coordinator"
and "citus-worker-1" as the operator and the seed setup expect.
*/}}
{{- define "citus-pgvector.fullname" -}}
{{- default .Release.Name .Values.fullnameOverride }}
{{- end }}

{{/*
Chart name and version, for the helm.sh/chart label.
*/}}
{{- define "citus-pgvector.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Selector labels: only name and instance (and the component), never the chart version, so selectors survive upgrades.
Takes a dict: root (the top context) and optionally component.
*/}}
{{- define "citus-pgvector.selectorLabels" -}}
app.kubernetes.io/name: {{ include "citus-pgvector.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
{{- with .component }}
app.kubernetes.io/component: {{ . }}
{{- end }}
{{- end }}

{{/*
All standard labels of a component. Takes a dict: root and optionally component.
*/}}
{{- define "citus-pgvector.labels" -}}
helm.sh/chart: {{ include "citus-pgvector.chart" .root }}
{{ include "citus-pgvector.selectorLabels" . }}
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
app.kubernetes.io/part-of: citus-pgvector
{{- with .root.Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/*
Labels of the pods the chart runs itself (hook Jobs, the helm test pod): the component's labels plus podLabels. Takes
a dict: root and component.
*/}}
{{- define "citus-pgvector.podLabels" -}}
{{ include "citus-pgvector.labels" . }}
{{- with .root.Values.podLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/*
imagePullSecrets of the pods the chart runs itself, when imagePullSecrets names any. Takes the root context.
*/}}
{{- define "citus-pgvector.imagePullSecrets" -}}
{{- with .Values.imagePullSecrets }}
imagePullSecrets:
{{- range . }}
  - name: {{ . | quote }}
{{- end }}
{{- end }}
{{- end }}

{{/*
Name of the coordinator's postgresql resource (and of its Service, which follows the primary).
*/}}
{{- define "citus-pgvector.coordinatorName" -}}
{{- printf "%s-coordinator" (include "citus-pgvector.fullname" .) }}
{{- end }}

{{/*
Name of worker N's postgresql resource, the one place worker names are made. Takes a dict: root and id (1-based, or
a regular expression that matches ids).
*/}}
{{- define "citus-pgvector.workerName" -}}
{{- printf "%s-worker-%v" (include "citus-pgvector.fullname" .root) .id }}
{{- end }}

{{/*
The operator's name for a cluster's superuser credentials Secret; a Secret that exists before the cluster is adopted.
*/}}
{{- define "citus-pgvector.superuserSecretName" -}}
{{- printf "postgres.%s.credentials.postgresql.acid.zalan.do" . }}
{{- end }}

{{/*
The superuser password of every cluster, as YAML: password, and unpinned (true when this render made it up without a
cluster to ask, so the next render makes another). The operator never changes the superuser's password in the
database and logs in with what the Secret holds: a Secret with another password locks the operator, the hooks and
restarted sidecars out. So the password is superuser.password, else the one the coordinator's Secret holds; a render
fails rather than change the password of clusters that have one, or make one up for clusters it cannot see. Not used
with superuser.existingSecret, whose password only the superuser-credentials hook reads. Takes the root context.
*/}}
{{- define "citus-pgvector.superuserPassword" -}}
{{- $cluster := include "citus-pgvector.cluster" . | fromYaml }}
{{- $secretName := include "citus-pgvector.superuserSecretName" (include "citus-pgvector.coordinatorName" .) }}
{{- $current := "" }}
{{- with $cluster.coordinatorSecret }}
{{- if and .data (hasKey .data "password") }}
{{- $current = index .data "password" | b64dec }}
{{- end }}
{{- end }}
{{- $clustersExist := or .Release.IsUpgrade (not (empty $cluster.coordinator)) }}
{{- $wanted := .Values.superuser.password }}
{{- if and $wanted $current (ne $wanted $current) }}
{{- fail (printf "\n\ncitus-pgvector: refusing to change the superuser password: the clusters use the one in Secret %s, and the operator never changes it in the database, so a new one locks the operator, the hooks and restarted sidecars out. Set the password the clusters have, or rotate it with the procedure in the project's docs/user-guide.md (Rotating the superuser password)." $secretName) }}
{{- else if $wanted }}
password: {{ $wanted | toJson }}
unpinned: false
{{- else if and (not $current) $cluster.reachable $clustersExist }}
{{- fail (printf "\n\ncitus-pgvector: the coordinator's credentials Secret %s is missing in namespace %q, so the superuser password the clusters use cannot be kept, and a new one would lock the operator, the hooks and restarted sidecars out. Recreate the Secret with that password, or set superuser.password (or superuser.existingSecret) to it." $secretName .Release.Namespace) }}
{{- else }}
{{- include "citus-pgvector.keptPassword" (dict "root" . "cluster" $cluster "current" $current "empty" "superuser.password is empty" "harm" "locks the operator, the hooks and restarted sidecars out of the clusters" "pin" "set superuser.password (from your secret store) for every render") }}
{{- end }}
{{- end }}

{{/*
A password the chart generates once and keeps, as YAML: password and unpinned (see superuserPassword). The one the
cluster's Secret holds (current) when there is one; else a new one, unless the render cannot read the cluster yet
applies to one (a GitOps render, helm template with the operator's API): every such render would make up another,
so it fails and names what to pin. Takes a dict: root, cluster (citus-pgvector.cluster), current, and for the
failure empty (which value is empty), harm (what a second password does) and pin (how to give it one).
*/}}
{{- define "citus-pgvector.keptPassword" -}}
{{- $cluster := .cluster }}
{{- $clustersExist := or .root.Release.IsUpgrade (not (empty $cluster.coordinator)) }}
{{- if .current }}
password: {{ .current | toJson }}
unpinned: false
{{- else if and (not $cluster.reachable) (or $clustersExist $cluster.operatorApi) }}
{{- fail (printf "\n\ncitus-pgvector: %s and this render cannot read the cluster (helm template, a GitOps render, --dry-run=client): every render would make up another password, and applying a second one %s. Pin it: %s." .empty .harm .pin) }}
{{- else }}
password: {{ randAlphaNum 32 | toJson }}
unpinned: {{ not $cluster.reachable }}
{{- end }}
{{- end }}

{{/*
The Secret that keeps the generated passwords of applicationRoles, one key per role.
*/}}
{{- define "citus-pgvector.applicationRolesSecretName" -}}
{{- printf "%s-application-roles" (include "citus-pgvector.fullname" .) }}
{{- end }}

{{/*
The passwords the chart generates for applicationRoles without an existingSecret, as YAML: passwords (role name to
password) and unpinned (true when a render without a cluster made one up). Each is kept from the release's Secret
(citus-pgvector.keptPassword); a role added later gets a new one. Rendered once, by application-roles-secret.yaml.
*/}}
{{- define "citus-pgvector.applicationRolePasswords" -}}
{{- $cluster := include "citus-pgvector.cluster" . | fromYaml }}
{{- $kept := dict }}
{{- with $cluster.applicationRolesSecret }}
{{- $kept = .data | default dict }}
{{- end }}
{{- $passwords := dict }}
{{- $unpinned := false }}
{{- range $i, $role := .Values.applicationRoles }}
{{- if not (dig "existingSecret" "name" "" $role) }}
{{- $current := "" }}
{{- if hasKey $kept $role.name }}
{{- $current = index $kept $role.name | b64dec }}
{{- end }}
{{- $password := include "citus-pgvector.keptPassword" (dict "root" $ "cluster" $cluster "current" $current "empty" (printf "applicationRoles[%d] (%s) has no existingSecret" $i $role.name) "harm" "changes the role's password under the applications that use it" "pin" (printf "give applicationRoles[%d] an existingSecret for renders without a cluster" $i)) | fromYaml }}
{{- $_ := set $passwords $role.name $password.password }}
{{- $unpinned = or $unpinned $password.unpinned }}
{{- end }}
{{- end }}
passwords: {{ $passwords | toJson }}
unpinned: {{ $unpinned }}
{{- end }}

{{/*
The image of every cluster: the tag defaults to the chart's appVersion.
*/}}
{{- define "citus-pgvector.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}

{{/*
Millicores of a CPU quantity ("500m", "2", "1.5"), rounded up.
*/}}
{{- define "citus-pgvector.cpuMillis" -}}
{{- $cpu := toString . }}
{{- if hasSuffix "m" $cpu }}
{{- trimSuffix "m" $cpu | int }}
{{- else }}
{{- mulf (float64 $cpu) 1000.0 | ceil | int }}
{{- end }}
{{- end }}

{{/*
CPU cores of a quantity, rounded up, at least 1: the unit parallel maintenance workers are derived from.
*/}}
{{- define "citus-pgvector.cpuCores" -}}
{{- max 1 (div (add (include "citus-pgvector.cpuMillis" . | int) 999) 1000) }}
{{- end }}

{{/*
Shards of a new distributed table: the value, or citus.shardsPerWorker (1) per worker. Each shard of a fan-out kNN
query runs a whole HNSW search, about as costly on a small shard as on a large one, so shards multiply the CPU of
every fan-out query (docs/performance.md).
*/}}
{{- define "citus-pgvector.shardCount" -}}
{{- if gt (int .Values.citus.shardCount) 0 }}
{{- .Values.citus.shardCount }}
{{- else }}
{{- mul (int .Values.workers.count) (int .Values.citus.shardsPerWorker) }}
{{- end }}
{{- end }}

{{/*
The layout's shards per worker: shards of a table on the busiest worker, ceil(shards / workers), which is
citus.shardsPerWorker unless citus.shardCount is set. What a fan-out query and a CREATE INDEX run at once on one
worker.
*/}}
{{- define "citus-pgvector.shardsPerWorker" -}}
{{- $workers := int .Values.workers.count }}
{{- max 1 (div (add (include "citus-pgvector.shardCount" . | int) (sub $workers 1)) $workers) }}
{{- end }}

{{/*
Cached connections per worker: the value, or enough for one per shard a worker holds, so fan-out queries do not open
new connections (Citus caches 1 by default). Also the executor's pool size per worker
(citus.max_adaptive_executor_pool_size, Citus's default 16): a multi-shard query then runs on the connections a
worker keeps and never opens one it closes afterwards (TLS, authentication and a new backend on every query).
*/}}
{{- define "citus-pgvector.maxCachedConnsPerWorker" -}}
{{- if gt (int .Values.citus.maxCachedConnsPerWorker) 0 }}
{{- .Values.citus.maxCachedConnsPerWorker }}
{{- else }}
{{- include "citus-pgvector.shardsPerWorker" . }}
{{- end }}
{{- end }}

{{/*
Bytes of a memory quantity ("4Gi", "512Mi", "1G", "1e9"), as a float.
*/}}
{{- define "citus-pgvector.memoryBytes" -}}
{{- $quantity := toString . }}
{{- $unit := regexFind "[EPTGMK]i?$" $quantity }}
{{- $factors := dict "" 1.0 "K" 1e3 "Ki" 1024.0 "M" 1e6 "Mi" 1048576.0 "G" 1e9 "Gi" 1073741824.0 "T" 1e12
  "Ti" 1099511627776.0 "P" 1e15 "Pi" 1125899906842624.0 "E" 1e18 "Ei" 1152921504606846976.0 }}
{{- mulf (float64 (trimSuffix $unit $quantity)) (index $factors $unit) }}
{{- end }}

{{/*
MiB of a memory quantity, rounded down: the unit index build memory is derived from.
*/}}
{{- define "citus-pgvector.memoryMiB" -}}
{{- divf (include "citus-pgvector.memoryBytes" . | float64) 1048576.0 | floor | int64 }}
{{- end }}

{{/*
maintenance_work_mem of a role, in MB: a quarter of the pod's memory request shared by the index builds that run at
once (a worker builds every shard it holds in parallel, one per shard; the coordinator one), between PostgreSQL's
64MB and 8GB. HNSW builds that do not fit spill to disk and take several times as long. Spilo sizes shared_buffers
itself, from the limit: on Kubernetes a fifth of the container's memory limit (configure_spilo.py), so with a limit of
twice the request the two together stay within the request. Takes a dict: root and role ("coordinator" or "workers").
*/}}
{{- define "citus-pgvector.maintenanceWorkMem" -}}
{{- $group := index .root.Values .role }}
{{- $builds := 1 }}
{{- if eq .role "workers" }}
{{- $builds = include "citus-pgvector.shardsPerWorker" .root | int }}
{{- end }}
{{- $mib := include "citus-pgvector.memoryMiB" $group.resources.requests.memory | int64 }}
{{- printf "%dMB" (min 8192 (max 64 (div $mib (mul 4 $builds)))) }}
{{- end }}

{{/*
max_parallel_maintenance_workers of a role: one per CPU of the pod's request, at most 8 (PostgreSQL's
max_parallel_workers), so a single HNSW build (a REINDEX, a shard moved by the rebalancer) uses the whole pod.
Takes a dict: root and role.
*/}}
{{- define "citus-pgvector.maxParallelMaintenanceWorkers" -}}
{{- $group := index .root.Values .role }}
{{- min 8 (include "citus-pgvector.cpuCores" $group.resources.requests.cpu | int) }}
{{- end }}

{{/*
max_worker_processes of a node: every background worker that can run on it at once, from its parameters (PostgreSQL's
and Citus's defaults where unset). Spilo never sets it, and PostgreSQL's 8 is shared by all of them, so a shard move
or a parallel index build could not start its workers. 5 that always run: bg_mon, pg_cron's launcher, the logical
replication launcher, Citus's maintenance daemon and its background task queue monitor (one database holds Citus);
plus Citus's background task executors (citus.max_background_task_executors_per_node, 1), the logical replication
apply and table sync workers of a shard move (max_logical_replication_workers, 4), and the parallel query and
maintenance workers (max_parallel_workers, 8): 18 with the defaults. Takes the merged parameters.
*/}}
{{- define "citus-pgvector.maxWorkerProcesses" -}}
{{- $always := 5 }}
{{- $executors := index . "citus.max_background_task_executors_per_node" | default 1 | int }}
{{- $replication := index . "max_logical_replication_workers" | default 4 | int }}
{{- $parallel := index . "max_parallel_workers" | default 8 | int }}
{{- add $always $executors $replication $parallel }}
{{- end }}

{{/*
PostgreSQL parameters of a cluster: what Citus needs on Spilo, the pgvector defaults, index build memory and
parallelism sized from the role's pods, then the user's shared and per-role parameters on top, then
max_worker_processes for all of them unless the user set it. max_worker_processes is not one of the operator's
bootstrap-only parameters, so it goes to Patroni's dynamic configuration: the operator PATCHes a change to Patroni,
which restarts the members (replicas first when it grows).
Takes a dict: root and role ("coordinator" or "workers").
Citus must be first in shared_preload_libraries; Spilo's first boot needs pg_auth_mon and pg_cron to stay.
Every name set here (but the restore's, below) is in the generator's catalog of managed settings (ManagedSetting), which verify, bench and the
tests read; ManagedSettingTest fails when the two differ.
*/}}
{{- define "citus-pgvector.parameters" -}}
{{- $root := .root }}
{{- $chart := dict
  "shared_preload_libraries" "citus,bg_mon,pg_stat_statements,pgextwlist,pg_auth_mon,set_user,pg_cron,pg_stat_kcache"
  "wal_level" "logical"
  "max_prepared_transactions" "200"
  "citus.local_hostname" "/var/run/postgresql"
  "citus.shard_count" (include "citus-pgvector.shardCount" $root)
  "citus.max_cached_conns_per_worker" (include "citus-pgvector.maxCachedConnsPerWorker" $root)
  "citus.max_adaptive_executor_pool_size" (include "citus-pgvector.maxCachedConnsPerWorker" $root)
  "hnsw.ef_search" (toString $root.Values.vector.hnswEfSearch)
  "hnsw.iterative_scan" $root.Values.vector.hnswIterativeScan
  "maintenance_work_mem" (include "citus-pgvector.maintenanceWorkMem" .)
  "max_parallel_maintenance_workers" (include "citus-pgvector.maxParallelMaintenanceWorkers" .)
}}
{{- /* A restored cluster's Citus metadata names the source's nodes until the registrars move them; with role
propagation on, the ALTER ROLE of Patroni's and Spilo's first boot (the superuser's password, Spilo's roles) would be
sent to those unreachable nodes and fail the bootstrap. The registrars set roles on every node themselves. */}}
{{- if $root.Values.restore.enabled }}
{{- $_ := set $chart "citus.enable_alter_role_propagation" "off" }}
{{- end }}
{{- $role := index $root.Values .role }}
{{- $user := merge (deepCopy $role.parameters) (deepCopy $root.Values.postgresql.parameters) }}
{{- $merged := merge (deepCopy $user) $chart }}
{{- if not (hasKey $user "max_worker_processes") }}
{{- $_ := set $merged "max_worker_processes" (include "citus-pgvector.maxWorkerProcesses" $merged) }}
{{- end }}
{{- range $name := keys $merged | sortAlpha }}
{{ $name }}: {{ index $merged $name | toString | quote }}
{{- end }}
{{- end }}

{{/*
Names of the parameters the chart sets to one value on the coordinator and the workers, comma-separated: helm test
checks that every worker has the coordinator's value.
*/}}
{{- define "citus-pgvector.sharedParameterNames" -}}
{{- $coordinator := include "citus-pgvector.parameters" (dict "root" . "role" "coordinator") | fromYaml }}
{{- $workers := include "citus-pgvector.parameters" (dict "root" . "role" "workers") | fromYaml }}
{{- $names := list }}
{{- range $name := keys $workers | sortAlpha }}
{{- if and (hasKey $coordinator $name) (eq (toString (index $coordinator $name)) (toString (index $workers $name))) }}
{{- $names = append $names $name }}
{{- end }}
{{- end }}
{{- join "," $names }}
{{- end }}

{{/*
The extensions of the database, each with the schema the operator creates it in (preparedDatabases, as the
superuser): Citus installs only into pg_catalog. The registrar waits for exactly these.
*/}}
{{- define "citus-pgvector.extensions" -}}
citus: pg_catalog
vector: public
{{- end }}

{{/*
The spec shared by the coordinator and the workers. Takes a dict: root, role ("coordinator" or "workers") and name.
*/}}
{{- define "citus-pgvector.clusterSpec" -}}
{{- $root := .root }}
{{- $group := index $root.Values .role }}
teamId: {{ $root.Values.teamId | quote }}
dockerImage: {{ include "citus-pgvector.image" $root | quote }}
numberOfInstances: {{ $group.instances }}
postgresql:
  version: {{ $root.Values.postgresql.version | quote }}
  parameters:
    {{- include "citus-pgvector.parameters" (dict "root" $root "role" .role) | trim | nindent 4 }}
volume:
  size: {{ $group.volume.size | quote }}
  {{- with $group.volume.storageClass }}
  storageClass: {{ . | quote }}
  {{- end }}
resources:
  requests:
    cpu: {{ $group.resources.requests.cpu | quote }}
    memory: {{ $group.resources.requests.memory | quote }}
  limits:
    cpu: {{ $group.resources.limits.cpu | quote }}
    memory: {{ $group.resources.limits.memory | quote }}
{{- $synchronous := and (ge (int $group.instances) 2) $group.patroni.synchronousMode }}
patroni:
  ttl: {{ $root.Values.patroni.ttl }}
  loop_wait: {{ $root.Values.patroni.loopWait }}
  retry_timeout: {{ $root.Values.patroni.retryTimeout }}
  synchronous_mode: {{ $synchronous }}
  synchronous_mode_strict: {{ and $synchronous $group.patroni.synchronousModeStrict }}
{{- /* Naming the existing public schema keeps the operator from creating its default "data" schema, which fails
in a database it does not own (postgres) and would then skip the extensions. */}}
preparedDatabases:
  {{ $root.Values.database.name }}:
    defaultUsers: false
    schemas:
      public:
        defaultRoles: false
    extensions:
      {{- include "citus-pgvector.extensions" . | nindent 6 }}
{{- with include "citus-pgvector.restoreClone" (dict "root" $root "name" .name) | fromYaml }}
clone:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with $root.Values.backup.logical }}
{{- if .enabled }}
enableLogicalBackup: true
logicalBackupSchedule: {{ .schedule | quote }}
{{- with .retention }}
logicalBackupRetention: {{ . | quote }}
{{- end }}
{{- end }}
{{- end }}
{{- $env := concat (include "citus-pgvector.walBackupEnv" (dict "root" $root "name" .name) | fromYamlArray) (include "citus-pgvector.restoreEnv" (dict "root" $root "name" .name) | fromYamlArray) }}
{{- with $env }}
env:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- $volumes := concat (include "citus-pgvector.walBackupVolumes" $root | fromYamlArray) (.extraVolumes | default list) (include "citus-pgvector.metricsVolumes" $root | fromYamlArray) }}
{{- with $volumes }}
additionalVolumes:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with concat (.sidecars | default list) (include "citus-pgvector.metricsSidecars" $root | fromYamlArray) }}
sidecars:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with $group.scheduling }}
{{- with .tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with include "citus-pgvector.nodeAffinity" (dict "root" $root "affinity" .nodeAffinity) | fromYaml }}
nodeAffinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .topologySpreadConstraints }}
topologySpreadConstraints:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .priorityClassName }}
podPriorityClassName: {{ . | quote }}
{{- end }}
{{- with .podAnnotations }}
podAnnotations:
  {{- range $k, $v := . }}
  {{ $k }}: {{ toString $v | quote }}
  {{- end }}
{{- end }}
{{- end }}
{{- include "citus-pgvector.tlsSpec" $root }}
{{- if eq .role "coordinator" }}
{{- include "citus-pgvector.poolerSpec" $root }}
{{- end }}
{{- include "citus-pgvector.externalAccessSpec" (dict "root" $root "role" .role) }}
{{- end }}

{{/*
A node affinity (the operator's spec.nodeAffinity, a pod's affinity.nodeAffinity) that also requires nodes of the
image's architecture (image.architecture): the rule goes into every required term the user wrote, since the terms are
alternatives, unless the term names kubernetes.io/arch itself; with no required terms it is the one term. As YAML;
empty when there is nothing to require. Takes a dict: root and affinity (the user's, may be empty).
*/}}
{{- define "citus-pgvector.nodeAffinity" -}}
{{- $affinity := deepCopy (.affinity | default dict) }}
{{- with .root.Values.image.architecture }}
{{- $rule := dict "key" "kubernetes.io/arch" "operator" "In" "values" (list .) }}
{{- $required := $affinity.requiredDuringSchedulingIgnoredDuringExecution | default dict }}
{{- $terms := list }}
{{- range $term := $required.nodeSelectorTerms | default (list dict) }}
{{- $expressions := $term.matchExpressions | default list }}
{{- $named := false }}
{{- range $expressions }}
{{- if eq .key "kubernetes.io/arch" }}
{{- $named = true }}
{{- end }}
{{- end }}
{{- if not $named }}
{{- $expressions = append $expressions $rule }}
{{- end }}
{{- $terms = append $terms (merge (dict "matchExpressions" $expressions) $term) }}
{{- end }}
{{- $_ := set $required "nodeSelectorTerms" $terms }}
{{- $_ := set $affinity "requiredDuringSchedulingIgnoredDuringExecution" $required }}
{{- end }}
{{- with $affinity }}
{{- toYaml . }}
{{- end }}
{{- end }}

{{/*
Spilo environment for WAL-G archiving and base backups of one cluster, as a YAML list (empty when off). Spilo
archives with WAL-E unless USE_WALG_BACKUP is set, and restores with WAL-G from GCS only with USE_WALG_RESTORE.
Each cluster archives below <prefix>/<cluster name>/wal/<major>, Spilo's own layout, so a major upgrade starts a new
timeline history instead of mixing two. Takes a dict: root and name.
*/}}
{{- define "citus-pgvector.walBackupEnv" -}}
{{- $wal := .root.Values.backup.wal }}
{{- if $wal.enabled }}
{{- $path := printf "%s/%s/wal/%s" (trimAll "/" $wal.prefix) .name .root.Values.postgresql.version | trimPrefix "/" }}
- name: USE_WALG_BACKUP
  value: "true"
- name: USE_WALG_RESTORE
  value: "true"
- name: BACKUP_SCHEDULE
  value: {{ $wal.schedule | quote }}
- name: BACKUP_NUM_TO_RETAIN
  value: {{ $wal.retain | quote }}
{{- if eq $wal.provider "s3" }}
- name: WALG_S3_PREFIX
  value: {{ printf "s3://%s/%s" $wal.bucket $path | quote }}
{{- with $wal.region }}
- name: AWS_REGION
  value: {{ . | quote }}
{{- end }}
{{- with $wal.endpoint }}
- name: AWS_ENDPOINT
  value: {{ . | quote }}
{{- end }}
- name: AWS_S3_FORCE_PATH_STYLE
  value: {{ $wal.forcePathStyle | quote }}
{{- with $wal.credentialsSecret }}
{{- if .name }}
- name: AWS_ACCESS_KEY_ID
  valueFrom:
    secretKeyRef:
      name: {{ .name | quote }}
      key: {{ .accessKeyIdKey | quote }}
- name: AWS_SECRET_ACCESS_KEY
  valueFrom:
    secretKeyRef:
      name: {{ .name | quote }}
      key: {{ .secretAccessKeyKey | quote }}
{{- end }}
{{- end }}
{{- else }}
- name: WALG_GS_PREFIX
  value: {{ printf "gs://%s/%s" $wal.bucket $path | quote }}
{{- if $wal.credentialsSecret.name }}
- name: GOOGLE_APPLICATION_CREDENTIALS
  value: {{ printf "/var/secrets/wal-gcs/%s" $wal.credentialsSecret.serviceAccountKey | quote }}
{{- end }}
{{- end }}
{{- end }}
{{- end }}

{{/*
Volumes the WAL backup needs in the Spilo container, as a YAML list: the GCS service account key, when given.
*/}}
{{- define "citus-pgvector.walBackupVolumes" -}}
{{- $wal := .Values.backup.wal }}
{{- if and $wal.enabled (eq $wal.provider "gcs") $wal.credentialsSecret.name }}
- name: wal-gcs-credentials
  mountPath: /var/secrets/wal-gcs
  targetContainers:
    - postgres
  volumeSource:
    secret:
      secretName: {{ $wal.credentialsSecret.name | quote }}
{{- end }}
{{- end }}

{{/*
Refuses a change of postgresql.version on clusters that exist: the operator would upgrade each cluster on its own
(Spilo's pg_upgrade, major_version_upgrade_mode "manual" by default) without Citus's steps. Takes the root context.
*/}}
{{- define "citus-pgvector.validateMajorVersion" -}}
{{- $cluster := include "citus-pgvector.cluster" . | fromYaml }}
{{- $wanted := toString .Values.postgresql.version }}
{{- $running := list }}
{{- with $cluster.coordinator }}
{{- $running = append $running (printf "%s runs %v" .metadata.name .spec.postgresql.version) }}
{{- end }}
{{- range $name := keys ($cluster.workers | default dict) | sortAlpha }}
{{- $running = append $running (printf "%s runs %v" $name (index $cluster.workers $name).spec.postgresql.version) }}
{{- end }}
{{- $differ := list }}
{{- range $running }}
{{- if not (hasSuffix (printf " runs %s" $wanted) .) }}
{{- $differ = append $differ . }}
{{- end }}
{{- end }}
{{- if $differ }}
{{- fail (printf "\n\ncitus-pgvector: refusing to change postgresql.version to %s on running clusters (%s): the operator would run pg_upgrade on each cluster on its own, without Citus's citus_prepare_pg_upgrade / citus_finish_pg_upgrade, and leave the distributed tables broken. Keep the version the clusters run and follow docs/upgrade.md (the Citus-aware major upgrade), whose last step is this helm upgrade." $wanted (join ", " $differ)) }}
{{- end }}
{{- end }}

{{/*
Every problem with the values that the schema cannot express, reported together in one failure.
*/}}
{{- define "citus-pgvector.validateValues" -}}
{{- $problems := list }}
{{- $fullname := include "citus-pgvector.fullname" . }}
{{- if .Values.fullnameOverride }}
{{- if gt (len .Values.fullnameOverride) 39 }}
{{- $problems = append $problems (printf "fullnameOverride: must be at most 39 characters so the operator's name suffixes fit, got %d" (len .Values.fullnameOverride)) }}
{{- end }}
{{- else if gt (len $fullname) 39 }}
{{- $problems = append $problems (printf "release name %q: must be at most 39 characters so the operator's name suffixes fit, got %d; give a shorter fullnameOverride" $fullname (len $fullname)) }}
{{- end }}
{{- if not (regexMatch "^[a-z]([-a-z0-9]*[a-z0-9])?$" $fullname) }}
{{- $problems = append $problems (printf "release name %q: must be a lowercase DNS label starting with a letter; give a fullnameOverride" $fullname) }}
{{- end }}
{{- if eq (toString .Values.operator.line) "1.15" }}
{{- if ne (toString .Values.postgresql.version) "17" }}
{{- $problems = append $problems (printf "postgresql.version: must be at most 17 with operator.line 1.15 (its postgresql resources accept PostgreSQL 13 to 17), got %v" .Values.postgresql.version) }}
{{- end }}
{{- range $role := list "coordinator" "workers" }}
{{- if (index $.Values $role).scheduling.topologySpreadConstraints }}
{{- $problems = append $problems (printf "%s.scheduling.topologySpreadConstraints: must be empty with operator.line 1.15: that operator's postgresql resources have no topologySpreadConstraints and the API server would drop them silently; remove them or run operator v2 (operator.line 2.0)" $role) }}
{{- end }}
{{- end }}
{{- end }}
{{- with .Values.patroni }}
{{- $minimum := add .loopWait (mul 2 .retryTimeout) }}
{{- if lt (int .ttl) (int $minimum) }}
{{- $problems = append $problems (printf "patroni.ttl: must be at least patroni.loopWait + 2 x patroni.retryTimeout = %d (Patroni's rule, or a slow loop loses the leader lock), got %v" (int $minimum) .ttl) }}
{{- end }}
{{- end }}
{{- if and .Values.superuser.password .Values.superuser.existingSecret.name }}
{{- $problems = append $problems (printf "superuser.existingSecret.name: must be empty when superuser.password is set (one source of the password), got %q" .Values.superuser.existingSecret.name) }}
{{- end }}
{{- $reserved := list "postgres" "standby" "pooler" "zalandos" "admin" "robot_zmon" "cron_admin" "public" "none" "current_role" "current_user" "session_user" }}
{{- $roles := list }}
{{- range $i, $role := .Values.applicationRoles }}
{{- if or (has $role.name $reserved) (hasPrefix "pg_" $role.name) }}
{{- $problems = append $problems (printf "applicationRoles[%d].name: must not be a role of PostgreSQL, Spilo or the operator (names starting with pg_, %s), got %q" $i (join ", " $reserved) $role.name) }}
{{- else if has $role.name $roles }}
{{- $problems = append $problems (printf "applicationRoles[%d].name: names a role listed before it, got %q" $i $role.name) }}
{{- end }}
{{- $roles = append $roles $role.name }}
{{- end }}
{{- range $path := list "coordinator" "workers" "registrar" "scaling" "pooler" "metrics" }}
{{- $resources := (index $.Values $path).resources }}
{{- if lt (include "citus-pgvector.cpuMillis" $resources.limits.cpu | int) (include "citus-pgvector.cpuMillis" $resources.requests.cpu | int) }}
{{- $problems = append $problems (printf "%s.resources.limits.cpu: must not be below the request %v, got %v" $path $resources.requests.cpu $resources.limits.cpu) }}
{{- end }}
{{- if lt (include "citus-pgvector.memoryBytes" $resources.limits.memory | float64) (include "citus-pgvector.memoryBytes" $resources.requests.memory | float64) }}
{{- $problems = append $problems (printf "%s.resources.limits.memory: must not be below the request %v, got %v" $path $resources.requests.memory $resources.limits.memory) }}
{{- end }}
{{- end }}
{{- $problems = concat $problems (include "citus-pgvector.featureProblems" . | fromJsonArray) }}
{{- with .Values.backup.wal }}
{{- if .enabled }}
{{- if not .bucket }}
{{- $problems = append $problems "backup.wal.bucket: must be set when backup.wal.enabled is true" }}
{{- end }}
{{- $secret := .credentialsSecret }}
{{- if $secret.name }}
{{- $keys := ternary (list "serviceAccountKey") (list "accessKeyIdKey" "secretAccessKeyKey") (eq .provider "gcs") }}
{{- range $key := $keys }}
{{- if not (trim (index $secret $key)) }}
{{- $problems = append $problems (printf "backup.wal.credentialsSecret.%s: must name a key of Secret %q for provider %s" $key $secret.name $.Values.backup.wal.provider) }}
{{- end }}
{{- end }}
{{- end }}
{{- end }}
{{- end }}
{{- $problems = concat $problems (include "citus-pgvector.restoreProblems" . | fromJsonArray) }}
{{- if $problems }}
{{- fail (printf "\n\ncitus-pgvector: %d problem(s) with the values:\n  %s" (len $problems) (join "\n  " $problems)) }}
{{- end }}
{{- end }}

{{/*
The release namespace, for objects that carry it in their content (the Certificate's DNS names, the PodMonitor's
namespaceSelector, the alert rules' selectors); fails when it is empty, as a render without a namespace can give:
those objects would name no namespace (a certificate for "citus-coordinator.", an alert that never stops firing).
*/}}
{{- define "citus-pgvector.namespace" -}}
{{- if not .Release.Namespace }}
{{- fail "\n\ncitus-pgvector: the release namespace is empty, so the Certificate's DNS names, the PodMonitor and the alert rules would name no namespace; render with a namespace (helm template -n NAMESPACE, citus-pgvector template -n NAMESPACE)." }}
{{- end }}
{{- .Release.Namespace }}
{{- end }}
