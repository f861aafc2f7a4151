// The service for circuits and jobs: discovery on a registered model runs as a job and stores one
// circuit per depth with every head score; a circuit reads back with its grid, iterations,
// faithfulness and controls; a hand edit becomes a new circuit (the original unchanged); two
// circuits compare; jobs cancel and refuse impossible changes with clear codes.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { importSmallNusax, jobEnd, ok, refusedCall, startService, tinyQwenFolder } from './fixtures';

const SETTINGS = { selectionRatio: 0.25, maxDepth: 2, meanSize: 4, discoverySize: 4, batchSize: 8, maxLength: 64 };

test('discovery on a registered model, its circuits per depth, a hand edit and a comparison', async (t) => {
  const { dir, service } = await startService(t);
  const datasetId = await importSmallNusax(service, dir);
  const { model } = await ok(service, 'models.import', { path: tinyQwenFolder(dir) });

  const noLanguage = await refusedCall(service, 'circuits.discover', { modelId: model.id, datasetId, language: 'sun' });
  assert.equal(noLanguage.code, 'rejected');
  assert.match(noLanguage.message, /no training examples in language "sun"/);
  assert.equal((await refusedCall(service, 'circuits.discover', { modelId: 77, datasetId, language: 'jav' })).code, 'not-found');

  const progress: number[] = [];
  service.onEvent((e) => e.type === 'job-progress' && progress.push(e.progress.fraction));
  const { jobId } = await ok(service, 'circuits.discover', { modelId: model.id, datasetId, language: 'jav', settings: SETTINGS });
  const end = await jobEnd(service, jobId);
  assert.equal(end.status, 'done', end.error ?? '');
  assert.ok(progress.length > 0 && progress.every((f, i) => f >= (progress[i - 1] ?? 0)), 'progress only moves forward');

  const circuits = (await ok(service, 'circuits.list')).circuits;
  const deepestId = end.detail.summary!['circuitId'] as number;
  const deepest = await ok(service, 'circuits.get', { id: deepestId });
  assert.deepEqual(deepest.grid, { layers: 2, heads: 4 });
  assert.equal(circuits.length, deepest.iterations.length, 'one circuit per depth');
  assert.equal(deepest.iterations[0].target, 'logits');
  assert.equal(deepest.iterations[0].scores.length, 8, 'iteration 0 scores every head');
  const selected = deepest.iterations.flatMap((it: { scores: { selected: boolean; layer: number; head: number }[] }) => it.scores.filter((s) => s.selected).map((s) => `${s.layer}.${s.head}`));
  assert.deepEqual(selected.sort(), deepest.circuit.heads.map((h: { layer: number; head: number }) => `${h.layer}.${h.head}`).sort(), 'the circuit is the heads selected across its iterations');
  assert.equal(deepest.circuit.modelName, 'tiny-qwen2');
  assert.equal(deepest.discovery.faithfulness.examples, 20);
  assert.equal(deepest.discovery.comparisons.random.length, deepest.circuit.heads.length);

  // A hand edit: drop one head, add one that is not in the circuit.
  const inCircuit = new Set(deepest.circuit.heads.map((h: { layer: number; head: number }) => `${h.layer}.${h.head}`));
  const outsider = deepest.iterations[0].scores.find((s: { layer: number; head: number }) => !inCircuit.has(`${s.layer}.${s.head}`));
  const edited = [...deepest.circuit.heads.slice(1), { layer: outsider.layer, head: outsider.head }];
  const same = await refusedCall(service, 'circuits.saveEdited', { baseId: deepestId, heads: deepest.circuit.heads });
  assert.equal(same.code, 'rejected');
  assert.match(same.message, /exactly the heads of circuit/);
  const outside = await refusedCall(service, 'circuits.saveEdited', { baseId: deepestId, heads: [{ layer: 5, head: 0 }] });
  assert.match(outside.message, /the model has 2 layers × 4 heads; 5\.0 do not exist/);
  const saved = await ok(service, 'circuits.saveEdited', { baseId: deepestId, heads: edited, name: 'by hand' });
  assert.equal(saved.editedFrom, deepestId);
  assert.equal(saved.name, 'by hand');
  assert.equal((await ok(service, 'circuits.get', { id: deepestId })).circuit.heads.length, deepest.circuit.heads.length, 'the original is kept');
  const savedDetail = await ok(service, 'circuits.get', { id: saved.id });
  assert.deepEqual(savedDetail.iterations, deepest.iterations, 'the edit keeps the evidence it was made against');
  assert.ok(savedDetail.discovery, "an edited circuit shows its original's discovery");

  const cmp = await ok(service, 'circuits.compare', { a: deepestId, b: saved.id });
  const k = deepest.circuit.heads.length;
  assert.equal(cmp.overlap.length, k - 1);
  assert.equal(cmp.onlyA.length, 1);
  assert.deepEqual(cmp.onlyB, [{ layer: outsider.layer, head: outsider.head }]);
  assert.equal(cmp.jaccard, (k - 1) / (k + 1));
  assert.equal(cmp.rankedHeads, 8);

  // Another seed draws other example sets, so the heads score differently: ρ must pair the two
  // runs' scores head by head (worked here with 1 − 6Σd²/(n(n² − 1)); the scores have no ties).
  const other = await ok(service, 'circuits.discover', { modelId: model.id, datasetId, language: 'jav', settings: { ...SETTINGS, seed: 5, maxDepth: 0, fastScreen: false } });
  const otherEnd = await jobEnd(service, other.jobId);
  assert.equal(otherEnd.status, 'done', otherEnd.error ?? '');
  const otherId = otherEnd.detail.summary!['circuitId'] as number;
  const scoresOf = async (id: number) => new Map<string, number>((await ok(service, 'circuits.get', { id })).iterations[0].scores.map((s: { layer: number; head: number; score: number }) => [`${s.layer}.${s.head}`, s.score] as const));
  const [mine, theirs] = [await scoresOf(deepestId), await scoresOf(otherId)];
  const rank = (m: Map<string, number>) => new Map([...m].sort((x, y) => x[1] - y[1]).map(([key], i) => [key, i + 1]));
  const [ra, rb] = [rank(mine), rank(theirs)];
  assert.equal(new Set(mine.values()).size, 8, 'no ties');
  const d2 = [...ra].reduce((sum, [key, r]) => sum + (r - rb.get(key)!) ** 2, 0);
  assert.ok(d2 > 0, 'the two seeds rank the heads differently');
  const across = await ok(service, 'circuits.compare', { a: deepestId, b: otherId });
  assert.ok(Math.abs(across.rankCorrelation - (1 - (6 * d2) / (8 * 63))) < 1e-12, `ρ ${across.rankCorrelation}`);
});

