// The typed repositories: rows round-trip with their JSON columns, status changes follow their
// graphs, and the database itself refuses what the code must never do (test rows in pools).

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PoolLeakError, Workspace, type NewExample } from '../../main/store/index';
import { tempDir } from './helpers';

function seeded(t: Parameters<typeof tempDir>[0]) {
  const ws = Workspace.open(tempDir(t), { create: true });
  t.after(() => ws.close());
  const ds = ws.datasets.create({
    name: 'mini',
    task: 'classification',
    labels: ['neg', 'pos'],
    format: 'csv',
    sourcePath: '/data/mini.csv',
    sourceHash: 'abc',
    sourceFiles: [{ path: 'mini.csv', sha256: 'f'.repeat(64), bytes: 10 }],
    licence: 'CC BY 4.0',
  });
  const rows: NewExample[] = ['train', 'train', 'train', 'train', 'valid', 'test'].map((split, i) => ({
    sourceId: String(i),
    language: 'jav',
    split: split as NewExample['split'],
    text: `teks ${i}`,
    premise: null,
    hypothesis: null,
    label: i % 2 ? 'pos' : 'neg',
    sourceFile: 'mini.csv',
    sourceLine: i + 2,
  }));
  ws.examples.insertMany(ds.id, rows);
  return { ws, ds };
}

test('datasets and examples round-trip, with counts per language, split and label', (t) => {
  const { ws, ds } = seeded(t);
  assert.deepEqual(ws.datasets.byName('mini')?.sourceFiles, [{ path: 'mini.csv', sha256: 'f'.repeat(64), bytes: 10 }]);
  assert.deepEqual(ws.datasets.find(String(ds.id))?.labels, ['neg', 'pos']);
  assert.equal(ws.examples.list(ds.id, { split: 'train' }).length, 4);
  assert.deepEqual(ws.examples.languages(ds.id), ['jav']);
  assert.deepEqual(
    ws.datasets.counts(ds.id).map((c) => `${c.split}:${c.label}:${c.count}`),
    ['test:pos:1', 'train:neg:2', 'train:pos:2', 'valid:neg:1'],
  );
  assert.equal(ws.datasets.withSourceHash('abc').length, 1);
  // the schema refuses an example with both layouts, or a made-up split
  const bad = { ...ws.examples.get(1)!, sourceId: 'x', premise: 'p', hypothesis: 'h' };
  assert.throws(() => ws.examples.insertMany(ds.id, [bad]), /CHECK constraint/);
  assert.throws(() => ws.examples.insertMany(ds.id, [{ ...bad, premise: null, hypothesis: null, split: 'dev' as never }]), /CHECK constraint/);
  assert.equal(ws.examples.count(ds.id), 6, 'the failed batch left nothing behind');
});

test('pools accept only training examples: repository check and database trigger', (t) => {
  const { ws, ds } = seeded(t);
  const [train, valid, testRow] = [ws.examples.list(ds.id, { split: 'train' }), ws.examples.list(ds.id, { split: 'valid' }), ws.examples.list(ds.id, { split: 'test' })];
  const ids = train.map((e) => e.id);
  assert.throws(() => ws.pools.create({ datasetId: ds.id, language: 'jav', seed: 0, discovery: ids.slice(0, 3), tuning: [testRow[0]!.id] }), PoolLeakError);
  assert.throws(() => ws.pools.create({ datasetId: ds.id, language: 'jav', seed: 0, discovery: [valid[0]!.id], tuning: [] }), PoolLeakError);
  assert.throws(() => ws.pools.create({ datasetId: ds.id, language: 'ace', seed: 0, discovery: ids, tuning: [] }), PoolLeakError);
  assert.throws(() => ws.pools.create({ datasetId: ds.id, language: 'jav', seed: 0, discovery: ids, tuning: [ids[0]!] }), /twice/);
  assert.equal(ws.pools.list(ds.id).length, 0);

  const split = ws.pools.create({ datasetId: ds.id, language: 'jav', seed: 0, discovery: ids.slice(0, 3), tuning: ids.slice(3) });
  assert.deepEqual(ws.pools.members(split.id, 'discovery').map((e) => e.id), ids.slice(0, 3));
  // bypassing the repository, the database refuses on its own
  const raw = ws.db.prepare('INSERT INTO pool_members (pool_split_id, example_id, pool, position) VALUES (?, ?, ?, ?)');
  assert.throws(() => raw.run(split.id, testRow[0]!.id, 'tuning', 9), /only training examples may enter a pool/);
  assert.throws(() => ws.db.prepare("UPDATE examples SET split = 'test' WHERE id = ?").run(ids[0]), /must stay in the training split/);
  assert.throws(() => ws.db.prepare("UPDATE pool_members SET pool = 'tuning'").run(), /immutable/);
});

