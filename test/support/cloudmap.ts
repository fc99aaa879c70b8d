// Helpers for Cloud Map tests: an SDK client that reaches DiscoverInstances, operation polling, and
// namespace/service setup through the real API.
import * as SD from '@aws-sdk/client-servicediscovery';
import * as E from '@aws-sdk/client-ec2';
import { sdkConfig } from './server.js';

export function sdClient(server: { port: number }, region = 'us-east-1'): SD.ServiceDiscoveryClient {
  // disableHostPrefix: the SDK would otherwise send DiscoverInstances to data-127.0.0.1:<port> (the model's "data-" host prefix), which does not resolve.
  return new SD.ServiceDiscoveryClient({ ...sdkConfig(server, region), disableHostPrefix: true });
}

export { codeOf, errorOf } from './errors.js';

/** Polls GetOperation until the operation is done (bounded: 200 polls × 25 ms). */
export async function waitOperation(sd: SD.ServiceDiscoveryClient, operationId: string): Promise<SD.Operation> {
  for (let i = 0; i < 200; i++) {
    const { Operation } = await sd.send(new SD.GetOperationCommand({ OperationId: operationId }));
    if (Operation!.Status === 'SUCCESS' || Operation!.Status === 'FAIL') return Operation!;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`operation ${operationId} did not finish`);
}

/** Polls `read` until `done` says yes (bounded: 200 × 25 ms); returns the last value. */
export async function eventually<T>(read: () => Promise<T>, done: (v: T) => boolean, what: string): Promise<T> {
  let v = await read();
  for (let i = 0; i < 200 && !done(v); i++) {
    await new Promise((r) => setTimeout(r, 25));
    v = await read();
  }
  if (!done(v)) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(v)}`);
  return v;
}

export async function defaultVpc(server: { port: number }, region = 'us-east-1'): Promise<string> {
  const ec2 = new E.EC2Client(sdkConfig(server, region));
  const { Vpcs } = await ec2.send(new E.DescribeVpcsCommand({ Filters: [{ Name: 'is-default', Values: ['true'] }] }));
  ec2.destroy();
  return Vpcs![0]!.VpcId!;
}

export async function privateNamespace(sd: SD.ServiceDiscoveryClient, server: { port: number }, name: string): Promise<string> {
  const { OperationId } = await sd.send(new SD.CreatePrivateDnsNamespaceCommand({ Name: name, Vpc: await defaultVpc(server) }));
  const op = await waitOperation(sd, OperationId!);
  if (op.Status !== 'SUCCESS') throw new Error(`namespace ${name}: ${op.ErrorMessage}`);
  return op.Targets!.NAMESPACE!;
}

export async function httpNamespace(sd: SD.ServiceDiscoveryClient, name: string): Promise<string> {
  const { OperationId } = await sd.send(new SD.CreateHttpNamespaceCommand({ Name: name }));
  return (await waitOperation(sd, OperationId!)).Targets!.NAMESPACE!;
}

export async function register(sd: SD.ServiceDiscoveryClient, serviceId: string, instanceId: string, attributes: Record<string, string>): Promise<SD.Operation> {
  const { OperationId } = await sd.send(new SD.RegisterInstanceCommand({ ServiceId: serviceId, InstanceId: instanceId, Attributes: attributes }));
  return waitOperation(sd, OperationId!);
}

/** A DNS service with SRV (TTL 10) and A (TTL 20) records and custom health (threshold 1): the shape the
 *  DNS and hosted-zone tests query. Returns the service id. */
export async function srvAndAService(sd: SD.ServiceDiscoveryClient, namespaceId: string, name: string): Promise<string> {
  const { Service } = await sd.send(
    new SD.CreateServiceCommand({
      Name: name,
      NamespaceId: namespaceId,
      DnsConfig: {
        DnsRecords: [
          { Type: 'SRV', TTL: 10 },
          { Type: 'A', TTL: 20 },
        ],
      },
      HealthCheckCustomConfig: { FailureThreshold: 1 },
    }),
  );
  return Service!.Id!;
}
