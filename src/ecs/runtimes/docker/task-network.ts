// How Docker tasks reach Wayfinder (docs/ecs.md "Docker tasks and the task network"). Wayfinder listens on
// loopback, which a bridge container cannot reach, and the AWS SDKs take a credentials FULL_URI over plain
// HTTP only when its host is loopback or 169.254.170.2 (the address the ECS agent serves credentials on).
// So, as the ECS agent does on an instance, Docker tasks run on a bridge network of their own,
// `wayfinder-tasks` (169.254.170.0/24), whose gateway, the host's side of the bridge, is 169.254.170.2;
// and Wayfinder relays 169.254.170.2:<port> to its edge port. No root, no iptables: the engine creates the
// bridge and its address, Wayfinder only listens on it.
//
// The relay accepts connections from that network only (a LAN neighbour routing to the address gets
// nothing), and what it relays is the edge with all its rules: Host and Origin checks, SigV4.
import { createServer, connect, type Server, type Socket } from 'node:net';
import { type DockerEngine, EngineError } from './engine-client.js';

export const TASK_NETWORK = 'wayfinder-tasks';
export const TASK_GATEWAY = '169.254.170.2';
const TASK_SUBNET = '169.254.170.0/24';
const SUBNET_PREFIX = '169.254.170.';

interface NetworkInfo {
  IPAM?: { Config?: Array<{ Subnet?: string; Gateway?: string }> | null };
}

/** Creates the task network unless it exists (one per engine, shared by every Wayfinder on it). Throws with a reason when it cannot. */
export async function ensureTaskNetwork(engine: DockerEngine): Promise<void> {
  const check = (n: NetworkInfo) => {
    if (!n.IPAM?.Config?.some((c) => c.Gateway === TASK_GATEWAY)) throw new Error(`the Docker network '${TASK_NETWORK}' exists without the gateway ${TASK_GATEWAY}`);
  };
  const inspect = async () => (await engine.call<NetworkInfo>('GET', `/networks/${TASK_NETWORK}`)).body;
  try {
    return check(await inspect());
  } catch (e) {
    if (!(e instanceof EngineError && e.status === 404)) throw e;
  }
  try {
    await engine.call('POST', '/networks/create', {
      Name: TASK_NETWORK,
      Driver: 'bridge',
      CheckDuplicate: true,
      IPAM: { Config: [{ Subnet: TASK_SUBNET, Gateway: TASK_GATEWAY }] },
      Labels: { 'wayfinder.network': 'tasks' },
    });
  } catch (e) {
    // Another Wayfinder on this engine created it meanwhile.
    if (!(e instanceof EngineError && e.status === 409)) throw e;
    check(await inspect());
  }
}

/** Relays TCP connections from the task network (to 169.254.170.2:port) to the edge port. */
export class TaskRelay {
  private constructor(
    private readonly server: Server,
    private readonly sockets: Set<Socket>,
    readonly port: number,
  ) {}

  /** Listens on 169.254.170.2, on the edge's port number when free, else any. */
  static async open(edge: { host: string; port: number }): Promise<TaskRelay> {
    const sockets = new Set<Socket>();
    // Half-open both ways: a client that ends its request (HTTP/1.0 clients, `nc`) still reads the answer.
    const server = createServer({ allowHalfOpen: true }, (sock) => {
      if (!sock.remoteAddress?.replace(/^::ffff:/, '').startsWith(SUBNET_PREFIX)) return void sock.destroy();
      const up = connect({ port: edge.port, host: edge.host, allowHalfOpen: true });
      for (const s of [sock, up]) {
        sockets.add(s);
        s.on('error', () => undefined);
        s.on('close', () => {
          sockets.delete(s);
          sock.destroy();
          up.destroy();
        });
      }
      sock.pipe(up).pipe(sock);
    });
    const listen = (port: number) =>
      new Promise<number>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, TASK_GATEWAY, () => {
          server.off('error', reject);
          resolve((server.address() as { port: number }).port);
        });
      });
    let port: number;
    try {
      port = await listen(edge.port);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw e;
      port = await listen(0);
    }
    return new TaskRelay(server, sockets, port);
  }

  close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
