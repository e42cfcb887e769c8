{{/*
Secret with the server certificate of every cluster: tls.secretName, or the Secret cert-manager writes for the
chart's Certificate; empty keeps Spilo's self-signed certificate.
*/}}
{{- define "citus-pgvector.tlsSecretName" -}}
{{- if .Values.tls.secretName }}
{{- .Values.tls.secretName }}
{{- else if .Values.tls.certManager.enabled }}
{{- printf "%s-tls" (include "citus-pgvector.fullname" .) }}
{{- end }}
{{- end }}

{{/*
"true" when clients can verify the server: a certificate and the key of its CA are given.
*/}}
{{- define "citus-pgvector.tlsVerify" -}}
{{- if and (include "citus-pgvector.tlsSecretName" .) .Values.tls.caFile }}true{{ end }}
{{- end }}

{{/*
Where the chart's own containers (registrar, hooks, test pod) find the CA certificate.
*/}}
{{- define "citus-pgvector.caMountPath" -}}
/opt/citus-pgvector/tls-ca
{{- end }}

{{/*
spec.tls of a postgresql resource (and of its pooler), as YAML (empty without a certificate). The operator mounts
caSecretName at /tlsca and points Spilo's SSL_CA_FILE at caFile in it, else at caFile in the certificate's Secret.
It mounts the Secret with mode 0640, so the pods get Spilo's postgres group (103) as fsGroup, as the operator's
documentation requires for custom certificates: PostgreSQL then can read the key.
*/}}
{{- define "citus-pgvector.tlsSpec" -}}
{{- $secret := include "citus-pgvector.tlsSecretName" . }}
{{- if $secret }}
spiloFSGroup: 103
tls:
  secretName: {{ $secret | quote }}
  {{- with .Values.tls.caSecretName }}
  caSecretName: {{ . | quote }}
  {{- end }}
  {{- with .Values.tls.caFile }}
  caFile: {{ . | quote }}
  {{- end }}
{{- end }}
{{- end }}

{{/*
libpq's TLS settings for the chart's containers, as a YAML list of env entries: verify-full against the CA when one
is given (the scripts read PGSSLMODE and PGSSLROOTCERT like psql does), else require, because Spilo refuses TCP
clients without TLS.
*/}}
{{- define "citus-pgvector.sslEnv" -}}
{{- if include "citus-pgvector.tlsVerify" . }}
- name: PGSSLMODE
  value: verify-full
- name: PGSSLROOTCERT
  value: {{ printf "%s/%s" (include "citus-pgvector.caMountPath" .) .Values.tls.caFile | quote }}
{{- else }}
- name: PGSSLMODE
  value: require
{{- end }}
{{- end }}

{{/*
The Secret volume with the CA certificate, as a pod volume list (empty when nothing is verified).
*/}}
{{- define "citus-pgvector.caPodVolumes" -}}
{{- if include "citus-pgvector.tlsVerify" . }}
- name: tls-ca
  secret:
    secretName: {{ default (include "citus-pgvector.tlsSecretName" .) .Values.tls.caSecretName | quote }}
    items:
      - key: {{ .Values.tls.caFile | quote }}
        path: {{ .Values.tls.caFile | quote }}
{{- end }}
{{- end }}

{{/*
The same CA volume as a Zalando additionalVolumes entry for the given sidecar, as a YAML list. Takes a dict: root
and container.
*/}}
{{- define "citus-pgvector.caAdditionalVolumes" -}}
{{- $root := .root }}
{{- if include "citus-pgvector.tlsVerify" $root }}
- name: tls-ca
  mountPath: {{ include "citus-pgvector.caMountPath" $root }}
  targetContainers:
    - {{ .container }}
  volumeSource:
    secret:
      secretName: {{ default (include "citus-pgvector.tlsSecretName" $root) $root.Values.tls.caSecretName | quote }}
      items:
        - key: {{ $root.Values.tls.caFile | quote }}
          path: {{ $root.Values.tls.caFile | quote }}
{{- end }}
{{- end }}

{{/*
Service names a certificate must cover for clients to verify any cluster or the pooler: the short name the chart's
containers use, and the namespaced forms applications use.
*/}}
{{- define "citus-pgvector.tlsDnsNames" -}}
{{- $names := list (include "citus-pgvector.coordinatorName" .) }}
{{- $names = append $names (printf "%s-repl" (include "citus-pgvector.coordinatorName" .)) }}
{{- $names = append $names (printf "%s-pooler" (include "citus-pgvector.coordinatorName" .)) }}
{{- range $i := until (int .Values.workers.count) }}
{{- $worker := include "citus-pgvector.workerName" (dict "root" $ "id" (add1 $i)) }}
{{- $names = append $names $worker }}
{{- $names = append $names (printf "%s-repl" $worker) }}
{{- end }}
{{- $namespace := include "citus-pgvector.namespace" . }}
{{- range $name := $names }}
- {{ $name }}
- {{ printf "%s.%s" $name $namespace }}
- {{ printf "%s.%s.svc" $name $namespace }}
- {{ printf "%s.%s.svc.cluster.local" $name $namespace }}
{{- end }}
- localhost
{{- end }}
