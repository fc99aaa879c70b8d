// The seed's Flask app as the suites run it: its image (examples/seed-walkthrough/build-image.sh) on the
// Docker runtime, or the same app.py with the host's python3 on the process runtime.
import { fileURLToPath } from 'node:url';
import type { RegisterTaskDefinitionCommandInput } from '@aws-sdk/client-ecs';

export const SEED_APP = fileURLToPath(new URL('../../../examples/seed-walkthrough/app.py', import.meta.url));
export const SEED_IMAGE = 'flask-app-fargate-fargate:latest';

/** The seed's Fargate task definition (family and container `flask-app`, port 80), optionally logging to awslogs. */
export function seedTaskDefinition(opts: { processRuntime: boolean; logGroup?: string }): RegisterTaskDefinitionCommandInput {
  return {
    family: 'flask-app',
    networkMode: 'awsvpc',
    requiresCompatibilities: ['FARGATE'],
    cpu: '256',
    memory: '512',
    containerDefinitions: [
      {
        name: 'flask-app',
        image: SEED_IMAGE,
        essential: true,
        ...(opts.processRuntime ? { entryPoint: ['python3', SEED_APP] } : {}),
        portMappings: [{ containerPort: 80, protocol: 'tcp' }],
        ...(opts.logGroup
          ? {
              logConfiguration: {
                logDriver: 'awslogs',
                options: { 'awslogs-group': opts.logGroup, 'awslogs-region': 'us-east-1', 'awslogs-stream-prefix': 'ecs', 'awslogs-create-group': 'true' },
              },
            }
          : {}),
      },
    ],
  };
}
