// RegisterTaskDefinition's validation (ClientException, AWS's wording where known) and the defaults
// AWS fills in (essential true, protocol tcp, awsvpc host ports = container ports, empty lists).
import type * as Ecs from '../../protocol/generated/ecs.js';
import { client } from './common.js';
import { fargateHostAccessProblem, refuseHostAccess } from './host-access-rules.js';

/** Fargate's CPU → memory (MiB) table. */
function fargateMemoryOk(cpu: number, mem: number): boolean {
  const gb = 1024;
  switch (cpu) {
    case 256:
      return [512, 1024, 2048].includes(mem);
    case 512:
      return mem >= 1 * gb && mem <= 4 * gb && mem % gb === 0;
    case 1024:
      return mem >= 2 * gb && mem <= 8 * gb && mem % gb === 0;
    case 2048:
      return mem >= 4 * gb && mem <= 16 * gb && mem % gb === 0;
    case 4096:
      return mem >= 8 * gb && mem <= 30 * gb && mem % gb === 0;
    case 8192:
      return mem >= 16 * gb && mem <= 60 * gb && mem % (4 * gb) === 0;
    case 16384:
      return mem >= 32 * gb && mem <= 120 * gb && mem % (8 * gb) === 0;
    default:
      return false;
  }
}

/** "1 vCPU" / "1024" → CPU units; "2 GB" / "2048" → MiB. */
function units(value: string | undefined, kind: 'cpu' | 'memory'): number | undefined {
  if (value === undefined) return undefined;
  const m = /^\s*(\d+(?:\.\d+)?)\s*(vcpu|gb)?\s*$/i.exec(value);
  if (!m) return NaN;
  const n = Number(m[1]);
  void kind;
  return m[2] ? Math.round(n * 1024) : n;
}

function fargateProblem(td: Ecs.RegisterTaskDefinitionRequest): string | undefined {
  if ((td.networkMode ?? 'bridge') !== 'awsvpc') return "Fargate only supports network mode 'awsvpc'.";
  if (td.cpu === undefined) return "Fargate requires that 'cpu' be defined at the task level.";
  if (td.memory === undefined) return "Fargate requires that 'memory' be defined at the task level.";
  const cpu = units(td.cpu, 'cpu')!;
  const mem = units(td.memory, 'memory')!;
  if (!fargateMemoryOk(cpu, mem))
    return `No Fargate configuration exists for given values: ${td.cpu} CPU, ${td.memory} memory. See the Amazon ECS documentation for the valid values.`;
  return fargateHostAccessProblem(td);
}

export function compatibilitiesOf(td: Ecs.TaskDefinition): Ecs.CompatibilityList {
  const out: Ecs.CompatibilityList = ['EC2'];
  if (!fargateProblem(td as Ecs.RegisterTaskDefinitionRequest)) out.push('FARGATE');
  return out;
}

function checkHealthCheck(name: string, hc: Ecs.HealthCheck): void {
  const [kind, ...rest] = hc.command ?? [];
  if (!kind || !['CMD', 'CMD-SHELL', 'NONE'].includes(kind) || (kind !== 'NONE' && !rest.length)) {
    throw client(
      `Invalid 'command' setting for health check of container '${name}'. The command must start with CMD or CMD-SHELL followed by the command to run, e.g. ["CMD-SHELL", "curl -f http://localhost/ || exit 1"].`,
    );
  }
  const range = (field: string, v: number | undefined, min: number, max: number) => {
    if (v !== undefined && (v < min || v > max)) throw client(`Invalid '${field}' setting for health check of container '${name}'. Valid values are ${min} to ${max}.`);
  };
  range('interval', hc.interval, 5, 300);
  range('timeout', hc.timeout, 2, 60);
  range('retries', hc.retries, 1, 10);
  range('startPeriod', hc.startPeriod, 0, 300);
}

/**
 * Validates and returns the definition as AWS stores it. `userProblem` says why this server can
 * never run a container as its `user` (the process runtime when Wayfinder is not root): refused
 * here rather than accepted and failed at every start.
 */
