// Migration 3 rebuilds the annotations table (review_id, flagged, partial unique indexes): annotations
// written at schema version 2 survive it unchanged, and the repository's upsert still replaces them.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { migrations } from '../../main/store/migrations/index';
import { Workspace } from '../../main/store/index';
import { tempDir } from '../store/helpers';

test('annotations written at schema version 2 survive the move to review rounds', (t) => {
  const dir = tempDir(t);
  const old = Workspace.open(dir, { create: true, migrations: migrations.slice(0, 2) });
  const ds = old.datasets.create({ name: 'old', task: 'classification', labels: ['neg', 'pos'], format: 'csv', sourcePath: '/x.csv', sourceHash: 'x', sourceFiles: [], licence: null });
  old.examples.insertMany(ds.id, [{ sourceId: '1', language: 'jav', split: 'test', text: 'apik', premise: null, hypothesis: null, label: 'pos', sourceFile: 'x.csv', sourceLine: 2 }]);
  const exampleId = old.examples.list(ds.id)[0]!.id;
  // the version-2 table, written the way version 2 wrote it
  old.db.prepare("INSERT INTO annotators (name, role) VALUES ('sari', 'annotator')").run();
  old.db.prepare("INSERT INTO annotations (annotator_id, example_id, label, note) VALUES (1, ?, 'neg', 'ironic')").run(exampleId);
  old.close();

  const ws = Workspace.open(dir);
  t.after(() => ws.close());
  const [row] = ws.annotations.forExample(exampleId);
  assert.deepEqual([row?.annotatorId, row?.label, row?.note, row?.flagged, row?.reviewId], [1, 'neg', 'ironic', false, null]);
  ws.annotations.saveBatch([{ annotatorId: 1, exampleId, label: 'pos', flagged: true }]);
  assert.deepEqual(ws.annotations.forExample(exampleId).map((a) => [a.label, a.note, a.flagged]), [['pos', null, true]]);
  assert.deepEqual(ws.db.pragma('foreign_key_check'), []);
});
