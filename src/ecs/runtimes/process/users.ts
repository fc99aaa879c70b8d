// Who a process-runtime container runs as. A container definition's `user` takes the forms ECS
// accepts on Linux: "name", "uid", "name:group", "uid:gid", "name:gid", "uid:group". Names resolve
// against the host's /etc/passwd and /etc/group (the process runtime has no image to read them from;
// NSS sources such as LDAP are not consulted). The server can switch to another user only when it
// runs as root; otherwise a container whose user differs from the server's is refused, never run as
// the server's user behind the caller's back.
import { readFileSync } from 'node:fs';

export interface Account {
  name: string;
  uid: number;
  gid: number;
  home: string;
}

export interface Accounts {
  users: Account[];
  groups: Array<{ name: string; gid: number }>;
}

export interface Identity {
  uid: number;
  gid: number;
}

/** Run as `uid:gid` (undefined: as the server itself, nothing to switch). */
export type RunAs = { ok: true; as?: Identity & { home?: string; name?: string } } | { ok: false; reason: string; serverCannotSwitch: boolean };

/** /etc/passwd and /etc/group as read now (a missing file reads as empty). */
export function hostAccounts(passwd = '/etc/passwd', group = '/etc/group'): Accounts {
  const rows = (file: string) => {
    try {
      return readFileSync(file, 'utf8')
        .split('\n')
        .filter((l) => l && !l.startsWith('#'))
        .map((l) => l.split(':'));
    } catch {
      return [];
    }
  };
  return {
    users: rows(passwd)
      .filter((f) => f.length >= 7 && isId(f[2]!) && isId(f[3]!))
      .map((f) => ({ name: f[0]!, uid: Number(f[2]), gid: Number(f[3]), home: f[5]! })),
    groups: rows(group)
      .filter((f) => f.length >= 3 && isId(f[2]!))
      .map((f) => ({ name: f[0]!, gid: Number(f[2]) })),
  };
}

function isId(s: string): boolean {
  return /^\d{1,10}$/.test(s) && Number(s) <= 0x7fffffff;
}

/**
 * Decides how to run a container whose definition says `user`, for a server running as `server`.
 * Unknown names fail the start with runc's wording; a user the server cannot switch to (it is not
 * root) is refused with `serverCannotSwitch` so RegisterTaskDefinition can refuse it up front.
 */
export function decideRunAs(container: string, user: string | undefined, server: Identity, accounts: Accounts): RunAs {
  if (user === undefined || user === '') return { ok: true };
  const parts = user.split(':');
  const [u, g] = parts;
  if (parts.length > 2 || !u || g === '') {
    return { ok: false, serverCannotSwitch: false, reason: `CannotStartContainerError: invalid user '${user}' for container '${container}': use name, uid, name:group or uid:gid` };
  }
  let account: Account | undefined;
  let uid: number;
  if (/^\d+$/.test(u)) {
    if (!isId(u)) return { ok: false, serverCannotSwitch: false, reason: `CannotStartContainerError: invalid user '${user}' for container '${container}': uid out of range` };
    uid = Number(u);
    account = accounts.users.find((a) => a.uid === uid);
  } else {
    account = accounts.users.find((a) => a.name === u);
    if (!account) return { ok: false, serverCannotSwitch: false, reason: `CannotStartContainerError: unable to find user ${u}: no matching entries in passwd file` };
    uid = account.uid;
  }
  let gid: number;
  if (g === undefined) {
    // Docker falls back to group 0 for a uid without a passwd entry; handing out the root group
    // implicitly is not safe on the host, so such a uid gets the group of the same number.
    gid = account ? account.gid : uid;
  } else if (/^\d+$/.test(g)) {
    if (!isId(g)) return { ok: false, serverCannotSwitch: false, reason: `CannotStartContainerError: invalid user '${user}' for container '${container}': gid out of range` };
    gid = Number(g);
  } else {
    const group = accounts.groups.find((x) => x.name === g);
    if (!group) return { ok: false, serverCannotSwitch: false, reason: `CannotStartContainerError: unable to find group ${g}: no matching entries in group file` };
    gid = group.gid;
  }
  if (server.uid === 0) return { ok: true, as: { uid, gid, ...(account ? { home: account.home, name: account.name } : {}) } };
  if (uid === server.uid && gid === server.gid) return { ok: true };
  return {
    ok: false,
    serverCannotSwitch: true,
    reason: `CannotStartContainerError: container '${container}' asks for user '${user}' (${uid}:${gid}) but Wayfinder runs as ${server.uid}:${server.gid}, not root, and cannot switch users; run it as root, use the docker runtime, or drop 'user'`,
  };
}

/** The server's own identity (uid 0 / gid 0 where the platform has none). */
export function serverIdentity(): Identity {
  return { uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0 };
}
