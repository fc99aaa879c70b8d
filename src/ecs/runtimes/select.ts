// `--runtime auto|process|docker`: auto picks docker when an engine answers (DOCKER_HOST or the
// local socket), else process; docker without an engine is a start-up error, not a silent fallback.
import type { Logger } from '../../kernel/log.js';
import type { ContainerRuntime } from './api.js';
import { DockerRuntime } from './docker/docker-runtime.js';
import { DockerEngine, describeTarget, engineTargetFromEnv } from './docker/engine-client.js';

export type RuntimeChoice = 'auto' | 'process' | 'docker';

/** A docker runtime when an engine answers, else undefined. */
export async function dockerIfAvailable(instanceId: string, logger: Logger, env: NodeJS.ProcessEnv = process.env): Promise<DockerRuntime | undefined> {
  let engine: DockerEngine;
  try {
    engine = new DockerEngine(engineTargetFromEnv(env));
  } catch (e) {
    logger.warn({ err: (e as Error).message }, 'DOCKER_HOST not usable');
    return undefined;
  }
  if (await engine.ping()) return new DockerRuntime(engine, instanceId);
  engine.close();
  return undefined;
}

export async function selectRuntime(
  choice: RuntimeChoice,
  instanceId: string,
  processRuntime: ContainerRuntime,
  logger: Logger,
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ runtime: ContainerRuntime; docker?: DockerRuntime }> {
  if (choice === 'process') return { runtime: processRuntime };
  const docker = await dockerIfAvailable(instanceId, logger, env);
  if (docker) return { runtime: docker, docker };
  if (choice === 'docker') {
    let where = 'the local socket';
    try {
      where = describeTarget(engineTargetFromEnv(env));
    } catch {
      /* reported above */
    }
    throw new Error(`--runtime docker: no Docker engine answers at ${where} (start dockerd, set DOCKER_HOST, or use --runtime process)`);
  }
  return { runtime: processRuntime };
}
