{{- define "gpu-dev-server.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "gpu-dev-server.namespace" -}}
{{ .Values.namespaces.controlplane }}
{{- end }}

{{/* Where the workloads connect: the primary's Service, or the proxy in their pod. */}}
{{- define "gpu-dev-server.postgresHost" -}}
{{- if .Values.databaseProxy.enabled -}}
127.0.0.1
{{- else -}}
postgres-primary.{{ .Values.namespaces.controlplane }}.svc.cluster.local
{{- end -}}
{{- end }}

{{/* The proxy as a native sidecar: started before the other init containers, kept running. */}}
{{- define "gpu-dev-server.databaseProxy" -}}
{{- if .Values.databaseProxy.enabled }}
- name: db-proxy
  image: {{ .Values.databaseProxy.image }}
  restartPolicy: Always
  args:
    - --port={{ .Values.databaseProxy.port }}
    - {{ .Values.databaseProxy.instance }}
  securityContext:
    runAsNonRoot: true
{{- end }}
{{- end }}

{{/* The chart's own schema check: a loop on one table, the weak check schemajob replaces. */}}
{{- define "gpu-dev-server.waitForSchema" -}}
- name: wait-for-schema
  image: "{{ .Values.databaseMigration.image.repository }}:{{ .Values.databaseMigration.image.tag }}"
  command: ["/bin/bash", "-c"]
  args:
    - |
      echo "Waiting for database schema to be ready..."
      until PGPASSWORD="$POSTGRES_PASSWORD" psql \
        -h {{ include "gpu-dev-server.postgresHost" . }} \
        -U {{ .Values.postgres.auth.username }} \
        -d {{ .Values.postgres.auth.database }} \
        -c "SELECT 1 FROM api_users LIMIT 1" > /dev/null 2>&1; do
        echo "Schema not ready - sleeping"
        sleep 3
      done
      echo "Database schema is ready!"
  env:
    - name: POSTGRES_PASSWORD
      valueFrom:
        secretKeyRef:
          name: postgres-credentials
          key: {{ .Values.postgres.auth.existingSecretKey }}
{{- end }}

{{- define "gpu-dev-server.postgresEnv" -}}
- name: POSTGRES_HOST
  value: {{ include "gpu-dev-server.postgresHost" . }}
- name: POSTGRES_PORT
  value: "5432"
- name: POSTGRES_USER
  value: {{ .Values.postgres.auth.username | quote }}
- name: POSTGRES_DB
  value: {{ .Values.postgres.auth.database | quote }}
- name: POSTGRES_PASSWORD
  valueFrom:
    secretKeyRef:
      name: postgres-credentials
      key: {{ .Values.postgres.auth.existingSecretKey }}
{{- end }}
