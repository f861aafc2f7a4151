// Runner state: outputs kept as new state, and outputs written in place into a state tensor that the
// same run reads (the micro-batch accumulators, the split update), which must hold the new values with no copy kept.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Graph } from '../../main/engine/graph';
import { encodeModel } from '../../main/engine/onnx/encode';
import * as op from '../../main/engine/ops/index';
import { hostTensor } from '../../main/engine/tensor';
import { testRunner } from '../helpers/engine';

function accumulator() {
  const g = new Graph();
  const acc = g.input('acc', 'float32', [3]);
  const x = g.input('x', 'float32', [3]);
  g.output(op.add(acc, op.mul(x, x)), 'acc.new');
  g.output(op.reduceSum(x, [0], false), 'sum');
  return encodeModel(g);
}

test('an output written into its own input state accumulates in place; kept outputs replace state', async () => {
  const runner = testRunner();
  try {
    const session = await runner.load(accumulator());
    await runner.setState({ acc: hostTensor('float32', [3], [1, 2, 3]), kept: hostTensor('float32', [3], [0, 0, 0]) });
    const feeds = (xs: number[]) => ({ acc: { state: 'acc' }, x: hostTensor('float32', [3], xs) });
    const out = await runner.run(session.id, { feeds: feeds([1, 2, 3]), into: { 'acc.new': 'acc' } });
    assert.deepEqual(Object.keys(out), ['sum'], 'an output written into state is not returned');
    assert.deepEqual(out.sum!.data, Float32Array.of(6));
    await runner.run(session.id, { feeds: feeds([1, 1, 1]), into: { 'acc.new': 'acc' } });
    assert.deepEqual((await runner.getState(['acc'])).acc!.data, Float32Array.of(3, 7, 13));
    await runner.run(session.id, { feeds: feeds([2, 0, 0]), keep: { 'acc.new': 'kept' }, fetch: [] });
    assert.deepEqual((await runner.getState(['kept'])).kept!.data, Float32Array.of(7, 7, 13));
    await assert.rejects(runner.run(session.id, { feeds: feeds([0, 0, 0]), into: { 'acc.new': 'missing' } }), /state "missing" is not set/);
  } finally {
    await runner.close();
  }
});
