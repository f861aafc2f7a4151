// The service behind both hosts, for datasets, models and workspaces: the report comes before any
// write, an import is a job that refuses data changed since it was confirmed, counts and searches
// reflect what was imported, and refusals come back as codes with readable messages.

import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { Workspace } from '../../main/store/index';
import { jobEnd, ok, reducedNusax, refusedCall, startService, tinyQwenFolder } from './fixtures';

test('a dataset is validated first, imported as a job on confirmation, then listed, searched and pooled', async (t) => {
  const { dir, service } = await startService(t);
  const path = reducedNusax(dir, ['javanese', 'indonesian'], { train: 60, valid: 20, test: 10 });

  const { report, file } = await ok(service, 'datasets.validate', { path });
  assert.equal(file, null, 'a folder has no column mapping');
  assert.equal(report.format, 'nusax');
  assert.equal(report.examples, 180);
  assert.equal(report.errors, 0);
  assert.deepEqual(report.issueCounts, { 'split-train-small': 2 });
  assert.equal((await ok(service, 'datasets.list')).datasets.length, 0, 'validating writes nothing');

  // A report the person did not see: the import job refuses to write.
  const stale = await ok(service, 'datasets.import', { path, expected: { examples: 999, warnings: 0 } });
  const refused = await jobEnd(service, stale.jobId);
  assert.equal(refused.status, 'failed');
  assert.match(refused.error!, /changed since it was validated \(180 examples and 0 warning\(s\) now, 999 and 0/);
  assert.equal((await ok(service, 'datasets.list')).datasets.length, 0);

  const started = await ok(service, 'datasets.import', { path, options: { name: 'nusax-small' }, expected: { examples: 180, warnings: 0 } });
  const done = await jobEnd(service, started.jobId);
  assert.equal(done.status, 'done');
  const datasetId = done.detail.summary!['datasetId'];

  const [dataset] = (await ok(service, 'datasets.list')).datasets;
  assert.equal(dataset.id, datasetId);
  assert.equal(dataset.name, 'nusax-small');
  assert.equal(dataset.examples, 180);
  const javTrain = dataset.counts.find((c: { language: string; split: string }) => c.language === 'jav' && c.split === 'train');
  assert.equal(javTrain.total, 60);
  assert.equal(Object.values(javTrain.labels as Record<string, number>).reduce((a, b) => a + b, 0), 60);

  const page = await ok(service, 'datasets.examples', { datasetId, language: 'jav', split: 'valid', offset: 5, limit: 10 });
  assert.equal(page.total, 20);
  assert.equal(page.rows.length, 10);
  assert.ok(page.rows.every((r: { language: string; split: string }) => r.language === 'jav' && r.split === 'valid'));
  const word = page.rows[0].text.split(/\s+/).find((w: string) => w.length > 5);
  const found = await ok(service, 'datasets.examples', { datasetId, search: word.toUpperCase() });
  assert.ok(found.total >= 1 && found.rows.every((r: { text: string }) => r.text.toLowerCase().includes(word.toLowerCase())), 'search is case-insensitive');
  assert.equal((await ok(service, 'datasets.examples', { datasetId, search: '100%_' })).total, 0, '% and _ are matched literally');

  const tooBig = await refusedCall(service, 'datasets.createPools', { datasetId, language: 'jav', seed: 1 });
  assert.equal(tooBig.code, 'rejected');
  assert.match(tooBig.message, /need 500 training examples; "nusax-small" has 60 in jav/);
  const pool = await ok(service, 'datasets.createPools', { datasetId, language: 'jav', seed: 1, discoverySize: 40, tuningSize: 20 });
  assert.equal(pool.discoverySize + pool.tuningSize, 60);
  assert.equal(Object.values(pool.labels.tuning as Record<string, number>).reduce((a, b) => a + b, 0), 20);
  assert.equal((await ok(service, 'datasets.pools', { datasetId })).pools.length, 1);
  assert.equal((await refusedCall(service, 'datasets.pools', { datasetId: 99 })).code, 'not-found');
});

test('a single file reports its columns and the mapping Lontar recognised; errors block the import', async (t) => {
  const { dir, service } = await startService(t);
  const csv = join(dir, 'reviews-train.csv');
  writeFileSync(csv, 'review,stars,note\ngood film,positive,x\nbad film,negative,y\nok film,\n');
  const unmapped = await ok(service, 'datasets.validate', { path: csv, options: { language: 'eng' } });
  assert.deepEqual(unmapped.file.columns, ['review', 'stars', 'note'], 'the columns come back so they can be mapped');
  assert.ok(unmapped.report.issues.some((i: { code: string }) => i.code === 'header-missing-column'), '"stars" is not a name Lontar recognises as the label');

  const options = { language: 'eng', mapping: { text: 'review', label: 'stars' } };
  const { report, file } = await ok(service, 'datasets.validate', { path: csv, options });
  assert.deepEqual(file.mapping, { text: 'review', label: 'stars' });
  const rowError = report.issues.find((i: { code: string }) => i.code === 'row-field-count');
  assert.equal(rowError?.line, 4, 'the finding points at the line');
  const { jobId } = await ok(service, 'datasets.import', { path: csv, options, acceptWarnings: true });
  const end = await jobEnd(service, jobId);
  assert.equal(end.status, 'failed');
  assert.match(end.error!, /^the data was not imported: \d+ error\(s\)/);
});

test('models: the demo model is ready on first start; a folder is read, imported once, and a broken one refused', async (t) => {
  const { dir, service } = await startService(t);
  const app = await ok(service, 'app.info');
  assert.equal(app.host, 'browser');
  assert.equal(app.nativeDialogs, false);
  const models = (await ok(service, 'models.list')).models;
  assert.equal(models.length, 1);
  assert.equal(models[0].id, app.demo.modelId);
  assert.equal(models[0].bundled, true);
  assert.equal(models[0].card.family, 'qwen2');

  const folder = tinyQwenFolder(dir);
  const { card } = await ok(service, 'models.inspect', { path: folder });
  assert.deepEqual([card.layers, card.heads, card.kvHeads], [2, 4, 2]);
  assert.equal((await ok(service, 'models.list')).models.length, 1, 'inspecting registers nothing');
  const first = await ok(service, 'models.import', { path: folder, name: 'tiny' });
  assert.equal(first.alreadyImported, false);
  assert.equal(first.model.card.parameters, card.parameters);
  const again = await ok(service, 'models.import', { path: folder });
  assert.equal(again.alreadyImported, true);
  assert.equal(again.model.id, first.model.id);

  const broken = join(dir, 'not-a-model');
  mkdirSync(broken);
  writeFileSync(join(broken, 'config.json'), '{"model_type": "gpt9"}');
  const error = await refusedCall(service, 'models.import', { path: broken });
  assert.equal(error.code, 'rejected');
  assert.match(error.message, /not-a-model is not a model folder Lontar can use: .*gpt9/);
});

test('hosts without dialogs say so; opening another workspace switches and announces it; a foreign folder is refused', async (t) => {
  const { dir, service } = await startService(t);
  const dialog = await refusedCall(service, 'dialogs.choosePath', { purpose: 'model-folder' });
  assert.equal(dialog.code, 'unavailable');
  assert.match(dialog.message, /type the path instead/);

  const foreign = join(dir, 'photos');
  mkdirSync(foreign);
  writeFileSync(join(foreign, 'cat.jpg'), 'meow');
  const refused = await refusedCall(service, 'workspace.open', { dir: foreign });
  assert.equal(refused.code, 'unavailable');
  assert.match(refused.message, /is not empty and is not a workspace/);
  const before = await ok(service, 'workspace.info');
  assert.notEqual(before.dir, foreign, 'the open workspace stays open');

  const events: string[] = [];
  service.onEvent((e) => events.push(e.type));
  const next = join(dir, 'second');
  const info = await ok(service, 'workspace.open', { dir: next });
  assert.equal(info.dir, next);
  assert.equal(info.counts.models, 1, 'the demo model is registered in the new workspace too');
  assert.ok(events.includes('workspace-changed'));
  // the previous workspace was released: another owner can open it now
  Workspace.open(before.dir).close();
});