test('runs follow their status graph, with config, parent and fsynced boundaries', (t) => {
  const { ws, ds } = seeded(t);
  const model = ws.models.create({ name: 'qwen', family: 'qwen2', sourcePath: '/m/qwen', contentHash: 'h1', config: { layers: 24 } });
  assert.deepEqual(ws.models.byContentHash('h1')[0]?.config, { layers: 24 });
  const parent = ws.runs.create({ kind: 'competence', config: { lr: 5e-5, epochs: 5 }, seed: 3, modelId: model.id, datasetId: ds.id });
  const child = ws.runs.create({ kind: 'ct-sft', config: { heads: [[1, 2]] }, seed: 3, parentRunId: parent.id });
  assert.deepEqual(ws.runs.children(parent.id).map((r) => r.id), [child.id]);
  assert.equal(ws.runs.get(parent.id)?.status, 'pending');
  assert.throws(() => ws.runs.finish(parent.id, 'done'), /pending; it cannot become done/);
  const started = ws.runs.start(parent.id).startedAt;
  ws.runs.finish(parent.id, 'interrupted');
  assert.equal(ws.runs.start(parent.id).startedAt, started, 'a resume keeps the first start time');
  const blob = ws.blobs.put(Buffer.from('weights'));
  const done = ws.runs.finish(parent.id, 'done', { outputBlob: blob.hash });
  assert.equal(done.outputBlob, blob.hash);
  assert.ok(done.finishedAt);
  assert.throws(() => ws.runs.start(parent.id), /done; it cannot become running/);
  assert.deepEqual(ws.runs.list({ status: 'done' }).map((r) => r.id), [parent.id]);
  assert.throws(() => ws.runs.create({ kind: 'x', config: {}, seed: 1.5 }), /integer/);
  assert.throws(() => ws.runs.finish(child.id, 'failed', { outputBlob: '0'.repeat(64) }), /pending/);
});

test('metrics: batches, overwrite on re-record, series and last step', (t) => {
  const { ws } = seeded(t);
  const run = ws.runs.create({ kind: 'competence', config: {}, seed: 1 });
  ws.metrics.record(run.id, 1, { loss: 2, lr: 1e-4 });
  ws.metrics.recordMany(run.id, [
    { step: 2, name: 'loss', value: 1.5 },
    { step: 1, name: 'loss', value: 1.9 },
  ]);
  assert.deepEqual(ws.metrics.series(run.id, 'loss'), [
    { step: 1, value: 1.9 },
    { step: 2, value: 1.5 },
  ]);
  assert.deepEqual(ws.metrics.names(run.id), ['loss', 'lr']);
  assert.equal(ws.metrics.lastStep(run.id), 2);
  assert.throws(() => ws.metrics.record(run.id, 3, { loss: NaN }), /not finite/);
  assert.equal(ws.metrics.lastStep(run.id), 2, 'the failed batch wrote nothing');
});

test('circuits keep every head score; evaluations keep every prediction', (t) => {
  const { ws, ds } = seeded(t);
  const run = ws.runs.create({ kind: 'discovery', config: {}, seed: 1 });
  const circuit = ws.circuits.create({
    runId: run.id,
    language: 'ind',
    selectionRatio: 0.02,
    depth: 1,
    heads: [
      [23, 5],
      [12, 0],
    ],
    scores: [
      { iteration: 0, target: 'logits', layer: 23, head: 5, score: 0.9, selected: true },
      { iteration: 0, target: 'logits', layer: 3, head: 1, score: -0.2, selected: false },
      { iteration: 1, target: 'L23H5', layer: 12, head: 0, score: 0.4, selected: true },
    ],
  });
  assert.deepEqual(ws.circuits.get(circuit.id)?.heads, [
    [23, 5],
    [12, 0],
  ]);
  assert.deepEqual(ws.circuits.scores(circuit.id, 0).map((s) => [s.layer, s.head, s.selected]), [
    [23, 5, true],
    [3, 1, false],
  ]);
  assert.equal(ws.circuits.scores(circuit.id).length, 3);

  const ex = ws.examples.list(ds.id, { split: 'test' });
  const ev = ws.evaluations.create({
    runId: run.id,
    datasetId: ds.id,
    language: 'jav',
    split: 'test',
    accuracy: 1,
    predictions: ex.map((e) => ({ exampleId: e.id, predicted: e.label, correct: true, scores: { neg: -1, pos: 2 } })),
  });
  assert.equal(ev.count, ex.length);
  assert.deepEqual(ws.evaluations.predictions(ev.id)[0]?.scores, { neg: -1, pos: 2 });
  assert.equal(ws.evaluations.byRun(run.id).length, 1);
  assert.throws(
    () => ws.evaluations.create({ runId: run.id, datasetId: ds.id, language: 'jav', split: 'test', predictions: [{ exampleId: 9999, predicted: 'x', correct: false }] }),
    /FOREIGN KEY/,
  );
  assert.equal(ws.evaluations.byRun(run.id).length, 1, 'no half-written evaluation');

  const exp = ws.exports.create({ runId: run.id, format: 'head-delta', blobHash: ws.blobs.put(Buffer.from('delta')).hash });
  assert.equal(ws.exports.byRun(run.id)[0]?.id, exp.id);
  assert.throws(() => ws.exports.create({ runId: run.id, format: 'onnx', blobHash: 'a'.repeat(64) }), /FOREIGN KEY/);
});

