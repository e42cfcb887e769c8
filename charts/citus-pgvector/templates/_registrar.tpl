{{/*
Name of the ConfigMap that ships the registrar script to every worker pod.
*/}}
{{- define "citus-pgvector.registrarConfigMapName" -}}
{{- printf "%s-registrar" (include "citus-pgvector.fullname" .) }}
{{- end }}

{{/*
The registrar sidecar of one worker, as a one-item YAML list. Zalando sidecars take only name, image, command, env,
ports and resources, so the script comes in through additionalVolumes (see registrarVolume) and is run by path.
The operator adds POSTGRES_USER and POSTGRES_PASSWORD (this cluster's superuser, the same on every cluster).
Takes a dict: root, name (the worker's cluster name) and id.
*/}}
{{- define "citus-pgvector.registrarSidecar" -}}
{{- $root := .root }}
{{- $registrar := $root.Values.registrar }}
{{- $repository := default $root.Values.image.repository $registrar.image.repository }}
{{- $tag := default (default $root.Chart.AppVersion $root.Values.image.tag) $registrar.image.tag }}
- name: citus-worker-registrar
  image: {{ printf "%s:%s" $repository $tag | quote }}
  command:
    - /bin/bash
    - /opt/citus-pgvector/registrar/registrar.sh
  env:
    - name: COORDINATOR_HOST
      value: {{ include "citus-pgvector.coordinatorName" $root | quote }}
    - name: COORDINATOR_PORT
      value: "5432"
    - name: WORKER_HOST
      value: {{ .name | quote }}
    - name: WORKER_PORT
      value: "5432"
    - name: WORKER_ID
      value: {{ .id | quote }}
    # Replica reads: the operator's replica Service of this worker, and its primary Service under a second name
    # (namespaced, which the pods' DNS search path resolves and the chart's certificates name) for when no standby
    # answers there.
    - name: WORKER_REPLICA_HOST
      value: {{ printf "%s-repl" .name | quote }}
    - name: WORKER_REPLICA_PORT
      value: "5432"
    - name: WORKER_PRIMARY_ALIAS_HOST
      value: {{ printf "%s.%s" .name $root.Release.Namespace | quote }}
    - name: WORKER_PRIMARY_ALIAS_PORT
      value: "5432"
    - name: PGDATABASE
      value: {{ $root.Values.database.name | quote }}
    {{- include "citus-pgvector.sslEnv" $root | nindent 4 }}
    - name: REGISTRAR_INTERVAL_SECONDS
      value: {{ $registrar.intervalSeconds | quote }}
    {{- $extensions := list }}
    {{- range $name, $schema := include "citus-pgvector.extensions" $root | fromYaml }}
    {{- $extensions = append $extensions (printf "%s:%s" $name $schema) }}
    {{- end }}
    - name: REGISTRAR_EXTENSIONS
      value: {{ join "," $extensions | quote }}
    - name: REGISTRAR_EXTENSION_GRACE_SECONDS
      value: {{ $registrar.extensionGraceSeconds | quote }}
    {{- with $root.Values.applicationRoles }}
    - name: REGISTRAR_APPLICATION_ROLES
      value: {{ include "citus-pgvector.applicationRoleNames" $root | quote }}
    - name: REGISTRAR_APPLICATION_ROLES_DIR
      value: {{ include "citus-pgvector.applicationRolesMount" $root | quote }}
    - name: REGISTRAR_REPLICA_READ_ROLES
      value: {{ include "citus-pgvector.replicaReadRoleNames" $root | quote }}
    {{- end }}
  resources:
    requests:
      cpu: {{ $registrar.resources.requests.cpu | quote }}
      memory: {{ $registrar.resources.requests.memory | quote }}
    limits:
      cpu: {{ $registrar.resources.limits.cpu | quote }}
      memory: {{ $registrar.resources.limits.memory | quote }}
{{- end }}

{{/*
Where the registrar finds the password of each application role: a file named after the role.
*/}}
{{- define "citus-pgvector.applicationRolesMount" -}}
/etc/citus-pgvector/application-roles
{{- end }}

{{/*
The names of applicationRoles, comma-separated.
*/}}
{{- define "citus-pgvector.applicationRoleNames" -}}
{{- $names := list }}
{{- range .Values.applicationRoles }}
{{- $names = append $names .name }}
{{- end }}
{{- join "," $names }}
{{- end }}

{{/*
The names of applicationRoles with replicaReads, comma-separated.
*/}}
{{- define "citus-pgvector.replicaReadRoleNames" -}}
{{- $names := list }}
{{- range .Values.applicationRoles }}
{{- if .replicaReads }}
{{- $names = append $names .name }}
{{- end }}
{{- end }}
{{- join "," $names }}
{{- end }}

{{/*
The volumes of the registrar container only, as a YAML list: its script, the CA certificate when the server is
verified, and the application roles' passwords: one file per role from its Secret, in a projected volume (not
subPath), so the kubelet replaces a file when its Secret changes and the registrar's next pass applies it.
*/}}
{{- define "citus-pgvector.registrarVolume" -}}
{{- include "citus-pgvector.caAdditionalVolumes" (dict "root" . "container" "citus-worker-registrar") }}
- name: citus-worker-registrar
  mountPath: /opt/citus-pgvector/registrar
  targetContainers:
    - citus-worker-registrar
  volumeSource:
    configMap:
      name: {{ include "citus-pgvector.registrarConfigMapName" . }}
      defaultMode: 365
{{- with .Values.applicationRoles }}
- name: application-roles
  mountPath: {{ include "citus-pgvector.applicationRolesMount" $ }}
  targetContainers:
    - citus-worker-registrar
  volumeSource:
    projected:
      defaultMode: 288
      sources:
        {{- range . }}
        {{- $existing := .existingSecret | default dict }}
        {{- $secret := include "citus-pgvector.applicationRolesSecretName" $ }}
        {{- $key := .name }}
        {{- if $existing.name }}
        {{- $secret = $existing.name }}
        {{- $key = $existing.key | default "password" }}
        {{- end }}
        - secret:
            name: {{ $secret | quote }}
            items:
              - key: {{ $key | quote }}
                path: {{ .name | quote }}
        {{- end }}
{{- end }}
{{- end }}
