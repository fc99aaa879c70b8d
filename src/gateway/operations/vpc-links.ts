// VPC links (docs/aws-behavior.md §2.6): subnets (≤ 10) and security groups checked against EC2 and required to be in
// one VPC; PENDING ("VPC link is provisioning ENIs") until `config.vpcLinkDelayMs` has passed, then
// AVAILABLE. The status is derived from the creation time, so it survives restarts without a timer.
// Only the name changes after creation; DeleteVpcLink answers 202.
import { alnum } from '../../kernel/ids.js';
import type { RequestContext } from '../../protocol/handlers.js';
import type { ApiGatewayV2Operations, VpcLink } from '../../protocol/generated/apigatewayv2.js';
import type { VpcLinkRecord } from '../store.js';
import { badRequest, checkTags, conflict, page, requireVpcLink, type GatewayOpsContext, wireDate } from './common.js';
import { scopedKey, scopePrefix } from '../../store/store.js';

const MAX_SUBNETS = 10;

export function vpcLinkStatus(l: VpcLinkRecord, now: number): { status: 'PENDING' | 'AVAILABLE'; message: string } {
  return now >= l.availableAt ? { status: 'AVAILABLE', message: 'VPC link is ready to route traffic' } : { status: 'PENDING', message: 'VPC link is provisioning ENIs' };
}

export function vpcLinkWire(l: VpcLinkRecord, now: number): VpcLink {
  const s = vpcLinkStatus(l, now);
  return {
    CreatedDate: wireDate(l.createdAt),
    Name: l.name,
    SecurityGroupIds: l.securityGroupIds,
    SubnetIds: l.subnetIds,
    Tags: l.tags,
    VpcLinkId: l.vpcLinkId,
    VpcLinkStatus: s.status,
    VpcLinkStatusMessage: s.message,
    VpcLinkVersion: 'V2',
  };
}

export function vpcLinkOperations(c: GatewayOpsContext) {
  return {
    CreateVpcLink(input, ctx: RequestContext) {
      const subnetIds = [...new Set(input.SubnetIds)];
      const groupIds = [...new Set(input.SecurityGroupIds ?? [])];
      if (!subnetIds.length) throw badRequest('SubnetIds must name at least one subnet.');
      if (subnetIds.length > MAX_SUBNETS) throw badRequest(`A VPC link can have at most ${MAX_SUBNETS} subnets.`);
      const vpcs = new Set<string>();
      for (const id of subnetIds) {
        const s = c.ec2.subnet(ctx, id);
        if (!s) throw badRequest(`Invalid subnet identifier specified: ${id} does not exist.`);
        vpcs.add(s.vpcId);
      }
      for (const id of groupIds) {
        const g = c.ec2.securityGroup(ctx, id);
        if (!g) throw badRequest(`Invalid security group identifier specified: ${id} does not exist.`);
        vpcs.add(g.vpcId);
      }
      if (vpcs.size > 1) throw badRequest(`The subnets and security groups of a VPC link must belong to one VPC; these span ${[...vpcs].join(', ')}.`);
      const now = c.now();
      const l: VpcLinkRecord = {
        region: ctx.region,
        accountId: ctx.accountId,
        vpcLinkId: alnum(6),
        name: input.Name,
        subnetIds,
        securityGroupIds: groupIds,
        tags: checkTags(input.Tags),
        createdAt: now,
        availableAt: now + c.vpcLinkDelayMs,
      };
      c.gw.store.withTx(() => c.gw.vpcLinks.putTx(scopedKey(ctx, l.vpcLinkId), l));
      // Like AWS, the create answer always says PENDING; Get* reports AVAILABLE once provisioned.
      return vpcLinkWire(l, -Infinity);
    },

    GetVpcLink(input, ctx) {
      return vpcLinkWire(requireVpcLink(c, ctx, input.VpcLinkId), c.now());
    },

    GetVpcLinks(input, ctx) {
      const p = page(c.gw.vpcLinks.withPrefix(scopePrefix(ctx)), (l) => l.vpcLinkId, input.MaxResults, input.NextToken);
      const now = c.now();
      return { Items: p.Items.map((l) => vpcLinkWire(l, now)), NextToken: p.NextToken };
    },

    UpdateVpcLink(input, ctx) {
      return c.gw.store.withTx(() => {
        const l = requireVpcLink(c, ctx, input.VpcLinkId);
        const next = { ...l, name: input.Name ?? l.name };
        c.gw.vpcLinks.putTx(scopedKey(ctx, l.vpcLinkId), next);
        return vpcLinkWire(next, c.now());
      });
    },

    DeleteVpcLink(input, ctx) {
      c.gw.store.withTx(() => {
        const l = requireVpcLink(c, ctx, input.VpcLinkId);
        const user = c.gw.integrations.withPrefix(scopePrefix(ctx)).find((i) => i.connectionType === 'VPC_LINK' && i.connectionId === l.vpcLinkId);
        if (user) throw conflict(`VPC link ${l.vpcLinkId} is used by integration ${user.integrationId} of API ${user.apiId}; delete or change the integration first.`);
        c.gw.vpcLinks.deleteTx(scopedKey(ctx, l.vpcLinkId));
      });
      return {};
    },
  } satisfies Partial<ApiGatewayV2Operations>;
}
