# Renders the database's manifests and applies them whenever the content hash changes.
# Built-in resources only (terraform_data, local-exec): no provider to download.
#   TF_VAR_schema_hash=$(schemajob hash) tofu apply
variable "schema_hash" {
  description = "The content hash (schemajob hash): a new one re-runs the provisioner."
  type        = string
}

variable "schemajob" {
  description = "The schemajob executable."
  type        = string
  default     = "schemajob"
}

variable "database" {
  description = "The database/ directory."
  type        = string
  default     = "database"
}

variable "output_dir" {
  description = "Where render writes one file per object and a Kustomization."
  type        = string
  default     = "deploy"
}

variable "apply_command" {
  description = "Run with the output directory as its last argument."
  type        = string
  default     = "kubectl apply --prune -l app.kubernetes.io/managed-by=schemajob,app.kubernetes.io/instance=gpu-dev -k"
}

resource "terraform_data" "database" {
  triggers_replace = [var.schema_hash]

  provisioner "local-exec" {
    # Values reach the shell as environment variables, never pasted into its text.
    command = "\"$SCHEMAJOB\" render --database \"$DATABASE\" --output-dir \"$OUTPUT_DIR\" && $APPLY_COMMAND \"$OUTPUT_DIR\""
    environment = {
      SCHEMAJOB     = var.schemajob
      DATABASE      = var.database
      OUTPUT_DIR    = var.output_dir
      APPLY_COMMAND = var.apply_command
    }
  }
}

output "schema_hash" {
  value = terraform_data.database.triggers_replace[0]
}
