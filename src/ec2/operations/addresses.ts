// Elastic IP addresses (domain `vpc`): allocate, describe, release, associate with a network interface
// and disassociate. Addresses come from the documentation ranges (RFC 5737), so they look public and
// route nowhere (docs/aws-behavior.md §8.4).
import { randomInt } from 'node:crypto';
import { AwsError } from '../../kernel/errors.js';
import { ec2Id } from '../../kernel/ids.js';
import type { RequestContext } from '../../protocol/handlers.js';
import type * as Ec2 from '../../protocol/generated/ec2.js';
import { scopePrefix } from '../../store/store.js';
import { applyFilters, tagList, type FilterFields } from '../filters.js';
import { addressKey, networkInterfaceKey, type AddressRecord } from '../records.js';
import type { Ec2Store } from '../store.js';
import { dryRun, page, requireAll, tagsFromSpecifications } from './common.js';

/** TEST-NET-1, -2 and -3: 3 × 254 host addresses. */
const PUBLIC_POOL = ['192.0.2', '198.51.100', '203.0.113'].flatMap((net) => Array.from({ length: 254 }, (_, i) => `${net}.${i + 1}`));
/** DescribeAccountAttributes' `vpc-max-elastic-ips`. */
export const MAX_ELASTIC_IPS = 5;

export function addressWire(a: AddressRecord): Ec2.Address {
  return {
    AllocationId: a.allocationId,
    PublicIp: a.publicIp,
    Domain: a.domain,
    PublicIpv4Pool: 'amazon',
    NetworkBorderGroup: a.region,
    AssociationId: a.associationId,
    NetworkInterfaceId: a.networkInterfaceId,
    NetworkInterfaceOwnerId: a.networkInterfaceId ? a.accountId : undefined,
    PrivateIpAddress: a.privateIpAddress,
    Tags: tagList(a.tags),
  };
}

const FILTERS: FilterFields<AddressRecord> = {
  'allocation-id': (a) => [a.allocationId],
  'association-id': (a) => [a.associationId],
  domain: (a) => [a.domain],
  'network-border-group': (a) => [a.region],
  'network-interface-id': (a) => [a.networkInterfaceId],
  'network-interface-owner-id': (a) => [a.networkInterfaceId ? a.accountId : undefined],
  'private-ip-address': (a) => [a.privateIpAddress],
  'public-ip': (a) => [a.publicIp],
};

