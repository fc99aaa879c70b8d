# The endpoint comes from the API itself (GetApi's ApiEndpoint). The stage's `invoke_url` attribute is
# not used: the provider builds it locally as https://{id}.execute-api.{region}.amazonaws.com/ without
# asking the endpoint, so it names AWS even when the API lives on Wayfinder.
output "invoke_url" {
  description = "The HTTP API's $default stage: requests go through the VPC link to the Cloud Map service's tasks."
  value       = "${aws_apigatewayv2_api.app.api_endpoint}/"
}

output "api_id" {
  value = aws_apigatewayv2_api.app.id
}

output "cluster_name" {
  value = aws_ecs_cluster.app.name
}

output "namespace_id" {
  value = aws_service_discovery_private_dns_namespace.app.id
}

output "vpc_id" {
  value = aws_vpc.app.id
}
