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
Service fields of a postgresql resource for externalAccess, as YAML. The coordinator's primary (and its pooler) get
the operator's LoadBalancer or, on line 2.0, NodePort fields; replicas and every worker get an explicit false, so an
operator configured to expose clusters by default does not expose them. Empty when externalAccess is off.
Takes a dict: root and role ("coordinator" or "workers").
*/}}
{{- define "citus-pgvector.externalAccessSpec" -}}
{{- $root := .root }}
{{- with $root.Values.externalAccess }}
{{- if .enabled }}
{{- $coordinator := eq $.role "coordinator" }}
{{- $exposeMaster := and $coordinator .coordinator }}
{{- $exposePooler := and $coordinator .pooler }}
{{- $nodePort := eq .type "NodePort" }}
enableMasterLoadBalancer: {{ and $exposeMaster (not $nodePort) }}
enableReplicaLoadBalancer: false
{{- if $coordinator }}
enableMasterPoolerLoadBalancer: {{ and $exposePooler (not $nodePort) }}
enableReplicaPoolerLoadBalancer: false
{{- end }}
{{- if eq $root.Values.operator.line "2.0" }}
enableMasterNodePort: {{ and $exposeMaster $nodePort }}
enableReplicaNodePort: false
{{- if and $exposeMaster $nodePort .coordinatorNodePort }}
masterNodePort: {{ .coordinatorNodePort }}
{{- end }}
{{- if $coordinator }}
enableMasterPoolerNodePort: {{ and $exposePooler $nodePort }}
enableReplicaPoolerNodePort: false
{{- if and $exposePooler $nodePort .poolerNodePort }}
masterPoolerNodePort: {{ .poolerNodePort }}
{{- end }}
{{- end }}
{{- end }}
{{- if and $coordinator .allowedSourceRanges }}
allowedSourceRanges:
  {{- toYaml .allowedSourceRanges | nindent 2 }}
{{- end }}
{{- if and $exposeMaster .serviceAnnotations }}
masterServiceAnnotations:
  {{- range $k, $v := .serviceAnnotations }}
  {{ $k }}: {{ toString $v | quote }}
  {{- end }}
{{- end }}
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
{{- end }}
{{- toJson $problems }}
{{- end }}
