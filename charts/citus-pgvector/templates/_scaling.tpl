{{/*
Name of the ConfigMap that ships the hook and test scripts and SQL (files/scripts, files/sql) to the hook Jobs and
the helm test pod.
*/}}
{{- define "citus-pgvector.scalingConfigMapName" -}}
{{- printf "%s-scaling" (include "citus-pgvector.fullname" .) }}
{{- end }}

{{/*
Hook events that need the scripts ConfigMap, comma-separated (empty when no hook or test is on). Hooks are not part
of the release, so each event creates its own copy first (weight -10).
*/}}
{{- define "citus-pgvector.scriptHookEvents" -}}
{{- $events := list }}
{{- if .Values.scaling.hooks }}
{{- $events = concat $events (list "pre-upgrade" "pre-rollback" "post-upgrade" "post-rollback") }}
{{- end }}
{{- if .Values.scaling.guardUninstall }}
{{- $events = append $events "pre-delete" }}
{{- end }}
{{- if .Values.helmTest.enabled }}
{{- $events = append $events "test" }}
{{- end }}
{{- join "," $events }}
{{- end }}

{{/*
host:port of every worker of workers.count, comma-separated, as Citus knows them (Service name, port 5432): the
workers the scaling hooks keep, or wait for.
*/}}
{{- define "citus-pgvector.desiredWorkers" -}}
{{- $workers := list }}
{{- range $i := until (int .Values.workers.count) }}
{{- $workers = append $workers (printf "%s:5432" (include "citus-pgvector.workerName" (dict "root" $ "id" (add1 $i)))) }}
{{- end }}
{{- join "," $workers }}
{{- end }}

{{/*
Names of this release's workers in pg_dist_node, as a regular expression: the scaling hooks touch no other node.
*/}}
{{- define "citus-pgvector.workerNameRegex" -}}
{{- printf "^%s$" (include "citus-pgvector.workerName" (dict "root" . "id" "[0-9]+")) }}
{{- end }}

{{/*
Why the scaling values cannot work, as a failure: Citus needs a worker, and going to 0 would delete every worker.
*/}}
{{- define "citus-pgvector.validateScaling" -}}
{{- if lt (int .Values.workers.count) 1 }}
{{- fail (printf "\n\ncitus-pgvector: workers.count must be at least 1, got %d: Citus needs a worker to hold the shards, and the scale-down hook refuses to drain the last one" (int .Values.workers.count)) }}
{{- end }}
{{- end }}

{{/*
Pod spec that runs one of the chart's scripts against the coordinator as the superuser, over TLS (Spilo rejects TCP
without it), verifying the server when tls gives a CA, on a node of the image's architecture. No Kubernetes API
access: everything happens in SQL.
Takes a dict: root, script (file name in files/scripts), env (extra env entries, a list), timeoutSeconds and
optionally configMap (the ConfigMap with the script; default: the hooks' copy).
*/}}
{{- define "citus-pgvector.scriptPodSpec" -}}
{{- $root := .root }}
{{- $scaling := $root.Values.scaling }}
{{- $repository := default $root.Values.image.repository $scaling.image.repository }}
{{- $tag := default (default $root.Chart.AppVersion $root.Values.image.tag) $scaling.image.tag }}
{{- $secret := include "citus-pgvector.superuserSecretName" (include "citus-pgvector.coordinatorName" $root) }}
restartPolicy: Never
automountServiceAccountToken: false
{{- include "citus-pgvector.imagePullSecrets" $root | nindent 0 }}
{{- with include "citus-pgvector.nodeAffinity" (dict "root" $root) | fromYaml }}
affinity:
  nodeAffinity:
    {{- toYaml . | nindent 4 }}
{{- end }}
securityContext:
  runAsNonRoot: true
  runAsUser: 101
  runAsGroup: 103
  seccompProfile:
    type: RuntimeDefault
containers:
  - name: {{ trimSuffix ".sh" .script }}
    image: {{ printf "%s:%s" $repository $tag | quote }}
    command:
      - /bin/bash
      - {{ printf "/opt/citus-pgvector/scripts/%s" .script }}
    env:
      - name: PGHOST
        value: {{ include "citus-pgvector.coordinatorName" $root | quote }}
      - name: PGPORT
        value: "5432"
      - name: PGDATABASE
        value: {{ $root.Values.database.name | quote }}
      {{- include "citus-pgvector.sslEnv" $root | nindent 6 }}
      - name: PGUSER
        valueFrom:
          secretKeyRef:
            name: {{ $secret }}
            key: username
      - name: PGPASSWORD
        valueFrom:
          secretKeyRef:
            name: {{ $secret }}
            key: password
      - name: TIMEOUT_SECONDS
        value: {{ .timeoutSeconds | quote }}
      {{- with .env }}
      {{- toYaml . | nindent 6 }}
      {{- end }}
    resources:
      requests:
        cpu: {{ $scaling.resources.requests.cpu | quote }}
        memory: {{ $scaling.resources.requests.memory | quote }}
      limits:
        cpu: {{ $scaling.resources.limits.cpu | quote }}
        memory: {{ $scaling.resources.limits.memory | quote }}
    securityContext:
      allowPrivilegeEscalation: false
      capabilities:
        drop:
          - ALL
    volumeMounts:
      - name: scripts
        mountPath: /opt/citus-pgvector/scripts
        readOnly: true
      {{- if include "citus-pgvector.tlsVerify" $root }}
      - name: tls-ca
        mountPath: {{ include "citus-pgvector.caMountPath" $root }}
        readOnly: true
      {{- end }}
volumes:
  - name: scripts
    configMap:
      name: {{ .configMap | default (include "citus-pgvector.scalingConfigMapName" $root) }}
      defaultMode: 365
  {{- include "citus-pgvector.caPodVolumes" $root | nindent 2 }}
{{- end }}

{{/*
Hook annotations of a Job: Helm deletes it before creating the next one and after it succeeded, and keeps a failed
one (and its pod's log) for debugging. Takes a dict: events and weight.
*/}}
{{- define "citus-pgvector.hookAnnotations" -}}
helm.sh/hook: {{ .events }}
helm.sh/hook-weight: {{ .weight | quote }}
helm.sh/hook-delete-policy: before-hook-creation,hook-succeeded
{{- end }}
