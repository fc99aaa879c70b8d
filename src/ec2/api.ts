// What other products may ask of EC2 (VPC links check their subnets and groups; awsvpc tasks get an
// ENI with a private address from their subnet). Products call these functions, never the tables.
import { allocateEniTx, releaseEniTx } from './enis.js';
import { networkInterfaceKey } from './records.js';
import { scopePrefix, type Scope } from '../store/store.js';
import type { Ec2Store, NetworkInterfaceRecord, SecurityGroupRecord, SubnetRecord, VpcRecord } from './store.js';

export interface Ec2Api {
  /** A VPC (Cloud Map's private DNS namespaces are attached to one). */
  vpc(scope: Scope, vpcId: string): VpcRecord | undefined;
  subnet(scope: Scope, subnetId: string): SubnetRecord | undefined;
  securityGroup(scope: Scope, groupId: string): SecurityGroupRecord | undefined;
  /** The `default` group of a VPC (ECS uses it when awsvpcConfiguration names no groups). */
  defaultSecurityGroup(scope: Scope, vpcId: string): SecurityGroupRecord | undefined;
  /** Creates an in-use ENI with the next free address of the subnet. Throws AwsError when the subnet is full or unknown. */
  allocateEni(req: { region: string; accountId: string; subnetId: string; groupIds: string[]; description: string }): NetworkInterfaceRecord;
  /** Deletes a task's ENI when the task stops (its address is free again). */
  releaseEni(scope: Scope, eniId: string): void;
  eni(scope: Scope, eniId: string): NetworkInterfaceRecord | undefined;
}

export function createEc2Api(ec2: Ec2Store): Ec2Api {
  return {
    vpc(scope, vpcId) {
      ec2.ensureRegion(scope);
      return ec2.vpc(scope, vpcId);
    },
    subnet(scope, subnetId) {
      ec2.ensureRegion(scope);
      return ec2.subnet(scope, subnetId);
    },
    securityGroup(scope, groupId) {
      ec2.ensureRegion(scope);
      return ec2.group(scope, groupId);
    },
    defaultSecurityGroup(scope, vpcId) {
      ec2.ensureRegion(scope);
      return ec2.groups.withPrefix(scopePrefix(scope)).find((g) => g.vpcId === vpcId && g.groupName === 'default');
    },
    allocateEni({ region, accountId, subnetId, groupIds, description }) {
      ec2.ensureRegion({ region, accountId });
      // ECS creates and owns a task's ENI: requester-managed, attached by `amazon-aws` (as Fargate shows it).
      return ec2.store.withTx(() => allocateEniTx(ec2, { region, accountId, subnetId, groupIds, description, requesterManaged: true, attached: true }));
    },
    releaseEni(scope, eniId) {
      ec2.store.withTx(() => releaseEniTx(ec2, scope, eniId));
    },
    eni(scope, eniId) {
      return ec2.enis.get(networkInterfaceKey(scope, eniId));
    },
  };
}
