// The AWS services a VPC endpoint may reach in Wayfinder: the ones Wayfinder serves (and that a stack
// like the seed's creates endpoints for), with the DNS names, types and prefix lists AWS shows for them.
import { createHash } from 'node:crypto';
import type * as Ec2 from '../protocol/generated/ec2.js';
import { zonesOf } from './zones.js';

interface ServiceSpec {
  /** The part after `com.amazonaws.<region>.`. */
  suffix: string;
  types: Array<'Interface' | 'Gateway'>;
  /** The endpoint-specific DNS label (`api.ecr` for ecr.api). */
  dnsLabel: string;
  /** The public name private DNS answers for (interface endpoints). */
  privateDns?: (region: string) => string;
}

const SERVICES: ServiceSpec[] = [
  { suffix: 'ecs', types: ['Interface'], dnsLabel: 'ecs', privateDns: (r) => `ecs.${r}.amazonaws.com` },
  { suffix: 'logs', types: ['Interface'], dnsLabel: 'logs', privateDns: (r) => `logs.${r}.amazonaws.com` },
  { suffix: 'servicediscovery', types: ['Interface'], dnsLabel: 'servicediscovery', privateDns: (r) => `servicediscovery.${r}.amazonaws.com` },
  { suffix: 'execute-api', types: ['Interface'], dnsLabel: 'execute-api', privateDns: (r) => `*.execute-api.${r}.amazonaws.com` },
  { suffix: 'sts', types: ['Interface'], dnsLabel: 'sts', privateDns: (r) => `sts.${r}.amazonaws.com` },
  { suffix: 'ecr.api', types: ['Interface'], dnsLabel: 'api.ecr', privateDns: (r) => `api.ecr.${r}.amazonaws.com` },
  { suffix: 'ecr.dkr', types: ['Interface'], dnsLabel: 'dkr.ecr', privateDns: (r) => `*.dkr.ecr.${r}.amazonaws.com` },
  { suffix: 's3', types: ['Gateway', 'Interface'], dnsLabel: 's3', privateDns: (r) => `*.s3.${r}.amazonaws.com` },
  { suffix: 'dynamodb', types: ['Gateway'], dnsLabel: 'dynamodb' },
];

/** Gateway services' prefix lists: AWS's real ids in us-east-1, stable derived ones elsewhere. */
const PREFIX_LIST_CIDRS: Record<string, string[]> = {
  s3: ['3.5.0.0/19', '16.182.0.0/16', '52.216.0.0/15', '54.231.0.0/16'],
  dynamodb: ['3.218.180.0/22', '52.94.0.0/22', '52.119.224.0/20'],
};
const KNOWN_PREFIX_LISTS: Record<string, string> = { 'com.amazonaws.us-east-1.s3': 'pl-63a5400a', 'com.amazonaws.us-east-1.dynamodb': 'pl-02cd2c6b' };

const digest = (text: string) => createHash('sha256').update(text).digest('hex');

export interface EndpointService {
  name: string;
  suffix: string;
  types: Array<'Interface' | 'Gateway'>;
  dnsLabel: string;
  privateDnsName?: string;
}

export function endpointServices(region: string): EndpointService[] {
  return SERVICES.flatMap((s) =>
    // AWS lists a service once per endpoint type (s3 twice), and the services of a region by name.
    s.types.map((type) => ({
      name: `com.amazonaws.${region}.${s.suffix}`,
      suffix: s.suffix,
      types: [type],
      dnsLabel: s.dnsLabel,
      privateDnsName: type === 'Interface' ? s.privateDns?.(region) : undefined,
    })),
  );
}

export function endpointService(region: string, name: string, type: 'Interface' | 'Gateway'): EndpointService | undefined {
  return endpointServices(region).find((s) => s.name === name && s.types.includes(type));
}

/** The hosted zone of `*.vpce.amazonaws.com` names in a region (us-east-1's is AWS's). */
export function vpceHostedZoneId(region: string): string {
  return region === 'us-east-1' ? 'Z7HUB22UULQXV' : `Z${digest(`vpce/${region}`).slice(0, 12).toUpperCase()}`;
}

export function serviceDetail(region: string, s: EndpointService): Ec2.ServiceDetail {
  const zones = zonesOf(region);
  const type = s.types[0]!;
  return {
    ServiceName: s.name,
    ServiceId: `vpce-svc-${digest(`${s.name}/${type}`).slice(0, 17)}`,
    ServiceType: [{ ServiceType: type }],
    ServiceRegion: region,
    AvailabilityZones: zones.map((z) => z.zoneName),
    AvailabilityZoneIds: zones.map((z) => z.zoneId),
    Owner: 'amazon',
    BaseEndpointDnsNames: [type === 'Gateway' ? `${s.dnsLabel}.${region}.amazonaws.com` : `${s.dnsLabel}.${region}.vpce.amazonaws.com`],
    PrivateDnsName: s.privateDnsName,
    PrivateDnsNames: s.privateDnsName ? [{ PrivateDnsName: s.privateDnsName }] : undefined,
    VpcEndpointPolicySupported: true,
    AcceptanceRequired: false,
    ManagesVpcEndpoints: false,
    PrivateDnsNameVerificationState: s.privateDnsName ? 'verified' : undefined,
    SupportedIpAddressTypes: ['ipv4'],
    Tags: [],
  };
}

export interface AwsPrefixList {
  id: string;
  name: string;
  cidrs: string[];
}

/** The AWS-managed prefix lists of a region: one per gateway service. */
export function prefixLists(region: string): AwsPrefixList[] {
  return SERVICES.filter((s) => s.types.includes('Gateway')).map((s) => {
    const name = `com.amazonaws.${region}.${s.suffix}`;
    return { id: KNOWN_PREFIX_LISTS[name] ?? `pl-${digest(name).slice(0, 8)}`, name, cidrs: PREFIX_LIST_CIDRS[s.suffix] ?? [] };
  });
}
