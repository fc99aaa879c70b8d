// An in-memory CloudMapApi for ECS unit tests (end-to-end tests use the real Cloud Map). It records
// registrations and health the way ECS must drive them; health changes apply at once.
import { AwsError } from '../../src/kernel/errors.js';
import type { CloudMapApi, CloudMapServiceInfo } from '../../src/cloudmap/api.js';
import type { Scope } from '../../src/store/store.js';

export interface FakeInstance {
  attributes: Record<string, string>;
  health: 'HEALTHY' | 'UNHEALTHY';
}

export class FakeCloudMap implements CloudMapApi {
  readonly services = new Map<string, CloudMapServiceInfo>();
  readonly instances = new Map<string, Map<string, FakeInstance>>();
  readonly calls: string[] = [];

  addService(id: string, recordTypes: CloudMapServiceInfo['recordTypes'] = ['SRV'], health: CloudMapServiceInfo['health'] = 'custom'): CloudMapServiceInfo {
    const info: CloudMapServiceInfo = {
      id,
      arn: `arn:aws:servicediscovery:us-east-1:000000000000:service/${id}`,
      name: id,
      region: 'us-east-1',
      accountId: '000000000000',
      namespaceId: 'ns-fake',
      namespaceName: 'internal',
      namespaceType: 'DNS_PRIVATE',
      recordTypes,
      health,
    };
    this.services.set(id, info);
    this.instances.set(id, new Map());
    return info;
  }

  service(idOrArn: string): CloudMapServiceInfo | undefined {
    const id = idOrArn.startsWith('arn:') ? idOrArn.slice(idOrArn.lastIndexOf('/') + 1) : idOrArn;
    return this.services.get(id);
  }

  hasNamespace(scope: Scope, ref: string): boolean {
    return [...this.services.values()].some((s) => s.region === scope.region && s.accountId === scope.accountId && (s.namespaceId === ref || s.namespaceName === ref));
  }

  registerInstance(req: { serviceId: string; instanceId: string; attributes: Record<string, string> }): void {
    const map = this.instances.get(req.serviceId);
    if (!map) throw new AwsError('ServiceNotFound', `Service not found: ${req.serviceId}`);
    this.calls.push(`register ${req.instanceId}`);
    map.set(req.instanceId, { attributes: { ...req.attributes }, health: req.attributes.AWS_INIT_HEALTH_STATUS === 'UNHEALTHY' ? 'UNHEALTHY' : 'HEALTHY' });
  }

  deregisterInstance(serviceId: string, instanceId: string): void {
    this.calls.push(`deregister ${instanceId}`);
    this.instances.get(serviceId)?.delete(instanceId);
  }

  setCustomHealth(serviceId: string, instanceId: string, status: 'HEALTHY' | 'UNHEALTHY'): void {
    const i = this.instances.get(serviceId)?.get(instanceId);
    if (!i) throw new AwsError('InstanceNotFound', `Instance not found: ${instanceId}`);
    this.calls.push(`health ${instanceId} ${status}`);
    i.health = status;
  }

  instanceIds(serviceId: string): string[] {
    return [...(this.instances.get(serviceId)?.keys() ?? [])];
  }

  healthy(serviceId: string): string[] {
    return [...(this.instances.get(serviceId) ?? new Map<string, FakeInstance>()).entries()].filter(([, i]) => i.health === 'HEALTHY').map(([id]) => id);
  }
}
