// `wayfinder <command>`: up runs the server; the other commands talk to a running server over HTTP.
import { up, upUsage } from './up.js';
import { status } from './status.js';
import { logs } from './logs.js';
import { wait } from './wait.js';
import { UsageError } from './args.js';
import { AwsCallError } from './aws-call.js';

const USAGE = `Usage: wayfinder <command>

Commands:
  up        start Wayfinder in the foreground (wayfinder up --help for options)
  status    APIs and invoke URLs, Cloud Map services and health, ECS services and deployments
  logs      wayfinder logs <cluster> <service> [--follow] — a service's container logs
  wait      wayfinder wait ready | operation <id> | vpc-link <id> | service <cluster> <service>
  version   print the version

status, logs and wait talk to a running Wayfinder over HTTP: --endpoint (or AWS_ENDPOINT_URL,
default http://localhost:4566), --region (or AWS_DEFAULT_REGION), AWS_ACCESS_KEY_ID/SECRET (default test/test).
Without --region, status lists every region that holds resources and logs looks for the service there too.
`;

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    return await run(command, rest);
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`wayfinder ${command}: ${e.message}\n`);
      return 2;
    }
    // status/logs/wait talk to a server: an answer they cannot use is reported, not dumped as a stack.
    if (command !== 'up' && e instanceof Error) {
      process.stderr.write(`wayfinder ${command}: ${e instanceof AwsCallError ? e.message : e.message.replace(/^Error: /, '')}\n`);
      return 1;
    }
    throw e;
  }
}

async function run(command: string | undefined, rest: string[]): Promise<number> {
  switch (command) {
    case 'up':
      return up(rest);
    case 'status':
      return status(rest);
    case 'logs':
      return logs(rest);
    case 'wait':
      return wait(rest);
    case 'version':
    case '--version': {
      const { VERSION } = await import('../server/app.js');
      process.stdout.write(`wayfinder ${VERSION}\n`);
      return 0;
    }
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(USAGE + '\n' + upUsage() + '\n');
      return command === undefined ? 2 : 0;
    default:
      process.stderr.write(`wayfinder: unknown command '${command}'\n\n${USAGE}`);
      return 2;
  }
}
