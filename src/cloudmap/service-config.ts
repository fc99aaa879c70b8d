// The business rules of a service's DNS and health configuration (docs/aws-behavior.md §4.3), as pure functions:
// which record sets are allowed, which namespace types take which health check, what UpdateService
// may change. Model constraints (enums, ranges) were checked by the protocol layer already.
import { AwsError } from '../kernel/errors.js';
import type { DnsRecordConfig, HealthCheckRecord, NamespaceType, RecordType, RoutingPolicy, ServiceRecord } from './store.js';

export interface ServiceConfigInput {
  namespaceType: NamespaceType;
  type?: 'HTTP';
  dnsConfig?: { RoutingPolicy?: RoutingPolicy; DnsRecords: Array<{ Type: RecordType; TTL: number }> };
  healthCheckConfig?: { Type: 'HTTP' | 'HTTPS' | 'TCP'; ResourcePath?: string; FailureThreshold?: number };
  healthCheckCustomConfig?: { FailureThreshold?: number };
}

export type ServiceConfig = Pick<ServiceRecord, 'type' | 'routingPolicy' | 'dnsRecords' | 'healthCheck' | 'customHealth'>;

const invalid = (message: string) => new AwsError('InvalidInput', message);

/** Checks a DnsRecords list: A, AAAA and SRV in any combination without repeats, or CNAME alone. */
export function checkDnsRecords(records: ReadonlyArray<{ Type: RecordType; TTL: number }>, routingPolicy: RoutingPolicy): DnsRecordConfig[] {
  if (records.length === 0) throw invalid('DnsConfig.DnsRecords must contain at least one record.');
  const seen = new Set<RecordType>();
  for (const r of records) {
    if (seen.has(r.Type)) throw invalid(`DnsConfig.DnsRecords contains more than one ${r.Type} record.`);
    seen.add(r.Type);
  }
  if (seen.has('CNAME') && seen.size > 1) throw invalid('A CNAME record cannot be combined with other record types in DnsConfig.DnsRecords.');
  if (seen.has('CNAME') && routingPolicy !== 'WEIGHTED') throw invalid('CNAME records require the WEIGHTED routing policy.');
  return records.map((r) => ({ type: r.Type, ttl: r.TTL }));
}

export function checkHealthCheckConfig(hc: NonNullable<ServiceConfigInput['healthCheckConfig']>, namespaceType: NamespaceType): HealthCheckRecord {
  if (namespaceType === 'DNS_PRIVATE') {
    throw invalid('HealthCheckConfig is not supported for services in private DNS namespaces; use HealthCheckCustomConfig.');
  }
  if (hc.Type === 'TCP' && hc.ResourcePath !== undefined) throw invalid('ResourcePath cannot be specified for TCP health checks.');
  const record: HealthCheckRecord = { type: hc.Type, failureThreshold: hc.FailureThreshold ?? 1 };
  if (hc.Type !== 'TCP') {
    const path = hc.ResourcePath ?? '/';
    if (!path.startsWith('/')) throw invalid(`ResourcePath must start with '/': ${path.slice(0, 255)}`);
    record.resourcePath = path;
  }
  return record;
}

/** Validates CreateService's configuration for a namespace of the given type. */
export function checkServiceConfig(input: ServiceConfigInput): ServiceConfig {
  const { namespaceType, dnsConfig, healthCheckConfig, healthCheckCustomConfig } = input;
  if (healthCheckConfig && healthCheckCustomConfig) throw invalid('HealthCheckConfig and HealthCheckCustomConfig cannot both be specified.');
  const config: ServiceConfig = { type: 'HTTP' };
  if (dnsConfig) {
    if (namespaceType === 'HTTP') throw invalid('DnsConfig cannot be specified for a service in an HTTP namespace.');
    if (input.type === 'HTTP') throw invalid('DnsConfig cannot be specified for a service of type HTTP.');
    config.type = 'DNS_HTTP';
    config.routingPolicy = dnsConfig.RoutingPolicy ?? 'MULTIVALUE';
    config.dnsRecords = checkDnsRecords(dnsConfig.DnsRecords, config.routingPolicy);
  }
  if (healthCheckConfig) {
    config.healthCheck = checkHealthCheckConfig(healthCheckConfig, namespaceType);
    if (config.dnsRecords?.some((r) => r.type === 'CNAME')) throw invalid('HealthCheckConfig cannot be specified for a service with a CNAME record.');
  }
  if (healthCheckCustomConfig) config.customHealth = { failureThreshold: healthCheckCustomConfig.FailureThreshold ?? 1 };
  return config;
}

/** UpdateService may change TTLs (never the record types) and the Route 53 health check. */
export function checkDnsUpdate(current: ServiceRecord, records: ReadonlyArray<{ Type: RecordType; TTL: number }>): DnsRecordConfig[] {
  if (!current.dnsRecords) throw invalid('DnsConfig cannot be specified for a service without DNS records.');
  const next = checkDnsRecords(records, current.routingPolicy ?? 'MULTIVALUE');
  const types = (list: DnsRecordConfig[]) =>
    list
      .map((r) => r.type)
      .sort()
      .join(',');
  if (types(next) !== types(current.dnsRecords)) {
    throw invalid(`The record types of a service cannot be changed (it has ${types(current.dnsRecords)}); delete and re-create the service instead.`);
  }
  return next;
}