test('annotations: one current judgement per annotator and example', (t) => {
  const { ws, ds } = seeded(t);
  const ann = ws.annotations.addAnnotator('sari', 'annotator');
  const ex = ws.examples.list(ds.id)[0]!;
  ws.annotations.saveBatch([{ annotatorId: ann.id, exampleId: ex.id, label: 'pos' }]);
  ws.annotations.saveBatch([{ annotatorId: ann.id, exampleId: ex.id, label: 'neg', note: 'sarcasm' }]);
  const rows = ws.annotations.forExample(ex.id);
  assert.equal(rows.length, 1);
  assert.equal(rows[0]?.label, 'neg');
  assert.equal(rows[0]?.note, 'sarcasm');
  assert.throws(() => ws.annotations.saveBatch([{ annotatorId: ann.id, exampleId: ex.id }]), /neither label nor note/);
  assert.throws(() => ws.annotations.addAnnotator('sari', 'owner'), /UNIQUE/);
  assert.equal(ws.annotations.byAnnotator(ann.id).length, 1);
});

test('jobs: claim, progress, checkpoint, interruption, resume and cancel', (t) => {
  const { ws } = seeded(t);
  const a = ws.jobs.enqueue({ kind: 'train', payload: { steps: 100 } });
  const b = ws.jobs.enqueue({ kind: 'train', device: 'cuda:0' });
  assert.equal(ws.jobs.claimNext('cpu')?.id, a.id);
  assert.equal(ws.jobs.claimNext('cpu'), undefined, 'nothing else queued for the CPU');
  ws.jobs.reportProgress(a.id, 0.25, { step: 25, loss: 0.7, etaSeconds: 30 });
  assert.throws(() => ws.jobs.reportProgress(a.id, 1.5), /\[0, 1\]/);
  assert.throws(() => ws.jobs.reportProgress(b.id, 0.1), /not running/);
  const ckpt = ws.blobs.put(Buffer.from('step 25'));
  ws.jobs.recordCheckpoint(a.id, ckpt.hash, 25);

  // a crash: at the next start-up, running jobs become interrupted and keep their checkpoint
  assert.deepEqual(ws.jobs.interruptRunning(), [a.id]);
  const interrupted = ws.jobs.get(a.id)!;
  assert.equal(interrupted.status, 'interrupted');
  assert.equal(interrupted.checkpointBlob, ckpt.hash);
  assert.equal(interrupted.checkpointStep, 25);
  assert.deepEqual(interrupted.progressDetail, { step: 25, loss: 0.7, etaSeconds: 30 });
  assert.throws(() => ws.jobs.finish(a.id, 'done'), /interrupted; it cannot become done/);
  ws.jobs.requeue(a.id);
  assert.equal(ws.jobs.claimNext('cpu')?.checkpointStep, 25);
  const done = ws.jobs.finish(a.id, 'done');
  assert.equal(done.progress, 1);
  assert.ok(done.finishedAt);

  assert.equal(ws.jobs.cancel(b.id).status, 'cancelled');
  assert.throws(() => ws.jobs.cancel(b.id), /cancelled; it cannot become cancelled/);
  const c = ws.jobs.enqueue({ kind: 'eval' });
  ws.jobs.claimNext('cpu');
  assert.throws(() => ws.jobs.cancel(c.id), /running; it cannot become cancelled/, 'a running job is cancelled by its runner');
  assert.equal(ws.jobs.finish(c.id, 'failed', 'out of memory').error, 'out of memory');
  assert.deepEqual(ws.jobs.list({ status: 'failed' }).map((j) => j.id), [c.id]);
});
