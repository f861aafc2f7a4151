// In-graph optimizers against PyTorch's update formulas written out in plain TypeScript, on a least-
// squares problem whose gradients are computed by hand: AdamW (decoupled decay, bias correction),
// SGD with momentum and L2 decay, global-norm clipping, and the linear warm-up schedule.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Graph } from '../../main/engine/graph';
import * as op from '../../main/engine/ops/index';
import type { OptimizerOptions } from '../../main/engine/optim/optimizers';
import { learningRateAt, type Schedule } from '../../main/engine/optim/schedule';
import { Trainer } from '../../main/engine/optim/trainer';
import { ParameterBinding } from '../../main/engine/params/binding';
import { Rng } from '../../main/engine/random';
import { hostTensor, type HostTensor } from '../../main/engine/tensor';
import { testRunner } from '../helpers/engine';

const [N, IN, OUT] = [5, 4, 3];
const rng = new Rng(5);
const randn = (n: number) => Array.from({ length: n }, () => rng.normal());
const X = randn(N * IN);
const Y = randn(N * OUT);
const W0 = randn(OUT * IN);
const B0 = randn(OUT);

/** Gradients of mean((X·Wᵀ + b − Y)²) with respect to W [OUT, IN] and b [OUT]. */
function lossAndGrads(w: number[], b: number[]) {
  const dW = new Array<number>(OUT * IN).fill(0);
  const db = new Array<number>(OUT).fill(0);
  let loss = 0;
  for (let n = 0; n < N; n++) {
    for (let o = 0; o < OUT; o++) {
      let pred = b[o]!;
      for (let i = 0; i < IN; i++) pred += X[n * IN + i]! * w[o * IN + i]!;
      const r = pred - Y[n * OUT + o]!;
      loss += (r * r) / (N * OUT);
      const d = (2 * r) / (N * OUT);
      db[o]! += d;
      for (let i = 0; i < IN; i++) dW[o * IN + i]! += d * X[n * IN + i]!;
    }
  }
  return { loss, grads: [dW, db] };
}

interface Reference {
  params: number[][];
  losses: number[];
  norms: number[];
}

/** PyTorch's AdamW / SGD step by step (torch.optim semantics), with clip_grad_norm_ first. */
function reference(opt: OptimizerOptions, schedule: Schedule, clip: number, steps: number): Reference {
  const params = [[...W0], [...B0]];
  const decays = [true, false];
  const slots = params.map((p) => [p.map(() => 0), p.map(() => 0)]);
  const losses: number[] = [];
  const norms: number[] = [];
  for (let t = 1; t <= steps; t++) {
    const { loss, grads } = lossAndGrads(params[0]!, params[1]!);
    losses.push(loss);
    const norm = Math.sqrt(grads.flat().reduce((s, g) => s + g * g, 0));
    norms.push(norm);
    const coef = Math.min(1, clip / (norm + 1e-6));
    const lr = learningRateAt(t, schedule);
    params.forEach((p, k) => {
      const [m, v] = slots[k]!;
      p.forEach((_, i) => {
        const g = grads[k]![i]! * coef;
        if (opt.kind === 'adamw') {
          const [b1, b2, eps, wd] = [opt.beta1 ?? 0.9, opt.beta2 ?? 0.999, opt.eps ?? 1e-8, opt.weightDecay ?? 0.01];
          if (decays[k]) p[i]! *= 1 - lr * wd;
          m![i] = m![i]! + (g - m![i]!) * (1 - b1);
          v![i] = v![i]! * b2 + g * g * (1 - b2);
          const denom = Math.sqrt(v![i]!) / Math.sqrt(1 - b2 ** t) + eps;
          p[i]! -= (lr / (1 - b1 ** t)) * (m![i]! / denom);
        } else {
          const d = decays[k] ? g + (opt.weightDecay ?? 0) * p[i]! : g;
          m![i] = (opt.momentum ?? 0) * m![i]! + d;
          p[i]! -= lr * m![i]!;
        }
      });
    });
  }
  return { params, losses, norms };
}

async function engine(opt: OptimizerOptions, schedule: Schedule, clip: number, steps: number) {
  const weights = new Map<string, HostTensor>([
    ['W', hostTensor('float64', [OUT, IN], W0)],
    ['b', hostTensor('float64', [OUT], B0)],
  ]);
  const trainer = new Trainer({
    runner: testRunner(),
    optimizer: opt,
    schedule,
    clipNorm: clip,
    build: () => {
      const g = new Graph();
      const p = new ParameterBinding(g, weights, { layout: 'inputs', trainability: () => ({ kind: 'whole' }), decay: (n) => n === 'W' });
      const x = g.input('x', 'float64', [N, IN]);
      const y = g.input('y', 'float64', [N, OUT]);
      const r = op.sub(op.linear(x, p.weight('W'), p.tensor('b')), y);
      return { graph: g, loss: op.reduceMean(op.mul(r, r), [0, 1]), trainables: p.trainables };
    },
  });
  await trainer.start('all');
  const results = [];
  for (let t = 0; t < steps; t++) {
    results.push(await trainer.trainStep('all', { x: hostTensor('float64', [N, IN], X), y: hostTensor('float64', [N, OUT], Y) }));
  }
  const values = await trainer.trainedValues();
  await trainer.dispose();
  return { results, params: [Array.from(values.W!.data as Float64Array), Array.from(values.b!.data as Float64Array)] };
}

function close(a: number, b: number, tol = 1e-12) {
  assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${a} vs ${b}`);
}

const schedule: Schedule = { kind: 'linear', lr: 0.05, warmupSteps: 2, totalSteps: 6 };
for (const [name, opt, clip] of [
  ['AdamW with decoupled decay, warm-up and clipping', { kind: 'adamw', weightDecay: 0.1 }, 0.5],
  ['AdamW without clipping pressure', { kind: 'adamw', beta1: 0.8, beta2: 0.95, eps: 1e-6, weightDecay: 0.3 }, 1e9],
  ['SGD with momentum and L2 decay', { kind: 'sgd', momentum: 0.9, weightDecay: 0.01 }, 0.5],
] as [string, OptimizerOptions, number][]) {
  test(`${name} matches the PyTorch formulas`, async () => {
    const ref = reference(opt, schedule, clip, 6);
    const got = await engine(opt, schedule, clip, 6);
    got.results.forEach((r, t) => {
      close(r.loss, ref.losses[t]!);
      close(r.gradNorm!, ref.norms[t]!);
      close(r.lr, learningRateAt(t + 1, schedule));
    });
    got.params.forEach((p, k) => p.forEach((x, i) => close(x, ref.params[k]![i]!)));
    assert.ok(ref.params[0]!.some((x, i) => Math.abs(x - W0[i]!) > 1e-3), 'the parameters moved');
  });
}

test('the linear schedule warms up from zero and decays to zero (Hugging Face semantics)', () => {
  const lrs = [1, 2, 3, 4, 5, 6, 7].map((t) => learningRateAt(t, { kind: 'linear', lr: 1, warmupSteps: 2, totalSteps: 6 }));
  assert.deepEqual(lrs, [0, 0.5, 1, 0.75, 0.5, 0.25, 0]);
});
