// Network interfaces: the one allocator every ENI goes through (awsvpc tasks, NAT gateways, interface
// VPC endpoints, CreateNetworkInterface), so a private address is never handed out twice in a subnet.
import { AwsError } from '../kernel/errors.js';
import { ec2Id, hex } from '../kernel/ids.js';
import { formatIpv4, parseCidr, parseIpv4, size } from './cidr.js';
import { scopePrefix, type Scope } from '../store/store.js';
import { addressKey, networkInterfaceKey } from './records.js';
import type { Ec2Store, NetworkInterfaceRecord } from './store.js';

/** Where (a Scope: the account and region) and how to create an ENI. */
export interface EniRequest extends Scope {
  subnetId: string;
  groupIds: string[];
  description: string;
  interfaceType?: NetworkInterfaceRecord['interfaceType'];
  requesterManaged?: boolean;
  /** A requested address (CreateNetworkInterface's PrivateIpAddress); else the subnet's next free one. */
  privateIpAddress?: string;
  /** `in-use` with an attachment (tasks, service ENIs) or `available` (a user's unattached ENI). */
  attached: boolean;
}

/** The address EC2 would name an ENI's host by (`ip-10-0-1-5.ec2.internal`). */
export function privateDnsName(region: string, ip: string): string {
  return `ip-${ip.replaceAll('.', '-')}.${region === 'us-east-1' ? 'ec2.internal' : `${region}.compute.internal`}`;
}

export function enisOfSubnet(ec2: Ec2Store, scope: Scope, subnetId: string): NetworkInterfaceRecord[] {
  return ec2.enis.withPrefix(scopePrefix(scope)).filter((e) => e.subnetId === subnetId);
}

/** Creates the ENI inside the caller's transaction. Throws AwsError when the subnet is unknown or full, or the address is taken. */
export function allocateEniTx(ec2: Ec2Store, req: EniRequest): NetworkInterfaceRecord {
  const subnet = ec2.subnet(req, req.subnetId);
  if (!subnet) throw new AwsError('InvalidSubnetID.NotFound', `The subnet ID '${req.subnetId}' does not exist`);
  const cidr = parseCidr(subnet.cidrBlock)!;
  const used = new Set(enisOfSubnet(ec2, req, req.subnetId).map((e) => e.privateIpAddress));
  let ip: string | undefined;
  if (req.privateIpAddress !== undefined) {
    const n = parseIpv4(req.privateIpAddress);
    // AWS reserves the network address, the next three and the broadcast address.
    if (n === undefined || n < cidr.base + 4 || n >= cidr.base + size(cidr) - 1)
      throw new AwsError('InvalidParameterValue', `Address ${req.privateIpAddress} does not fall within the subnet's address range`);
    if (used.has(req.privateIpAddress)) throw new AwsError('InvalidIPAddress.InUse', `Address ${req.privateIpAddress} is in use.`);
    ip = req.privateIpAddress;
  } else {
    for (let offset = 4; offset < size(cidr) - 1; offset++) {
      const candidate = formatIpv4(cidr.base + offset);
      if (!used.has(candidate)) {
        ip = candidate;
        break;
      }
    }
  }
  if (!ip) throw new AwsError('InsufficientFreeAddressesInSubnet', `There are not enough free addresses in subnet '${req.subnetId}' to satisfy the requested number of instances.`);
  const eni: NetworkInterfaceRecord = {
    region: req.region,
    networkInterfaceId: ec2Id('eni'),
    subnetId: req.subnetId,
    vpcId: subnet.vpcId,
    availabilityZone: subnet.availabilityZone,
    privateIpAddress: ip,
    macAddress: `0e:${hex(2)}:${hex(2)}:${hex(2)}:${hex(2)}:${hex(2)}`,
    description: req.description,
    groupIds: req.groupIds,
    ownerId: req.accountId,
    status: req.attached ? 'in-use' : 'available',
    interfaceType: req.interfaceType ?? 'interface',
    requesterManaged: req.requesterManaged ?? false,
    ...(req.attached ? { attachment: { attachmentId: ec2Id('ela-attach'), attachTime: Date.now(), deviceIndex: 1, instanceOwnerId: 'amazon-aws' } } : {}),
    tags: {},
  };
  ec2.enis.putTx(networkInterfaceKey(req, eni.networkInterfaceId), eni);
  return eni;
}

/** Deletes an ENI; an elastic IP associated with it is disassociated (it stays allocated), as AWS. */
export function releaseEniTx(ec2: Ec2Store, scope: Scope, eniId: string): void {
  for (const a of ec2.addresses.withPrefix(scopePrefix(scope))) {
    if (a.networkInterfaceId !== eniId) continue;
    const { associationId: _a, networkInterfaceId: _n, privateIpAddress: _p, ...rest } = a;
    ec2.addresses.putTx(addressKey(scope, a.allocationId), rest);
  }
  ec2.enis.deleteTx(networkInterfaceKey(scope, eniId));
}
