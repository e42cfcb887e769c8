{{/*
What the Kubernetes API says about this release's clusters, as YAML: the only place the chart calls lookup. Keys:
  operatorApi        the API the render targets serves acid.zalan.do/v1 postgresql: Helm asks the cluster at install
                     and upgrade; Argo CD passes the cluster's API versions to helm template; helm template and
                     helm lint alone, and helm-java, know only Kubernetes' built-in APIs
  reachable          the render reads the cluster (helm install, helm upgrade, --dry-run=server)
  coordinator        the coordinator's postgresql resource, when it exists
  workers            the postgresql resources of workers 1 to workers.count that exist, by name
  coordinatorSecret  the coordinator's superuser credentials Secret, when it exists
  applicationRolesSecret  the Secret that keeps the generated passwords of applicationRoles, when it exists
Lookups run only when the target serves the operator's API: some client-only renders (helm-java's template) try a
real lookup and fail without a cluster, and a lookup of a kind the API does not serve fails the render. Renders that
do not read the cluster (helm template, Argo CD) get nothing from lookup, so reachable tells them apart: listing the
release namespace's ServiceAccounts answers a list object whenever there is a cluster, even for a namespace that does
not exist yet.
*/}}
{{- define "citus-pgvector.cluster" -}}
{{- $state := dict "operatorApi" false "reachable" false }}
{{- if include "citus-pgvector.apiServed" (dict "root" . "api" "acid.zalan.do/v1/postgresql") }}
{{- $namespace := .Release.Namespace }}
{{- $coordinatorName := include "citus-pgvector.coordinatorName" . }}
{{- $_ := set $state "operatorApi" true }}
{{- $_ := set $state "reachable" (not (empty (lookup "v1" "ServiceAccount" $namespace ""))) }}
{{- $_ := set $state "coordinator" (lookup "acid.zalan.do/v1" "postgresql" $namespace $coordinatorName) }}
{{- $workers := dict }}
{{- range $i := until (int .Values.workers.count) }}
{{- $name := include "citus-pgvector.workerName" (dict "root" $ "id" (add1 $i)) }}
{{- with lookup "acid.zalan.do/v1" "postgresql" $namespace $name }}
{{- $_ := set $workers $name . }}
{{- end }}
{{- end }}
{{- $_ := set $state "workers" $workers }}
{{- $secretName := include "citus-pgvector.superuserSecretName" $coordinatorName }}
{{- $_ := set $state "coordinatorSecret" (lookup "v1" "Secret" $namespace $secretName) }}
{{- $rolesSecretName := include "citus-pgvector.applicationRolesSecretName" . }}
{{- $_ := set $state "applicationRolesSecret" (lookup "v1" "Secret" $namespace $rolesSecretName) }}
{{- end }}
{{- toYaml $state }}
{{- end }}
