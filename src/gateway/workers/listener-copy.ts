// A worker thread's own descriptor for the edge port's listening socket. Threads share the process's
// descriptor table, so a worker could listen on the main thread's fd number directly; but each libuv
// loop closes its handle's fd when it stops, and two closes of one number would close whatever file
// took the number in between (a SQLite file, a client). So each worker gets a duplicate: a short-lived
// child process inherits the socket (as its fd 3) and sends it back over its IPC channel, which the
// kernel delivers as a new descriptor (SCM_RIGHTS) to this thread's loop. The child never listens
// or accepts; it exits right after. Node 20 has no dup(), no SO_REUSEPORT option.
import { fork } from 'node:child_process';
import type { Server } from 'node:net';
import { fileURLToPath } from 'node:url';

const HELPER = fileURLToPath(new URL('./listener-copy-child.js', import.meta.url));
/** The child's start-up takes ~50 ms; a loaded machine gets ample margin. */
const TIMEOUT_MS = 30_000;

/** The descriptor of a listening server's socket (Node keeps it on a private field; read here only). */
export function listeningFd(server: Server): number {
  return (server as unknown as { _handle: { fd: number } })._handle.fd;
}

/** A raw TCP server handle for the listening socket `fd`, owned by the calling thread. */
export function copyListener(fd: number): Promise<object> {
  return new Promise((resolve, reject) => {
    const child = fork(HELPER, [], { stdio: ['ignore', 'ignore', 'inherit', fd, 'ipc'], serialization: 'json' });
    let handle: object | undefined;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error('the listener copy did not arrive'));
    }, TIMEOUT_MS);
    child.once('message', (_m, h) => {
      if (h) handle = h as object;
    });
    // 'close' comes once the helper has exited and its IPC channel has delivered everything: the copy
    // is handed over only then, so no helper process outlives the start-up (none while serving).
    child.once('close', (code) => {
      clearTimeout(timer);
      if (handle) resolve(handle);
      else reject(new Error(`the listener copy helper exited with ${code} without a handle`));
    });
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}
