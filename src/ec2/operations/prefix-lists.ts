// The AWS-managed prefix lists of gateway endpoint services (Terraform reads a gateway endpoint's
// prefix list by its service name): DescribePrefixLists, DescribeManagedPrefixLists, GetManagedPrefixListEntries.
import { arn } from '../../kernel/arn.js';
import { AwsError } from '../../kernel/errors.js';
import type { RequestContext } from '../../protocol/handlers.js';
import type * as Ec2 from '../../protocol/generated/ec2.js';
import { prefixLists, type AwsPrefixList } from '../endpoint-services.js';
import { applyFilters, type FilterFields } from '../filters.js';
import { dryRun, page } from './common.js';

type Row = AwsPrefixList & { tags: Record<string, string> };

const FILTERS: FilterFields<Row> = {
  'prefix-list-id': (p) => [p.id],
  'prefix-list-name': (p) => [p.name],
  'owner-id': () => ['AWS'],
};

function lists(ctx: RequestContext, ids: string[] | undefined, filters: Ec2.Filter[] | undefined): Row[] {
  const rows = prefixLists(ctx.region).map((p) => ({ ...p, tags: {} }));
  const missing = (ids ?? []).filter((id) => !rows.some((p) => p.id === id));
  if (missing.length) throw new AwsError('InvalidPrefixListID.NotFound', `The prefix list ID '${missing.join(', ')}' does not exist`);
  return applyFilters(ids?.length ? rows.filter((p) => ids.includes(p.id)) : rows, filters, FILTERS);
}

export function prefixListOperations() {
  return {
    DescribePrefixLists(input: Ec2.DescribePrefixListsRequest, ctx: RequestContext): Ec2.DescribePrefixListsResult {
      dryRun(input);
      const p = page(lists(ctx, input.PrefixListIds, input.Filters), (x) => x.id, input.MaxResults, input.NextToken);
      return { PrefixLists: p.items.map((x) => ({ PrefixListId: x.id, PrefixListName: x.name, Cidrs: x.cidrs })), NextToken: p.nextToken };
    },

    DescribeManagedPrefixLists(input: Ec2.DescribeManagedPrefixListsRequest, ctx: RequestContext): Ec2.DescribeManagedPrefixListsResult {
      dryRun(input);
      const p = page(lists(ctx, input.PrefixListIds, input.Filters), (x) => x.id, input.MaxResults, input.NextToken);
      return {
        PrefixLists: p.items.map((x) => ({
          PrefixListId: x.id,
          PrefixListName: x.name,
          AddressFamily: 'IPv4',
          State: 'create-complete',
          PrefixListArn: arn('ec2', ctx.region, 'aws', `prefix-list/${x.id}`),
          OwnerId: 'AWS',
          Tags: [],
        })),
        NextToken: p.nextToken,
      };
    },

    GetManagedPrefixListEntries(input: Ec2.GetManagedPrefixListEntriesRequest, ctx: RequestContext): Ec2.GetManagedPrefixListEntriesResult {
      dryRun(input);
      const [list] = lists(ctx, [input.PrefixListId], undefined);
      const p = page(list!.cidrs, (c) => c, input.MaxResults, input.NextToken);
      return { Entries: p.items.map((Cidr) => ({ Cidr })), NextToken: p.nextToken };
    },
  } satisfies Partial<Ec2.Ec2Operations>;
}
