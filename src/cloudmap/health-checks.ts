// Route 53-style health checks (HealthCheckConfig): every instance of such a service is probed at
// AWS_INSTANCE_IPV4:AWS_INSTANCE_PORT — TCP connect, or GET ResourcePath over HTTP/HTTPS where a
// 2xx/3xx answer is healthy. FailureThreshold consecutive results the other way flip the status
// (Route 53 uses the same threshold in both directions); only flips are written to the store.
// Route 53 probes every 30 s; Wayfinder every `intervalMs` (the health delay, at least 100 ms).
// The set of probes follows the discovery view, so (de)registrations start and stop them.
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect } from 'node:net';
import type { Logger } from '../kernel/log.js';
import type { Store } from '../store/store.js';
import type { Discovery } from './discovery.js';
import { instanceKey, splitInstanceKey, type CloudMapStore, type CustomStatus, type HealthCheckRecord } from './store.js';
import { setCheckedHealthTx } from './writes.js';

export interface ProbeTarget {
  check: HealthCheckRecord;
  ipv4?: string;
  port?: number;
}

const PROBE_TIMEOUT_MS = 2000;

/** One probe: resolves true when the endpoint answered as Route 53 wants (never rejects). */
export function probe(target: ProbeTarget, timeoutMs = PROBE_TIMEOUT_MS, signal?: AbortSignal): Promise<boolean> {
  const { check, ipv4, port } = target;
  if (!ipv4 || port === undefined || signal?.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    let settled = false;
    const onAbort = () => {
      cleanup();
      done(false);
    };
    const done = (ok: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      resolve(ok);
    };
    signal?.addEventListener('abort', onAbort);
    const timer = setTimeout(() => {
      cleanup();
      done(false);
    }, timeoutMs);
    let cleanup = () => {};
    if (check.type === 'TCP') {
      const socket = connect({ host: ipv4, port });
      cleanup = () => socket.destroy();
      socket.once('connect', () => (socket.destroy(), done(true)));
      socket.once('error', () => done(false));
      return;
    }
    const send = check.type === 'HTTPS' ? httpsRequest : httpRequest;
    const req = send({
      host: ipv4,
      port,
      path: check.resourcePath ?? '/',
      method: 'GET',
      agent: false,
      headers: { 'user-agent': 'Amazon-Route53-Health-Check-Service (Wayfinder)', connection: 'close' },
      rejectUnauthorized: false, // Route 53 does not validate certificates
    });
    cleanup = () => req.destroy();
    req.once('response', (res) => {
      const code = res.statusCode ?? 0;
      res.resume();
      req.destroy();
      done(code >= 200 && code < 400);
    });
    req.once('error', () => done(false));
    req.end();
  });
}

interface ProbeState {
  key: string;
  target: ProbeTarget;
  signature: string;
  streak: number; // consecutive results contradicting the current status
  timer?: NodeJS.Timeout;
  running: boolean;
}

export class CloudMapHealthChecks {
  private readonly probes = new Map<string, ProbeState>();
  /** Service id → the keys of its probes, so a change to one service visits that service's probes only. */
  private readonly byService = new Map<string, Set<string>>();
  private stopped = true;
  private aborter = new AbortController();
  private offView?: () => void;

  constructor(
    private readonly cm: CloudMapStore,
    private readonly store: Store,
    private readonly discovery: Discovery,
    private readonly intervalMs: number,
    private readonly logger: Logger,
  ) {}

  start(): void {
    this.stopped = false;
    this.aborter = new AbortController();
    this.offView = this.discovery.onChange((touched) => this.sync(touched));
    this.sync(undefined);
  }

  stop(): void {
    this.stopped = true;
    this.aborter.abort(); // in-flight probes close their sockets now
    this.offView?.();
    for (const p of this.probes.values()) clearTimeout(p.timer);
    this.probes.clear();
    this.byService.clear();
  }

  get probeCount(): number {
    return this.probes.size;
  }

  /**
   * Starts probes for new targets, restarts changed ones, stops the ones that went away: in the services
   * the discovery view rebuilt (`touched`), or in every service when it does not say.
   */
  private sync(touched: ReadonlySet<string> | undefined): void {
    if (this.stopped) return;
    const snap = this.discovery.snapshot;
    const wanted = new Set<string>();
    const views = touched ? [...touched].map((id) => snap.services.get(id)) : snap.services.values();
    for (const view of views) {
      const check = view?.record.healthCheck;
      if (view?.healthMode !== 'route53' || !check) continue;
      for (const inst of view.instances) {
        const key = instanceKey(view.record, view.record.id, inst.instanceId);
        wanted.add(key);
        const target: ProbeTarget = { check, ipv4: inst.ipv4, port: inst.port };
        const signature = JSON.stringify(target);
        const existing = this.probes.get(key);
        if (existing?.signature === signature) continue;
        if (existing) clearTimeout(existing.timer);
        const state: ProbeState = { key, target, signature, streak: 0, running: false };
        this.probes.set(key, state);
        let keys = this.byService.get(view.record.id);
        if (!keys) this.byService.set(view.record.id, (keys = new Set()));
        keys.add(key);
        this.schedule(state, 0);
      }
    }
    const probed = touched ? [...touched].flatMap((id) => [...(this.byService.get(id) ?? [])]) : [...this.probes.keys()];
    for (const key of probed) {
      if (wanted.has(key)) continue;
      const p = this.probes.get(key);
      if (p) clearTimeout(p.timer);
      this.forget(key);
    }
  }

  private forget(key: string): void {
    this.probes.delete(key);
    const serviceId = splitInstanceKey(key)?.serviceId;
    const keys = serviceId === undefined ? undefined : this.byService.get(serviceId);
    keys?.delete(key);
    if (keys?.size === 0) this.byService.delete(serviceId!);
  }

  private schedule(state: ProbeState, delay: number): void {
    state.timer = setTimeout(() => void this.run(state), delay);
    state.timer.unref();
  }

  private async run(state: ProbeState): Promise<void> {
    if (this.stopped || this.probes.get(state.key) !== state || state.running) return;
    state.running = true;
    const ok = await probe(state.target, Math.min(PROBE_TIMEOUT_MS, Math.max(this.intervalMs, 200)), this.aborter.signal);
    state.running = false;
    if (this.stopped || this.probes.get(state.key) !== state) return;
    const current: CustomStatus = this.cm.health.get(state.key)?.status ?? 'HEALTHY';
    const contradicts = ok ? current === 'UNHEALTHY' : current === 'HEALTHY';
    state.streak = contradicts ? state.streak + 1 : 0;
    if (state.streak >= state.target.check.failureThreshold) {
      state.streak = 0;
      try {
        this.store.withTx(() => setCheckedHealthTx(this.cm, state.key, ok ? 'HEALTHY' : 'UNHEALTHY'), 'background'); // the next probe says it again
      } catch (e) {
        this.logger.error({ err: e, key: state.key }, 'recording a health check result failed');
      }
    }
    if (this.probes.get(state.key) === state) this.schedule(state, this.intervalMs);
  }
}
