{{/* The chart's name, or nameOverride. */}}
{{- define "managedsecret.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* The full name of the objects: the release's name when it contains the chart's name. */}}
{{- define "managedsecret.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/* Labels of every object. */}}
{{- define "managedsecret.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "managedsecret.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: managedsecret-operator
{{- end }}

{{/* Labels that select the operator's pods. */}}
{{- define "managedsecret.selectorLabels" -}}
app.kubernetes.io/name: {{ include "managedsecret.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/* The operator's ServiceAccount. */}}
{{- define "managedsecret.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "managedsecret.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- required "serviceAccount.name is needed when serviceAccount.create is false" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* The image, by digest when one is given. */}}
{{- define "managedsecret.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}
{{- end }}

{{/* "true" when leader election is on: as configured, or with more than one replica. */}}
{{- define "managedsecret.leaderElection" -}}
{{- if kindIs "bool" .Values.config.leaderElection }}
{{- .Values.config.leaderElection }}
{{- else }}
{{- gt (int .Values.replicaCount) 1 }}
{{- end }}
{{- end }}

{{/* The operator's configuration file: config.* with the release's namespace. */}}
{{- define "managedsecret.config" -}}
{{- $config := deepCopy .Values.config }}
{{- $_ := set $config "namespace" .Release.Namespace }}
{{- $_ := set $config "leaderElection" (eq (include "managedsecret.leaderElection" .) "true") }}
{{- if not $config.endpoint.tls.serviceName }}
{{- $_ := set $config.endpoint.tls "serviceName" (printf "%s-endpoint" (include "managedsecret.fullname" .)) }}
{{- end }}
{{- if not $config.accountId }}
{{- $_ := unset $config "accountId" }}
{{- end }}
{{- toYaml $config }}
{{- end }}

{{/*
"true" when this release takes part in replication: it replicates to peer regions
(config.replication.peers) or accepts replicas from them (replication.acceptFrom). Only then does
the operator get its rights on ManagedSecretReplicas.
*/}}
{{- define "managedsecret.replication" -}}
{{- or (not (empty .Values.config.replication.peers)) (not (empty .Values.replication.acceptFrom)) }}
{{- end }}

{{/* The peer operators of replication.acceptFrom as RBAC subjects. */}}
{{- define "managedsecret.replicationSubjects" -}}
{{- range .Values.replication.acceptFrom }}
- kind: {{ .kind }}
  name: {{ .name | quote }}
  {{- if eq .kind "ServiceAccount" }}
  namespace: {{ required "replication.acceptFrom: a ServiceAccount needs its namespace" .namespace | quote }}
  {{- else }}
  apiGroup: rbac.authorization.k8s.io
  {{- end }}
{{- end }}
{{- end }}
