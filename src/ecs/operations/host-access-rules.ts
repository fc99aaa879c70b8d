// Task definition settings that would give a task power over the machine Wayfinder runs on. On AWS
// they act on a disposable EC2 container instance; here the "instance" is the developer's own machine,
// and anyone who can reach the control plane can register a task definition. So RegisterTaskDefinition
// refuses them with a ClientException that says so, on every runtime (the process runtime cannot
// honour them either). A task definition that requires FARGATE gets AWS's own Fargate message first,
// since AWS refuses these for Fargate too.
import type * as Ecs from '../../protocol/generated/ecs.js';
import { client } from './common.js';

/** The one capability Fargate lets a container add; confined to the container's own PID namespace. */
const FARGATE_CAPABILITY = 'SYS_PTRACE';
/** dockerSecurityOptions that switch off the confinement Docker gives every container. */
const UNCONFINED = /^(apparmor[:=]unconfined|label[:=]disable|seccomp[:=]unconfined|systempaths[:=]unconfined)$/i;

function addedCapabilities(c: Ecs.ContainerDefinition): string[] {
  return (c.linuxParameters?.capabilities?.add ?? []).filter((cap) => cap.toUpperCase() !== FARGATE_CAPABILITY);
}

/** AWS's refusal of these settings for a FARGATE task definition, or undefined. */
export function fargateHostAccessProblem(td: Ecs.RegisterTaskDefinitionRequest): string | undefined {
  if (td.pidMode && td.pidMode !== 'task') return `Tasks using the Fargate launch type do not support pidMode '${td.pidMode}'. The supported value for pidMode is 'task'.`;
  if (td.ipcMode) return 'Tasks using the Fargate launch type do not support ipcMode.';
  if ((td.volumes ?? []).some((v) => v.host?.sourcePath)) return 'Fargate compatible task definitions do not support sourcePath';
  for (const c of td.containerDefinitions ?? []) {
    if (c.privileged) return "Fargate requires that the 'privileged' setting be 'false'";
    if (c.linuxParameters?.devices?.length) return 'Fargate compatible task definitions do not support devices';
    const cap = addedCapabilities(c)[0];
    if (cap) return `${cap} is not allowed on Fargate.`;
  }
  return undefined;
}

/** Throws Wayfinder's ClientException for the first setting that would reach into the host. */
export function refuseHostAccess(td: Ecs.RegisterTaskDefinitionRequest): void {
  const refuse = (what: string, detail: string) => client(`Wayfinder does not ${what}: ${detail}`);
  if (td.networkMode === 'host')
    throw refuse(
      "run tasks on the host's network",
      "networkMode 'host' would let the task use every port and loopback service of the machine Wayfinder runs on. Use 'awsvpc' or 'bridge'.",
    );
  if (td.pidMode === 'host')
    throw refuse(
      "share the host's process namespace",
      "pidMode 'host' would let the task see and signal every process of the machine Wayfinder runs on. Leave pidMode unset or use 'task'.",
    );
  if (td.ipcMode === 'host')
    throw refuse(
      "share the host's IPC namespace",
      "ipcMode 'host' would let the task reach the shared memory of the machine Wayfinder runs on. Leave ipcMode unset or use 'task' or 'none'.",
    );
  for (const v of td.volumes ?? []) {
    if (v.host?.sourcePath)
      throw refuse('mount host paths into tasks', `volume '${v.name ?? ''}' sets host.sourcePath '${v.host.sourcePath}'. Leave host unset for a Docker-managed volume.`);
    const opts = v.dockerVolumeConfiguration?.driverOpts ?? {};
    if ((v.dockerVolumeConfiguration?.driver ?? 'local') === 'local' && (opts.device !== undefined || /\bbind\b/.test(opts.o ?? ''))) {
      throw refuse('mount host paths into tasks', `volume '${v.name ?? ''}' passes driverOpts that bind a host path through the local volume driver.`);
    }
  }
  for (const c of td.containerDefinitions ?? []) {
    const name = c.name ?? '';
    if (c.privileged) throw refuse('run privileged containers', `container '${name}' sets privileged, which would give it root access to the machine Wayfinder runs on.`);
    const cap = addedCapabilities(c)[0];
    if (cap) throw refuse('add Linux capabilities', `container '${name}' adds ${cap}. Only ${FARGATE_CAPABILITY}, which Fargate allows too, is accepted.`);
    const device = c.linuxParameters?.devices?.[0];
    if (device) throw refuse('pass host devices into containers', `container '${name}' maps the host device '${device.hostPath}'.`);
    const option = (c.dockerSecurityOptions ?? []).find((o) => UNCONFINED.test(o.trim()));
    if (option) throw refuse('switch off container confinement', `container '${name}' sets dockerSecurityOptions '${option}'.`);
  }
}
