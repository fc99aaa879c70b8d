// What other products may ask of EC2 (VPC links check their subnets and groups; awsvpc tasks get an
// ENI with a private address from their subnet). Products call these functions, never the tables.
import { AwsError } from '../kernel/errors.js';
import { ec2Id, hex } from '../kernel/ids.js';
import { formatIpv4, parseCidr, size } from './cidr.js';
import { scopedKey, scopePrefix, type Scope } from '../store/store.js';
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
      const scope: Scope = { region, accountId };
      ec2.ensureRegion(scope);
      return ec2.store.withTx(() => {
        const subnet = ec2.subnet(scope, subnetId);
        if (!subnet) throw new AwsError('InvalidSubnetID.NotFound', `The subnet ID '${subnetId}' does not exist`);
        const cidr = parseCidr(subnet.cidrBlock)!;
        const used = new Set(
          ec2.enis
            .withPrefix(scopePrefix(scope))
            .filter((e) => e.subnetId === subnetId)
            .map((e) => e.privateIpAddress),
        );
        // AWS reserves the network address, the next three and the broadcast address.
        let ip: string | undefined;
        for (let offset = 4; offset < size(cidr) - 1; offset++) {
          const candidate = formatIpv4(cidr.base + offset);
          if (!used.has(candidate)) {
            ip = candidate;
            break;
          }
        }
        if (!ip)
          throw new AwsError('InsufficientFreeAddressesInSubnet', `There are not enough free addresses in subnet '${subnetId}' to satisfy the requested number of instances.`);
        const eni: NetworkInterfaceRecord = {
          region,
          networkInterfaceId: ec2Id('eni'),
          subnetId,
          vpcId: subnet.vpcId,
          availabilityZone: subnet.availabilityZone,
          privateIpAddress: ip,
          macAddress: `0e:${hex(2)}:${hex(2)}:${hex(2)}:${hex(2)}:${hex(2)}`,
          description,
          groupIds,
          ownerId: accountId,
          status: 'in-use',
          tags: {},
        };
        ec2.enis.putTx(scopedKey(scope, eni.networkInterfaceId), eni);
        return eni;
      });
    },
    releaseEni(scope, eniId) {
      ec2.store.withTx(() => ec2.enis.deleteTx(scopedKey(scope, eniId)));
    },
    eni(scope, eniId) {
      return ec2.enis.get(scopedKey(scope, eniId));
    },
  };
}
