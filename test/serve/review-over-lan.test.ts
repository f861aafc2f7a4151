// Review over the network, as the annotators do it: the owner opens a round, two annotators
// sign in with their own invites and answer; each is the person their invite names, notes that look
// like SQL or markup come back exactly as sent, and the owner-only parts (opening rounds, exporting
// the corrected labels) answer 403.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ANSWERS, seedPredictions, type SeededReview } from '../review/fixture';
import { signInHost } from './helpers';

test('two annotators review one round over HTTP as themselves; owner-only calls are 403', async (t) => {
  let seeded: SeededReview | undefined;
  const { tokens, signIn, call } = await signInHost(
    t,
    [
      { name: 'boss', role: 'owner' },
      { name: 'ayu', role: 'annotator' },
      { name: 'budi', role: 'annotator' },
    ],
    {},
    (ws) => (seeded = seedPredictions(ws)),
  );
  const { runId, datasetId, exampleIds } = seeded!;
  const [boss, ayu, budi] = await Promise.all(['boss', 'ayu', 'budi'].map((name) => signIn(tokens[name]!)));

  assert.equal((await call(ayu, 'reviews.create', { name: 'mine', runId, datasetId })).status, 403);
  const created = await call(boss, 'reviews.create', { name: 'round 1', runId, datasetId, filters: { languages: ['jav'], goldAgreement: 'any' } });
  assert.equal(created.json.ok, true, created.body);
  const reviewId = created.json.value.id as number;

  const note = `'); DELETE FROM annotations; -- <script>alert(1)</script> %_\\`;
  for (const [cookie, who] of [[ayu, 'A'], [budi, 'B']] as const) {
    for (const [i, exampleId] of exampleIds.entries()) {
      const saved = await call(cookie, 'reviews.answer', { reviewId, exampleId, label: ANSWERS[who][i], ...(i === 0 && { note }) });
      assert.equal(saved.status, 200, saved.body);
      assert.equal(saved.json.ok, true, saved.body);
    }
  }
  const mine = (await call(ayu, 'reviews.items', { id: reviewId })).json.value.items as { exampleId: number; answer: { label: string; note: string | null } | null }[];
  assert.equal(mine[0]!.answer!.note, note, 'stored and returned literally');
  assert.deepEqual(mine.map((item) => item.answer?.label), [...ANSWERS.A], "ayu sees her own answers, not budi's");

  for (const method of ['reviews.exportVersion', 'circuits.discover', 'datasets.import', 'jobs.resume']) {
    const refused = await call(budi, method, { reviewId });
    assert.equal(refused.status, 403, method);
    assert.equal(refused.json.error.code, 'forbidden');
  }
  // Before submitting, the others' answers stay hidden (the review's own rule, whatever its code).
  const early = await call(ayu, 'reviews.answers', { id: reviewId });
  assert.equal(early.json.ok, false, 'hidden before submitting');
  for (const cookie of [ayu, budi]) assert.equal((await call(cookie, 'reviews.submit', { id: reviewId })).json.ok, true);
  const agreement = await call(budi, 'reviews.agreement', { id: reviewId });
  assert.equal(agreement.json.ok, true, agreement.body);
  assert.deepEqual([...agreement.json.value.annotatorNames].sort(), ['ayu', 'budi'], 'answers are attributed to the signed-in people');
});
