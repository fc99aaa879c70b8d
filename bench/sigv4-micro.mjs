// SigV4 verification cost per request: SigV4Verifier.verify on one SDK-signed awsJson request
// (ECS ListServices, the headers the JS SDK v3 sends), CPU µs per call, beside the cost of the SDK's
// own signer signing the same request (@smithy/signature-v4 with node:crypto hashes: the client's side
// of the same maths) in the same run. Bounded: N calls each (default 20,000). Not product code.
//   node bench/sigv4-micro.mjs [built checkout, default this one] [N]
import { SignatureV4 } from '@smithy/signature-v4';
const root = process.argv[2] ?? new URL('..', import.meta.url).pathname;
const { SigV4Verifier } = await import(root + '/dist/src/protocol/sigv4.js');
const { parseQuery } = await import(root + '/dist/src/protocol/query-string.js');
const { NodeSha256 } = await import(root + '/dist/src/protocol/node-sha256.js');
const NOW = Date.now();
const verifier = new SigV4Verifier({
  credentials: [{ accessKeyId: 'test', secretAccessKey: 'test', accountId: '000000000000' }],
  unknownKeys: 'refuse',
  defaultAccountId: '000000000000',
  now: () => NOW,
});
const signer = new SignatureV4({ credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, region: 'us-east-1', service: 'ecs', sha256: NodeSha256 });
const body = JSON.stringify({ cluster: 'default', serviceName: 'web', maxResults: 10 });
const unsigned = {
  method: 'POST',
  protocol: 'http:',
  hostname: 'localhost',
  port: 4566,
  path: '/',
  query: {},
  headers: {
    host: 'localhost:4566',
    'content-type': 'application/x-amz-json-1.1',
    'x-amz-target': 'AmazonEC2ContainerServiceV20141113.ListServices',
    'user-agent': 'aws-sdk-js/3 ua/2.1 os/linux lang/js md/nodejs#20',
    'amz-sdk-invocation-id': 'a5c0f0c8-1111-2222-3333-444455556666',
    'amz-sdk-request': 'attempt=1; max=3',
    'content-length': String(body.length),
  },
  body,
};
const signed = await signer.sign(unsigned, { signingDate: new Date(NOW) });
const req = {
  method: 'POST',
  rawPath: '/',
  query: parseQuery(''),
  headers: Object.fromEntries(Object.entries(signed.headers).map(([k, v]) => [k.toLowerCase(), v])),
  body: Buffer.from(body),
};
const N = Number(process.argv[3] ?? 20000);
for (let i = 0; i < 2000; i++) await verifier.verify(req);
const c0 = process.cpuUsage();
const t0 = performance.now();
for (let i = 0; i < N; i++) await verifier.verify(req);
const c = process.cpuUsage(c0);
const verifyUs = (c.user + c.system) / N;
const s0 = process.cpuUsage();
for (let i = 0; i < N; i++) await signer.sign(unsigned, { signingDate: new Date(NOW) });
const sc = process.cpuUsage(s0);
const signUs = (sc.user + sc.system) / N;
console.log(
  `verify (Wayfinder): ${verifyUs.toFixed(1)} µs CPU each; SDK signer sign, same request: ${signUs.toFixed(1)} µs; ratio ${(verifyUs / signUs).toFixed(2)} (N=${N}, wall ${(((performance.now() - t0) * 1000) / N).toFixed(1)} µs for verify+sign)`,
);
