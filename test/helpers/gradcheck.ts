// Central finite-difference checks of the engine's gradients in float64.
// The checked function is reduced to a scalar by a fixed random projection Σ y·R, so every output
// element contributes; each input element's derivative is compared with (L(x+h) − L(x−h)) / 2h.

import assert from 'node:assert/strict';
import { grad } from '../../main/engine/autodiff';
import type { CaseInput } from '../../main/engine/coverage/op-cases';
import { Graph, type Value } from '../../main/engine/graph';
import { mul, reduceSum } from '../../main/engine/ops/index';
import { Rng } from '../../main/engine/random';
import { hostTensor, sizeOf, type HostTensor } from '../../main/engine/tensor';
import { compile } from './engine';


export interface GradCheckOptions {
  seed?: number;
  h?: number;
  /** Allowed |analytic − numeric| / max(1, |analytic|). */
  tol?: number;
  /** At most this many elements are checked per input (the largest-gradient one always). */
  maxElements?: number;
}

export async function gradCheck(
  inputs: CaseInput[],
  build: (g: Graph, xs: Value[]) => Value,
  opts: GradCheckOptions = {},
): Promise<{ worst: number; checked: number }> {
  const rng = new Rng(opts.seed ?? 1234);
  const h = opts.h ?? 1e-6;
  const tol = opts.tol ?? 1e-6;
  const g = new Graph();
  const values = inputs.map((s) =>
    s.ints ? g.input(s.name, 'int64', s.shape) : g.input(s.name, 'float64', s.shape, { requiresGrad: true }),
  );
  const y = build(g, values);
  const projection = g.constant(hostTensor('float64', y.shape, Array.from({ length: sizeOf(y.shape) }, () => rng.normal())));
  const loss = reduceSum(mul(y, projection), [...y.shape.keys()], false);
  const floats = values.filter((_, i) => !inputs[i]!.ints);
  const grads = grad(loss, floats);
  g.output(loss, 'loss');
  grads.forEach((gv, i) => {
    assert.ok(gv, `no gradient reaches ${floats[i]!.name}`);
    g.output(gv, `grad.${floats[i]!.name}`);
  });

  const feeds: Record<string, HostTensor> = {};
  inputs.forEach((s) => {
    if (s.ints) feeds[s.name] = hostTensor('int64', s.shape, s.ints);
    else {
      const data = Array.from({ length: sizeOf(s.shape) }, () => (s.positive ? 0.5 + rng.uniform() : rng.normal()));
      feeds[s.name] = hostTensor('float64', s.shape, data);
    }
  });

  const full = await compile(g);
  const lossOnly = await compile(g, ['loss']);
  const analytic = await full.run(feeds);
  let worst = 0;
  let checked = 0;
  for (const v of floats) {
    const an = analytic[`grad.${v.name}`]!.data as Float64Array;
    const x = feeds[v.name!]!.data as Float64Array;
    const n = x.length;
    const maxEl = opts.maxElements ?? 48;
    let picks = [...Array(n).keys()];
    if (n > maxEl) {
      const argmax = picks.reduce((a, b) => (Math.abs(an[b]!) > Math.abs(an[a]!) ? b : a), 0);
      picks = [argmax, ...rng.shuffle(picks.filter((i) => i !== argmax)).slice(0, maxEl - 1)];
    }
    for (const i of picks) {
      const orig = x[i]!;
      x[i] = orig + h;
      const up = (await lossOnly.run(feeds)).loss!.data[0] as number;
      x[i] = orig - h;
      const down = (await lossOnly.run(feeds)).loss!.data[0] as number;
      x[i] = orig;
      const numeric = (up - down) / (2 * h);
      const err = Math.abs(numeric - an[i]!) / Math.max(1, Math.abs(an[i]!));
      worst = Math.max(worst, err);
      checked++;
      assert.ok(err <= tol, `d loss / d ${v.name}[${i}]: analytic ${an[i]} vs numeric ${numeric} (error ${err.toExponential(2)})`);
    }
  }
  await full.release();
  await lossOnly.release();
  return { worst, checked };
}
