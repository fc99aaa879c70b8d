// `wayfinder <command>`: up runs the server; the other commands talk to a running server over HTTP.
import { up, upUsage } from './up.js';

const USAGE = `Usage: wayfinder <command>

Commands:
  up        start Wayfinder in the foreground (wayfinder up --help for options)
  version   print the version
`;

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'up':
      return up(rest);
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
