// DescribeAccountAttributes: a VPC-only account, its platforms, limits and default VPC.
import { AwsError } from '../../kernel/errors.js';
import type { RequestContext } from '../../protocol/handlers.js';
import type { AccountAttribute, DescribeAccountAttributesRequest, DescribeAccountAttributesResult, Ec2Operations } from '../../protocol/generated/ec2.js';
import type { Ec2Store } from '../store.js';
import { MAX_ELASTIC_IPS } from './addresses.js';
import { dryRun } from './common.js';

export function accountOperations(ec2: Ec2Store) {
  return {
    DescribeAccountAttributes(input: DescribeAccountAttributesRequest, ctx: RequestContext): DescribeAccountAttributesResult {
      ec2.ensureRegion(ctx);
      dryRun(input);
      const all: Array<[string, string[]]> = [
        ['supported-platforms', ['VPC']],
        ['vpc-max-security-groups-per-interface', ['5']],
        ['max-elastic-ips', [String(MAX_ELASTIC_IPS)]],
        ['max-instances', ['20']],
        ['vpc-max-elastic-ips', [String(MAX_ELASTIC_IPS)]],
        ['default-vpc', [ec2.defaultVpc(ctx)?.vpcId ?? 'none']],
      ];
      const wanted = input.AttributeNames ?? [];
      for (const name of wanted) {
        if (!all.some(([n]) => n === name)) throw new AwsError('InvalidParameterValue', `Value (${name}) for parameter attributeName is invalid. Unknown attribute name.`);
      }
      const attributes: AccountAttribute[] = all
        .filter(([name]) => !wanted.length || (wanted as string[]).includes(name))
        .map(([AttributeName, values]) => ({ AttributeName, AttributeValues: values.map((AttributeValue) => ({ AttributeValue })) }));
      return { AccountAttributes: attributes };
    },
  } satisfies Partial<Ec2Operations>;
}
