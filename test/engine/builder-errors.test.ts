// Bad input to the graph builder fails at build time with a message that names the node, the
// offending shapes or dtypes, and (for unknown ops) what exists.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { grad } from '../../main/engine/autodiff';
import { Graph } from '../../main/engine/graph';
import * as op from '../../main/engine/ops/index';

function throwsWith(fn: () => unknown, ...fragments: string[]) {
  assert.throws(fn, (e: Error) => {
    for (const f of fragments) assert.ok(e.message.includes(f), `"${e.message}" should mention "${f}"`);
    return true;
  });
}

test('shape mismatch names the node scope and both shapes', () => {
  const g = new Graph();
  const a = g.input('hidden', 'float32', [2, 3]);
  const b = g.input('weight', 'float32', [4, 5]);
  throwsWith(() => g.scope('layers.0.attn', () => op.matmul(a, b)), 'MatMul node "layers.0.attn"', '[2,3]', '[4,5]', 'hidden', 'weight');
  throwsWith(() => op.add(g.input('x', 'float32', [2, 3]), g.input('y', 'float32', [4])), 'Add node', '[2,3]', '[4]', 'do not broadcast');
  throwsWith(() => op.reshape(a, [4, 2]), 'Reshape node', 'cannot reshape [2,3]', '[4,2]');
  throwsWith(() => op.layerNorm(a, g.input('w', 'float32', [4]), g.input('bias', 'float32', [3]), 1e-5), 'LayerNorm node', 'w float32[4]', 'must be [3]');
});

test('mixed dtypes are refused with both dtypes named', () => {
  const g = new Graph();
  const a = g.input('a', 'float32', [3]);
  const b = g.input('b', 'float64', [3]);
  throwsWith(() => op.mul(a, b), 'Mul node', 'mixed dtypes float32 and float64', 'a float32[3]', 'b float64[3]');
});

test('an unknown op name lists the known ops', () => {
  const g = new Graph();
  const x = g.input('x', 'float32', [3]);
  throwsWith(() => op.callOp(g, 'Convolution3D', [x]), 'unknown op "Convolution3D"', 'MatMul', 'LayerNorm');
  assert.equal(op.callOp(g, 'Tanh', [x])[0]!.shape.length, 1, 'known names still work');
});

test('other misuse: foreign graph values, duplicate names, non-scalar loss, wrong index dtype', () => {
  const g1 = new Graph();
  const g2 = new Graph();
  const x1 = g1.input('x', 'float32', [2]);
  const x2 = g2.input('x', 'float32', [2]);
  throwsWith(() => op.add(x1, x2), 'belongs to another graph');
  throwsWith(() => g1.input('x', 'float32', [1]), 'duplicate graph name "x"');
  const v = g1.input('v', 'float32', [2], { requiresGrad: true });
  throwsWith(() => grad(op.mul(v, v), [v]), 'loss must be a scalar', '[2]');
  throwsWith(() => op.gather(g1.input('table', 'float32', [5, 2]), g1.input('pos', 'float32', [3])), 'Gather node', 'indices must be integers');
  throwsWith(() => op.slice(x1, 0, 1, 5), 'Slice node', 'outside axis 0 of length 2');
});