export function normaliseTaskDefinition(input: Ecs.RegisterTaskDefinitionRequest, userProblem?: (container: string, user: string) => string | undefined): Ecs.TaskDefinition {
  const containers = input.containerDefinitions ?? [];
  if (!containers.length) throw client('Container list cannot be empty.');
  if (containers.length > 10) throw client('Too many containers: a task definition can have at most 10 containers.');
  const networkMode = input.networkMode;
  const requires = input.requiresCompatibilities ?? [];
  if (requires.includes('FARGATE')) {
    const problem = fargateProblem(input);
    if (problem) throw client(problem);
  }
  // Settings that reach into the machine Wayfinder runs on (after AWS's own Fargate refusals above).
  refuseHostAccess(input);
  for (const v of [input.cpu, input.memory]) {
    if (v !== undefined && Number.isNaN(units(v, 'cpu'))) throw client(`Invalid cpu or memory value '${v}'. Use units (1024) or '1 vCPU' / '2 GB'.`);
  }
  const names = new Set<string>();
  let essentials = 0;
  const out = containers.map((c) => {
    if (!c.name) throw client('Container.name should not be null or empty.');
    if (!/^[a-zA-Z0-9_-]{1,255}$/.test(c.name)) throw client(`Container name '${c.name}' can have up to 255 letters (uppercase and lowercase), numbers, hyphens, and underscores.`);
    if (names.has(c.name)) throw client(`Duplicate container name '${c.name}' in the task definition.`);
    names.add(c.name);
    if (!c.image) throw client('Container.image should not be null or empty.');
    const essential = c.essential ?? true;
    if (essential) essentials++;
    if (!requires.includes('FARGATE') && input.memory === undefined && c.memory === undefined && c.memoryReservation === undefined) {
      throw client(`Invalid setting for container '${c.name}'. At least one of 'memory' or 'memoryReservation' must be specified.`);
    }
    if (c.memory !== undefined && c.memoryReservation !== undefined && c.memory < c.memoryReservation) {
      throw client(`Invalid setting for container '${c.name}'. 'memory' must be greater than or equal to 'memoryReservation'.`);
    }
    if (c.memory !== undefined && c.memory < 6) throw client(`Invalid setting for container '${c.name}'. The memory limit must be at least 6 MiB.`);
    const portMappings = (c.portMappings ?? []).map((p) => {
      if (p.containerPort === undefined && !p.containerPortRange) throw client(`Invalid port mapping for container '${c.name}': containerPort is required.`);
      if (p.containerPort !== undefined && (p.containerPort < 1 || p.containerPort > 65535))
        throw client(`Invalid port mapping for container '${c.name}': containerPort must be between 1 and 65535.`);
      if (p.hostPort !== undefined && (p.hostPort < 0 || p.hostPort > 65535)) throw client(`Invalid port mapping for container '${c.name}': hostPort must be between 0 and 65535.`);
      if ((networkMode === 'awsvpc' || networkMode === 'host') && p.hostPort !== undefined && p.hostPort !== p.containerPort) {
        throw client(`When networkMode=${networkMode}, the host ports and container ports in port mappings must match.`);
      }
      const hostPort = networkMode === 'awsvpc' || networkMode === 'host' ? p.containerPort : p.hostPort;
      return { ...p, ...(hostPort !== undefined ? { hostPort } : {}), protocol: p.protocol ?? 'tcp' };
    });
    if (c.healthCheck) checkHealthCheck(c.name, c.healthCheck);
    if (c.logConfiguration?.logDriver === 'awslogs' && !c.logConfiguration.options?.['awslogs-group']) {
      throw client(`Invalid setting for container '${c.name}': the awslogs log driver requires the 'awslogs-group' option.`);
    }
    if (c.stopTimeout !== undefined && (c.stopTimeout < 0 || c.stopTimeout > 120))
      throw client(`Invalid setting for container '${c.name}': stopTimeout must be between 0 and 120 seconds.`);
    const userRefusal = c.user ? userProblem?.(c.name, c.user) : undefined;
    if (userRefusal) throw client(`Invalid setting for container '${c.name}': ${userRefusal}.`);
    const normalised: Ecs.ContainerDefinition = {
      ...c,
      cpu: c.cpu ?? 0,
      portMappings,
      essential,
      environment: c.environment ?? [],
      mountPoints: c.mountPoints ?? [],
      volumesFrom: c.volumesFrom ?? [],
      ...(c.healthCheck ? { healthCheck: { interval: 30, timeout: 5, retries: 3, ...c.healthCheck } } : {}),
    };
    return normalised;
  });
  if (!essentials) throw client('A task definition must have at least one essential container.');
  for (const c of out) {
    for (const d of c.dependsOn ?? []) {
      if (!names.has(d.containerName)) throw client(`Container '${c.name}' depends on container '${d.containerName}', which is not defined in the task definition.`);
    }
  }
  const attrs: Ecs.Attribute[] = [{ name: 'com.amazonaws.ecs.capability.docker-remote-api.1.18' }];
  if (networkMode === 'awsvpc') attrs.push({ name: 'ecs.capability.task-eni' });
  if (out.some((c) => c.logConfiguration?.logDriver === 'awslogs')) attrs.push({ name: 'com.amazonaws.ecs.capability.logging-driver.awslogs' });
  if (out.some((c) => c.healthCheck)) attrs.push({ name: 'ecs.capability.container-health-check' });
  return {
    containerDefinitions: out,
    ...(input.taskRoleArn ? { taskRoleArn: input.taskRoleArn } : {}),
    ...(input.executionRoleArn ? { executionRoleArn: input.executionRoleArn } : {}),
    ...(networkMode ? { networkMode } : {}),
    volumes: input.volumes ?? [],
    requiresAttributes: attrs,
    placementConstraints: input.placementConstraints ?? [],
    ...(requires.length ? { requiresCompatibilities: requires } : {}),
    ...(input.cpu !== undefined ? { cpu: input.cpu } : {}),
    ...(input.memory !== undefined ? { memory: input.memory } : {}),
    ...(input.pidMode ? { pidMode: input.pidMode } : {}),
    ...(input.ipcMode ? { ipcMode: input.ipcMode } : {}),
    ...(input.proxyConfiguration ? { proxyConfiguration: input.proxyConfiguration } : {}),
    ...(input.runtimePlatform ? { runtimePlatform: input.runtimePlatform } : {}),
    ...(input.ephemeralStorage ? { ephemeralStorage: input.ephemeralStorage } : {}),
    ...(input.enableFaultInjection !== undefined ? { enableFaultInjection: input.enableFaultInjection } : {}),
  };
}
