// Group commit for the store (docs/architecture.md §4, durability). Every transaction commits into SQLite's
// WAL without an fsync (synchronous = NORMAL); what makes an acknowledged one durable is a barrier, one
// fdatasync of the WAL file, which covers every frame written before it. A write made outside any API call
// runs the barrier at once (syncNow: on disk when withTx returns, as before). Writes made by API handlers
// (Store.deferSync) only count themselves here; the dispatcher awaits durable() before it answers, and
// all the calls answered in one turn of the event loop share one fdatasync, run off the event loop on
// libuv's thread pool, while the thread goes on with the next requests.
//
// Why an fdatasync of our own descriptor is SQLite's own sync: in WAL mode a FULL commit is "append the
// frames, then fsync the WAL" (the header of a restarted WAL is synced by SQLite itself, and a checkpoint
// syncs the WAL before and the database after copying). Linux flushes an inode whatever descriptor asks,
// so fdatasync on a descriptor we opened read-only flushes the frames SQLite's connection wrote. The WAL
// file is only deleted when the last connection closes; each barrier still checks that its file has a name.
import { closeSync, fdatasync, fdatasyncSync, fstatSync, fsyncSync, openSync, statSync } from 'node:fs';
import { dirname } from 'node:path';

interface Waiter {
  seq: number;
  resolve(): void;
  reject(e: Error): void;
}

export class WalBarrier {
  private fd: number | undefined;
  /** The descriptor is the WAL's own: SQLite keeps that file (same inode) while the store's connection is open. */
  private fdIsWal = false;
  /** Sequence number of the last commit whose durability someone waits on. */
  private committed = 0;
  /** Every commit up to this sequence number is on disk. */
  private synced = 0;
  private inFlight = false;
  private scheduled = false;
  private waiters: Waiter[] = [];
  /** Barriers run (fdatasync calls), for tests and the benchmark's account of fsyncs per write. */
  barriers = 0;

  constructor(
    private readonly dbFile: string,
    private readonly walFile: string = `${dbFile}-wal`,
  ) {}

  /**
   * A commit was made whose answer waits for durable() (an API handler's write, inside Store.deferSync). The
   * barrier is scheduled now, not at the first durable(): a handler that goes on awaiting something long
   * leaves its write unsynced no longer than a turn.
   */
  deferred(): void {
    this.committed++;
    this.schedule();
  }

  /** Every commit made so far is on disk when this returns: one fdatasync on this thread. */
  syncNow(): void {
    const target = ++this.committed;
    fdatasyncSync(this.descriptor());
    this.barriers++;
    this.done(target);
  }

  /**
   * undefined when every deferred commit is already on disk, else a promise settled by the barrier that
   * covers them (rejected when the fdatasync fails: nothing may then be acknowledged as stored).
   */
  durable(): Promise<void> | undefined {
    if (this.synced >= this.committed) return undefined;
    const seq = this.committed;
    return new Promise<void>((resolve, reject) => {
      this.waiters.push({ seq, resolve, reject });
      this.schedule();
    });
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  /** The barrier runs after the current turn's I/O callbacks (setImmediate): every call read in it joins. */
  private schedule(): void {
    if (this.inFlight || this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.run();
    });
  }

  private run(): void {
    if (this.inFlight || this.synced >= this.committed) return;
    const target = this.committed;
    let fd: number;
    try {
      fd = this.descriptor();
    } catch (e) {
      this.fail(e as Error, target);
      return;
    }
    this.inFlight = true;
    fdatasync(fd, (err) => {
      this.inFlight = false;
      this.barriers++;
      if (err) this.fail(err, target);
      else this.done(target);
      // Commits made while this one ran wait for the next barrier, which starts at once (after a failure,
      // only if someone waits: a disk that fails is not asked again every turn for nobody).
      if (err ? this.waiters.length : this.synced < this.committed) this.schedule();
    });
  }

  private done(target: number): void {
    if (target > this.synced) this.synced = target;
    if (!this.waiters.length) return;
    const still: Waiter[] = [];
    for (const w of this.waiters) {
      if (w.seq <= this.synced) w.resolve();
      else still.push(w);
    }
    this.waiters = still;
  }

  private fail(err: Error, target: number): void {
    const still: Waiter[] = [];
    for (const w of this.waiters) {
      if (w.seq <= target) w.reject(err);
      else still.push(w);
    }
    this.waiters = still;
  }

  /**
   * The WAL's descriptor, opened on first use (the directory is synced then, so the file's own entry is on
   * disk too). Without a WAL file (every frame checkpointed and the file removed) the database file itself is
   * what holds the data, until a WAL appears: only then is the path looked at again at each barrier. SQLite
   * removes the WAL only when the last connection closes, and the store's own stays open while it syncs, so a
   * WAL descriptor stays the WAL's; one fstat still checks that the file has a name (another process, the
   * sqlite3 shell, could close last and unlink it), with no lookup of the path.
   */
  private descriptor(): number {
    if (this.fd !== undefined && this.fdIsWal && fstatSync(this.fd).nlink > 0) return this.fd;
    if (this.fd !== undefined) {
      try {
        if (statSync(this.walFile).ino === fstatSync(this.fd).ino) return this.fd;
      } catch {
        // gone: reopened below
      }
      this.close();
    }
    let fd: number;
    let isWal = true;
    try {
      fd = openSync(this.walFile, 'r');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      fd = openSync(this.dbFile, 'r');
      isWal = false;
    }
    const dir = openSync(dirname(this.walFile), 'r');
    try {
      fsyncSync(dir);
    } finally {
      closeSync(dir);
    }
    this.fd = fd;
    this.fdIsWal = isWal;
    return fd;
  }
}
