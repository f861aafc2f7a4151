// Schema migrations: a fresh workspace reaches the latest version; every earlier version migrates
// with its data intact (and a snapshot taken first); a newer database, a foreign database and a
// failing migration are refused without changing the file.

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { migrations, LATEST_SCHEMA_VERSION, type Migration } from '../../main/store/migrations/index';
import { APPLICATION_ID } from '../../main/store/migrate';
import {
  DB_FILE,
  NewerSchemaError,
  NotAWorkspaceError,
  SchemaUpgradeNeededError,
  Workspace,
} from '../../main/store/index';
import { tempDir } from './helpers';

const fileHash = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

/** A workspace at schema `version`, with a dataset, examples and a run written at that version. */
function workspaceAt(dir: string, version: number): void {
  if (version === 0) {
    new Database(join(dir, DB_FILE)).close(); // an empty SQLite file: what a crash during init leaves
    return;
  }
  const ws = Workspace.open(dir, { create: true, migrations: migrations.slice(0, version) });
  assert.equal(ws.schemaVersion, version);
  const ds = ws.datasets.create({
    name: 'old',
    task: 'classification',
    labels: ['neg', 'pos'],
    format: 'csv',
    sourcePath: '/data/old.csv',
    sourceHash: 'x',
    sourceFiles: [],
    licence: null,
  });
  const rows = Array.from({ length: 10 }, (_, i) => ({
    sourceId: String(i),
    language: 'jav',
    split: i < 8 ? ('train' as const) : ('test' as const),
    text: `kalimat ${i}`,
    premise: null,
    hypothesis: null,
    label: i % 2 ? 'pos' : 'neg',
    sourceFile: 'old.csv',
    sourceLine: i + 2,
  }));
  ws.examples.insertMany(ds.id, rows);
  const run = ws.runs.create({ kind: 'competence', config: { lr: 5e-5 }, seed: 7, datasetId: ds.id });
  ws.metrics.record(run.id, 10, { loss: 0.5 });
  ws.close();
}

test('a new workspace is created at the latest schema version with its application id', (t) => {
  const dir = join(tempDir(t), 'ws');
  const ws = Workspace.open(dir, { create: true });
  assert.equal(ws.schemaVersion, LATEST_SCHEMA_VERSION);
  assert.equal(ws.db.pragma('application_id', { simple: true }), APPLICATION_ID);
  assert.deepEqual(ws.migration, { from: 0, to: LATEST_SCHEMA_VERSION, snapshot: undefined });
  assert.equal(ws.db.pragma('journal_mode', { simple: true }), 'wal');
  assert.equal(ws.db.pragma('foreign_keys', { simple: true }), 1);
  ws.close();
  assert.ok(existsSync(join(dir, 'blobs')));
});

for (let from = 0; from < LATEST_SCHEMA_VERSION; from++) {
  test(`a workspace at schema version ${from} migrates to ${LATEST_SCHEMA_VERSION} with its data`, (t) => {
    const dir = tempDir(t);
    workspaceAt(dir, from);
    const ws = Workspace.open(dir);
    t.after(() => ws.close());
    assert.equal(ws.schemaVersion, LATEST_SCHEMA_VERSION);
    assert.equal(ws.migration?.from, from);
    if (from > 0) {
      // the data written at the old version is all there, and a snapshot was taken first
      const ds = ws.datasets.byName('old')!;
      assert.equal(ws.examples.count(ds.id), 10);
      assert.deepEqual(ws.metrics.series(1, 'loss'), [{ step: 10, value: 0.5 }]);
      assert.ok(ws.migration?.snapshot && existsSync(ws.migration.snapshot));
      const snap = new Database(ws.migration.snapshot, { readonly: true });
      assert.equal(snap.pragma('user_version', { simple: true }), from);
      snap.close();
      // and version-2 features work on the migrated rows: pools refuse test rows
      const train = ws.examples.list(ds.id, { split: 'train' }).map((e) => e.id);
      const split = ws.pools.create({ datasetId: ds.id, language: 'jav', seed: 1, discovery: train.slice(0, 6), tuning: train.slice(6) });
      assert.equal(ws.pools.members(split.id, 'tuning').length, 2);
    } else {
      assert.equal(ws.migration?.snapshot, undefined);
    }
    assert.equal(ws.db.pragma('integrity_check', { simple: true }), 'ok');
  });
}

