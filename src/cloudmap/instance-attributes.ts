// RegisterInstance attribute rules (docs/aws-behavior.md §4.4, §6.22): which reserved attributes a service's record
// types and health configuration require, their formats, and the limits on custom attributes. Pure.
import { isIPv4, isIPv6 } from 'node:net';
import { AwsError } from '../kernel/errors.js';
import type { NamespaceType, RecordType, RoutingPolicy } from './store.js';

export const RESERVED = [
  'AWS_INSTANCE_IPV4',
  'AWS_INSTANCE_IPV6',
  'AWS_INSTANCE_PORT',
  'AWS_INSTANCE_CNAME',
  'AWS_ALIAS_DNS_NAME',
  'AWS_INIT_HEALTH_STATUS',
  'AWS_EC2_INSTANCE_ID',
] as const;
const RESERVED_SET: ReadonlySet<string> = new Set(RESERVED);

export const MAX_CUSTOM_ATTRIBUTES = 30;
export const MAX_ATTRIBUTE_CHARS = 5000;

export interface InstanceRules {
  namespaceType: NamespaceType;
  recordTypes: readonly RecordType[];
  routingPolicy?: RoutingPolicy;
  healthCheck: boolean;
  customHealth: boolean;
}

const invalid = (message: string) => new AwsError('InvalidInput', message);
const HOSTNAME = /^(?=.{1,253}\.?$)([a-zA-Z0-9_]([a-zA-Z0-9_-]{0,61}[a-zA-Z0-9_])?)(\.[a-zA-Z0-9_]([a-zA-Z0-9_-]{0,61}[a-zA-Z0-9_])?)*\.?$/;

export function parsePort(value: string | undefined): number | undefined {
  if (value === undefined || !/^\d{1,5}$/.test(value)) return undefined;
  const n = Number(value);
  return n <= 65535 ? n : undefined;
}

