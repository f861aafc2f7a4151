// The workspace writer lock. A second process opening the same workspace for writing must get a
// clear "workspace in use" error, and a crash must never leave a stale lock behind.
//
// Choice: an OS lock, held through SQLite, on a small side file `lontar.lock`. We open it as an SQLite
// database and keep a `BEGIN EXCLUSIVE` transaction open for as long as the workspace is open.
// SQLite takes a POSIX advisory lock (LockFileEx on Windows) for that, and the operating system drops
// it when the process exits for any reason, SIGKILL and power loss included, so there is no stale
// lock to detect and no pid-reuse guesswork. Within one process SQLite tracks locks per file, so a
// second Workspace in the same process is refused too. `lontar.lock.json` only records who holds the
// lock (pid, host, time) for the error message; it is never trusted as the lock itself.
// Limits: like WAL itself, this needs a local filesystem (network filesystems may not honour locks).

import Database from 'better-sqlite3';
import type { Database as Db } from 'better-sqlite3';
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { WorkspaceInUseError } from './errors';

export const LOCK_FILE = 'lontar.lock';
const HOLDER_FILE = 'lontar.lock.json';

export interface LockHolder {
  pid: number;
  host: string;
  since: string;
}

export class WorkspaceLock {
  private constructor(
    private readonly dir: string,
    private db: Db | undefined,
  ) {}

  /** Takes the writer lock on `dir` or throws WorkspaceInUseError at once (never waits). */
  static acquire(dir: string): WorkspaceLock {
    const db = new Database(join(dir, LOCK_FILE));
    try {
      db.pragma('busy_timeout = 0');
      db.pragma('journal_mode = MEMORY'); // nothing is ever written: no lontar.lock-journal file
      db.exec('BEGIN EXCLUSIVE');
    } catch (e) {
      db.close();
      if ((e as { code?: string }).code === 'SQLITE_BUSY') throw new WorkspaceInUseError(dir, describeHolder(dir));
      throw e;
    }
    const lock = new WorkspaceLock(dir, db);
    lock.recordHolder();
    return lock;
  }

  get held(): boolean {
    return this.db !== undefined;
  }

  release(): void {
    if (!this.db) return;
    rmSync(join(this.dir, HOLDER_FILE), { force: true });
    this.db.exec('ROLLBACK');
    this.db.close();
    this.db = undefined;
  }

  private recordHolder(): void {
    const holder: LockHolder = { pid: process.pid, host: hostname(), since: new Date().toISOString() };
    const tmp = join(this.dir, `${HOLDER_FILE}.${process.pid}.tmp`);
    writeFileSync(tmp, JSON.stringify(holder));
    renameSync(tmp, join(this.dir, HOLDER_FILE));
  }
}

/** Who last recorded holding the lock, as words for the error message (best effort). */
export function describeHolder(dir: string): string | undefined {
  try {
    const h = JSON.parse(readFileSync(join(dir, HOLDER_FILE), 'utf8')) as Partial<LockHolder>;
    if (typeof h.pid !== 'number') return undefined;
    const self = h.pid === process.pid && h.host === hostname() ? ', this process' : '';
    return `pid ${h.pid} on ${h.host ?? 'unknown host'}${self}, since ${h.since ?? 'unknown time'}`;
  } catch {
    return undefined;
  }
}
