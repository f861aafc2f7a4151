// How a pipeline finds its dataset and model: the same files, even from a moved or copied folder, are reused
// rather than imported twice (a second import would be refused with a "already imported" warning,
// which made a resumed experiment fail when its data folder had moved).

import assert from 'node:assert/strict';
import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { Workspace } from '../../main/store/index';
import { InputError, obtainDataset } from '../../main/transfer/workspace-inputs';
import { registerModel } from '../../main/transfer/run-models';
import { tempDir, writeCorpus, writeModel } from './fixtures';

test('a copied data folder reuses the dataset imported from the original; missing languages are named', (t) => {
  const dir = tempDir(t);
  const original = writeCorpus(join(dir, 'corpus'));
  const ws = Workspace.open(join(dir, 'ws'), { create: true });
  t.after(() => ws.close());

  const first = obtainDataset(ws, { data: original }, ['ind', 'jav']);
  assert.equal(obtainDataset(ws, { data: original }, ['ind', 'jav']).id, first.id);

  const copy = join(dir, 'moved-corpus');
  cpSync(original, copy, { recursive: true });
  assert.equal(obtainDataset(ws, { data: copy }, ['ind', 'jav']).id, first.id);
  assert.equal(ws.datasets.list().length, 1);

  assert.throws(() => obtainDataset(ws, { dataset: first.name }, ['ind', 'ace']), (e: unknown) => e instanceof InputError && /no ace examples/.test(e.message));
});

test('a copied model folder is the same model; other weights are a new one', (t) => {
  const dir = tempDir(t);
  const ws = Workspace.open(join(dir, 'ws'), { create: true });
  t.after(() => ws.close());
  const original = writeModel(join(dir, 'model'));
  const first = registerModel(ws, original);
  const copy = join(dir, 'model-copy');
  cpSync(original, copy, { recursive: true });
  assert.equal(registerModel(ws, copy).id, first.id);
  const other = registerModel(ws, writeModel(join(dir, 'other'), 12));
  assert.notEqual(other.id, first.id);
  assert.deepEqual(ws.models.list().map((m) => m.id), [first.id, other.id]);
});
