{{/*
Name of the ConfigMap with the exporter's queries (files/metrics/queries.yaml).
*/}}
{{- define "citus-pgvector.metricsConfigMapName" -}}
{{- printf "%s-metrics" (include "citus-pgvector.fullname" .) }}
{{- end }}

{{/*
The postgres_exporter sidecar of every cluster, as a YAML list (empty when metrics are off). Zalando sidecars take
only name, image, command, env, ports and resources: the queries come in through additionalVolumes, settings
through env. The operator puts POSTGRES_USER and POSTGRES_PASSWORD (the cluster's superuser) before these entries, so
$(...) expands them. Spilo accepts TCP only with TLS, also on localhost. Citus hides shards from pg_class unless
citus.override_table_visibility is off, which lib/pq sends as a startup parameter, so the index sizes count them. That
setting reaches the exporter's own collectors too: its per-table ones (stat_user_tables, statio_user_tables, on by
default) would export a series set for every shard, so the command (the image's entrypoint, as sidecars take no args)
turns them off.
*/}}
{{- define "citus-pgvector.metricsSidecars" -}}
{{- with .Values.metrics }}
{{- if .enabled }}
- name: postgres-exporter
  image: {{ printf "%s:%s" .image.repository .image.tag | quote }}
  command:
    - /bin/postgres_exporter
    - --no-collector.stat_user_tables
    - --no-collector.statio_user_tables
  ports:
    - name: metrics
      containerPort: {{ include "citus-pgvector.metricsPort" $ }}
      protocol: TCP
  env:
    - name: DATA_SOURCE_URI
      value: {{ printf "localhost:5432/%s?sslmode=require&citus.override_table_visibility=off" $.Values.database.name | quote }}
    - name: DATA_SOURCE_USER
      value: $(POSTGRES_USER)
    - name: DATA_SOURCE_PASS
      value: $(POSTGRES_PASSWORD)
    - name: PG_EXPORTER_EXTEND_QUERY_PATH
      value: /opt/citus-pgvector/metrics/queries.yaml
  resources:
    requests:
      cpu: {{ .resources.requests.cpu | quote }}
      memory: {{ .resources.requests.memory | quote }}
    limits:
      cpu: {{ .resources.limits.cpu | quote }}
      memory: {{ .resources.limits.memory | quote }}
{{- end }}
{{- end }}
{{- end }}

{{/*
The exporter's port: postgres_exporter's default, clear of 5432, 8008 and 8080 which Spilo and the operator use.
*/}}
{{- define "citus-pgvector.metricsPort" -}}
9187
{{- end }}

{{/*
The queries volume, mounted into the exporter only, as a YAML list (empty when metrics are off).
*/}}
{{- define "citus-pgvector.metricsVolumes" -}}
{{- if .Values.metrics.enabled }}
- name: postgres-exporter-queries
  mountPath: /opt/citus-pgvector/metrics
  targetContainers:
    - postgres-exporter
  volumeSource:
    configMap:
      name: {{ include "citus-pgvector.metricsConfigMapName" . }}
{{- end }}
{{- end }}

{{/*
"true" when the Prometheus Operator objects are rendered: always, or auto and the cluster serves their API.
*/}}
{{- define "citus-pgvector.prometheusOperator" -}}
{{- $mode := .Values.metrics.prometheusOperator }}
{{- if and .Values.metrics.enabled (or (eq $mode "always") (and (eq $mode "auto") (include "citus-pgvector.apiServed" (dict "root" . "api" "monitoring.coreos.com/v1")))) }}true{{ end }}
{{- end }}

{{/*
Names of every cluster of the release (coordinator first), as a YAML list.
*/}}
{{- define "citus-pgvector.clusterNames" -}}
- {{ include "citus-pgvector.coordinatorName" . }}
{{- range $i := until (int .Values.workers.count) }}
- {{ include "citus-pgvector.workerName" (dict "root" $ "id" (add1 $i)) }}
{{- end }}
{{- end }}

