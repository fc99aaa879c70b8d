# The provider pointed at Wayfinder: only `endpoints` (and the test key pair) differ from a
# configuration for AWS. The skip_* flags spare the provider its account checks (STS
# GetCallerIdentity, IAM); ../seed-sts/provider.tf is the same provider without them.
terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "5.100.0"
    }
  }
}

provider "aws" {
  region     = var.region
  access_key = "test"
  secret_key = "test"

  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true

  # Tags on every resource that takes them: Wayfinder stores and returns them as AWS does.
  default_tags {
    tags = {
      Project = "seed"
    }
  }

  endpoints {
    apigatewayv2     = var.endpoint
    ec2              = var.endpoint
    ecs              = var.endpoint
    iam              = var.endpoint
    logs             = var.endpoint
    servicediscovery = var.endpoint
    sts              = var.endpoint
  }
}
