// Cloud Map identifiers and ARNs in AWS's formats (docs/aws-behavior.md §4.1).
import { randomInt } from 'node:crypto';
import { alnum } from '../kernel/ids.js';
import { arn } from '../kernel/arn.js';
import type { Scope } from '../store/store.js';

export const namespaceId = () => `ns-${alnum(16)}`;
export const serviceId = () => `srv-${alnum(16)}`;
export const operationId = () => `${alnum(32)}-${alnum(8)}`;

const UPPER_ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
/** Route 53 hosted zone ids look like Z0123456789ABCDEFGHIJ. */
export function hostedZoneId(): string {
  let s = 'Z';
  for (let i = 0; i < 20; i++) s += UPPER_ALNUM[randomInt(UPPER_ALNUM.length)];
  return s;
}

export const namespaceArn = (region: string, accountId: string, id: string) => arn('servicediscovery', region, accountId, `namespace/${id}`);
export const serviceArn = (region: string, accountId: string, id: string) => arn('servicediscovery', region, accountId, `service/${id}`);

/**
 * Ids arrive as ids or ARNs (the model's `Arn` shape). Returns the bare id, or undefined when an ARN
 * names another kind of resource, another region or another account (AWS answers NotFound for those).
 */
/**
 * The id in an id-or-ARN input where the id alone identifies the resource (ids are unique across
 * regions; ECS, the gateway and DiscoverInstances pass either). Region-checked inputs use idFrom.
 */
export const idOfRef = (idOrArn: string): string => (idOrArn.startsWith('arn:') ? idOrArn.slice(idOrArn.lastIndexOf('/') + 1) : idOrArn);

export function idFrom(value: string, kind: 'namespace' | 'service', scope: Scope): string | undefined {
  if (!value.startsWith('arn:')) return value;
  const m = /^arn:aws[a-z-]*:servicediscovery:([^:]*):(\d{12}):(namespace|service)\/([^/]+)$/.exec(value);
  if (!m || m[3] !== kind || m[1] !== scope.region || m[2] !== scope.accountId) return undefined;
  return m[4];
}
