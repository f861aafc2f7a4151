// The embedding gradient at realistic shapes (2,048 tokens, many repeated): with two threads it must
// be reproducible run after run and equal the sum of the rows of each token, computed here on the host.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { grad } from '../../main/engine/autodiff';
import { Graph } from '../../main/engine/graph';
import * as op from '../../main/engine/ops/index';
import { Rng } from '../../main/engine/random';
import { hostTensor } from '../../main/engine/tensor';
import { compile } from '../helpers/engine';

const [V, D, N] = [4096, 256, 2048];
const rng = new Rng(14);
// Zipf-like ids: a few tokens occur hundreds of times, as padding and function words do.
const ids = Array.from({ length: N }, () => Math.min(V - 1, Math.floor(Math.exp(rng.uniform() * Math.log(V)) - 1)));
const upstream = Array.from({ length: N * D }, () => rng.normal());

test('embedding gradient: reproducible with 2 threads and equal to the per-token sums', async () => {
  const g = new Graph();
  const table = g.input('table', 'float32', [V, D], { requiresGrad: true });
  const rows = op.gather(table, g.input('ids', 'int64', [16, N / 16]));
  const loss = op.reduceSum(op.mul(rows, g.constant(hostTensor('float32', [16, N / 16, D], upstream))), [0, 1, 2]);
  const [dTable] = grad(loss, [table]);
  g.output(dTable!, 'grad');
  const session = await compile(g);
  const feeds = { table: hostTensor('float32', [V, D]), ids: hostTensor('int64', [16, N / 16], ids) };
  const runs = [];
  for (let i = 0; i < 4; i++) runs.push(Float32Array.from((await session.run(feeds)).grad!.data as Float32Array));
  await session.release();
  for (const r of runs.slice(1)) assert.deepEqual(r, runs[0], 'bit-identical across runs');
  const expected = new Float64Array(V * D);
  ids.forEach((id, i) => {
    for (let d = 0; d < D; d++) expected[id * D + d]! += upstream[i * D + d]!;
  });
  const got = runs[0]!;
  for (let i = 0; i < V * D; i++) assert.ok(Math.abs(got[i]! - expected[i]!) <= 1e-4 * Math.max(1, Math.abs(expected[i]!)), `row ${Math.floor(i / D)}`);
  assert.ok(new Set(ids).size < N / 2, 'the ids repeat a lot');
});
