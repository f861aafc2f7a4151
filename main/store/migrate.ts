// Brings a database to the latest schema at open. All pending migrations run in ONE transaction, so
// a crash or a failing migration leaves the file at its old version, untouched. Before migrating
// an existing database a snapshot is written with VACUUM INTO (consistent, unlike a file copy).

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Database } from 'better-sqlite3';
import { NewerSchemaError, NotAWorkspaceError } from './errors';
import type { Migration } from './migrations/index';

/** `PRAGMA application_id` of a Lontar database: "LNTR". Lets us refuse unrelated SQLite files. */
export const APPLICATION_ID = 0x4c4e5452;

export interface MigrationOutcome {
  from: number;
  to: number;
  /** Snapshot taken before migrating a non-empty database, if any. */
  snapshot: string | undefined;
}

export function schemaVersion(db: Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/** Throws unless `db` is empty or a Lontar database no newer than `migrations` know. */
export function assertCompatible(db: Database, file: string, migrations: readonly Migration[]): number {
  const appId = db.pragma('application_id', { simple: true }) as number;
  const version = schemaVersion(db);
  const tables = (db.prepare("SELECT count(*) AS n FROM sqlite_schema WHERE type = 'table'").get() as { n: number }).n;
  if (appId !== APPLICATION_ID && (appId !== 0 || version !== 0 || tables > 0)) {
    throw new NotAWorkspaceError(`${file} is an SQLite database, but not a Lontar workspace database`);
  }
  if (version > migrations.length) throw new NewerSchemaError(file, version, migrations.length);
  return version;
}

export function migrate(
  db: Database,
  file: string,
  migrations: readonly Migration[],
  snapshotDir: string | undefined,
): MigrationOutcome {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`migration ${m.name} has version ${m.version}, expected ${i + 1}`);
  });
  const from = assertCompatible(db, file, migrations);
  const to = migrations.length;
  if (from === to) return { from, to, snapshot: undefined };

  let snapshot: string | undefined;
  if (from > 0 && snapshotDir) {
    mkdirSync(snapshotDir, { recursive: true });
    snapshot = join(snapshotDir, `lontar-v${from}-before-v${to}-${Date.now()}.db`);
    db.prepare('VACUUM INTO ?').run(snapshot);
  }

  // Foreign keys cannot be toggled inside a transaction; SQLite's recipe for schema changes is to
  // switch them off, migrate, run foreign_key_check before committing, and switch them back on.
  db.pragma('foreign_keys = OFF');
  try {
    db.transaction(() => {
      for (const m of migrations.slice(from)) {
        m.up(db);
        db.pragma(`user_version = ${m.version}`);
      }
      db.pragma(`application_id = ${APPLICATION_ID}`);
      const broken = db.pragma('foreign_key_check') as unknown[];
      if (broken.length > 0) throw new Error(`migration to v${to} left ${broken.length} foreign-key violations; rolled back`);
    })();
  } finally {
    db.pragma('foreign_keys = ON');
  }
  return { from, to, snapshot };
}
