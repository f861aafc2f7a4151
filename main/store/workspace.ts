// A workspace: a folder holding lontar.db (SQLite, WAL) and blobs/ (content-addressed files).
// Opening for writing takes the writer lock, migrates the schema, quick-checks the database and
// clears partial blob writes left by a crash; opening read-only takes no lock and changes nothing,
// so `workspace check` and `workspace backup` work while the desktop app has the workspace open.

import type { Database } from 'better-sqlite3';
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { BlobStore } from './blobs';
import { durableTransaction, enableWal, openDatabase } from './connection';
import { NotAWorkspaceError, SchemaUpgradeNeededError, WorkspaceError } from './errors';
import { LOCK_FILE, WorkspaceLock } from './lock';
import { assertCompatible, migrate, type MigrationOutcome } from './migrate';
import { migrations as allMigrations, type Migration } from './migrations/index';
import { AccessRepository } from './repositories/access';
import { AnnotationRepository } from './repositories/annotations';
import { CircuitRepository } from './repositories/circuits';
import { DatasetRepository } from './repositories/datasets';
import { DatasetVersionRepository } from './repositories/dataset-versions';
import { EvaluationRepository } from './repositories/evaluations';
import { ExampleRepository } from './repositories/examples';
import { ExportRepository } from './repositories/exports';
import { JobRepository } from './repositories/jobs';
import { MetricRepository } from './repositories/metrics';
import { ModelRepository } from './repositories/models';
import { PoolRepository } from './repositories/pools';
import { ReviewRepository } from './repositories/reviews';
import { RunRepository } from './repositories/runs';

export const DB_FILE = 'lontar.db';
export const BLOB_DIR = 'blobs';
/** Snapshots taken before migrations. */
export const SNAPSHOT_DIR = 'backups';

export interface OpenOptions {
  /** Create the folder and an empty database if there is none (writable opens only). */
  create?: boolean;
  /** Open without the writer lock; nothing can be written. */
  readonly?: boolean;
  /** Schema migrations to apply; tests pass a prefix to build older versions. */
  migrations?: readonly Migration[];
}

export class Workspace {
  readonly blobs: BlobStore;
  readonly datasets: DatasetRepository;
  readonly examples: ExampleRepository;
  readonly pools: PoolRepository;
  readonly models: ModelRepository;
  readonly runs: RunRepository;
  readonly metrics: MetricRepository;
  readonly circuits: CircuitRepository;
  readonly evaluations: EvaluationRepository;
  readonly annotations: AnnotationRepository;
  readonly access: AccessRepository;
  readonly exports: ExportRepository;
  readonly jobs: JobRepository;
  readonly reviews: ReviewRepository;
  readonly datasetVersions: DatasetVersionRepository;
  private closed = false;

  private constructor(
    readonly dir: string,
    readonly db: Database,
    private readonly lock: WorkspaceLock | undefined,
    /** What migrating did at open (undefined for read-only opens). */
    readonly migration: MigrationOutcome | undefined,
  ) {
    this.blobs = new BlobStore(join(dir, BLOB_DIR), db, this.readonly);
    this.datasets = new DatasetRepository(db);
    this.examples = new ExampleRepository(db);
    this.pools = new PoolRepository(db);
    this.models = new ModelRepository(db);
    this.runs = new RunRepository(db);
    this.metrics = new MetricRepository(db);
    this.circuits = new CircuitRepository(db);
    this.evaluations = new EvaluationRepository(db);
    this.annotations = new AnnotationRepository(db);
    this.access = new AccessRepository(db);
    this.exports = new ExportRepository(db);
    this.jobs = new JobRepository(db);
    this.reviews = new ReviewRepository(db);
    this.datasetVersions = new DatasetVersionRepository(db);
  }

  get readonly(): boolean {
    return this.lock === undefined;
  }

  get schemaVersion(): number {
    return this.db.pragma('user_version', { simple: true }) as number;
  }

  static open(dirPath: string, options: OpenOptions = {}): Workspace {
    const dir = resolve(dirPath);
    const migrations = options.migrations ?? allMigrations;
    const dbFile = join(dir, DB_FILE);
    if (options.readonly) return Workspace.openReadonly(dir, dbFile, migrations);

    prepareFolder(dir, dbFile, Boolean(options.create));
    const lock = WorkspaceLock.acquire(dir);
    let db: Database | undefined;
    try {
      db = openDatabase(dbFile, { readonly: false, create: true });
      assertCompatible(db, dbFile, migrations); // before anything below changes the file
      enableWal(db);
      const outcome = migrate(db, dbFile, migrations, join(dir, SNAPSHOT_DIR));
      const quick = db.pragma('quick_check', { simple: true });
      if (quick !== 'ok') {
        throw new WorkspaceError(`${dbFile} is damaged (quick_check: ${String(quick)}). Run \`lontar workspace check\` and restore a backup.`);
      }
      const ws = new Workspace(dir, db, lock, outcome);
      mkdirSync(ws.blobs.dir, { recursive: true });
      ws.blobs.clearPartials(); // safe: we hold the writer lock, so no write is in flight
      return ws;
    } catch (e) {
      db?.close();
      lock.release();
      throw e;
    }
  }

  private static openReadonly(dir: string, dbFile: string, migrations: readonly Migration[]): Workspace {
    if (!existsSync(dbFile)) throw new NotAWorkspaceError(`no workspace at ${dir} (no ${DB_FILE}); create one with \`lontar workspace init\``);
    const db = openDatabase(dbFile, { readonly: true, create: false });
    try {
      const version = assertCompatible(db, dbFile, migrations);
      if (version === 0) throw new NotAWorkspaceError(`${dbFile} is empty: not an initialised workspace`);
      if (version < migrations.length) throw new SchemaUpgradeNeededError(dbFile, version, migrations.length);
      return new Workspace(dir, db, undefined, undefined);
    } catch (e) {
      db.close();
      throw e;
    }
  }

  /** A transaction whose commit is fsynced: use it for run boundaries. */
  durably<T>(fn: () => T): T {
    return durableTransaction(this.db, fn);
  }

  /** Checkpoints the WAL into the database, closes it and releases the lock. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      if (!this.readonly) this.db.pragma('wal_checkpoint(TRUNCATE)');
    } finally {
      this.db.close();
      this.lock?.release();
    }
  }
}

/** Makes sure `dir` may hold a workspace: it has lontar.db, or (when creating) it is empty or new. */
function prepareFolder(dir: string, dbFile: string, create: boolean): void {
  if (existsSync(dbFile)) return;
  if (!create) throw new NotAWorkspaceError(`no workspace at ${dir} (no ${DB_FILE}); create one with \`lontar workspace init\``);
  if (existsSync(dir)) {
    if (!statSync(dir).isDirectory()) throw new NotAWorkspaceError(`${dir} is a file, not a folder`);
    const foreign = readdirSync(dir).filter((name) => !name.startsWith(LOCK_FILE));
    if (foreign.length > 0) {
      throw new NotAWorkspaceError(`${dir} is not empty and is not a workspace; choose an empty or new folder (found ${foreign.slice(0, 3).join(', ')})`);
    }
  }
  mkdirSync(dir, { recursive: true });
}
