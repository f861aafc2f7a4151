// Cross-entropy semantics: the mean over rows, and with row weights a weighted mean in which rows of
// weight 0 (padding) do not count at all.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Graph } from '../../main/engine/graph';
import * as op from '../../main/engine/ops/index';
import { hostTensor } from '../../main/engine/tensor';
import { runGraph } from '../helpers/engine';

const logits = [2, 0.5, -1, 0.1, 0.2, 3, -0.5, 1.5, 0];
const labels = [0, 2, 1];
const nll = (row: number) => {
  const r = logits.slice(row * 3, row * 3 + 3);
  const lse = Math.log(r.reduce((s, x) => s + Math.exp(x), 0));
  return lse - r[labels[row]!]!;
};

test('unweighted cross-entropy is the mean negative log-likelihood', async () => {
  const g = new Graph();
  g.output(op.softmaxCrossEntropy(g.input('l', 'float64', [3, 3]), g.input('y', 'int64', [3])), 'loss');
  const out = await runGraph(g, { l: hostTensor('float64', [3, 3], logits), y: hostTensor('int64', [3], labels) });
  assert.ok(Math.abs((out.loss!.data[0] as number) - (nll(0) + nll(1) + nll(2)) / 3) < 1e-14);
});

test('rows of weight 0 are ignored; others weigh in proportion', async () => {
  const g = new Graph();
  const loss = op.softmaxCrossEntropy(g.input('l', 'float64', [3, 3]), g.input('y', 'int64', [3]), g.input('w', 'float64', [3]));
  g.output(loss, 'loss');
  const out = await runGraph(g, { l: hostTensor('float64', [3, 3], logits), y: hostTensor('int64', [3], labels), w: hostTensor('float64', [3], [0, 1, 3]) });
  assert.ok(Math.abs((out.loss!.data[0] as number) - (nll(1) + 3 * nll(2)) / 4) < 1e-14);
});
