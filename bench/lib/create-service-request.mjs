// A signed ECS CreateService request for the write benchmarks (bench/lib/signed-writes.mjs,
// bench/lib/ab-create-service.mjs): cluster and task definition `bench` (bench/lib/control-plane-setup.mjs),
// desiredCount 0 (no task starts), signed with the test key for 127.0.0.1:<port>.
import { SignatureV4 } from '@smithy/signature-v4';

// The product's node:crypto hashes (the pure-JS default would slow the set-up); the scripts build dist first.
const { NodeSha256 } = await import(new URL('../../dist/src/protocol/node-sha256.js', import.meta.url).href);
const signer = new SignatureV4({ credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, region: 'us-east-1', service: 'ecs', sha256: NodeSha256 });

/** { headers, body } of a CreateService call naming `serviceName`. */
export async function createServiceRequest(port, serviceName) {
  const body = JSON.stringify({ cluster: 'bench', serviceName, taskDefinition: 'bench', desiredCount: 0 });
  const signed = await signer.sign({
    method: 'POST',
    protocol: 'http:',
    hostname: '127.0.0.1',
    port: Number(port),
    path: '/',
    query: {},
    headers: { host: `127.0.0.1:${port}`, 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AmazonEC2ContainerServiceV20141113.CreateService' },
    body,
  });
  return { headers: { ...signed.headers, 'content-length': Buffer.byteLength(body) }, body };
}
