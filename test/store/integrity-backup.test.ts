// Integrity check and online backup: foreign-key damage is reported; a backup taken while the
// workspace is open and being written is a complete, checked workspace of its own.

import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { backupWorkspace, checkWorkspace, formatIntegrityReport, Workspace } from '../../main/store/index';
import { tempDir } from './helpers';

test('foreign-key damage is found and reported', (t) => {
  const ws = Workspace.open(tempDir(t), { create: true });
  t.after(() => ws.close());
  const run = ws.runs.create({ kind: 'x', config: {}, seed: 1 });
  ws.metrics.record(run.id, 1, { loss: 1 });
  assert.equal(checkWorkspace(ws).ok, true);
  ws.db.pragma('foreign_keys = OFF'); // what a buggy tool or a hand edit could do
  ws.db.prepare('DELETE FROM runs WHERE id = ?').run(run.id);
  ws.db.pragma('foreign_keys = ON');
  const report = checkWorkspace(ws);
  assert.equal(report.ok, false);
  assert.deepEqual(report.foreignKeys.map((f) => [f.table, f.parent]), [['metrics', 'runs']]);
  assert.match(formatIntegrityReport(ws.dir, report), /PROBLEMS FOUND[\s\S]*metrics row .* → runs/);
});

test('an online backup, taken by a read-only connection while the writer keeps writing, is a whole workspace', async (t) => {
  const root = tempDir(t);
  const dir = join(root, 'ws');
  const ws = Workspace.open(dir, { create: true });
  t.after(() => ws.close());
  const run = ws.runs.create({ kind: 'competence', config: { lr: 1e-4 }, seed: 4 });
  ws.metrics.recordMany(run.id, Array.from({ length: 5000 }, (_, step) => ({ step, name: 'loss', value: 1 / (step + 1) })));
  const blob = ws.blobs.put(Buffer.alloc(100_000, 7));

  const reader = Workspace.open(dir, { readonly: true });
  const pending = backupWorkspace(reader, join(root, 'backup'));
  ws.metrics.record(run.id, 9999, { loss: 0 }); // a write while the backup runs
  const result = await pending;
  reader.close();
  assert.equal(result.blobs, 1);
  assert.equal(result.blobBytes, 100_000);

  const copy = Workspace.open(join(root, 'backup'));
  try {
    assert.equal(checkWorkspace(copy).ok, true);
    assert.equal(copy.runs.get(run.id)?.config.lr, 1e-4);
    assert.ok(copy.metrics.series(run.id, 'loss').length >= 5000);
    assert.equal(copy.blobs.verify(blob.hash), 'ok');
  } finally {
    copy.close();
  }
});

test('a backup refuses a non-empty destination and its own folder', async (t) => {
  const root = tempDir(t);
  const ws = Workspace.open(join(root, 'ws'), { create: true });
  t.after(() => ws.close());
  mkdirSync(join(root, 'full'));
  writeFileSync(join(root, 'full', 'x'), 'x');
  await assert.rejects(backupWorkspace(ws, join(root, 'full')), /not empty/);
  await assert.rejects(backupWorkspace(ws, join(root, 'ws')), /(own workspace|not empty)/);
});
