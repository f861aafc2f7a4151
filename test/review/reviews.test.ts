// Review rounds in the store and the review service: the frozen queue and its filters, answers
// hidden until the reader submits, locks after submit (in the code and in the database), agreement
// against the hand-computed fixture, and corrected labels as a dataset version with provenance.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  agreementOf,
  createReview,
  exportCorrectedVersion,
  majorityLabel,
  reviewItems,
  saveAnswer,
  submitReview,
  visibleAnswers,
  type ReviewCaller,
} from '../../main/review/index';
import { ReviewRuleError, Workspace } from '../../main/store/index';
import { tempDir } from '../store/helpers';
import { ANSWERS, close, EXPECTED_THREE, EXPECTED_TWO, ITEMS, LABELS, seedPredictions } from './fixture';

function setUp(t: Parameters<typeof tempDir>[0]) {
  const ws = Workspace.open(tempDir(t), { create: true });
  t.after(() => ws.close());
  const seeded = seedPredictions(ws);
  const person = (name: string, role: 'owner' | 'annotator'): ReviewCaller => ({ annotatorId: ws.annotations.addAnnotator(name, role).id, role });
  const owner = person('owner', 'owner');
  const people = { A: person('ayu', 'annotator'), B: person('budi', 'annotator'), C: person('citra', 'annotator') };
  const review = createReview(ws, owner, { name: 'jav round 1', runId: seeded.runId, datasetId: seeded.datasetId, filters: { languages: ['jav'] }, showGold: false });
  const answerAll = (who: keyof typeof people) =>
    seeded.exampleIds.forEach((exampleId, i) => saveAnswer(ws, people[who], review.id, exampleId, { label: ANSWERS[who][i]!, flagged: false, note: null }));
  return { ws, ...seeded, owner, people, review, answerAll };
}

const rule = (kind: ReviewRuleError['kind']) => (e: unknown) => e instanceof ReviewRuleError && e.kind === kind;

test('the queue follows the filters and is frozen at creation', (t) => {
  const { ws, owner, runId, datasetId, review, exampleIds } = setUp(t);
  assert.equal(review.itemCount, 6);
  const items = reviewItems(ws, owner, review.id);
  assert.deepEqual(items.map((i) => i.exampleId), exampleIds);
  // probabilities: softmax of the stored logits (predicted label's logit 3, the others 0)
  assert.ok(close(items[0]!.probabilities.positive, Math.exp(3) / (Math.exp(3) + 2)), JSON.stringify(items[0]));
  assert.ok(close(items[0]!.probabilities.neutral, 1 / (Math.exp(3) + 2)));
  assert.ok(close(items[0]!.confidence, Math.exp(3) / (Math.exp(3) + 2)));
  assert.equal(items[0]!.gold, null, 'gold labels stay hidden unless the round shows them');

  const make = (name: string, filters: Parameters<typeof createReview>[2]['filters']) =>
    createReview(ws, owner, { name, runId, datasetId, filters, showGold: true });
  assert.equal(make('all', {}).itemCount, 8);
  assert.equal(make('mistakes', { goldAgreement: 'disagree' }).itemCount, 2); // item 6 and the Sundanese "Awon"
  assert.equal(make('jav mistakes', { languages: ['jav'], goldAgreement: 'disagree' }).itemCount, 1);
  assert.equal(make('pred neutral', { predicted: ['neutral'] }).itemCount, 2);
  assert.equal(make('gold neg jav', { gold: ['negative'], languages: ['jav'] }).itemCount, 3);
  // confidences: e^c/(e^c+2) for c = 3, 0.5, 2, 1, 4, 0 (jav) and 1, 1 (sun)
  const confident = make('confident', { minConfidence: 0.7 });
  assert.deepEqual(reviewItems(ws, owner, confident.id).map((i) => i.exampleId), [exampleIds[0], exampleIds[2], exampleIds[4]]);
  assert.equal(make('unsure', { maxConfidence: 0.4 }).itemCount, 1);
  assert.equal(make('first two', { limit: 2 }).itemCount, 2);
  assert.throws(() => make('none', { languages: ['ace'] }), rule('rejected'));
  assert.throws(() => make('all', {}), rule('conflict'));
  assert.equal(reviewItems(ws, owner, make('with gold', { languages: ['jav'] }).id)[5]!.gold, 'negative');

  // a later evaluation of the same run does not change an existing queue
  ws.evaluations.create({ runId, datasetId, language: 'jav', split: 'test', predictions: [{ exampleId: exampleIds[0]!, predicted: 'negative', correct: false }] });
  assert.equal(reviewItems(ws, owner, review.id)[0]!.predicted, 'positive');
  assert.throws(() => ws.db.prepare('UPDATE review_items SET position = 99 WHERE review_id = ?').run(review.id), /frozen/);
});

