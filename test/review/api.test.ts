// The reviews.* calls through the service, as the hosts make them: each call acts as its caller
// (the local owner by default, or a signed-in annotator), annotators cannot create rounds or export,
// answers and agreement stay hidden until the caller submits, and a note that looks like SQL or
// markup comes back exactly as it was sent.

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Caller } from '../../main/api/handler-types';
import { LontarService } from '../../main/api/index';
import { JobRegistry } from '../../main/jobs/index';
import { Workspace } from '../../main/store/index';
import { tempDir } from '../store/helpers';
import { ANSWERS, close, EXPECTED_TWO, LABELS, seedPredictions } from './fixture';

async function setUp(t: Parameters<typeof tempDir>[0] & { after: (fn: () => Promise<void> | void) => void }) {
  const dir = join(tempDir(t, 'lontar-review-api-'), 'workspace');
  const ws = Workspace.open(dir, { create: true });
  const seeded = seedPredictions(ws);
  const person = (name: string): Caller => ({ annotatorId: ws.annotations.addAnnotator(name, 'annotator').id, name, role: 'annotator' });
  const ayu = person('ayu');
  const budi = person('budi');
  ws.close();
  const service = await LontarService.start({ host: 'browser', workspaceDir: dir, threads: 1, registry: await JobRegistry.load() });
  t.after(() => service.close());
  const call = async (caller: Caller | undefined, method: string, payload: unknown = {}) => service.call(method, payload, caller);
  const ok = async (caller: Caller | undefined, method: string, payload: unknown = {}): Promise<any> => {
    const r = await call(caller, method, payload);
    if (!r.ok) throw new Error(`${method}: ${r.error.code}: ${r.error.message}`);
    return r.value;
  };
  const code = async (caller: Caller | undefined, method: string, payload: unknown = {}) => {
    const r = await call(caller, method, payload);
    return r.ok ? 'ok' : r.error.code;
  };
  return { ...seeded, ayu, budi, ok, code };
}

test('two annotators review the same round through the API; agreement matches the fixture', async (t) => {
  const { runId, datasetId, exampleIds, ayu, budi, ok, code } = await setUp(t);
  const sources = (await ok(undefined, 'reviews.sources')).sources;
  assert.deepEqual(sources.map((s: { runId: number; datasetId: number }) => [s.runId, s.datasetId]), [[runId, datasetId]]);
  assert.equal(await code(ayu, 'reviews.sources'), 'forbidden');
  assert.equal(await code(ayu, 'reviews.create', { name: 'x', runId, datasetId }), 'forbidden');

  const review = await ok(undefined, 'reviews.create', { name: 'round 1', runId, datasetId, filters: { languages: ['jav'], goldAgreement: 'any' } });
  assert.equal(review.itemCount, 6);
  assert.deepEqual(review.labels, [...LABELS]);
  const items = (await ok(ayu, 'reviews.items', { id: review.id })).items;
  assert.equal(items.length, 6);
  assert.equal(items[4].gold, null);
  assert.ok(Math.abs(Object.values(items[0].probabilities as Record<string, number>).reduce((s, p) => s + p, 0) - 1) < 1e-12);

  const note = `<img src=x onerror=alert(1)> '); DELETE FROM annotations; --`;
  for (const [who, caller] of [['A', ayu], ['B', budi]] as const) {
    for (const [i, exampleId] of exampleIds.entries()) {
      const saved = await ok(caller, 'reviews.answer', { reviewId: review.id, exampleId, label: ANSWERS[who][i], ...(i === 0 && { note }) });
      assert.equal(saved.answered, i + 1);
    }
  }
  assert.equal((await ok(ayu, 'reviews.items', { id: review.id })).items[0].answer.note, note, 'stored literally');
  // before submitting: no agreement, no others' answers, and only one's own answer in the items
  assert.equal(await code(ayu, 'reviews.agreement', { id: review.id }), 'forbidden');
  assert.equal(await code(ayu, 'reviews.answers', { id: review.id }), 'forbidden');
  assert.equal((await ok(budi, 'reviews.items', { id: review.id })).items[1].answer.label, ANSWERS.B[1]);

  const submitted = await ok(ayu, 'reviews.submit', { id: review.id });
  assert.ok(submitted.me.submittedAt);
  assert.equal(submitted.me.maySeeOthers, true);
  assert.equal(await code(ayu, 'reviews.answer', { reviewId: review.id, exampleId: exampleIds[0], label: 'neutral' }), 'conflict');
  assert.equal((await ok(ayu, 'reviews.answers', { id: review.id })).answers.length, 6, 'budi has not submitted: only ayu’s own');
  await ok(budi, 'reviews.submit', { id: review.id });

  const agreement = await ok(ayu, 'reviews.agreement', { id: review.id });
  assert.ok(close(agreement.cohensKappa, EXPECTED_TWO.cohensKappa));
  assert.ok(close(agreement.krippendorffAlpha, EXPECTED_TWO.krippendorffAlpha));
  assert.deepEqual(agreement.confusion.matrix, EXPECTED_TWO.confusion);
  assert.deepEqual(agreement.annotatorNames, ['ayu', 'budi']);
  assert.equal((await ok(budi, 'reviews.answers', { id: review.id })).answers.length, 12);

  assert.equal(await code(ayu, 'reviews.exportVersion', { reviewId: review.id }), 'forbidden');
  const version = await ok(undefined, 'reviews.exportVersion', { reviewId: review.id, name: 'senti v2' });
  assert.deepEqual([version.changed, version.ties], [1, 2]);
  assert.equal(version.provenance.rule, 'majority');
  const datasets = (await ok(ayu, 'datasets.list')).datasets.map((d: { name: string }) => d.name);
  assert.deepEqual(datasets.sort(), ['senti', 'senti v2']);
  assert.deepEqual((await ok(undefined, 'reviews.get', { id: review.id })).versions.map((v: { name: string }) => v.name), ['senti v2']);
});

test('review calls reject malformed requests with field issues, never an internal error', async (t) => {
  const { runId, datasetId, ayu, code, ok } = await setUp(t);
  assert.equal(await code(undefined, 'reviews.create', { name: 'x', runId, datasetId, filters: { minConfidence: 2 } }), 'invalid-request');
  assert.equal(await code(undefined, 'reviews.create', { name: 'x', runId, datasetId, sneaky: true }), 'invalid-request');
  assert.equal(await code(undefined, 'reviews.create', { name: 'x', runId, datasetId, filters: { minConfidence: 0.9, maxConfidence: 0.1 } }), 'rejected');
  assert.equal(await code(undefined, 'reviews.create', { name: 'x', runId: 999, datasetId }), 'not-found');
  const review = await ok(undefined, 'reviews.create', { name: "x'); DROP TABLE reviews; --", runId, datasetId });
  assert.equal((await ok(ayu, 'reviews.list')).reviews[0].name, "x'); DROP TABLE reviews; --");
  assert.equal(await code(ayu, 'reviews.get', { id: 12345 }), 'not-found');
  assert.equal(await code(ayu, 'reviews.answer', { reviewId: review.id, exampleId: 1, label: 'sarcastic' }), 'rejected');
  assert.equal(await code(ayu, 'reviews.answer', { reviewId: review.id, exampleId: 1, note: 'x'.repeat(5000) }), 'invalid-request');
  assert.equal(await code(ayu, 'reviews.submit', { id: review.id }), 'conflict');
});
