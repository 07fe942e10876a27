{{/* Names, labels and the operator's RBAC rules, shared by the templates. */}}

{{- define "syncpool.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* The release's full name: <release>-syncpool, or the release name if it says syncpool already. */}}
{{- define "syncpool.fullname" -}}
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

{{/*
Cluster-scoped objects (ClusterRoles and their bindings) carry the release's namespace
too: one release per team namespace, each named "syncpool", must not collide.
*/}}
{{- define "syncpool.clusterName" -}}
{{- printf "%s-%s" .Release.Namespace (include "syncpool.fullname" .) | trunc 253 | trimSuffix "-" }}
{{- end }}

{{/* Every object of the release. */}}
{{/* Quoted: a pool's labels go through fromYaml, where 1.0 would become a number. */}}
{{- define "syncpool.commonLabels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" | quote }}
app.kubernetes.io/name: {{ include "syncpool.name" . | quote }}
app.kubernetes.io/instance: {{ .Release.Name | quote }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service | quote }}
app.kubernetes.io/part-of: syncpool
{{- end }}

{{/* The operator's own objects. */}}
{{- define "syncpool.labels" -}}
{{ include "syncpool.commonLabels" . }}
app.kubernetes.io/component: operator
{{- end }}

{{- define "syncpool.selectorLabels" -}}
app.kubernetes.io/name: {{ include "syncpool.name" . | quote }}
app.kubernetes.io/instance: {{ .Release.Name | quote }}
app.kubernetes.io/component: operator
{{- end }}

{{- define "syncpool.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "syncpool.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "syncpool.leaseName" -}}
{{- default (include "syncpool.fullname" .) .Values.leaderElection.leaseName }}
{{- end }}

{{/* Where pools from values go when they name no namespace. */}}
{{- define "syncpool.poolNamespace" -}}
{{- default .Release.Namespace .Values.watchNamespace }}
{{- end }}

{{- define "syncpool.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}
{{- end }}

{{/* How sync pods reach the heartbeat endpoint: this release's Service. */}}
{{- define "syncpool.heartbeatUrl" -}}
{{- printf "http://%s.%s.svc:%d/api/v1/heartbeat" (include "syncpool.fullname" .) .Release.Namespace (int .Values.service.port) }}
{{- end }}

{{/*
What the operator does in the namespaces it watches, and nothing more: every rule maps to
calls in src/kube (and test/integration/helm/leastPrivilege.test.ts runs a whole drain
under exactly these rules). No Secrets: a task's secret parameters reach its pod through
secretKeyRef env in the Job, which the Job's creator needs no access to read. No CRDs:
the chart installs them.
*/}}
{{- define "syncpool.operatorRules" -}}
# The two kinds: watched (informers list + watch), finished tasks deleted after their
# retention (writers.deleteTask); status is the operator's to write. One live get of a
# pool the cache lacks before a task, or an adopted CronJob's Event, says it has none
# (the cache may be behind).
- apiGroups: [syncpool.dev]
  resources: [synctasks]
  verbs: [list, watch, delete]
- apiGroups: [syncpool.dev]
  resources: [workerpools]
  verbs: [get, list, watch]
- apiGroups: [syncpool.dev]
  resources: [synctasks/status, workerpools/status]
  verbs: [patch]
# Jobs and CronJobs carry blockOwnerDeletion owner references to their SyncTask; with the
# OwnerReferencesPermissionEnforcement admission plugin, setting one needs this.
- apiGroups: [syncpool.dev]
  resources: [synctasks/finalizers]
  verbs: [update]
# Runs: the pools' queues are suspended Jobs. Created (and dry-run created to check a
# pool's template), admitted/annotated/re-ranked/terminated by patch, cancelled by delete,
# and one live get for a Job the cache may not show yet (a cancel right after a create).
- apiGroups: [batch]
  resources: [jobs]
  verbs: [get, list, watch, create, patch, delete]
# Periodic tasks' CronJobs (create, replaced when the task changes, deleted on cancel) and
# adopted CronJobs (patched); watched without a selector, since a label removed must be seen.
- apiGroups: [batch]
  resources: [cronjobs]
  verbs: [list, watch, create, update, patch, delete]
# Sync pods: the cap counts a run until its pod is gone; heartbeats map a token's pod to
# its run (a live get for a pod the watch has not shown yet); a departed Job's pods are
# counted live (list).
- apiGroups: [""]
  resources: [pods]
  verbs: [get, list, watch]
# Why a run never started (FailedCreate: quota, Pod Security): read from the Job's Events.
- apiGroups: [""]
  resources: [events]
  verbs: [list]
# The decisions users see in `kubectl describe`; repeats update the Event's series.
- apiGroups: [events.k8s.io]
  resources: [events]
  verbs: [create, patch]
{{- end }}
