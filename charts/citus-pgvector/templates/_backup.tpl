{{/*
"true" when the restore point CronJob runs: restore points are only worth taking where WAL is archived.
*/}}
{{- define "citus-pgvector.restorePointsEnabled" -}}
{{- if and .Values.backup.wal.enabled .Values.backup.restorePoints.enabled }}true{{ end }}
{{- end }}

{{/*
Name of the ConfigMap that ships the restore point job's script and SQL (a release object, unlike the hooks' copy).
*/}}
{{- define "citus-pgvector.backupConfigMapName" -}}
{{- printf "%s-backup" (include "citus-pgvector.fullname" .) }}
{{- end }}

{{/*
The restore point restore reaches, as YAML {name, nodes}: restore.pointName's entry of restore.points, or the entry
with the latest coordinator target at or before restore.time. Empty when none matches (validateRestore says why).
*/}}
{{- define "citus-pgvector.restorePoint" -}}
{{- $restore := .Values.restore }}
{{- $coordinator := printf "%s-coordinator" $restore.source.fullname }}
{{- $chosen := dict }}
{{- if $restore.pointName }}
{{- range $restore.points }}
{{- if and (eq .name $restore.pointName) (not $chosen) }}
{{- $chosen = . }}
{{- end }}
{{- end }}
{{- else if $restore.time }}
{{- $wanted := (toDate "2006-01-02T15:04:05Z07:00" (upper $restore.time)).UnixMicro }}
{{- $best := 0 }}
{{- range $point := $restore.points }}
{{- with index ($point.nodes | default dict) $coordinator }}
{{- $at := (toDate "2006-01-02T15:04:05Z07:00" (upper .)).UnixMicro }}
{{- if and (le $at $wanted) (or (not $chosen) (gt $at $best)) }}
{{- $best = $at }}
{{- $chosen = $point }}
{{- end }}
{{- end }}
{{- end }}
{{- end }}
{{- with $chosen }}
{{- toYaml . }}
{{- end }}
{{- end }}

{{/*
The source cluster of one of this release's clusters: the same role and worker number under restore.source.fullname.
*/}}
{{- define "citus-pgvector.restoreSourceName" -}}
{{- printf "%s%s" .root.Values.restore.source.fullname (trimPrefix (include "citus-pgvector.fullname" .root) .name) }}
{{- end }}

{{/*
spec.clone of one cluster, as YAML (empty unless restore.enabled): the operator's clone from the source's WAL archive
to a time. The operator turns it into Spilo's clone_with_wale bootstrap, which recovers to recovery_target_time =
timestamp; the timestamp is this node's own recovery target of the restore point, read while distributed commits
were blocked. s3_wal_path is the source cluster's archive exactly as the chart writes it (backup.wal's layout);
credentials come from restoreEnv, never from the resource. Takes a dict: root and name.
*/}}
{{- define "citus-pgvector.restoreClone" -}}
{{- $root := .root }}
{{- $restore := $root.Values.restore }}
{{- if $restore.enabled }}
{{- $wal := $root.Values.backup.wal }}
{{- $source := include "citus-pgvector.restoreSourceName" . }}
{{- $point := include "citus-pgvector.restorePoint" $root | fromYaml }}
cluster: {{ $source | quote }}
timestamp: {{ index ($point.nodes | default dict) $source | default "" | quote }}
{{- with index ($restore.source.uids | default dict) $source }}
uid: {{ . | quote }}
{{- end }}
{{- if eq $wal.provider "s3" }}
s3_wal_path: {{ include "citus-pgvector.restoreWalPath" . | quote }}
{{- with $wal.endpoint }}
s3_endpoint: {{ . | quote }}
{{- end }}
{{- if $wal.forcePathStyle }}
s3_force_path_style: true
{{- end }}
{{- end }}
{{- end }}
{{- end }}

{{/*
The source cluster's WAL archive, in the layout of citus-pgvector.walBackupEnv: <scheme>://<bucket>/<prefix>/<cluster>
/wal/<major>, with restore.source.bucket and .prefix in place of backup.wal's where set. Takes a dict: root and name.
*/}}
{{- define "citus-pgvector.restoreWalPath" -}}
{{- $wal := .root.Values.backup.wal }}
{{- $src := .root.Values.restore.source }}
{{- $path := printf "%s/%s/wal/%s" (trimAll "/" (default $wal.prefix $src.prefix)) (include "citus-pgvector.restoreSourceName" .) .root.Values.postgresql.version | trimPrefix "/" }}
{{- printf "%s://%s/%s" (ternary "s3" "gs" (eq $wal.provider "s3")) (default $wal.bucket $src.bucket) $path }}
{{- end }}

{{/*
Spilo environment of a clone besides what the operator derives from spec.clone, as a YAML list (empty unless
restore.enabled): CLONE_TARGET_INCLUSIVE set to the empty string, which Spilo's template reads as false and renders
recovery_target_inclusive: false, so recovery stops before the first commit stamped at or after the target; the
store's credentials from backup.wal.credentialsSecret (the operator only knows literal keys); on GCS, which spec.clone
cannot name, the archive and key file. Takes a dict: root and name.
*/}}
{{- define "citus-pgvector.restoreEnv" -}}
{{- $root := .root }}
{{- if $root.Values.restore.enabled }}
{{- $wal := $root.Values.backup.wal }}
- name: CLONE_TARGET_INCLUSIVE
  value: ""
{{- if eq $wal.provider "s3" }}
- name: CLONE_USE_WALG_RESTORE
  value: "true"
{{- with $wal.region }}
- name: CLONE_AWS_REGION
  value: {{ . | quote }}
{{- end }}
{{- with $wal.credentialsSecret }}
{{- if .name }}
- name: CLONE_AWS_ACCESS_KEY_ID
  valueFrom:
    secretKeyRef:
      name: {{ .name | quote }}
      key: {{ .accessKeyIdKey | quote }}
