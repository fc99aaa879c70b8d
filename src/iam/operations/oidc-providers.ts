// OpenID Connect identity providers: what IaC creates before roles that trust a web identity
// (`aws_iam_openid_connect_provider`). Stored and returned; AssumeRoleWithWebIdentity accepts tokens
// of Wayfinder's own issuer whether or not it is registered here (docs/iam.md §4).
import { AwsError } from '../../kernel/errors.js';
import type { RequestContext } from '../../protocol/handlers.js';
import type * as Iam from '../../protocol/generated/iam.js';
import { accountPrefix, type IamStore, type OidcProviderRecord } from '../store.js';
import { checkNewTags, mergeTags, pageOf, removeTags, tagsWire } from './common.js';

const MAX_THUMBPRINTS = 5;
const MAX_CLIENT_IDS = 100;

/** The record's key: the account, then the URL encoded (a URL's '/' would read as more key segments). */
export const providerKey = (accountId: string, url: string): string => `${accountId}/${encodeURIComponent(url.toLowerCase())}`;
const providerArn = (p: OidcProviderRecord): string => `arn:aws:iam::${p.accountId}:oidc-provider/${p.url}`;

/** IAM keeps the URL without its scheme; https only, or http on a loopback host (Wayfinder's own issuer). */
function providerUrl(url: string): string {
  const m = /^(https?):\/\/([^/?#]+)([^?#]*)$/i.exec(url);
  const loopback = (host: string) => /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])(:\d+)?$/i.test(host) || /\.localhost(:\d+)?$/i.test(host);
  if (!m || (m[1]!.toLowerCase() === 'http' && !loopback(m[2]!))) throw new AwsError('InvalidInput', 'Invalid Openid Connect Provider URL. The URL must begin with https://');
  return `${m[2]}${m[3]!.replace(/\/+$/, '')}`;
}

export function oidcProviderOperations(iam: IamStore) {
  function requireProvider(ctx: RequestContext, arn: string): OidcProviderRecord {
    const m = /^arn:aws:iam::(\d{12}):oidc-provider\/(.+)$/.exec(arn);
    const p = m && m[1] === ctx.accountId ? iam.oidcProviders.get(providerKey(ctx.accountId, m[2]!)) : undefined;
    if (!p) throw new AwsError('NoSuchEntity', `OpenIDConnect Provider not found for arn ${arn}`);
    return p;
  }

  const put = (p: OidcProviderRecord) => iam.store.withTx(() => iam.oidcProviders.putTx(providerKey(p.accountId, p.url), p));

  function checkLists(clientIds: string[], thumbprints: string[]): void {
    if (thumbprints.length > MAX_THUMBPRINTS) throw new AwsError('LimitExceeded', `Cannot exceed quota for ThumbprintsPerOpenIdConnectProvider: ${MAX_THUMBPRINTS}`);
    if (clientIds.length > MAX_CLIENT_IDS) throw new AwsError('LimitExceeded', `Cannot exceed quota for ClientIdsPerOpenIdConnectProvider: ${MAX_CLIENT_IDS}`);
  }

  return {
    CreateOpenIDConnectProvider(input: Iam.CreateOpenIDConnectProviderRequest, ctx: RequestContext): Iam.CreateOpenIDConnectProviderResponse {
      const url = providerUrl(input.Url);
      const clientIds = [...new Set(input.ClientIDList ?? [])];
      const thumbprints = [...new Set(input.ThumbprintList ?? [])];
      checkLists(clientIds, thumbprints);
      const record: OidcProviderRecord = { accountId: ctx.accountId, url, clientIds, thumbprints, createdAt: ctx.receivedAt, tags: checkNewTags(input.Tags) };
      iam.store.withTx(() => {
        if (iam.oidcProviders.has(providerKey(ctx.accountId, url))) throw new AwsError('EntityAlreadyExists', `Provider with url ${input.Url} already exists.`);
        iam.oidcProviders.putTx(providerKey(ctx.accountId, url), record);
      });
      return { OpenIDConnectProviderArn: providerArn(record), Tags: tagsWire(record.tags) };
    },

    GetOpenIDConnectProvider(input: Iam.GetOpenIDConnectProviderRequest, ctx: RequestContext): Iam.GetOpenIDConnectProviderResponse {
      const p = requireProvider(ctx, input.OpenIDConnectProviderArn);
      return { Url: p.url, ClientIDList: p.clientIds, ThumbprintList: p.thumbprints, CreateDate: new Date(p.createdAt), Tags: tagsWire(p.tags) };
    },

    ListOpenIDConnectProviders(_input: Iam.ListOpenIDConnectProvidersRequest, ctx: RequestContext): Iam.ListOpenIDConnectProvidersResponse {
      return { OpenIDConnectProviderList: iam.oidcProviders.withPrefix(accountPrefix(ctx.accountId)).map((p) => ({ Arn: providerArn(p) })) };
    },

    DeleteOpenIDConnectProvider(input: Iam.DeleteOpenIDConnectProviderRequest, ctx: RequestContext): void {
      const p = requireProvider(ctx, input.OpenIDConnectProviderArn);
      iam.store.withTx(() => iam.oidcProviders.deleteTx(providerKey(p.accountId, p.url)));
    },

    AddClientIDToOpenIDConnectProvider(input: Iam.AddClientIDToOpenIDConnectProviderRequest, ctx: RequestContext): void {
      const p = requireProvider(ctx, input.OpenIDConnectProviderArn);
      if (p.clientIds.includes(input.ClientID)) return;
      const clientIds = [...p.clientIds, input.ClientID];
      checkLists(clientIds, p.thumbprints);
      put({ ...p, clientIds });
    },

    RemoveClientIDFromOpenIDConnectProvider(input: Iam.RemoveClientIDFromOpenIDConnectProviderRequest, ctx: RequestContext): void {
      const p = requireProvider(ctx, input.OpenIDConnectProviderArn);
      put({ ...p, clientIds: p.clientIds.filter((c) => c !== input.ClientID) });
    },

    UpdateOpenIDConnectProviderThumbprint(input: Iam.UpdateOpenIDConnectProviderThumbprintRequest, ctx: RequestContext): void {
      const p = requireProvider(ctx, input.OpenIDConnectProviderArn);
      const thumbprints = [...new Set(input.ThumbprintList)];
      checkLists(p.clientIds, thumbprints);
      put({ ...p, thumbprints });
    },

    TagOpenIDConnectProvider(input: Iam.TagOpenIDConnectProviderRequest, ctx: RequestContext): void {
      const p = requireProvider(ctx, input.OpenIDConnectProviderArn);
      put({ ...p, tags: mergeTags(p.tags, input.Tags) });
    },

    UntagOpenIDConnectProvider(input: Iam.UntagOpenIDConnectProviderRequest, ctx: RequestContext): void {
      const p = requireProvider(ctx, input.OpenIDConnectProviderArn);
      put({ ...p, tags: removeTags(p.tags, input.TagKeys) });
    },

    ListOpenIDConnectProviderTags(input: Iam.ListOpenIDConnectProviderTagsRequest, ctx: RequestContext): Iam.ListOpenIDConnectProviderTagsResponse {
      const p = requireProvider(ctx, input.OpenIDConnectProviderArn);
      const page = pageOf(p.tags, (t) => t.Key, input.MaxItems, input.Marker);
      return { Tags: page.items, IsTruncated: page.IsTruncated, Marker: page.Marker };
    },
  } satisfies Partial<Iam.IamOperations>;
}
