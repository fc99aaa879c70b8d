// EC2 records and tables. Keys are `<partition>/<id>` (scopedKey: account and region): every account's
// region has its own VPCs, like AWS. The default VPC of an account's region (172.31.0.0/16, one default
// /20 subnet per AZ, a `default` security group) is seeded the first time it is used, once: deleting it
// is the user's choice. A record's scope is its `region` and `ownerId` (ec2Scope).
import { createHash } from 'node:crypto';
import { ec2Id, hex } from '../kernel/ids.js';
import { docTableSql, partitionOf, scopedKey, scopePrefix, type DocTable, type Migration, type Scope, type Store } from '../store/store.js';
import { formatIpv4, parseCidr } from './cidr.js';
import { zonesOf } from './zones.js';

export interface VpcRecord {
  region: string;
  vpcId: string;
  cidrBlock: string;
  cidrAssociationId: string;
  isDefault: boolean;
  dhcpOptionsId: string;
  instanceTenancy: string;
  ownerId: string;
  tags: Record<string, string>;
  /** ModifyVpcAttribute's settings; absent = AWS's default (see vpcAttributes). */
  enableDnsSupport?: boolean;
  enableDnsHostnames?: boolean;
  enableNetworkAddressUsageMetrics?: boolean;
}

/** A VPC's DNS attributes: AWS turns DNS support on for every VPC, hostnames only for the default VPC. */
export function vpcAttributes(v: VpcRecord): { enableDnsSupport: boolean; enableDnsHostnames: boolean; enableNetworkAddressUsageMetrics: boolean } {
  return {
    enableDnsSupport: v.enableDnsSupport ?? true,
    enableDnsHostnames: v.enableDnsHostnames ?? v.isDefault,
    enableNetworkAddressUsageMetrics: v.enableNetworkAddressUsageMetrics ?? false,
  };
}

export interface SubnetRecord {
  region: string;
  subnetId: string;
  vpcId: string;
  cidrBlock: string;
  availabilityZone: string;
  availabilityZoneId: string;
  defaultForAz: boolean;
  mapPublicIpOnLaunch: boolean;
  ownerId: string;
  tags: Record<string, string>;
  /** ModifySubnetAttribute's other settings; absent = AWS's default (false, `ip-name`). */
  assignIpv6AddressOnCreation?: boolean;
  enableDns64?: boolean;
  hostnameType?: 'ip-name' | 'resource-name';
  enableResourceNameDnsARecord?: boolean;
  enableResourceNameDnsAAAARecord?: boolean;
}

export interface RuleRecord {
  ruleId: string;
  isEgress: boolean;
  ipProtocol: string; // '-1', 'tcp', 'udp', 'icmp', or a number
  fromPort?: number;
  toPort?: number;
  cidrIpv4?: string;
  cidrIpv6?: string;
  referencedGroupId?: string;
  prefixListId?: string;
  description?: string;
}

export interface SecurityGroupRecord {
  region: string;
  groupId: string;
  groupName: string;
  description: string;
  vpcId: string;
  ownerId: string;
  rules: RuleRecord[];
  tags: Record<string, string>;
}

export interface NetworkInterfaceRecord {
  region: string;
  networkInterfaceId: string;
  subnetId: string;
  vpcId: string;
  availabilityZone: string;
  privateIpAddress: string;
  macAddress: string;
  description: string;
  groupIds: string[];
  ownerId: string;
  status: 'available' | 'in-use';
  tags: Record<string, string>;
}

export interface NetworkAclEntryRecord {
  ruleNumber: number;
  egress: boolean;
  protocol: string; // '-1' = all
  ruleAction: 'allow' | 'deny';
  cidrBlock: string;
}

/** A VPC's default network ACL: every subnet of the VPC is associated with it (no custom ACLs yet). */
export interface NetworkAclRecord {
  region: string;
  networkAclId: string;
  vpcId: string;
  isDefault: boolean;
  ownerId: string;
  entries: NetworkAclEntryRecord[];
  tags: Record<string, string>;
}

export interface RouteRecord {
  destinationCidrBlock: string;
  gatewayId: string;
  origin: 'CreateRouteTable' | 'CreateRoute';
}

