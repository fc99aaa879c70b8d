// Task definition settings that no Wayfinder runtime applies. They are harmless (what could reach into the
// host is refused at RegisterTaskDefinition: operations/host-access-rules.ts), but a task that runs without
// its memory limit, read-only root filesystem or volumes behaves differently from AWS, so RegisterTaskDefinition
// accepts and stores them as AWS does, and the ECS product logs them once at warn, naming the task definition.
import type * as Ecs from '../../protocol/generated/ecs.js';

/** Container settings neither runtime passes on (the process runtime also ignores `image`; docs/ecs.md). */
const CONTAINER_SETTINGS = [
  'cpu',
  'memory',
  'memoryReservation',
  'links',
  'mountPoints',
  'volumesFrom',
  'linuxParameters',
  'secrets',
  'environmentFiles',
  'dependsOn',
  'startTimeout',
  'hostname',
  'disableNetworking',
  'dnsServers',
  'dnsSearchDomains',
  'extraHosts',
  'readonlyRootFilesystem',
  'dockerSecurityOptions',
  'interactive',
  'pseudoTerminal',
  'ulimits',
  'systemControls',
  'resourceRequirements',
  'firelensConfiguration',
  'repositoryCredentials',
  'restartPolicy',
  'credentialSpecs',
] as const satisfies ReadonlyArray<keyof Ecs.ContainerDefinition>;

/** Task-level settings neither runtime applies (cpu/memory: no limits are set). */
const TASK_SETTINGS = [
  'volumes',
  'cpu',
  'memory',
  'pidMode',
  'ipcMode',
  'proxyConfiguration',
  'inferenceAccelerators',
  'ephemeralStorage',
  'placementConstraints',
] as const satisfies ReadonlyArray<keyof Ecs.RegisterTaskDefinitionRequest>;

/** Whether a value says anything beyond AWS's defaults (0, false, empty lists and maps say nothing). */
function isSet(v: unknown): boolean {
  if (v === undefined || v === null || v === false || v === 0 || v === '') return false;
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === 'object') return Object.values(v as object).some(isSet);
  return true;
}

/** The settings of a task definition that Wayfinder stores but does not apply, as `field` / `containerDefinitions[name].field`. */
export function ignoredSettings(td: Ecs.RegisterTaskDefinitionRequest): string[] {
  const out = TASK_SETTINGS.filter((f) => isSet(td[f])).map(String);
  if (td.networkMode === 'none') out.push("networkMode 'none' (containers still get a network)");
  for (const c of td.containerDefinitions ?? []) {
    const where = `containerDefinitions[${c.name ?? ''}]`;
    for (const f of CONTAINER_SETTINGS) if (isSet(c[f])) out.push(`${where}.${f}`);
    const driver = c.logConfiguration?.logDriver;
    if (driver && driver !== 'awslogs') out.push(`${where}.logConfiguration (log driver '${driver}'; only awslogs is served)`);
  }
  return out;
}