test("other annotators' answers stay hidden until the reader submits", (t) => {
  const { ws, owner, people, review, answerAll, exampleIds } = setUp(t);
  answerAll('A');
  answerAll('B');
  assert.deepEqual(ws.reviews.answersVisibleTo(review.id, people.A.annotatorId).map((a) => a.annotatorId), Array(6).fill(people.A.annotatorId));
  assert.throws(() => visibleAnswers(ws, people.A, review.id), rule('forbidden'));
  assert.throws(() => agreementOf(ws, people.A, review.id), rule('forbidden'));
  assert.equal(reviewItems(ws, people.A, review.id)[1]!.answer?.label, 'positive', 'A sees only their own answer');

  submitReview(ws, people.A, review.id);
  // A has submitted, but B has not: B's answers are still in progress and stay hidden
  assert.ok(visibleAnswers(ws, people.A, review.id).every((a) => a.annotatorId === people.A.annotatorId));
  assert.ok(ws.reviews.answersVisibleTo(review.id, people.B.annotatorId).every((a) => a.annotatorId === people.B.annotatorId));
  assert.throws(() => visibleAnswers(ws, people.B, review.id), rule('forbidden'));
  submitReview(ws, people.B, review.id);
  assert.equal(visibleAnswers(ws, people.A, review.id).length, 12);
  assert.equal(reviewItems(ws, people.A, review.id)[5]!.gold, 'negative', 'gold is shown after submitting');
  // an owner who takes no part sees the submitted answers; a member who has not submitted does not
  assert.equal(visibleAnswers(ws, owner, review.id).length, 12);
  saveAnswer(ws, people.C, review.id, exampleIds[0]!, { label: 'positive', flagged: false, note: null });
  assert.throws(() => visibleAnswers(ws, people.C, review.id), rule('forbidden'));
  // that owner could read the submitted answers, so answering now would not be blind
  assert.throws(() => saveAnswer(ws, owner, review.id, exampleIds[0]!, { label: 'negative', flagged: false, note: null }), rule('conflict'));
  assert.equal(ws.reviews.member(review.id, owner.annotatorId), undefined);
});

test('an owner may answer a round while nobody has submitted', (t) => {
  const { ws, owner, people, review, exampleIds, answerAll } = setUp(t);
  answerAll('A');
  saveAnswer(ws, owner, review.id, exampleIds[0]!, { label: 'negative', flagged: false, note: null });
  assert.throws(() => visibleAnswers(ws, owner, review.id), rule('forbidden'), 'a member owner waits for their own submission like anyone');
  submitReview(ws, people.A, review.id);
  saveAnswer(ws, owner, review.id, exampleIds[1]!, { label: 'neutral', flagged: false, note: null });
});

