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
  resources:
    requests:
      cpu: {{ $registrar.resources.requests.cpu | quote }}
      memory: {{ $registrar.resources.requests.memory | quote }}
    limits:
      cpu: {{ $registrar.resources.limits.cpu | quote }}
      memory: {{ $registrar.resources.limits.memory | quote }}
{{- end }}

{{/*
The volumes of the registrar container only, as a YAML list: its script, and the CA certificate when the server is
verified.
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
{{- end }}
