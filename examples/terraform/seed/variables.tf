variable "endpoint" {
  description = "Wayfinder's edge endpoint: every AWS service of this configuration is sent there."
  type        = string
  default     = "http://localhost:4566"
}

variable "region" {
  description = "AWS region the resources are created in."
  type        = string
  default     = "us-east-1"
}

variable "name" {
  description = "Name (and prefix) of the app's resources."
  type        = string
  default     = "flask-app"
}

variable "image" {
  description = "The app's container image (examples/seed-walkthrough/build-image.sh builds this one locally)."
  type        = string
  default     = "flask-app-fargate-fargate:latest"
}

variable "entry_point" {
  description = "Container entry point. Unset for the Docker runtime; on Wayfinder's process runtime the command runs on the host, e.g. [\"python3\", \"/path/to/examples/seed-walkthrough/app.py\"]."
  type        = list(string)
  default     = null
}