/** A VPC's main route table: the `local` route, and its main association (subnets use it implicitly). */
export interface RouteTableRecord {
  region: string;
  routeTableId: string;
  vpcId: string;
  mainAssociationId: string;
  ownerId: string;
  routes: RouteRecord[];
  tags: Record<string, string>;
}

export const ec2Migrations: Migration[] = [
  {
    id: 'ec2/001-tables',
    up: [docTableSql('ec2_vpcs'), docTableSql('ec2_subnets'), docTableSql('ec2_security_groups'), docTableSql('ec2_network_interfaces'), docTableSql('ec2_regions')].join('\n'),
  },
  {
    // VPCs stored before this migration get their ACL and route table on the region's first use (ensureRegion).
    id: 'ec2/002-network-acls-route-tables',
    up: [docTableSql('ec2_network_acls'), docTableSql('ec2_route_tables')].join('\n'),
  },
];

/** The scope (account and region) of an EC2 record: its owner is its account. */
export const ec2Scope = (record: { region: string; ownerId: string }): Scope => ({ region: record.region, accountId: record.ownerId });

/** The association id of a subnet with a network ACL: derived, so it is stable without being stored. */
export function aclAssociationId(networkAclId: string, subnetId: string): string {
  return `aclassoc-${createHash('sha256').update(`${networkAclId}/${subnetId}`).digest('hex').slice(0, 17)}`;
}

export class Ec2Store {
  readonly vpcs: DocTable<VpcRecord>;
  readonly subnets: DocTable<SubnetRecord>;
  readonly groups: DocTable<SecurityGroupRecord>;
  readonly enis: DocTable<NetworkInterfaceRecord>;
  readonly acls: DocTable<NetworkAclRecord>;
  readonly routeTables: DocTable<RouteTableRecord>;
  private readonly regions: DocTable<{ region: string; seededAt: number }>;
  private readonly seeded = new Set<string>();

  constructor(readonly store: Store) {
    this.vpcs = store.table('ec2_vpcs');
    this.subnets = store.table('ec2_subnets');
    this.groups = store.table('ec2_security_groups');
    this.enis = store.table('ec2_network_interfaces');
    this.acls = store.table('ec2_network_acls');
    this.routeTables = store.table('ec2_route_tables');
    this.regions = store.table('ec2_regions');
  }

  /** Seeds the default VPC of an account's region the first time that account uses the region (each account has its own, as on AWS). Cheap after the first call. */
  ensureRegion(scope: Scope): void {
    const partition = partitionOf(scope);
    if (this.seeded.has(partition)) return;
    this.store.withTx(() => {
      if (!this.regions.has(partition)) {
        this.regions.putTx(partition, { region: scope.region, seededAt: Date.now() });
        this.seedDefaultVpcTx(scope);
      }
      // A VPC stored before network ACLs and route tables were served gets its defaults now.
      const acls = new Set(this.acls.withPrefix(scopePrefix(scope)).map((a) => a.vpcId));
      for (const vpc of this.vpcs.withPrefix(scopePrefix(scope))) if (!acls.has(vpc.vpcId)) this.createVpcDefaultsTx(scope, vpc);
    });
    this.seeded.add(partition);
  }

  /** Forgets which regions were seeded (after a reset wiped the tables). */
  forgetSeeds(): void {
    this.seeded.clear();
  }

  private seedDefaultVpcTx(scope: Scope): void {
    const { region, accountId } = scope;
    const vpc = this.newVpc(scope, '172.31.0.0/16', true);
    this.vpcs.putTx(scopedKey(scope, vpc.vpcId), vpc);
    const base = parseCidr('172.31.0.0/16')!.base;
    zonesOf(region).forEach((zone, i) => {
      const subnet: SubnetRecord = {
        region,
        subnetId: ec2Id('subnet'),
        vpcId: vpc.vpcId,
        cidrBlock: `${formatIpv4(base + i * 4096)}/20`,
        availabilityZone: zone.zoneName,
        availabilityZoneId: zone.zoneId,
        defaultForAz: true,
        mapPublicIpOnLaunch: true,
        ownerId: accountId,
        tags: {},
      };
      this.subnets.putTx(scopedKey(scope, subnet.subnetId), subnet);
    });
    this.createVpcDefaultsTx(scope, vpc);
  }

