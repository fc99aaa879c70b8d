# The seed's provider block WITHOUT the skip_* flags: the provider checks the credentials and asks
# for the account id (STS GetCallerIdentity) as it does on AWS, so `sts` and `iam` must be served by
# Wayfinder. Use it in place of ../seed/provider.tf; everything else is ../seed/*.tf unchanged.
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
