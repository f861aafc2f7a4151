// Ops whose float32 emission differs from their float64 one (fused kernels: Gelu, LayerNormalization,
// Sigmoid-based SiLU) must agree with the float64 path, which the finite-difference checks verify.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { grad } from '../../main/engine/autodiff';
import type { FloatDType } from '../../main/engine/dtype';
import { Graph, type Value } from '../../main/engine/graph';
import * as op from '../../main/engine/ops/index';
import { Rng } from '../../main/engine/random';
import { hostTensor, type HostTensor } from '../../main/engine/tensor';
import { runGraph } from '../helpers/engine';

const SHAPE = [3, 5, 8];
const rng = new Rng(8);
const x0 = Array.from({ length: 120 }, () => 2 * rng.normal());
const w0 = Array.from({ length: 8 }, () => 1 + 0.3 * rng.normal());
const b0 = Array.from({ length: 8 }, () => 0.3 * rng.normal());
const r0 = Array.from({ length: 120 }, () => rng.normal());

async function evaluate(dtype: FloatDType, f: (x: Value, w: Value, b: Value) => Value) {
  const g = new Graph();
  const [x, w, b] = [g.input('x', dtype, SHAPE, { requiresGrad: true }), g.input('w', dtype, [8], { requiresGrad: true }), g.input('b', dtype, [8], { requiresGrad: true })];
  const y = f(x, w, b);
  const loss = op.reduceSum(op.mul(y, g.constant(hostTensor(dtype, SHAPE, r0))), [0, 1, 2]);
  const grads = grad(loss, [x, w, b]);
  g.output(y, 'y');
  grads.forEach((gv, i) => gv && g.output(gv, `g${i}`));
  const feeds: Record<string, HostTensor> = { x: hostTensor(dtype, SHAPE, x0), w: hostTensor(dtype, [8], w0), b: hostTensor(dtype, [8], b0) };
  return runGraph(g, feeds);
}

const cases: [string, (x: Value, w: Value, b: Value) => Value][] = [
  ['Gelu (erf, fused kernel)', (x) => op.gelu(x, 'erf')],
  ['Gelu (tanh, fused kernel)', (x) => op.gelu(x, 'tanh')],
  ['LayerNorm (LayerNormalization kernel)', (x, w, b) => op.layerNorm(x, w, b, 1e-5)],
  ['SiLU (Sigmoid)', (x) => op.silu(x)],
  ['SwiGLU (Sigmoid, recomputed in backward)', (x) => op.swiglu(x, op.tanh(x))],
];

for (const [name, f] of cases) {
  test(`float32 ${name} agrees with the float64 path`, async () => {
    const [lo, hi] = [await evaluate('float32', f), await evaluate('float64', f)];
    for (const key of Object.keys(hi)) {
      const a = lo[key]!.data as Float32Array;
      const b = hi[key]!.data as Float64Array;
      const scaleOf = Math.max(...Array.from(b, Math.abs), 1);
      a.forEach((v, i) => assert.ok(Math.abs(v - b[i]!) <= 2e-5 * scaleOf, `${key}[${i}]: float32 ${v} vs float64 ${b[i]}`));
    }
  });
}