- name: CLONE_AWS_SECRET_ACCESS_KEY
  valueFrom:
    secretKeyRef:
      name: {{ .name | quote }}
      key: {{ .secretAccessKeyKey | quote }}
{{- end }}
{{- end }}
{{- else }}
- name: CLONE_WALG_GS_PREFIX
  value: {{ include "citus-pgvector.restoreWalPath" . | quote }}
- name: CLONE_USE_WALG_RESTORE
  value: "true"
{{- if $wal.credentialsSecret.name }}
- name: CLONE_GOOGLE_APPLICATION_CREDENTIALS
  value: {{ printf "/var/secrets/wal-gcs/%s" $wal.credentialsSecret.serviceAccountKey | quote }}
{{- end }}
{{- end }}
{{- end }}
{{- end }}

{{/*
Why the restore values cannot work, as a JSON list of problems (the rules the generator checks, for --set at install
time, plus the namespace, which only the install knows).
*/}}
{{- define "citus-pgvector.restoreProblems" -}}
{{- $problems := list }}
{{- $restore := .Values.restore }}
{{- if $restore.enabled }}
{{- $src := $restore.source }}
{{- if not .Values.backup.wal.enabled }}
{{- $problems = append $problems "backup.wal.enabled: must be true with restore.enabled: the clones read the source's archive with its credentials and the restored release archives its own WAL" }}
{{- end }}
{{- if not $src.fullname }}
{{- $problems = append $problems "restore.source.fullname: must name the source's clusters' prefix" }}
{{- end }}
{{- if not $src.namespace }}
{{- $problems = append $problems "restore.source.namespace: must name the source's namespace (the restore must go elsewhere)" }}
{{- else if eq $src.namespace .Release.Namespace }}
{{- $problems = append $problems (printf "restore.source.namespace: must differ from the release namespace %q: the restored coordinator's Citus metadata names the source's workers by their Service names, and in the source's namespace those names reach the running source, whose prepared transactions and metadata the restored coordinator would change" .Release.Namespace) }}
{{- end }}
{{- if ne (int $src.workers) (int .Values.workers.count) }}
{{- $problems = append $problems (printf "restore.source.workers: must equal workers.count %d: each restored worker is the copy of one source worker, got %d" (int .Values.workers.count) (int $src.workers)) }}
{{- end }}
{{- if and (eq $src.fullname (include "citus-pgvector.fullname" .)) (eq (default .Values.backup.wal.bucket $src.bucket) .Values.backup.wal.bucket) (eq (default .Values.backup.wal.prefix $src.prefix) .Values.backup.wal.prefix) }}
{{- $problems = append $problems (printf "backup.wal.prefix: must differ from the source's when the restored release keeps the source's names, or its clusters would archive into the source's archive, got %q" .Values.backup.wal.prefix) }}
{{- end }}
{{- if eq (len (compact (list $restore.pointName $restore.time))) 1 }}
{{- $point := include "citus-pgvector.restorePoint" . | fromYaml }}
{{- if not $point }}
{{- if $restore.pointName }}
{{- $problems = append $problems (printf "restore.pointName: names no entry of restore.points, got %q" $restore.pointName) }}
{{- else }}
{{- $problems = append $problems (printf "restore.time: no entry of restore.points was taken at or before it (by its coordinator's target %s-coordinator), got %q" $src.fullname $restore.time) }}
{{- end }}
{{- else }}
{{- $clusters := list (printf "%s-coordinator" $src.fullname) }}
{{- range $i := until (int $src.workers) }}
{{- $clusters = append $clusters (printf "%s-worker-%d" $src.fullname (add1 $i)) }}
{{- end }}
{{- $missing := list }}
{{- range $clusters }}
{{- if not (hasKey ($point.nodes | default dict) .) }}
{{- $missing = append $missing . }}
{{- end }}
{{- end }}
{{- if $missing }}
{{- $problems = append $problems (printf "restore.points: restore point %s has no recovery target for %s: the source is incomplete (a cluster of the source missing from the point)" $point.name (join ", " $missing)) }}
{{- end }}
{{- $extra := list }}
{{- range $name, $_ := $point.nodes | default dict }}
{{- if not (has $name $clusters) }}
{{- $extra = append $extra $name }}
{{- end }}
{{- end }}
{{- if $extra }}
{{- $problems = append $problems (printf "restore.points: restore point %s was taken with node(s) %s that restore.source (%d workers) does not have: a different worker count" $point.name (join ", " (sortAlpha $extra)) (int $src.workers)) }}
{{- end }}
{{- with $src.oldestBaseBackup }}
{{- $at := index ($point.nodes | default dict) (printf "%s-coordinator" $src.fullname) }}
{{- if and $at (lt (toDate "2006-01-02T15:04:05Z07:00" (upper $at)).UnixMicro (toDate "2006-01-02T15:04:05Z07:00" (upper .)).UnixMicro) }}
{{- $problems = append $problems (printf "%s: restore point %s is older than the oldest base backup (%s, restore.source.oldestBaseBackup): the archive no longer reaches it" (ternary "restore.pointName" "restore.time" (not (empty $restore.pointName))) $point.name .) }}
{{- end }}
{{- end }}
{{- end }}
{{- else }}
{{- $problems = append $problems "restore.pointName: set exactly one of restore.pointName and restore.time" }}
{{- end }}
{{- end }}
{{- toJson $problems }}
{{- end }}