export function addressOperations(ec2: Ec2Store) {
  const all = (ctx: RequestContext) => ec2.addresses.withPrefix(scopePrefix(ctx));
  const key = (ctx: RequestContext, id: string) => addressKey(ctx, id);

  /** The address an AllocationId or a PublicIp names. */
  function find(ctx: RequestContext, input: { AllocationId?: string; PublicIp?: string }): AddressRecord {
    if (input.AllocationId !== undefined) {
      const a = ec2.addresses.get(key(ctx, input.AllocationId));
      if (!a) throw new AwsError('InvalidAllocationID.NotFound', `The allocation ID '${input.AllocationId}' does not exist`);
      return a;
    }
    if (input.PublicIp !== undefined) {
      const a = all(ctx).find((x) => x.publicIp === input.PublicIp);
      if (!a) throw new AwsError('InvalidAddress.NotFound', `Address '${input.PublicIp}' not found.`);
      return a;
    }
    throw new AwsError('MissingParameter', 'Either AllocationId or PublicIp must be specified.');
  }

  return {
    AllocateAddress(input: Ec2.AllocateAddressRequest, ctx: RequestContext): Ec2.AllocateAddressResult {
      ec2.ensureRegion(ctx);
      if (input.Domain !== undefined && input.Domain !== 'vpc') {
        throw new AwsError('InvalidParameterValue', `Value (${input.Domain}) for parameter domain is invalid. Only 'vpc' addresses exist in a VPC-only account.`);
      }
      if (input.Address !== undefined || input.CustomerOwnedIpv4Pool !== undefined || input.IpamPoolId !== undefined || (input.PublicIpv4Pool ?? 'amazon') !== 'amazon') {
        throw new AwsError('InvalidParameterValue', 'Wayfinder allocates addresses from the Amazon pool only.');
      }
      if (input.NetworkBorderGroup !== undefined && input.NetworkBorderGroup !== ctx.region) {
        throw new AwsError('InvalidParameterValue', `Value (${input.NetworkBorderGroup}) for parameter networkBorderGroup is invalid.`);
      }
      const tags = tagsFromSpecifications(input.TagSpecifications, 'elastic-ip');
      dryRun(input);
      const address = ec2.store.withTx(() => {
        const held = all(ctx);
        if (held.length >= MAX_ELASTIC_IPS) throw new AwsError('AddressLimitExceeded', 'The maximum number of addresses has been reached.');
        // Every account draws from one pool, as AWS's addresses are unique.
        const taken = new Set(ec2.addresses.all().map((a) => a.publicIp));
        const free = PUBLIC_POOL.filter((ip) => !taken.has(ip));
        if (!free.length) throw new AwsError('AddressLimitExceeded', 'The maximum number of addresses has been reached.');
        const a: AddressRecord = { region: ctx.region, accountId: ctx.accountId, allocationId: ec2Id('eipalloc'), publicIp: free[randomInt(free.length)]!, domain: 'vpc', tags };
        ec2.addresses.putTx(key(ctx, a.allocationId), a);
        return a;
      });
      return { AllocationId: address.allocationId, PublicIp: address.publicIp, Domain: 'vpc', PublicIpv4Pool: 'amazon', NetworkBorderGroup: ctx.region };
    },

    DescribeAddresses(input: Ec2.DescribeAddressesRequest, ctx: RequestContext): Ec2.DescribeAddressesResult {
      ec2.ensureRegion(ctx);
      dryRun(input);
      let found = requireAll(input.AllocationIds, (id) => ec2.addresses.get(key(ctx, id)), 'InvalidAllocationID.NotFound', 'allocation') ?? all(ctx);
      if (input.PublicIps?.length) {
        const missing = input.PublicIps.filter((ip) => !found.some((a) => a.publicIp === ip));
        if (missing.length) throw new AwsError('InvalidAddress.NotFound', `Address '${missing.join(', ')}' not found.`);
        found = found.filter((a) => input.PublicIps!.includes(a.publicIp));
      }
      return { Addresses: applyFilters(found, input.Filters, FILTERS).map(addressWire) };
    },

    /** The reverse-DNS (`domain-name`) attribute Terraform reads: Wayfinder's addresses have no PTR record. */
    DescribeAddressesAttribute(input: Ec2.DescribeAddressesAttributeRequest, ctx: RequestContext): Ec2.DescribeAddressesAttributeResult {
      ec2.ensureRegion(ctx);
      if (input.Attribute !== undefined && input.Attribute !== 'domain-name') {
        throw new AwsError('InvalidParameterValue', `Value (${input.Attribute}) for parameter attribute is invalid.`);
      }
      dryRun(input);
      const found = requireAll(input.AllocationIds, (id) => ec2.addresses.get(key(ctx, id)), 'InvalidAllocationID.NotFound', 'allocation') ?? all(ctx);
      const p = page(found, (a) => a.allocationId, input.MaxResults, input.NextToken);
      return { Addresses: p.items.map((a) => ({ AllocationId: a.allocationId, PublicIp: a.publicIp })), NextToken: p.nextToken };
    },

    ReleaseAddress(input: Ec2.ReleaseAddressRequest, ctx: RequestContext): void {
      ec2.ensureRegion(ctx);
      find(ctx, input);
      dryRun(input);
      ec2.store.withTx(() => {
        const a = find(ctx, input);
        if (a.associationId) throw new AwsError('InvalidIPAddress.InUse', `Address ${a.publicIp} is in use.`);
        ec2.addresses.deleteTx(key(ctx, a.allocationId));
      });
    },

    AssociateAddress(input: Ec2.AssociateAddressRequest, ctx: RequestContext): Ec2.AssociateAddressResult {
      ec2.ensureRegion(ctx);
      find(ctx, input);
      if (input.InstanceId !== undefined || input.NetworkInterfaceId === undefined) {
        throw new AwsError('InvalidParameterValue', 'Wayfinder associates addresses with network interfaces only: NetworkInterfaceId is required.');
      }
      dryRun(input);
      const associationId = ec2Id('eipassoc');
      ec2.store.withTx(() => {
        const a = find(ctx, input);
        const eni = ec2.enis.get(networkInterfaceKey(ctx, input.NetworkInterfaceId!));
        if (!eni) throw new AwsError('InvalidNetworkInterfaceID.NotFound', `The networkInterface ID '${input.NetworkInterfaceId}' does not exist`);
        const privateIp = input.PrivateIpAddress ?? eni.privateIpAddress;
        if (privateIp !== eni.privateIpAddress) throw new AwsError('InvalidParameterValue', `Address ${privateIp} is not an address of ${eni.networkInterfaceId}`);
        const igw = ec2.internetGateways.withPrefix(scopePrefix(ctx)).find((g) => g.vpcId === eni.vpcId);
        if (!igw) {
          throw new AwsError('Gateway.NotAttached', `Network ${eni.vpcId} is not attached to any internet gateway`);
        }
        if (a.associationId && !input.AllowReassociation) {
          throw new AwsError('Resource.AlreadyAssociated', `resource ${a.allocationId} is already associated with associate-id ${a.associationId}`);
        }
        // One address per private IP: the ENI's previous address lets go.
        for (const other of all(ctx)) {
          if (other.networkInterfaceId === eni.networkInterfaceId && other.allocationId !== a.allocationId) ec2.addresses.putTx(key(ctx, other.allocationId), unassociated(other));
        }
        ec2.addresses.putTx(key(ctx, a.allocationId), { ...a, associationId, networkInterfaceId: eni.networkInterfaceId, privateIpAddress: privateIp });
      });
      return { AssociationId: associationId };
    },

    DisassociateAddress(input: Ec2.DisassociateAddressRequest, ctx: RequestContext): void {
      ec2.ensureRegion(ctx);
      dryRun(input);
      ec2.store.withTx(() => {
        const a =
          input.AssociationId !== undefined
            ? all(ctx).find((x) => x.associationId === input.AssociationId)
            : all(ctx).find((x) => x.publicIp === input.PublicIp && x.associationId);
        if (!a) {
          if (input.AssociationId === undefined && input.PublicIp === undefined) throw new AwsError('MissingParameter', 'Either AssociationId or PublicIp must be specified.');
          throw new AwsError('InvalidAssociationID.NotFound', `The association ID '${input.AssociationId ?? input.PublicIp}' does not exist`);
        }
        const eni = a.networkInterfaceId ? ec2.enis.get(networkInterfaceKey(ctx, a.networkInterfaceId)) : undefined;
        if (eni?.interfaceType === 'natGateway') {
          throw new AwsError('OperationNotPermitted', `The address ${a.publicIp} is used by a NAT gateway: delete the NAT gateway to release it.`);
        }
        ec2.addresses.putTx(key(ctx, a.allocationId), unassociated(a));
      });
    },
  } satisfies Partial<Ec2.Ec2Operations>;
}

export function unassociated(a: AddressRecord): AddressRecord {
  const { associationId: _a, networkInterfaceId: _n, privateIpAddress: _p, ...rest } = a;
  return rest;
}
