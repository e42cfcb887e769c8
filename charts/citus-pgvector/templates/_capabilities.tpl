{{/*
"true" when the API the render targets serves an API version (group/version, or group/version/Kind), else empty: the
one place the chart asks .Capabilities.APIVersions, so citus-pgvector template can answer its --api-versions as
helm template does. Takes a dict: root (the top context) and api.
*/}}
{{- define "citus-pgvector.apiServed" -}}
{{- if .root.Capabilities.APIVersions.Has .api }}true{{ end }}
{{- end }}
