#!/usr/bin/env bash
# The seed walkthrough ("Field Notes: Integrating HTTP APIs with AWS Cloud Map and Amazon ECS
# Services"), one aws CLI call per step, against Wayfinder. Start Wayfinder first (`npm start` in the
# repo), then run this script. It ends by curling the HTTP API's invoke URL: "Serving flask app".
#
#   examples/seed-walkthrough/walkthrough.sh            # tasks as local processes (or containers, if
#                                                       # Wayfinder runs with --runtime docker)
# Environment: AWS_ENDPOINT_URL (default http://localhost:4566), AWS_DEFAULT_REGION (default eu-west-2,
# the seed's London), WAYFINDER_DNS_PORT (default 8053). Works with aws CLI v1 and v2.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
export AWS_ENDPOINT_URL=${AWS_ENDPOINT_URL:-http://localhost:4566}
export AWS_DEFAULT_REGION=${AWS_DEFAULT_REGION:-eu-west-2}
export AWS_ACCESS_KEY_ID=${AWS_ACCESS_KEY_ID:-test} AWS_SECRET_ACCESS_KEY=${AWS_SECRET_ACCESS_KEY:-test}
DNS_PORT=${WAYFINDER_DNS_PORT:-8053}
NAME=${NAME:-flask-app}
aws() { command aws --endpoint-url "$AWS_ENDPOINT_URL" --output text "$@"; }
wayfinder() { node "$repo/bin/wayfinder.js" "$@"; }
if [ -t 1 ] && [ -z "${NO_COLOR:-}" ]; then B=$'\033[1m' R=$'\033[0m'; else B='' R=''; fi
step() { printf '\n%s== %s%s\n' "$B" "$*" "$R"; }

step "0. Wayfinder is up"
wayfinder wait ready --timeout 30
RUNTIME=$(curl -s "$AWS_ENDPOINT_URL/_wayfinder/health" | python3 -c 'import json,sys; print(json.load(sys.stdin).get("runtime","process"))')
echo "runtime: $RUNTIME"

step "1. The image (seed step 1: docker build, ECR repository, docker login, tag, push)"
IMAGE=flask-app-fargate-fargate:latest
if [ "$RUNTIME" = docker ]; then
  docker image inspect flask-app-fargate-fargate:latest >/dev/null 2>&1 || "$here/build-image.sh"
  REPO_URI=$(aws ecr describe-repositories --repository-names flask-app-fargate-fargate --query 'repositories[0].repositoryUri' 2>/dev/null ||
    aws ecr create-repository --repository-name flask-app-fargate-fargate --query repository.repositoryUri)
  aws ecr get-login-password | docker login --username AWS --password-stdin "${REPO_URI%%/*}"
  docker tag flask-app-fargate-fargate:latest "$REPO_URI:latest"
  docker push "$REPO_URI:latest"
  IMAGE="$REPO_URI:latest"
  CONTAINER_COMMAND=''
else
  echo "process runtime: the task runs app.py directly with the machine's python3 (Flask installed);"
  echo "the ECR push of seed step 1 needs Docker (start Wayfinder with --runtime docker): skipped"
  CONTAINER_COMMAND="\"entryPoint\": [\"python3\", \"$here/app.py\"],"
fi

step "2. Base network (seed step 2, the CloudFormation template): VPC, two private subnets, a security group"
VPC=$(aws ec2 create-vpc --cidr-block 10.0.0.0/16 --tag-specifications "ResourceType=vpc,Tags=[{Key=Name,Value=$NAME}]" --query Vpc.VpcId)
AZS=($(aws ec2 describe-availability-zones --query 'AvailabilityZones[0:2].ZoneName'))
SUBNET_A=$(aws ec2 create-subnet --vpc-id "$VPC" --cidr-block 10.0.1.0/24 --availability-zone "${AZS[0]}" --query Subnet.SubnetId)
SUBNET_B=$(aws ec2 create-subnet --vpc-id "$VPC" --cidr-block 10.0.2.0/24 --availability-zone "${AZS[1]}" --query Subnet.SubnetId)
SG=$(aws ec2 create-security-group --group-name "$NAME-sg" --description "flask tasks" --vpc-id "$VPC" --query GroupId)
aws ec2 authorize-security-group-ingress --group-id "$SG" --protocol tcp --port 80 --cidr 10.0.0.0/16 >/dev/null
echo "VPC $VPC, subnets $SUBNET_A $SUBNET_B, security group $SG"

step "3. ECS cluster and task definition (Fargate, awsvpc, port 80, logs to /ecs/$NAME)"
aws ecs create-cluster --cluster-name "$NAME-cluster" >/dev/null
TASKDEF=$(aws ecs register-task-definition --cli-input-json "{
  \"family\": \"$NAME\", \"networkMode\": \"awsvpc\", \"requiresCompatibilities\": [\"FARGATE\"], \"cpu\": \"256\", \"memory\": \"512\",
  \"containerDefinitions\": [{
    \"name\": \"$NAME\", \"image\": \"$IMAGE\", \"essential\": true, $CONTAINER_COMMAND
    \"portMappings\": [{\"containerPort\": 80, \"protocol\": \"tcp\"}],
    \"logConfiguration\": {\"logDriver\": \"awslogs\", \"options\": {\"awslogs-group\": \"/ecs/$NAME\", \"awslogs-region\": \"$AWS_DEFAULT_REGION\", \"awslogs-stream-prefix\": \"ecs\", \"awslogs-create-group\": \"true\"}}
  }]}" --query taskDefinition.taskDefinitionArn)
