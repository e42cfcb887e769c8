{{/*
The coordinator's connection pooler fields of its postgresql resource, as YAML (empty when off). Both operator lines
take the same fields; the replica pooler stays off, so reads and writes go through the primary like Citus needs.
*/}}
{{- define "citus-pgvector.poolerSpec" -}}
{{- with .Values.pooler }}
{{- if .enabled }}
enableConnectionPooler: true
enableReplicaConnectionPooler: false
connectionPooler:
  numberOfInstances: {{ .instances }}
  mode: {{ .mode | quote }}
  {{- with .maxDBConnections }}
  maxDBConnections: {{ . }}
  {{- end }}
  {{- with .image }}
  dockerImage: {{ . | quote }}
  {{- end }}
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
Service fields of a postgresql resource, as YAML, on every resource whether externalAccess is on or not: the operator
decides each Service's type from these fields of the resource and, where one is missing, from its own configuration
(enable_master_load_balancer and the like, true by default in its code), so only an explicit false keeps a cluster
private. The coordinator's primary (and its pooler) get the operator's LoadBalancer or, on line 2.0, NodePort fields
set true by externalAccess; replicas, every worker and every pooler field of a worker stay false. The operator puts
masterServiceAnnotations on the primary's and the pooler's Service alike, so they are written when either is exposed.
Takes a dict: root and role ("coordinator" or "workers").
*/}}
{{- define "citus-pgvector.externalAccessSpec" -}}
{{- $root := .root }}
{{- $access := $root.Values.externalAccess }}
{{- $coordinator := eq .role "coordinator" }}
{{- $exposeMaster := and $access.enabled $coordinator $access.coordinator | default false }}
{{- $exposePooler := and $access.enabled $coordinator $access.pooler | default false }}
{{- $nodePort := eq $access.type "NodePort" }}
enableMasterLoadBalancer: {{ and $exposeMaster (not $nodePort) }}
enableReplicaLoadBalancer: false
enableMasterPoolerLoadBalancer: {{ and $exposePooler (not $nodePort) }}
enableReplicaPoolerLoadBalancer: false
{{- if eq $root.Values.operator.line "2.0" }}
enableMasterNodePort: {{ and $exposeMaster $nodePort }}
enableReplicaNodePort: false
{{- if and $exposeMaster $nodePort $access.coordinatorNodePort }}
masterNodePort: {{ $access.coordinatorNodePort }}
{{- end }}
enableMasterPoolerNodePort: {{ and $exposePooler $nodePort }}
enableReplicaPoolerNodePort: false
{{- if and $exposePooler $nodePort $access.poolerNodePort }}
masterPoolerNodePort: {{ $access.poolerNodePort }}
{{- end }}
{{- end }}
{{- if and $access.enabled $coordinator $access.allowedSourceRanges }}
allowedSourceRanges:
  {{- toYaml $access.allowedSourceRanges | nindent 2 }}
{{- end }}
{{- if and (or $exposeMaster $exposePooler) $access.serviceAnnotations }}
masterServiceAnnotations:
  {{- range $k, $v := $access.serviceAnnotations }}
  {{ $k }}: {{ toString $v | quote }}
  {{- end }}
{{- end }}
{{- end }}

