// The task role's credentials endpoint, as the ECS agent serves it (docs/ecs.md "Task roles"): a task
// whose definition (or RunTask override) names a taskRoleArn gets AWS_CONTAINER_CREDENTIALS_FULL_URI and
// AWS_CONTAINER_AUTHORIZATION_TOKEN, and every AWS SDK then fetches short-lived STS credentials for that
// role from GET /_wayfinder/ecs/credentials/<id>, in the container-credentials JSON shape
// ({AccessKeyId, SecretAccessKey, Token, Expiration, RoleArn}).
//
// Who can read them:
//   - the path id and the token are 256-bit random values made for one task at its start and shown only
//     in that task's environment, so one task cannot name another's;
//   - both must match (the token in Authorization, compared in constant time);
//   - the route sits under /_wayfinder, behind the control plane's Host and Origin rules, and on top of
//     them refuses any request a browser marks as its own (Origin, Sec-Fetch-Site): SDKs send neither,
//     so no web page, not even a loopback one, ever reads a credential;
//   - a grant ends when its task stops.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IamApi, SessionCredentials } from '../iam/api.js';
import type { Logger } from '../kernel/log.js';
import { sendJson, type InternalRoute } from '../http1/routes.js';
import type { TaskCredentialsGrant, TaskRecord } from './store.js';

export const CREDENTIALS_PATH = '/_wayfinder/ecs/credentials/';
/** What tasks are given: long enough to be useful, short enough to be refreshed often (the ECS agent hands out ~6 h). */
const SESSION_SECONDS = 3600;
/** A cached session is replaced once less than this is left, so an SDK always gets one it can keep a while. */
const REFRESH_BEFORE_MS = 15 * 60 * 1000;

interface Grant {
  accountId: string;
  taskId: string;
  roleArn: string;
  token: Buffer;
  session?: SessionCredentials;
}

export class TaskCredentials {
  private readonly grants = new Map<string, Grant>();

  constructor(
    private readonly iam: Pick<IamApi, 'assumeRole'>,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  /** A new grant for a task about to start (stored in its record by the caller). */
  issue(roleArn: string): TaskCredentialsGrant {
    return { id: randomBytes(32).toString('base64url'), token: randomBytes(32).toString('base64url'), roleArn };
  }

  /** Makes a task's grant answerable (at its start, and when a restarted server re-adopts it). */
  activate(task: TaskRecord): void {
    const g = task.credentials;
    if (!g || this.grants.has(g.id)) return;
    this.grants.set(g.id, { accountId: task.accountId, taskId: task.taskId, roleArn: g.roleArn, token: Buffer.from(g.token) });
  }

  /** Ends a task's grant (the task stopped). */
  revoke(task: TaskRecord): void {
    if (task.credentials) this.grants.delete(task.credentials.id);
  }

  clear(): void {
    this.grants.clear();
  }

  get size(): number {
    return this.grants.size;
  }

  route(): InternalRoute {
    return {
      method: 'GET',
      path: /^\/_wayfinder\/ecs\/credentials\/([A-Za-z0-9_-]{43})$/,
      handle: (req, res, match) => {
        const h = req.headers;
        // Browsers send Origin or Sec-Fetch-Site (even same-origin); SDKs neither. (Sec-Fetch-Mode alone is
        // no sign of a browser: Node's fetch sends it.)
        if (h.origin !== undefined || h['sec-fetch-site'] !== undefined) {
          return sendJson(res, 403, { code: 'AccessDenied', message: 'Task credentials are not served to web pages.' });
        }
        const grant = this.grants.get(match[1]!);
        const given = Buffer.from(String(h.authorization ?? ''));
        if (!grant || given.length !== grant.token.length || !timingSafeEqual(given, grant.token)) {
          // One answer for an unknown id and a wrong token: neither tells a prober which ids exist.
          return sendJson(res, 400, { code: 'InvalidIdInRequest', message: 'CredentialsV2Request: Credentials not found' });
        }
        let session: SessionCredentials;
        try {
          session = this.session(grant);
        } catch (e) {
          this.logger.warn({ task: grant.taskId, role: grant.roleArn, err: (e as Error).message }, 'task role credentials could not be issued');
          // The role was deleted (or is another account's) since the task started: a state the caller cannot
          // fix by asking differently, and not our fault either. 503: the SDKs retry it, then report it.
          return sendJson(res, 503, { code: 'CredentialsUnavailable', message: `Unable to assume the task role ${grant.roleArn}: ${(e as Error).message}` });
        }
        sendJson(res, 200, {
          RoleArn: grant.roleArn,
          AccessKeyId: session.accessKeyId,
          SecretAccessKey: session.secretAccessKey,
          Token: session.sessionToken,
          Expiration: session.expiration.toISOString().replace(/\.\d{3}Z$/, 'Z'),
        });
      },
    };
  }

  /** The grant's current session, renewed through STS when it is near its end. */
  private session(grant: Grant): SessionCredentials {
    const s = grant.session;
    if (s && s.expiration.getTime() - this.now() > REFRESH_BEFORE_MS) return s;
    // The session name AWS gives a task's session is the task id.
    grant.session = this.iam.assumeRole(grant.accountId, grant.roleArn, grant.taskId, SESSION_SECONDS);
    return grant.session;
  }
}