test('submitting locks the answers, in the code and in the database', (t) => {
  const { ws, people, review, answerAll, exampleIds } = setUp(t);
  saveAnswer(ws, people.A, review.id, exampleIds[0]!, { label: 'positive', flagged: false, note: null });
  assert.throws(() => submitReview(ws, people.A, review.id), (e: unknown) => rule('conflict')(e) && /5 item\(s\)/.test((e as Error).message));
  // an empty answer removes it (how undo returns an item to unanswered)
  assert.equal(saveAnswer(ws, people.A, review.id, exampleIds[0]!, { label: null, flagged: false, note: null }), null);
  assert.equal(ws.reviews.ownAnswers(review.id, people.A.annotatorId).length, 0);
  assert.throws(() => saveAnswer(ws, people.A, review.id, exampleIds[0]!, { label: 'sarcastic', flagged: false, note: null }), rule('rejected'));
  assert.throws(() => saveAnswer(ws, people.A, review.id, 999_999, { label: 'positive', flagged: false, note: null }), rule('not-found'));
  answerAll('A');
  submitReview(ws, people.A, review.id);
  assert.throws(() => saveAnswer(ws, people.A, review.id, exampleIds[0]!, { label: 'neutral', flagged: false, note: null }), rule('conflict'));
  assert.throws(() => submitReview(ws, people.A, review.id), rule('conflict'));
  assert.throws(() => ws.db.prepare("UPDATE annotations SET label = 'neutral' WHERE review_id = ?").run(review.id), /locked/);
  assert.throws(() => ws.db.prepare('DELETE FROM annotations WHERE review_id = ?').run(review.id), /locked/);
  assert.throws(() => ws.db.prepare('UPDATE review_members SET submitted_at = NULL WHERE review_id = ?').run(review.id), /already submitted/);
  assert.equal(ws.reviews.ownAnswers(review.id, people.A.annotatorId).map((a) => a.label).join(), ANSWERS.A.join());
});

test('notes that look like SQL are stored literally; flags and notes count as answers', (t) => {
  const { ws, people, review, exampleIds } = setUp(t);
  const note = "'); DROP TABLE annotations; -- \" OR 1=1; /* ümlaut ꦗꦮ */";
  saveAnswer(ws, people.A, review.id, exampleIds[0]!, { label: null, flagged: true, note });
  const stored = ws.reviews.ownAnswers(review.id, people.A.annotatorId)[0]!;
  assert.deepEqual([stored.label, stored.flagged, stored.note], [null, true, note]);
  assert.equal((ws.db.prepare('SELECT count(*) AS n FROM annotations').get() as { n: number }).n, 1, 'the table is intact');
  assert.equal(ws.reviews.member(review.id, people.A.annotatorId)?.answered, 1);
});

test('agreement of two and of three annotators matches the hand-computed fixture', (t) => {
  const { ws, owner, people, review, answerAll } = setUp(t);
  answerAll('A');
  answerAll('B');
  submitReview(ws, people.A, review.id);
  submitReview(ws, people.B, review.id);
  const two = agreementOf(ws, people.A, review.id);
  assert.deepEqual([two.annotators, two.items, two.pairableItems, two.completeItems], [2, 6, 6, 6]);
  assert.ok(close(two.cohensKappa, EXPECTED_TWO.cohensKappa), `κ ${two.cohensKappa}`);
  assert.equal(two.fleissKappa, null, "Fleiss' κ is for three or more");
  assert.ok(close(two.krippendorffAlpha, EXPECTED_TWO.krippendorffAlpha), `α ${two.krippendorffAlpha}`);
  assert.ok(close(two.observedAgreement, EXPECTED_TWO.observedAgreement));
  for (const p of two.perLabel) assert.ok(close(p.agreement, EXPECTED_TWO.perLabel[p.label as keyof typeof EXPECTED_TWO.perLabel]), p.label);
  assert.ok(close(two.modelAgreement, EXPECTED_TWO.modelAgreement));
  assert.deepEqual(two.confusion, { labels: [...LABELS], matrix: EXPECTED_TWO.confusion });
  assert.deepEqual(two.annotatorNames, ['ayu', 'budi']);

  answerAll('C');
  assert.equal(agreementOf(ws, owner, review.id).annotators, 2, 'C has not submitted: not counted yet');
  submitReview(ws, people.C, review.id);
  const three = agreementOf(ws, owner, review.id);
  assert.equal(three.cohensKappa, null);
  assert.ok(close(three.fleissKappa, EXPECTED_THREE.fleissKappa), `Fleiss ${three.fleissKappa}`);
  assert.ok(close(three.krippendorffAlpha, EXPECTED_THREE.krippendorffAlpha), `α ${three.krippendorffAlpha}`);
});