/** Throws InvalidInput when the attributes do not fit the service. */
export function checkInstanceAttributes(rules: InstanceRules, attrs: Readonly<Record<string, string>>): void {
  const has = (k: string) => attrs[k] !== undefined;
  const types = new Set(rules.recordTypes);

  let custom = 0;
  let chars = 0;
  for (const [k, v] of Object.entries(attrs)) {
    if (!RESERVED_SET.has(k)) custom++;
    chars += k.length + v.length;
  }
  if (custom > MAX_CUSTOM_ATTRIBUTES) throw invalid(`An instance can have at most ${MAX_CUSTOM_ATTRIBUTES} custom attributes; got ${custom}.`);
  if (chars > MAX_ATTRIBUTE_CHARS) throw invalid(`The total length of all attribute keys and values must not exceed ${MAX_ATTRIBUTE_CHARS} characters; got ${chars}.`);

  const ipv4 = attrs.AWS_INSTANCE_IPV4;
  const ipv6 = attrs.AWS_INSTANCE_IPV6;
  const port = attrs.AWS_INSTANCE_PORT;
  const cname = attrs.AWS_INSTANCE_CNAME;
  const alias = attrs.AWS_ALIAS_DNS_NAME;
  const init = attrs.AWS_INIT_HEALTH_STATUS;
  const ec2 = attrs.AWS_EC2_INSTANCE_ID;

  if (ipv4 !== undefined && !isIPv4(ipv4)) throw invalid(`AWS_INSTANCE_IPV4 must be an IPv4 address: '${ipv4.slice(0, 64)}'.`);
  if (ipv6 !== undefined && !isIPv6(ipv6)) throw invalid(`AWS_INSTANCE_IPV6 must be an IPv6 address: '${ipv6.slice(0, 64)}'.`);
  if (port !== undefined && parsePort(port) === undefined) throw invalid(`AWS_INSTANCE_PORT must be an integer from 0 to 65535: '${port.slice(0, 64)}'.`);
  if (cname !== undefined && !HOSTNAME.test(cname)) throw invalid(`AWS_INSTANCE_CNAME must be a domain name: '${cname.slice(0, 64)}'.`);
  if (init !== undefined && init !== 'HEALTHY' && init !== 'UNHEALTHY') throw invalid(`AWS_INIT_HEALTH_STATUS must be HEALTHY or UNHEALTHY: '${init.slice(0, 64)}'.`);

  if (ec2 !== undefined) {
    if (rules.namespaceType !== 'HTTP') throw invalid('AWS_EC2_INSTANCE_ID can only be used for instances of services in HTTP namespaces.');
    const others = Object.keys(attrs).filter((k) => RESERVED_SET.has(k) && k !== 'AWS_EC2_INSTANCE_ID' && k !== 'AWS_INIT_HEALTH_STATUS');
    if (others.length) throw invalid(`AWS_EC2_INSTANCE_ID cannot be combined with ${others.join(', ')}.`);
    // Wayfinder runs no EC2 instances, so there is no primary private address to fill in.
    throw invalid(`EC2 instance ${ec2.slice(0, 64)} does not exist: Wayfinder has no EC2 instances; register AWS_INSTANCE_IPV4 instead.`);
  }

  if (alias !== undefined) {
    if (!HOSTNAME.test(alias)) throw invalid(`AWS_ALIAS_DNS_NAME must be a domain name: '${alias.slice(0, 64)}'.`);
    if (rules.routingPolicy !== 'WEIGHTED' || !(types.has('A') || types.has('AAAA')) || types.has('SRV') || types.has('CNAME')) {
      throw invalid('AWS_ALIAS_DNS_NAME requires a service with WEIGHTED routing and A or AAAA records only.');
    }
    if (rules.healthCheck) throw invalid('AWS_ALIAS_DNS_NAME cannot be used with a service that has HealthCheckConfig.');
    const others = ['AWS_INSTANCE_IPV4', 'AWS_INSTANCE_IPV6', 'AWS_INSTANCE_PORT', 'AWS_INSTANCE_CNAME'].filter(has);
    if (others.length) throw invalid(`AWS_ALIAS_DNS_NAME cannot be combined with ${others.join(', ')}.`);
    return;
  }

  if (types.has('A') && ipv4 === undefined) throw invalid('AWS_INSTANCE_IPV4 is required: the service has an A record.');
  if (types.has('AAAA') && ipv6 === undefined) throw invalid('AWS_INSTANCE_IPV6 is required: the service has an AAAA record.');
  if (types.has('SRV')) {
    if (port === undefined) throw invalid('AWS_INSTANCE_PORT is required: the service has an SRV record.');
    if (ipv4 === undefined && ipv6 === undefined) throw invalid('AWS_INSTANCE_IPV4 or AWS_INSTANCE_IPV6 is required: the service has an SRV record.');
  }
  if (types.has('CNAME') && cname === undefined) throw invalid('AWS_INSTANCE_CNAME is required: the service has a CNAME record.');
  if (!types.has('CNAME') && cname !== undefined && rules.recordTypes.length) throw invalid('AWS_INSTANCE_CNAME can only be used when the service has a CNAME record.');
  if (rules.healthCheck && port === undefined) throw invalid('AWS_INSTANCE_PORT is required: the service has a Route 53 health check (HealthCheckConfig).');
}

/** The initial custom health status of a (re-)registered instance. */
export function initialHealth(attrs: Readonly<Record<string, string>>): 'HEALTHY' | 'UNHEALTHY' {
  return attrs.AWS_INIT_HEALTH_STATUS === 'UNHEALTHY' ? 'UNHEALTHY' : 'HEALTHY';
}

/** The rules for a service record in a namespace of the given type. */
export function rulesFor(
  svc: { dnsRecords?: ReadonlyArray<{ type: RecordType }>; routingPolicy?: RoutingPolicy; healthCheck?: unknown; customHealth?: unknown },
  namespaceType: NamespaceType,
): InstanceRules {
  return {
    namespaceType,
    recordTypes: (svc.dnsRecords ?? []).map((r) => r.type),
    routingPolicy: svc.routingPolicy,
    healthCheck: !!svc.healthCheck,
    customHealth: !!svc.customHealth,
  };
}
