// Idle DNS-over-TCP connections must not starve the process of file descriptors. A real `wayfinder up` runs with a
// small descriptor limit (ulimit -n); a client opens more idle TCP connections to its DNS port than that limit
// allows. Without a cap the DNS listener took every descriptor and the edge port stopped accepting. With the cap the
// idlest DNS connections are closed, UDP and TCP queries still answer, the edge health endpoint still answers, and
// the remaining idle connections are closed after the idle timeout.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import packet from 'dns-packet';
import { DNS_TCP_IDLE_MS, DNS_TCP_MAX_CONNECTIONS } from '../../src/cloudmap/dns/server.js';
import { rawRequest } from '../support/server.js';
import { BIN } from '../support/cli.js';
import { privateNamespace, sdClient } from '../support/cloudmap.js';
import { waitFor } from '../support/ecs.js';

const IDLE_CONNECTIONS = DNS_TCP_MAX_CONNECTIONS + 200;
// The server's own descriptor limit: below IDLE_CONNECTIONS, so uncapped idle connections would exhaust it.
const SERVER_FDS = DNS_TCP_MAX_CONNECTIONS + 150;
// This test process holds the client end of every connection.
const ourLimit = Number(execFileSync('sh', ['-c', 'ulimit -n']).toString().trim());
const enoughFds = ourLimit === Infinity || Number.isNaN(ourLimit) || ourLimit >= IDLE_CONNECTIONS + 200;

type Decoded = ReturnType<typeof packet.decode> & { rcode?: string };

function query(name: string, id: number): Buffer {
  return packet.encode({ type: 'query', id, flags: packet.RECURSION_DESIRED, questions: [{ name, type: 'SOA', class: 'IN' }] });
}

function udpQuery(port: number, msg: Buffer): Promise<Decoded> {
  return new Promise((resolve, reject) => {
    const sock = createSocket('udp4');
    const timer = setTimeout(() => (sock.close(), reject(new Error('no UDP answer'))), 5_000);
    sock.on('message', (m) => (clearTimeout(timer), sock.close(), resolve(packet.decode(m) as Decoded)));
    sock.send(msg, port, '127.0.0.1');
  });
}

function tcpQuery(port: number, msg: Buffer): Promise<Decoded> {
  return new Promise((resolve, reject) => {
    const sock = connect(port, '127.0.0.1');
    const timer = setTimeout(() => (sock.destroy(), reject(new Error('no TCP answer'))), 5_000);
    let buf = Buffer.alloc(0);
    sock.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      if (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        clearTimeout(timer);
        sock.destroy();
        resolve(packet.decode(buf.subarray(2, 2 + buf.readUInt16BE(0))) as Decoded);
      }
    });
    sock.on('error', (e) => (clearTimeout(timer), reject(e)));
    sock.on('close', () => (clearTimeout(timer), reject(new Error('closed before answering'))));
    const frame = Buffer.alloc(2 + msg.length);
    frame.writeUInt16BE(msg.length, 0);
    msg.copy(frame, 2);
    sock.write(frame);
  });
}

/** Starts `wayfinder up` under `ulimit -n limit`; resolves with its edge and DNS ports from the banner. */
function startLimitedServer(limit: number, args: string[]) {
  const child = spawn('sh', ['-c', `ulimit -n ${limit} && exec "$0" "$@"`, process.execPath, BIN, 'up', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const ports = new Promise<{ port: number; dnsPort: number }>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const edge = /endpoint\s+http:\/\/[^:]+:(\d+)/.exec(out);
      const dns = /dns\s+[^:\s]+:(\d+) udp\+tcp/.exec(out);
      if (edge && dns) resolve({ port: Number(edge[1]), dnsPort: Number(dns[1]) });
    });
    void exited.then((code) => reject(new Error(`wayfinder exited with ${code}:\n${out}`)));
  });
  return { child, exited, ports, output: () => out };
}

test(`more idle DNS-over-TCP connections than the cap (${DNS_TCP_MAX_CONNECTIONS}) leave UDP, TCP and the edge port answering; idle ones are closed`, {
  skip: !enoughFds && `ulimit -n is ${ourLimit}: this test needs ${IDLE_CONNECTIONS + 200} descriptors`,
}, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'wf-dns-cap-'));
  const server = startLimitedServer(SERVER_FDS, ['--port', '0', '--dns-port', '0', '--data-dir', dir, '--runtime', 'process', '--operation-delay-ms', '0']);
  const idle: Socket[] = [];
  let closedByServer = 0;
  try {
    const { port, dnsPort } = await server.ports;
    const sd = sdClient({ port });
    await privateNamespace(sd, { port }, 'cap.test');
    sd.destroy();

    // The attack: connect and send nothing, more times than the server has descriptors.
    for (let i = 0; i < IDLE_CONNECTIONS; i++) {
      const sock = connect(dnsPort, '127.0.0.1');
      sock.on('error', () => undefined);
      sock.on('close', () => closedByServer++);
      await new Promise<void>((resolve) => {
        sock.once('connect', () => resolve());
        sock.once('close', () => resolve());
      });
      idle.push(sock);
    }

    const health = await rawRequest({ port }, { method: 'GET', path: '/_wayfinder/health' });
    assert.equal(health.status, 200, 'the edge port still accepts and answers');
    const udp = await udpQuery(dnsPort, query('cap.test', 4101));
    assert.equal(udp.id, 4101);
    assert.equal(udp.rcode, 'NOERROR');
    assert.equal(udp.answers?.[0]?.type, 'SOA', 'UDP answers the namespace SOA');
    const tcp = await tcpQuery(dnsPort, query('cap.test', 4102));
    assert.equal(tcp.id, 4102);
    assert.equal(tcp.answers?.[0]?.type, 'SOA', 'TCP answers the namespace SOA');

    // The server never held more than the cap: the idlest connections were closed as new ones arrived.
    await waitFor('the evicted connections to close', () => idle.length - closedByServer <= DNS_TCP_MAX_CONNECTIONS, 10_000, 20);
    assert.ok(idle.length - closedByServer <= DNS_TCP_MAX_CONNECTIONS, `${idle.length - closedByServer} idle connections still open`);
    assert.ok(idle.length - closedByServer > 0, 'the most recent connections were kept');

    // The rest are closed by the server once idle for DNS_TCP_IDLE_MS (bounded wait, no timing assertion).
    await waitFor('idle connections to be closed by the server', () => closedByServer === idle.length, DNS_TCP_IDLE_MS * 6, 50);
    assert.equal((await rawRequest({ port }, { method: 'GET', path: '/_wayfinder/health' })).status, 200);
  } finally {
    for (const s of idle) s.destroy();
    server.child.kill('SIGTERM');
    await server.exited;
    rmSync(dir, { recursive: true, force: true });
  }
});