{{/*
Why the pooler, TLS and exposure values cannot work, as a list of problems (the same rules the generator checks, for
--set at install time).
*/}}
{{- define "citus-pgvector.featureProblems" -}}
{{- $problems := list }}
{{- with .Values.externalAccess }}
{{- if .enabled }}
{{- $line115 := eq (toString $.Values.operator.line) "1.15" }}
{{- if and (eq .type "NodePort") $line115 }}
{{- $problems = append $problems "externalAccess.type: NodePort needs operator line 2.0 (enableMasterNodePort); operator.line 1.15 has only LoadBalancer, got \"NodePort\"" }}
{{- end }}
{{- if and (not .coordinator) (not .pooler) }}
{{- $problems = append $problems "externalAccess: enabled, but neither externalAccess.coordinator nor externalAccess.pooler is true" }}
{{- end }}
{{- if and .pooler (not $.Values.pooler.enabled) }}
{{- $problems = append $problems "externalAccess.pooler: needs pooler.enabled: true" }}
{{- end }}
{{- if and (eq .type "LoadBalancer") (or .coordinatorNodePort .poolerNodePort) }}
{{- $problems = append $problems (printf "externalAccess.%s: applies only to externalAccess.type NodePort" (ternary "coordinatorNodePort" "poolerNodePort" (not (empty .coordinatorNodePort)))) }}
{{- end }}
{{- if $line115 }}
{{- range $i, $range := .allowedSourceRanges }}
{{- if not (regexMatch "^[0-9]+\\.[0-9]+\\.[0-9]+\\.[0-9]+/[0-9]+$" $range) }}
{{- $problems = append $problems (printf "externalAccess.allowedSourceRanges[%d]: operator line 1.15 accepts IPv4 ranges only, got %q" $i $range) }}
{{- end }}
{{- end }}
{{- end }}
{{- end }}
{{- end }}
{{- with .Values.tls }}
{{- if and .caSecretName (not .caFile) }}
{{- $problems = append $problems (printf "tls.caFile: must name the CA key of Secret %q when tls.caSecretName is set" .caSecretName) }}
{{- end }}
{{- if and (not .secretName) (not .certManager.enabled) (or .caFile .caSecretName) }}
{{- $problems = append $problems (printf "%s: needs tls.secretName or tls.certManager.enabled: the operator takes a CA only with a server certificate" (ternary "tls.caSecretName" "tls.caFile" (empty .caFile))) }}
{{- end }}
{{- if and .certManager.enabled (not .certManager.issuerName) }}
{{- $problems = append $problems "tls.certManager.issuerName: must be set when tls.certManager.enabled is true" }}
{{- end }}
{{- $volumes := include "citus-pgvector.podVolumeNames" $ | fromYamlArray }}
{{- range $key := list "secretName" "caSecretName" }}
{{- $name := index $.Values.tls $key }}
{{- if has $name $volumes }}
{{- $problems = append $problems (printf "tls.%s: must not be the name of a volume the pods already have (the operator names its TLS volume after the Secret): %s, got %q" $key (join ", " $volumes) $name) }}
{{- end }}
{{- end }}
{{- if and .caSecretName (eq .caSecretName .secretName) }}
{{- $problems = append $problems (printf "tls.caSecretName: must differ from tls.secretName (leave it empty when the CA is in that Secret: the operator would mount two volumes of one name), got %q" .caSecretName) }}
{{- end }}
{{- end }}
{{- with .Values.pooler }}
{{- if and .enabled .maxDBConnections (eq (div (div (int .maxDBConnections) (int .instances)) 2) 0) }}
{{- $problems = append $problems (printf "pooler.maxDBConnections: must be 0 (the operator's default) or at least 2 x pooler.instances = %d (the operator gives each pod maxDBConnections / instances and pools half of that, in integers: less is a pool of 0), got %d" (mul 2 (int .instances)) (int .maxDBConnections)) }}
{{- end }}
{{- end }}
{{- if and .Values.networkPolicy.enabled .Values.metrics.enabled (not .Values.networkPolicy.metricsNamespaces) }}
{{- $problems = append $problems "networkPolicy.metricsNamespaces: must list your Prometheus's namespace when metrics.enabled and networkPolicy.enabled are true: the policy admits port 9187 only from these namespaces, so nothing could scrape it" }}
{{- end }}
{{- toJson $problems }}
{{- end }}

{{/*
Volumes every pod of a cluster may have, as a YAML list: the operator's (data, shared memory, socket directory) and the
chart's additionalVolumes. The operator adds a volume named after tls.secretName (and tls.caSecretName) without
checking names, so neither may be one of these (Values.Tls.POD_VOLUME_NAMES in the generator lists the same).
*/}}
{{- define "citus-pgvector.podVolumeNames" -}}
- pgdata
- dshm
- postgresql-run
- citus-worker-registrar
- application-roles
- tls-ca
- wal-gcs-credentials
- postgres-exporter-queries
{{- end }}
