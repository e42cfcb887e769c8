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
The image of every cluster: the tag defaults to the chart's appVersion.
*/}}
{{- define "citus-pgvector.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}

{{/*
CPU cores of a quantity ("500m", "2", "1.5"), rounded up, at least 1: the unit shard counts are derived from.
*/}}
{{- define "citus-pgvector.cpuCores" -}}
{{- $cpu := toString . }}
{{- $cores := 1 }}
{{- if hasSuffix "m" $cpu }}
{{- $cores = div (add (trimSuffix "m" $cpu | int) 999) 1000 }}
{{- else }}
{{- $cores = ceil (float64 $cpu) | int }}
{{- end }}
{{- max 1 $cores }}
{{- end }}

{{/*
Shards of a new distributed table: the value, or one per worker CPU so a fan-out query keeps every core busy without
the per-shard overhead of Citus's default 32.
*/}}
{{- define "citus-pgvector.shardCount" -}}
{{- if gt (int .Values.citus.shardCount) 0 }}
{{- .Values.citus.shardCount }}
{{- else }}
{{- mul (int .Values.workers.count) (include "citus-pgvector.cpuCores" .Values.workers.resources.requests.cpu | int) }}
{{- end }}
{{- end }}

{{/*
Shards of a table on the busiest worker, ceil(shards / workers): what a fan-out query and a CREATE INDEX run at once
on one worker.
*/}}
{{- define "citus-pgvector.shardsPerWorker" -}}
{{- $workers := int .Values.workers.count }}
{{- max 1 (div (add (include "citus-pgvector.shardCount" . | int) (sub $workers 1)) $workers) }}
{{- end }}

{{/*
Cached connections per worker: the value, or enough for one per shard a worker holds, so fan-out queries do not open
new connections (Citus caches 1 by default).
*/}}
{{- define "citus-pgvector.maxCachedConnsPerWorker" -}}
{{- if gt (int .Values.citus.maxCachedConnsPerWorker) 0 }}
{{- .Values.citus.maxCachedConnsPerWorker }}
{{- else }}
{{- include "citus-pgvector.shardsPerWorker" . }}
{{- end }}
{{- end }}

{{/*
MiB of a memory quantity ("4Gi", "512Mi", "1G", "1e9"), rounded down: the unit index build memory is derived from.
*/}}
{{- define "citus-pgvector.memoryMiB" -}}
{{- $quantity := toString . }}
{{- $unit := regexFind "[EPTGMK]i?$" $quantity }}
{{- $factors := dict "" 1.0 "K" 1e3 "Ki" 1024.0 "M" 1e6 "Mi" 1048576.0 "G" 1e9 "Gi" 1073741824.0 "T" 1e12
  "Ti" 1099511627776.0 "P" 1e15 "Pi" 1125899906842624.0 "E" 1e18 "Ei" 1152921504606846976.0 }}
{{- divf (mulf (float64 (trimSuffix $unit $quantity)) (index $factors $unit)) 1048576.0 | floor | int64 }}
{{- end }}

{{/*
maintenance_work_mem of a role, in MB: a quarter of the pod's memory request shared by the index builds that run at
once (a worker builds every shard it holds in parallel, one per shard; the coordinator one), between PostgreSQL's
64MB and 8GB. HNSW builds that do not fit spill to disk and take several times as long; Spilo gives shared_buffers
another quarter. Takes a dict: root and role ("coordinator" or "workers").
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
PostgreSQL parameters of a cluster: what Citus needs on Spilo, the pgvector defaults, index build memory and
parallelism sized from the role's pods, then the user's shared and per-role parameters on top.
Takes a dict: root and role ("coordinator" or "workers").
Citus must be first in shared_preload_libraries; Spilo's first boot needs pg_auth_mon and pg_cron to stay.
Every name set here is in the generator's catalog of managed settings (ManagedSetting), which verify, bench and the
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
  "hnsw.ef_search" (toString $root.Values.vector.hnswEfSearch)
  "hnsw.iterative_scan" $root.Values.vector.hnswIterativeScan
  "maintenance_work_mem" (include "citus-pgvector.maintenanceWorkMem" .)
  "max_parallel_maintenance_workers" (include "citus-pgvector.maxParallelMaintenanceWorkers" .)
}}
{{- $role := index $root.Values .role }}
{{- $merged := merge (deepCopy $role.parameters) (deepCopy $root.Values.postgresql.parameters) $chart }}
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
{{- /* Naming the existing public schema keeps the operator from creating its default "data" schema, which fails
in a database it does not own (postgres) and would then skip the extensions. */}}
preparedDatabases:
  {{ $root.Values.database.name }}:
    defaultUsers: false
    schemas:
      public:
        defaultRoles: false
    extensions:
      citus: pg_catalog
      vector: public
{{- with $root.Values.backup.logical }}
{{- if .enabled }}
enableLogicalBackup: true
logicalBackupSchedule: {{ .schedule | quote }}
{{- with .retention }}
logicalBackupRetention: {{ . | quote }}
{{- end }}
{{- end }}
{{- end }}
{{- $env := include "citus-pgvector.walBackupEnv" (dict "root" $root "name" .name) | fromYamlArray }}
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
{{- with .nodeAffinity }}
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
Every problem with the values that the schema cannot express, reported together in one failure.
*/}}
{{- define "citus-pgvector.validateValues" -}}
{{- $problems := list }}
{{- $fullname := include "citus-pgvector.fullname" . }}
{{- if gt (len $fullname) 39 }}
{{- $problems = append $problems (printf "release name or fullnameOverride %q is %d characters; at most 39 fit the operator's name suffixes" $fullname (len $fullname)) }}
{{- end }}
{{- if not (regexMatch "^[a-z]([-a-z0-9]*[a-z0-9])?$" $fullname) }}
{{- $problems = append $problems (printf "release name or fullnameOverride %q must be a lowercase DNS label starting with a letter" $fullname) }}
{{- end }}
{{- with .Values.backup.wal }}
{{- if and .enabled (not .bucket) }}
{{- $problems = append $problems "backup.wal.bucket must be set when backup.wal.enabled is true" }}
{{- end }}
{{- end }}
{{- $problems = concat $problems (include "citus-pgvector.featureProblems" . | fromJsonArray) }}
{{- if $problems }}
{{- fail (printf "\n\ncitus-pgvector: invalid values:\n- %s" (join "\n- " $problems)) }}
{{- end }}
{{- end }}
