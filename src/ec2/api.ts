// What other products may ask of EC2 (VPC links check their subnets and groups; awsvpc tasks get an
// ENI with a private address from their subnet). Products call these functions, never the tables.
import { allocateEniTx, releaseEniTx } from './enis.js';
import { networkInterfaceKey } from './records.js';
import type { Ec2Store, NetworkInterfaceRecord, SecurityGroupRecord, SubnetRecord, VpcRecord } from './store.js';

export interface Ec2Api {
  /** A VPC (Cloud Map's private DNS namespaces are attached to one). */
  vpc(region: string, accountId: string, vpcId: string): VpcRecord | undefined;
  subnet(region: string, accountId: string, subnetId: string): SubnetRecord | undefined;
  securityGroup(region: string, accountId: string, groupId: string): SecurityGroupRecord | undefined;
  /** The `default` group of a VPC (ECS uses it when awsvpcConfiguration names no groups). */
  defaultSecurityGroup(region: string, accountId: string, vpcId: string): SecurityGroupRecord | undefined;
  /** Creates an in-use ENI with the next free address of the subnet. Throws AwsError when the subnet is full or unknown. */
  allocateEni(req: { region: string; accountId: string; subnetId: string; groupIds: string[]; description: string }): NetworkInterfaceRecord;
  /** Deletes a task's ENI when the task stops (its address is free again). */
  releaseEni(region: string, accountId: string, eniId: string): void;
  eni(region: string, accountId: string, eniId: string): NetworkInterfaceRecord | undefined;
}

export function createEc2Api(ec2: Ec2Store): Ec2Api {
  return {
    vpc(region, accountId, vpcId) {
      ec2.ensureRegion(region, accountId);
      return ec2.vpc(region, vpcId);
    },
    subnet(region, accountId, subnetId) {
      ec2.ensureRegion(region, accountId);
      return ec2.subnet(region, subnetId);
    },
    securityGroup(region, accountId, groupId) {
      ec2.ensureRegion(region, accountId);
      return ec2.group(region, groupId);
    },
    defaultSecurityGroup(region, accountId, vpcId) {
      ec2.ensureRegion(region, accountId);
      return ec2.groups.withPrefix(`${region}/`).find((g) => g.vpcId === vpcId && g.groupName === 'default');
    },
    allocateEni({ region, accountId, subnetId, groupIds, description }) {
      ec2.ensureRegion(region, accountId);
      // ECS creates and owns a task's ENI: requester-managed, attached by `amazon-aws` (as Fargate shows it).
      return ec2.store.withTx(() => allocateEniTx(ec2, { region, accountId, subnetId, groupIds, description, requesterManaged: true, attached: true }));
    },
    releaseEni(region, accountId, eniId) {
      ec2.store.withTx(() => releaseEniTx(ec2, region, accountId, eniId));
    },
    eni(region, accountId, eniId) {
      return ec2.enis.get(networkInterfaceKey(region, accountId, eniId));
    },
  };
}