test('jobs: a queued job cancels at once, finished jobs refuse cancel and resume, unknown ids are not found', async (t) => {
  const { dir, service } = await startService(t);
  const datasetId = await importSmallNusax(service, dir, ['javanese']);
  const { model } = await ok(service, 'models.import', { path: tinyQwenFolder(dir) });
  const request = { modelId: model.id, datasetId, language: 'jav', settings: { ...SETTINGS, maxDepth: 0, fastScreen: false } };
  const first = await ok(service, 'circuits.discover', request);
  const second = await ok(service, 'circuits.discover', request);
  const cancelled = await ok(service, 'jobs.cancel', { id: second.jobId });
  assert.equal(cancelled.job.status, 'cancelled', 'one lane runs one job: the second waited and is cancelled at once');
  assert.equal((await jobEnd(service, first.jobId)).status, 'done');

  const listed = (await ok(service, 'jobs.list')).jobs;
  assert.deepEqual(listed.slice(0, 2).map((j: { id: number; status: string }) => [j.id, j.status]), [[second.jobId, 'cancelled'], [first.jobId, 'done']], 'newest first');
  const resume = await refusedCall(service, 'jobs.resume', { id: first.jobId });
  assert.equal(resume.code, 'conflict');
  assert.match(resume.message, /is done; only an interrupted job can be resumed/);
  assert.equal((await refusedCall(service, 'jobs.cancel', { id: first.jobId })).code, 'conflict');
  assert.equal((await refusedCall(service, 'jobs.cancel', { id: 9999 })).code, 'not-found');
});
