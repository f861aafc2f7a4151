// A decoder block built from engine ops (RMSNorm, q/k/v with biases, rotary, grouped-query attention
// with causal + padding masks, residuals, LayerNorm, SwiGLU MLP, tied label-token head, cross-entropy)
// against the plain-loop reference in helpers/naive-block.ts: the loss must agree to float64 precision
// and every gradient must agree with central differences of the reference.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { grad } from '../../main/engine/autodiff';
import { Graph, type Value } from '../../main/engine/graph';
import * as op from '../../main/engine/ops/index';
import { Rng } from '../../main/engine/random';
import { hostTensor, type HostTensor } from '../../main/engine/tensor';
import { naiveBlockLoss, type BlockBatch, type BlockDims, type Params } from '../helpers/naive-block';
import { runGraph } from '../helpers/engine';

const dims: BlockDims = { vocab: 13, d: 8, heads: 2, kvHeads: 1, ffn: 12, batch: 3, seq: 5, theta: 10000, eps: 1e-6 };
const dh = dims.d / dims.heads;
const shapes: Record<string, number[]> = {
  emb: [dims.vocab, dims.d],
  ln1: [dims.d],
  q: [dims.heads * dh, dims.d],
  bq: [dims.heads * dh],
  k: [dims.kvHeads * dh, dims.d],
  bk: [dims.kvHeads * dh],
  v: [dims.kvHeads * dh, dims.d],
  bv: [dims.kvHeads * dh],
  o: [dims.d, dims.d],
  ln2w: [dims.d],
  ln2b: [dims.d],
  gate: [dims.ffn, dims.d],
  up: [dims.ffn, dims.d],
  down: [dims.d, dims.ffn],
  lnf: [dims.d],
};

const rng = new Rng(31);
const params: Params = Object.fromEntries(
  Object.entries(shapes).map(([n, s]) => {
    const size = s.reduce((a, b) => a * b, 1);
    const isNormWeight = n === 'ln1' || n === 'ln2w' || n === 'lnf';
    return [n, Array.from({ length: size }, () => (isNormWeight ? 1 + 0.2 * rng.normal() : 0.5 * rng.normal()))];
  }),
);

// Row 0 is left-padded by two tokens, row 2 right-padded by one; positions count real tokens only.
const mask = [0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0];
const batch: BlockBatch = {
  ids: Array.from({ length: dims.batch * dims.seq }, () => rng.int(dims.vocab)),
  mask,
  positions: mask.map((_, i) => {
    const b = Math.floor(i / dims.seq);
    const before = mask.slice(b * dims.seq, i).reduce((a, c) => a + c, 0);
    return Math.max(0, before - (mask[i] ? 0 : 1));
  }),
  labelPos: [4, 4, 3],
  labels: [2, 0, 1],
  labelTokens: [3, 7, 11],
};

function engineBlock() {
  const g = new Graph();
  const p = Object.fromEntries(Object.entries(shapes).map(([n, s]) => [n, g.input(n, 'float64', s, { requiresGrad: true })]));
  const { batch: B, seq: T, d, heads: H, kvHeads: KV } = dims;
  const ints = (shape: number[], values: number[]) => g.constant(hostTensor('int64', shape, values));
  const ids = ints([B, T], batch.ids);
  const x = op.gather(p.emb!, ids);
  const h = op.rmsNorm(x, p.ln1!, dims.eps);
  const split = (y: Value, n: number) => op.transpose(op.reshape(y, [B, T, n, dh]), [0, 2, 1, 3]);
  const { cos, sin } = op.rotaryTables(ints([B, T], batch.positions), dh, dims.theta, 'float64');
  const q = op.rotary(split(op.linear(h, p.q!, p.bq), H), cos, sin);
  const kv = (w: Value, b: Value, rotate: boolean) => {
    const y = split(op.linear(h, w, b), KV);
    const r = rotate ? op.rotary(y, cos, sin) : y;
    return op.reshape(op.expand(op.unsqueeze(r, 2), [B, KV, H / KV, T, dh]), [B, H, T, dh]);
  };
  const [k, v] = [kv(p.k!, p.bk!, true), kv(p.v!, p.bv!, false)];
  const m = op.attentionMask(ints([B, T], batch.mask), 'float64', true);
  const ctx = op.reshape(op.transpose(op.scaledDotProductAttention(q, k, v, m), [0, 2, 1, 3]), [B, T, d]);
  const x2 = op.add(op.linear(ctx, p.o!), x);
  const h2 = op.layerNorm(x2, p.ln2w!, p.ln2b!, dims.eps);
  const act = op.mul(op.silu(op.linear(h2, p.gate!)), op.linear(h2, p.up!));
  const x3 = op.add(op.linear(act, p.down!), x2);
  const final = op.rmsNorm(x3, p.lnf!, dims.eps);
  const picked = op.pickRows(final, ints([B], batch.labelPos));
  const labelRows = op.gather(p.emb!, ints([3], batch.labelTokens));
  const logits = op.gemm(picked, labelRows, { transB: true });
  const loss = op.softmaxCrossEntropy(logits, ints([B], batch.labels));
  const names = Object.keys(shapes);
  const grads = grad(loss, names.map((n) => p[n]!));
  g.output(loss, 'loss');
  grads.forEach((gv, i) => g.output(gv!, `grad.${names[i]}`));
  return g;
}

test('decoder block: loss and every gradient match an independent plain-loop reference', async () => {
  const feeds: Record<string, HostTensor> = Object.fromEntries(
    Object.entries(shapes).map(([n, s]) => [n, hostTensor('float64', s, params[n]!)]),
  );
  const out = await runGraph(engineBlock(), feeds);
  const refLoss = naiveBlockLoss(dims, params, batch);
  const loss = out.loss!.data[0] as number;
  assert.ok(Math.abs(loss - refLoss) < 1e-12, `loss ${loss} vs reference ${refLoss}`);

  const h = 1e-6;
  let checked = 0;
  for (const name of Object.keys(shapes)) {
    const g = out[`grad.${name}`]!.data as Float64Array;
    const values = params[name]!;
    for (let i = 0; i < values.length; i++) {
      const orig = values[i]!;
      values[i] = orig + h;
      const up = naiveBlockLoss(dims, params, batch);
      values[i] = orig - h;
      const down = naiveBlockLoss(dims, params, batch);
      values[i] = orig;
      const numeric = (up - down) / (2 * h);
      const err = Math.abs(numeric - g[i]!) / Math.max(1, Math.abs(numeric));
      assert.ok(err < 1e-7, `d loss / d ${name}[${i}]: engine ${g[i]} vs reference ${numeric}`);
      checked++;
    }
  }
  assert.equal(checked, Object.values(shapes).reduce((s, sh) => s + sh.reduce((a, b) => a * b, 1), 0));
});