echo "$TASKDEF"

step "4. Service discovery (seed: create new private namespace, SRV record, port 80)"
OP=$(aws servicediscovery create-private-dns-namespace --name "$NAME.local" --vpc "$VPC" --query OperationId)
wayfinder wait operation "$OP"
NS=$(aws servicediscovery get-operation --operation-id "$OP" --query Operation.Targets.NAMESPACE)
REGISTRY=$(aws servicediscovery create-service --name "$NAME" --namespace-id "$NS" \
  --dns-config "NamespaceId=$NS,RoutingPolicy=MULTIVALUE,DnsRecords=[{Type=SRV,TTL=60}]" \
  --health-check-custom-config FailureThreshold=1 --query Service.Arn)
echo "namespace $NS, Cloud Map service $REGISTRY"

step "5. ECS service: 1 task, Fargate, private subnets, no public IP, registered in Cloud Map"
aws ecs create-service --cluster "$NAME-cluster" --service-name "$NAME" --task-definition "$NAME" --desired-count 1 \
  --launch-type FARGATE \
  --network-configuration "awsvpcConfiguration={subnets=[$SUBNET_A,$SUBNET_B],securityGroups=[$SG],assignPublicIp=DISABLED}" \
  --service-registries "registryArn=$REGISTRY,port=80" >/dev/null
wayfinder wait service "$NAME-cluster" "$NAME" --timeout 120
aws ecs list-tasks --cluster "$NAME-cluster" --service-name "$NAME"

step "6. VPC link for HTTP APIs (same subnets and security group)"
LINK=$(aws apigatewayv2 create-vpc-link --name "$NAME-link" --subnet-ids "$SUBNET_A" "$SUBNET_B" --security-group-ids "$SG" --query VpcLinkId)
wayfinder wait vpc-link "$LINK"

step "7. HTTP API, the ANY / route, the Cloud Map integration through the VPC link"
API=$(aws apigatewayv2 create-api --name "$NAME-api" --protocol-type HTTP --query ApiId)
ROUTE=$(aws apigatewayv2 create-route --api-id "$API" --route-key 'ANY /' --query RouteId)
INTEGRATION=$(aws apigatewayv2 create-integration --api-id "$API" --integration-type HTTP_PROXY --integration-method ANY \
  --connection-type VPC_LINK --connection-id "$LINK" --integration-uri "$REGISTRY" --payload-format-version 1.0 --query IntegrationId)
aws apigatewayv2 update-route --api-id "$API" --route-id "$ROUTE" --target "integrations/$INTEGRATION" >/dev/null

step "8. The \$default stage (auto-deploy off, as in the post) and a deployment"
aws apigatewayv2 create-stage --api-id "$API" --stage-name '$default' >/dev/null
aws apigatewayv2 create-deployment --api-id "$API" --stage-name '$default' >/dev/null
ENDPOINT=$(aws apigatewayv2 get-api --api-id "$API" --query ApiEndpoint)

step "9. DNS: the task behind the Cloud Map name"
if command -v dig >/dev/null; then dig +noall +answer +additional -p "$DNS_PORT" @127.0.0.1 SRV "$NAME.$NAME.local"; else echo "(dig not installed: apt-get install dnsutils)"; fi

step "10. Open the invoke URL: $ENDPOINT/"
# The task counts as RUNNING once its process starts; the app inside may need a moment more to listen,
# and until it does the gateway answers 503. So the page is reloaded for up to a minute, as a user would.
for _ in $(seq 60); do
  ANSWER=$(curl -sS --max-time 10 -w '\n%{http_code}' "$ENDPOINT/" || true)
  case "${ANSWER##*$'\n'}" in 5?? | 000 | '') sleep 1 ;; *) break ;; esac
done
echo "${ANSWER%$'\n'*}"