test('a database from a newer Lontar is refused and left untouched', (t) => {
  const dir = tempDir(t);
  workspaceAt(dir, LATEST_SCHEMA_VERSION);
  const db = new Database(join(dir, DB_FILE));
  db.pragma(`user_version = ${LATEST_SCHEMA_VERSION + 1}`);
  db.close();
  const before = fileHash(join(dir, DB_FILE));
  assert.throws(
    () => Workspace.open(dir),
    (e: unknown) => e instanceof NewerSchemaError && /written by a newer Lontar/.test(e.message) && e.found === LATEST_SCHEMA_VERSION + 1,
  );
  assert.throws(() => Workspace.open(dir, { readonly: true }), NewerSchemaError);
  assert.equal(fileHash(join(dir, DB_FILE)), before);
  assert.ok(!readdirSync(dir).includes('backups'), 'no snapshot of a database we refuse');
  // the lock was released: once the version is fixed the workspace opens again
  const fix = new Database(join(dir, DB_FILE));
  fix.pragma(`user_version = ${LATEST_SCHEMA_VERSION}`);
  fix.close();
  Workspace.open(dir).close();
});

test('a read-only open of an older workspace asks for a writable open instead of migrating', (t) => {
  const dir = tempDir(t);
  workspaceAt(dir, 1);
  assert.throws(() => Workspace.open(dir, { readonly: true }), SchemaUpgradeNeededError);
  Workspace.open(dir).close();
  const ro = Workspace.open(dir, { readonly: true });
  assert.equal(ro.schemaVersion, LATEST_SCHEMA_VERSION);
  ro.close();
});

test('an unrelated SQLite file named lontar.db is not mistaken for a workspace', (t) => {
  const dir = tempDir(t);
  const db = new Database(join(dir, DB_FILE));
  db.exec('CREATE TABLE notes (x TEXT)');
  db.close();
  const before = fileHash(join(dir, DB_FILE));
  assert.throws(() => Workspace.open(dir), NotAWorkspaceError);
  assert.equal(fileHash(join(dir, DB_FILE)), before);
});

test('a failing migration rolls back every step and leaves the old version', (t) => {
  const dir = tempDir(t);
  workspaceAt(dir, 1);
  const broken: Migration = {
    version: LATEST_SCHEMA_VERSION + 1,
    name: 'broken',
    up(db) {
      db.exec('CREATE TABLE half_done (x)');
      throw new Error('disk full, say');
    },
  };
  assert.throws(() => Workspace.open(dir, { migrations: [...migrations, broken] }), /disk full/);
  const db = new Database(join(dir, DB_FILE), { readonly: true });
  assert.equal(db.pragma('user_version', { simple: true }), 1, 'none of the later migrations was kept');
  const tables = db.prepare("SELECT name FROM sqlite_schema WHERE name IN ('half_done', 'pool_splits')").all();
  assert.deepEqual(tables, []);
  db.close();
});

test('migrations must be numbered 1, 2, 3, … without gaps', (t) => {
  const dir = tempDir(t);
  const skipped: Migration = { version: 3, name: 'skips 2', up() {} };
  assert.throws(() => Workspace.open(dir, { create: true, migrations: [migrations[0]!, skipped] }), /expected 2/);
});

test('creating a workspace refuses a non-empty folder that is not one', (t) => {
  const dir = tempDir(t);
  writeFileSync(join(dir, 'thesis.docx'), 'precious');
  assert.throws(() => Workspace.open(dir, { create: true }), (e: unknown) => e instanceof NotAWorkspaceError && /not empty/.test(e.message));
  assert.throws(() => Workspace.open(join(dir, 'missing')), /no workspace at/);
});