{{/*
The alerting rules, as the `groups` of a Prometheus rule file: the PrometheusRule's spec, and what the promtool
tests load. Series carry namespace and the pods' cluster-name and spilo-role labels (cluster_name, spilo_role), as
the chart's PodMonitor sets them. Every alert's runbook is in the project's docs/runbooks.md under its name.
*/}}
{{- define "citus-pgvector.alertRules" -}}
{{- $ns := include "citus-pgvector.namespace" . }}
{{- $coordinator := include "citus-pgvector.coordinatorName" . }}
{{- $workers := include "citus-pgvector.workerName" (dict "root" . "id" "[0-9]+") }}
{{- $sel := printf "namespace=%q, cluster_name=%q" $ns $coordinator }}
{{- $alerts := .Values.metrics.alerts }}
groups:
  - name: {{ printf "citus-pgvector.%s.%s" $ns (include "citus-pgvector.fullname" .) }}
    rules:
      - alert: CitusPgvectorWorkerMissing
        expr: |
          max(citus_pgvector_workers_count{ {{- $sel }}, state="active"}) < {{ .Values.workers.count }}
          or absent(citus_pgvector_workers_count{ {{- $sel }}, state="active"})
        for: 10m
        labels:
          severity: critical
          namespace: {{ $ns }}
        annotations:
          summary: {{ printf "Fewer than %d active Citus workers on %s" (int .Values.workers.count) $coordinator | quote }}
          description: "Fewer than {{ .Values.workers.count }} workers (workers.count) are active in the coordinator's pg_dist_node, or the coordinator's metrics are missing. Queries on shards of a missing worker fail."
          runbook: docs/runbooks.md#citus-pgvector-worker-missing
      - alert: CitusPgvectorWorkerInactive
        expr: |
          max(citus_pgvector_workers_count{ {{- $sel }}, state="inactive"}) > 0
        for: 5m
        labels:
          severity: critical
          namespace: {{ $ns }}
        annotations:
          summary: {{ printf "Inactive Citus workers on %s" $coordinator | quote }}
          description: "{{`{{ $value }}`}} workers in pg_dist_node are inactive: queries that touch their shards fail."
          runbook: docs/runbooks.md#citus-pgvector-worker-inactive
      - alert: CitusPgvectorRegistrarFailing
        expr: |
          max by (namespace, cluster_name) (
            (citus_pgvector_node_group_id{namespace={{ $ns | quote }}, cluster_name=~{{ $workers | quote }}, role="primary"} <= bool 0)
            + (citus_pgvector_node_vector_installed{namespace={{ $ns | quote }}, cluster_name=~{{ $workers | quote }}, role="primary"} == bool 0)
            + (citus_pgvector_node_authinfo_entries{namespace={{ $ns | quote }}, cluster_name=~{{ $workers | quote }}, role="primary"} == bool 0)
          ) > 0
        for: 15m
        labels:
          severity: warning
          namespace: {{ $ns }}
        annotations:
          summary: "The registrar of {{`{{ $labels.cluster_name }}`}} has not finished its work"
          description: "Worker {{`{{ $labels.cluster_name }}`}} is not registered with the coordinator, lacks the vector extension or lacks the superuser's pg_dist_authinfo entry, 15 minutes on: its registrar sidecar keeps failing."
          runbook: docs/runbooks.md#citus-pgvector-registrar-failing
      - alert: CitusPgvectorReplicationLag
        expr: |
          max by (namespace, cluster_name, pod) (citus_pgvector_replication_lag_seconds{namespace={{ $ns | quote }}, cluster_name=~{{ printf "%s|%s" $coordinator $workers | quote }}}) > {{ $alerts.replicationLagSeconds }}
        for: 5m
        labels:
          severity: warning
          namespace: {{ $ns }}
        annotations:
          summary: "Replica {{`{{ $labels.pod }}`}} lags {{`{{ $value | humanizeDuration }}`}} behind its primary"
          description: "Reads on this replica are that stale, and a failover would first wait for the replay. With synchronous replication (the chart's default for clusters of 2 or more pods) a failover keeps every commit; with coordinator.patroni.synchronousMode or workers.patroni.synchronousMode off it loses what the replica has not received."
          runbook: docs/runbooks.md#citus-pgvector-replication-lag
      - alert: CitusPgvectorPreparedTransactionStuck
        expr: |
          max by (namespace, cluster_name) (citus_pgvector_prepared_xacts_oldest_age_seconds{namespace={{ $ns | quote }}, cluster_name=~{{ printf "%s|%s" $coordinator $workers | quote }}}) > {{ $alerts.preparedTransactionSeconds }}
        for: 5m
        labels:
          severity: warning
          namespace: {{ $ns }}
        annotations:
          summary: "A prepared transaction on {{`{{ $labels.cluster_name }}`}} is {{`{{ $value | humanizeDuration }}`}} old"
          description: "A two-phase commit Citus did not finish holds locks and keeps VACUUM from removing rows; Citus's recovery resolves it once every node is reachable."
          runbook: docs/runbooks.md#citus-pgvector-prepared-transaction-stuck
      - alert: CitusPgvectorVolumeNearlyFull
        expr: |
          100 * (1 - kubelet_volume_stats_available_bytes{namespace={{ $ns | quote }}, persistentvolumeclaim=~{{ printf "pgdata-(%s|%s)-[0-9]+" $coordinator $workers | quote }}}
            / kubelet_volume_stats_capacity_bytes{namespace={{ $ns | quote }}, persistentvolumeclaim=~{{ printf "pgdata-(%s|%s)-[0-9]+" $coordinator $workers | quote }}}) > {{ $alerts.volumeUsedPercent }}
        for: 10m
        labels:
          severity: warning
          namespace: {{ $ns }}
        annotations:
          summary: "Volume {{`{{ $labels.persistentvolumeclaim }}`}} is {{`{{ $value | humanize }}`}}% full"
          description: "PostgreSQL stops when its data volume is full; a worker's volume also has to hold shards the rebalancer moves onto it."
          runbook: docs/runbooks.md#citus-pgvector-volume-nearly-full
      {{- if include "citus-pgvector.restorePointsEnabled" . }}
      - alert: CitusPgvectorRestorePointStale
        expr: |
          max(citus_pgvector_restore_points_newest_age_seconds{ {{- $sel }}}) > {{ $alerts.restorePointAgeSeconds }}
        for: 5m
        labels:
          severity: warning
          namespace: {{ $ns }}
        annotations:
          summary: "No Citus restore point on {{ $coordinator }} for {{`{{ $value | humanizeDuration }}`}}"
          description: "The restore point job ({{ include "citus-pgvector.fullname" . }}-restore-points, schedule {{ .Values.backup.restorePoints.schedule }}) has not recorded a restore point for longer than {{ $alerts.restorePointAgeSeconds }}s: a consistent restore of the whole cluster can only go back to the newest one, so everything since is what a restore would lose."
          runbook: docs/runbooks.md#citus-pgvector-restore-point-stale
      {{- end }}
{{- end }}