test('corrected labels become a new dataset version with provenance; the parent is unchanged', (t) => {
  const { ws, owner, people, review, answerAll, datasetId, exampleIds } = setUp(t);
  answerAll('A');
  answerAll('B');
  assert.throws(() => exportCorrectedVersion(ws, owner, { reviewId: review.id, rule: 'majority', flagged: 'keep' }), rule('conflict'));
  submitReview(ws, people.A, review.id);
  submitReview(ws, people.B, review.id);
  assert.throws(() => exportCorrectedVersion(ws, people.A, { reviewId: review.id, rule: 'majority', flagged: 'keep' }), rule('forbidden'));

  // majority of A and B: item 5 → positive (gold negative); items 2 and 6 tie → gold kept
  const v = exportCorrectedVersion(ws, owner, { reviewId: review.id, name: 'senti corrected', rule: 'majority', flagged: 'keep' });
  assert.deepEqual([v.changed, v.dropped, v.ties], [1, 0, 2]);
  const copied = ws.examples.list(v.dataset.id);
  assert.equal(copied.length, 8, 'every example is copied, reviewed or not');
  assert.deepEqual(copied.filter((e) => e.language === 'jav').map((e) => e.label), ['positive', 'positive', 'negative', 'neutral', 'positive', 'negative']);
  assert.equal(copied[4]!.text, ITEMS[4]!.text);
  assert.deepEqual(ws.examples.list(datasetId).filter((e) => e.language === 'jav').map((e) => e.label), ITEMS.map((i) => i.gold));
  const version = ws.datasetVersions.get(v.dataset.id)!;
  assert.deepEqual([version.parentId, version.reviewId], [datasetId, review.id]);
  const p = version.provenance as Record<string, any>;
  assert.equal(p.rule, 'majority');
  assert.deepEqual(p.annotators.map((a: { name: string }) => a.name), ['ayu', 'budi']);
  assert.deepEqual(p.changes, [{ exampleId: exampleIds[4], sourceId: 'jav-4', language: 'jav', split: 'test', from: 'negative', to: 'positive' }]);
  assert.equal(p.createdBy, owner.annotatorId);

  // the adjudicator rule: B's answers decide (items 2, 5 and 6 change)
  const adjudicated = exportCorrectedVersion(ws, owner, { reviewId: review.id, name: 'senti by budi', rule: 'adjudicator', adjudicatorId: people.B.annotatorId, flagged: 'keep' });
  assert.deepEqual([adjudicated.changed, adjudicated.ties], [3, 0]);
  assert.throws(() => exportCorrectedVersion(ws, owner, { reviewId: review.id, name: 'x', rule: 'adjudicator', adjudicatorId: people.C.annotatorId, flagged: 'keep' }), rule('rejected'));
  assert.throws(() => exportCorrectedVersion(ws, owner, { reviewId: review.id, name: 'senti corrected', rule: 'majority', flagged: 'keep' }), rule('conflict'));
});

test('flagged items can be left out of a version', (t) => {
  const { ws, owner, people, review, answerAll, exampleIds } = setUp(t);
  answerAll('A');
  saveAnswer(ws, people.A, review.id, exampleIds[0]!, { label: 'positive', flagged: true, note: 'not Javanese' });
  submitReview(ws, people.A, review.id);
  const v = exportCorrectedVersion(ws, owner, { reviewId: review.id, rule: 'majority', flagged: 'drop' });
  assert.equal(v.dropped, 1);
  assert.equal(ws.examples.count(v.dataset.id), 7);
  assert.equal(v.dataset.name, 'senti · jav round 1');
});

test('majority: a unique most common label, else nothing', () => {
  assert.equal(majorityLabel(['a', 'b', 'a']), 'a');
  assert.equal(majorityLabel(['a', 'b']), null);
  assert.equal(majorityLabel([]), null);
  assert.equal(majorityLabel(['c']), 'c');
});