  /** What AWS creates with every VPC: the `default` security group, the default network ACL, the main route table. */
  createVpcDefaultsTx(scope: Scope, vpc: VpcRecord): void {
    if (!this.groups.withPrefix(scopePrefix(scope)).some((g) => g.vpcId === vpc.vpcId && g.groupName === 'default')) this.createDefaultGroupTx(scope, vpc);
    const entries: NetworkAclEntryRecord[] = [false, true].flatMap((egress) => [
      { ruleNumber: 100, egress, protocol: '-1', ruleAction: 'allow' as const, cidrBlock: '0.0.0.0/0' },
      { ruleNumber: 32767, egress, protocol: '-1', ruleAction: 'deny' as const, cidrBlock: '0.0.0.0/0' },
    ]);
    const acl: NetworkAclRecord = { region: scope.region, networkAclId: ec2Id('acl'), vpcId: vpc.vpcId, isDefault: true, ownerId: vpc.ownerId, entries, tags: {} };
    this.acls.putTx(scopedKey(scope, acl.networkAclId), acl);
    const table: RouteTableRecord = {
      region: scope.region,
      routeTableId: ec2Id('rtb'),
      vpcId: vpc.vpcId,
      mainAssociationId: ec2Id('rtbassoc'),
      ownerId: vpc.ownerId,
      routes: [{ destinationCidrBlock: vpc.cidrBlock, gatewayId: 'local', origin: 'CreateRouteTable' }],
      tags: {},
    };
    this.routeTables.putTx(scopedKey(scope, table.routeTableId), table);
  }

  /** DeleteVpc's part: the VPC's default group, network ACLs and route tables go with it. */
  deleteVpcDefaultsTx(scope: Scope, vpcId: string): void {
    for (const g of this.groups.withPrefix(scopePrefix(scope))) if (g.vpcId === vpcId && g.groupName === 'default') this.groups.deleteTx(scopedKey(scope, g.groupId));
    for (const a of this.acls.withPrefix(scopePrefix(scope))) if (a.vpcId === vpcId) this.acls.deleteTx(scopedKey(scope, a.networkAclId));
    for (const t of this.routeTables.withPrefix(scopePrefix(scope))) if (t.vpcId === vpcId) this.routeTables.deleteTx(scopedKey(scope, t.routeTableId));
  }

  newVpc({ region, accountId }: Scope, cidrBlock: string, isDefault: boolean): VpcRecord {
    return {
      region,
      vpcId: ec2Id('vpc'),
      cidrBlock,
      cidrAssociationId: ec2Id('vpc-cidr-assoc'),
      isDefault,
      dhcpOptionsId: 'dopt-' + hex(17),
      instanceTenancy: 'default',
      ownerId: accountId,
      tags: {},
    };
  }

  /** Every VPC gets a `default` group: all traffic in from itself, all traffic out. */
  createDefaultGroupTx(scope: Scope, vpc: VpcRecord): SecurityGroupRecord {
    const groupId = ec2Id('sg');
    const group: SecurityGroupRecord = {
      region: scope.region,
      groupId,
      groupName: 'default',
      description: 'default VPC security group',
      vpcId: vpc.vpcId,
      ownerId: vpc.ownerId,
      rules: [
        { ruleId: ec2Id('sgr'), isEgress: false, ipProtocol: '-1', referencedGroupId: groupId },
        { ruleId: ec2Id('sgr'), isEgress: true, ipProtocol: '-1', cidrIpv4: '0.0.0.0/0' },
      ],
      tags: {},
    };
    this.groups.putTx(scopedKey(scope, groupId), group);
    return group;
  }

  vpc(scope: Scope, id: string): VpcRecord | undefined {
    return this.vpcs.get(scopedKey(scope, id));
  }

  subnet(scope: Scope, id: string): SubnetRecord | undefined {
    return this.subnets.get(scopedKey(scope, id));
  }

  group(scope: Scope, id: string): SecurityGroupRecord | undefined {
    return this.groups.get(scopedKey(scope, id));
  }

  defaultVpc(scope: Scope): VpcRecord | undefined {
    return this.vpcs.withPrefix(scopePrefix(scope)).find((v) => v.isDefault);
  }
}
