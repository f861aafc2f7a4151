// The pieces behind progress and exact resume: the ETA from this attempt's pace, the progress line
// the CLI draws, and the synthetic task whose batches depend only on the seed and the step.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EtaEstimator } from '../../main/jobs/eta';
import { tinyBatch, tinyLabel } from '../../main/jobs/kinds/tiny-task';
import { progressLine } from '../../main/cli/commands/jobs';
import { toNumbers } from '../../main/engine/tensor';

test('the ETA follows the pace since the first step seen, leaving the start-up out', () => {
  let now = 0;
  const eta = new EtaEstimator(() => now);
  now = 5000; // graph building and session creation
  assert.equal(eta.update(10, 110), null);
  now = 6000;
  assert.equal(eta.update(20, 110), 9); // 100 ms per step, 90 steps left
  now = 7000;
  assert.equal(eta.update(110, 110), 0);
  assert.equal(eta.elapsedSeconds(), 7);
});

test('the progress line shows bar, step, loss, metrics and ETA', () => {
  const line = progressLine({ jobId: 3, runId: 3, kind: 'train-tiny', step: 50, total: 200, fraction: 0.25, loss: 0.51234, metrics: { accuracy: 0.8125 }, etaSeconds: 75, elapsedSeconds: 30 });
  assert.equal(line, 'job 3 [######..................] 25% step 50/200  loss 0.5123  accuracy 0.813  eta 1m15s');
});

test('a batch of the tiny task depends only on (seed, step), and its labels follow the rule', () => {
  const shape = { vocab: 32, classes: 3, batch: 16, seq: 12 };
  const a = tinyBatch(shape, 7, 5);
  const b = tinyBatch(shape, 7, 5);
  for (const name of ['input_ids', 'attention_mask', 'labels']) assert.deepEqual(toNumbers(a[name]!), toNumbers(b[name]!));
  assert.notDeepEqual(toNumbers(tinyBatch(shape, 7, 6)['input_ids']!), toNumbers(a['input_ids']!));
  assert.notDeepEqual(toNumbers(tinyBatch(shape, 8, 5)['input_ids']!), toNumbers(a['input_ids']!));

  const ids = toNumbers(a['input_ids']!);
  const mask = toNumbers(a['attention_mask']!);
  toNumbers(a['labels']!).forEach((label, row) => {
    const tokens = ids.slice(row * 12 + 1, row * 12 + 12).filter((_, i) => mask[row * 12 + 1 + i] === 1);
    assert.ok(mask[row * 12] === 1 && ids[row * 12] === 0, '[CLS] first');
    assert.ok(tokens.length >= 5, 'at least half the sequence is real tokens');
    assert.equal(label, tinyLabel(tokens, 3));
  });
  assert.equal(tinyLabel([1, 4, 2], 3), 1);
  assert.equal(tinyLabel([2, 1], 3), 1, 'ties go to the lowest class');
});
