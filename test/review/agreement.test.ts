// Agreement statistics against published worked examples.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cohensKappa, confusionMatrix, fleissKappa, krippendorffAlpha, perLabelAgreement } from '../../main/review/agreement';

const close = (a: number, b: number, tol = 5e-4) => assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b}`);

test("Cohen's κ: 50 items, 20 yes/yes, 5 yes/no, 10 no/yes, 15 no/no → 0.4", () => {
  const a = [...Array(25).fill('yes'), ...Array(25).fill('no')];
  const b = [...Array(20).fill('yes'), ...Array(5).fill('no'), ...Array(10).fill('yes'), ...Array(15).fill('no')];
  close(cohensKappa(a, b), 0.4, 1e-12);
  close(cohensKappa(a, a), 1, 1e-12);
});

test("Fleiss' κ: the 10 subjects × 14 raters × 5 categories example → 0.210", () => {
  const counts = [
    [0, 0, 0, 0, 14], [0, 2, 6, 4, 2], [0, 0, 3, 5, 6], [0, 3, 9, 2, 0], [2, 2, 8, 1, 1],
    [7, 7, 0, 0, 0], [3, 2, 6, 3, 0], [2, 5, 3, 2, 2], [6, 5, 2, 1, 0], [0, 2, 2, 3, 7],
  ];
  close(fleissKappa(counts), 0.2099, 1e-4);
  assert.throws(() => fleissKappa([[1, 1], [1, 2]]), /same number of annotators/);
});

test("Krippendorff's α (nominal): the 4 coders × 12 units example with missing values → 0.743", () => {
  const A = ['1', '2', '3', '3', '2', '1', '4', '1', '2', null, null, null];
  const B = ['1', '2', '3', '3', '2', '2', '4', '1', '2', '5', null, '3'];
  const C = [null, '3', '3', '3', '2', '3', '4', '2', '2', '5', '1', null];
  const D = ['1', '2', '3', '3', '2', '4', '4', '1', '2', '5', '1', null];
  const units = A.map((_, u) => [A[u]!, B[u]!, C[u]!, D[u]!]);
  close(krippendorffAlpha(units), 0.743, 5e-4);
});

test('specific agreement: 2a/(2a + b + c) on the 20/5/10/15 table → positive 0.727, negative 0.667', () => {
  // Cicchetti & Feinstein (1990): p_pos = 2a/(2a + b + c), p_neg = 2d/(2d + b + c), here a = 20, d = 15.
  const a = [...Array(25).fill('yes'), ...Array(25).fill('no')];
  const b = [...Array(20).fill('yes'), ...Array(5).fill('no'), ...Array(10).fill('yes'), ...Array(15).fill('no')];
  const per = perLabelAgreement(a.map((x, i) => [x, b[i]!]), ['yes', 'no']);
  close(per.yes!, 40 / 55, 1e-12);
  close(per.no!, 30 / 45, 1e-12);
});

test('specific agreement with three annotators: Σ n_l(n_l − 1) / Σ n_l(n − 1)', () => {
  // pos: 2·1 + 3·2 = 8 over 2·2 + 3·2 = 10; neg: 0 over 1·2 = 2
  const per = perLabelAgreement([['pos', 'pos', 'neg'], ['pos', 'pos', 'pos']], ['pos', 'neg', 'neu']);
  close(per.pos!, 8 / 10, 1e-12);
  close(per.neg!, 0, 1e-12);
  assert.ok(Number.isNaN(per.neu!), 'nobody chose neu');
});

test('per-label agreement and the confusion matrix', () => {
  const units = [['pos', 'pos'], ['pos', 'neg'], ['neg', 'neg'], ['neu', 'neg']];
  const per = perLabelAgreement(units, ['pos', 'neg', 'neu']);
  close(per.pos!, 2 / 3, 1e-12); // one agreeing pos pair (2) and one pos/neg pair (1)
  close(per.neg!, 2 / 4, 1e-12);
  close(per.neu!, 0, 1e-12);
  assert.deepEqual(confusionMatrix(['pos', 'neg', 'neg', null], ['pos', 'pos', 'neg', 'neg'], ['pos', 'neg']), [[1, 0], [1, 1]]);
});
