// Which network ACL and which route table a subnet uses. Every subnet is associated with one network
// ACL (the VPC's default one unless an explicit association says otherwise) and is routed by the
// route table it is explicitly associated with, else by its VPC's main route table.
import { scopePrefix, type Scope } from '../store/store.js';
import { networkAclKey, routeTableKey } from './records.js';
import { aclAssociationId, ec2Scope, type Ec2Store, type NetworkAclRecord, type RouteTableRecord } from './store.js';

export interface AclAssociation {
  associationId: string;
  subnetId: string;
  networkAclId: string;
}

/** The associations an ACL shows: its explicit ones, and for the default ACL every other subnet of the VPC. */
export function aclAssociations(ec2: Ec2Store, acl: NetworkAclRecord): AclAssociation[] {
  const explicit = (acl.associations ?? []).map((a) => ({ ...a, networkAclId: acl.networkAclId }));
  if (!acl.isDefault) return explicit;
  const prefix = scopePrefix(ec2Scope(acl));
  const elsewhere = new Set(
    ec2.acls
      .withPrefix(prefix)
      .filter((a) => a.vpcId === acl.vpcId)
      .flatMap((a) => (a.associations ?? []).map((x) => x.subnetId)),
  );
  const implicit = ec2.subnets
    .withPrefix(prefix)
    .filter((s) => s.vpcId === acl.vpcId && !elsewhere.has(s.subnetId))
    .map((s) => ({ associationId: aclAssociationId(acl.networkAclId, s.subnetId), subnetId: s.subnetId, networkAclId: acl.networkAclId }));
  return [...explicit, ...implicit];
}

/** Finds an ACL association by id across the scope's ACLs. */
export function findAclAssociation(ec2: Ec2Store, scope: Scope, associationId: string): AclAssociation | undefined {
  for (const acl of ec2.acls.withPrefix(scopePrefix(scope))) {
    const found = aclAssociations(ec2, acl).find((a) => a.associationId === associationId);
    if (found) return found;
  }
  return undefined;
}

/** Moves a subnet to `target` with a new association id (ReplaceNetworkAclAssociation). */
export function moveSubnetAclTx(ec2: Ec2Store, scope: Scope, subnetId: string, target: NetworkAclRecord, associationId: string): void {
  for (const acl of ec2.acls.withPrefix(scopePrefix(scope))) {
    if (acl.associations?.some((a) => a.subnetId === subnetId) && acl.networkAclId !== target.networkAclId) {
      ec2.acls.putTx(networkAclKey(scope, acl.networkAclId), { ...acl, associations: acl.associations.filter((a) => a.subnetId !== subnetId) });
    }
  }
  const fresh = ec2.acls.get(networkAclKey(scope, target.networkAclId))!;
  const kept = (fresh.associations ?? []).filter((a) => a.subnetId !== subnetId);
  ec2.acls.putTx(networkAclKey(scope, target.networkAclId), { ...fresh, associations: [...kept, { associationId, subnetId }] });
}

/** DeleteSubnet's part: the subnet's explicit ACL and route table associations go with it. */
export function forgetSubnetAssociationsTx(ec2: Ec2Store, scope: Scope, subnetId: string): void {
  for (const acl of ec2.acls.withPrefix(scopePrefix(scope))) {
    if (acl.associations?.some((a) => a.subnetId === subnetId))
      ec2.acls.putTx(networkAclKey(scope, acl.networkAclId), { ...acl, associations: acl.associations.filter((a) => a.subnetId !== subnetId) });
  }
  for (const t of ec2.routeTables.withPrefix(scopePrefix(scope))) {
    if (t.associations?.some((a) => a.subnetId === subnetId))
      ec2.routeTables.putTx(routeTableKey(scope, t.routeTableId), { ...t, associations: t.associations.filter((a) => a.subnetId !== subnetId) });
  }
}

export function mainRouteTable(ec2: Ec2Store, scope: Scope, vpcId: string): RouteTableRecord | undefined {
  return ec2.routeTables.withPrefix(scopePrefix(scope)).find((t) => t.vpcId === vpcId && t.mainAssociationId);
}
