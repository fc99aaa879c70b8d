// The start-up banner: what a newcomer needs to point the aws CLI and SDKs at Wayfinder.
import { BUILT_IN_KEY, type Config } from '../server/config.js';

/** Banner lines for the facts products report (GET /_wayfinder/health). */
export function factLines(facts: Record<string, unknown>, config: Config): string[] {
  const lines: string[] = [];
  if (typeof facts.runtime === 'string') {
    lines.push(`runtime      ${facts.runtime}${typeof facts.runtimeDetail === 'string' ? ` — ${facts.runtimeDetail}` : ''} (--runtime ${config.runtime})`);
  }
  if (typeof facts.dnsPort === 'number') {
    const delay = typeof facts.cloudMapHealthDelayMs === 'number' ? facts.cloudMapHealthDelayMs : config.healthDelayMs;
    lines.push(`dns          ${config.host}:${facts.dnsPort} udp+tcp, authoritative for Cloud Map DNS namespaces (dig -p ${facts.dnsPort} @${config.host} …)`);
    lines.push(`cloud map    health changes apply after ${delay} ms (AWS: ~30 s; --health-delay-ms)`);
  }
  return lines;
}

const AUTH_LINE: Record<Config['auth'], string> = {
  on: 'any access key (a 12-digit key acts in that account); known secrets verified (--auth on)',
  strict: 'known keys only, every signature verified (--auth strict)',
  off: 'SigV4 NOT verified (--auth off)',
};

export function banner(config: Config, port: number, extra: string[] = []): string {
  const host = config.host === '127.0.0.1' || config.host === '::1' ? 'localhost' : config.host;
  const endpoint = `http://${host}:${port}`;
  const publicKey = config.credentials.some((c) => c.accessKeyId === BUILT_IN_KEY.accessKeyId);
  const lines = [
    `Wayfinder is up — API Gateway HTTP API → VPC link → Cloud Map → ECS, on this machine.`,
    ``,
    `  endpoint     ${endpoint}`,
    `  region       ${config.region} (signed requests use their own)`,
    publicKey
      ? `  credentials  test / test  (account ${config.accountId})${config.credentials.length > 1 ? ` + ${config.credentials.length - 1} configured` : ''}`
      : `  credentials  your --credentials only (${config.credentials.length} key pair${config.credentials.length === 1 ? '' : 's'}): test/test serves loopback binds only`,
    `  auth         ${AUTH_LINE[config.auth]}`,
    `  data         ${config.dataDir}`,
    ...extra.map((l) => `  ${l}`),
    ``,
    `Point your tools at it:`,
    `  export AWS_ENDPOINT_URL=${endpoint} AWS_ACCESS_KEY_ID=${publicKey ? 'test' : '<your key>'} AWS_SECRET_ACCESS_KEY=${publicKey ? 'test' : '<your secret>'} AWS_DEFAULT_REGION=${config.region}`,
    `  aws --endpoint-url ${endpoint} ec2 describe-vpcs`,
    ``,
    `Cloud Map DiscoverInstances: SDKs send it to data-${host}:${port}. Add "127.0.0.1 data-localhost" to /etc/hosts`,
    `for the aws CLI; JS v3: { disableHostPrefix: true }; boto3: Config(inject_host_prefix=False).`,
    ``,
    `Health: ${endpoint}/_wayfinder/health    Stop: Ctrl-C`,
  ];
  return lines.join('\n');
}
