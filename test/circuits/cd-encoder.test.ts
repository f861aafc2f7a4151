// The engine's β-only decomposition of the encoder family (BERT and XLM-R heads: post-LN, biased
// projections, key-padding attention, GELU, dense + tanh head) against the independent two-stream
// reference in helpers/naive-cd-encoder.ts, for both attention rules: the reference is complete
// (rel + irr = clean at every layer and at the logits) and the engine's β equals its rel.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { propagateRelevance } from '../../main/engine/cd/propagate';
import * as op from '../../main/engine/ops/index';
import type { CdOptions } from '../../main/engine/ops/op-def';
import { Rng } from '../../main/engine/random';
import { hostTensor } from '../../main/engine/tensor';
import { BatchEncoder } from '../../main/models/classification/batch-encoder';
import { resolveTask } from '../../main/models/classification/task';
import { buildTaskModel, TASK_INPUTS } from '../../main/models/classification/task-model';
import { loadModel } from '../../main/models/load';
import { runGraph } from '../helpers/engine';
import { naiveEncoderCd } from '../helpers/naive-cd-encoder';
import { tinyModel, writeTinyModel } from '../models/fixtures/tiny-models';

const dir = mkdtempSync(join(tmpdir(), 'lontar-cd-encoder-'));
after(() => rmSync(dir, { recursive: true, force: true }));

for (const family of ['bert', 'xlm-roberta'] as const) {
  const model = loadModel(writeTinyModel(join(dir, family), tinyModel(family, 13), 'F64'));
  const task = resolveTask(model);
  const c = model.config;
  const [H, Dh] = [c.numHeads, c.headDim];
  const batch = new BatchEncoder(model, task, { floatType: 'float64' }).encode(
    [{ id: 'a', text: 'the film was good', label: 'positive' }, { id: 'b', text: 'cat sat', label: 'negative' }],
    2,
  );
  const [B, T] = [batch.shape.batch, batch.shape.seq];
  const rng = new Rng(3);
  const mean = Array.from({ length: T }, () => Array.from({ length: H * Dh }, () => 0.3 * rng.normal()));

  for (const attention of ['fixed', 'beta-softmax'] as const) {
    test(`${family}, ${attention} attention, sources in layer 0: complete, and β equals the two-stream reference`, async () => {
      const options: CdOptions = { attention, tol: 1e-12, signCleanup: 'off' }; // a tiny bias tolerance keeps the reference's own completeness exact
      const m = buildTaskModel(model, task, batch.shape, { bind: { layout: 'inputs', trainability: () => ({ kind: 'frozen' }) } });
      const g = m.graph;
      const z = m.z[0]!;
      const onehot = g.constant(hostTensor('float64', [H, 1, 1, H, 1], Array.from({ length: H * H }, (_, i) => (Math.floor(i / H) === i % H ? 1 : 0))));
      const beta = op.mul(onehot, op.unsqueeze(op.sub(z, g.constant(hostTensor('float64', [1, T, H, Dh], mean.flat()))), 0));
      const [bl, bz] = propagateRelevance({ at: z, beta }, [m.logits, m.z[1]!], options);
      g.output(m.logits, 'logits');
      g.output(bl!, 'betaLogits');
      g.output(bz!, 'betaZ1');
      g.output(m.z[1]!, 'z1');
      const out = await runGraph(g, batch.feeds);
      const classes = task.labels.length;
      const get = (name: string, i: number) => out[name]!.data[i] as number;
      for (let b = 0; b < B; b++) {
        const row = <T,>(name: string) => Array.from((batch.feeds[name]!.data as BigInt64Array).subarray(b * T, (b + 1) * T), Number) as T;
        const mask = row<number[]>(TASK_INPUTS.mask);
        const w = new Map([...model.weights].map(([n, t]) => [n, t.data as Float64Array]));
        for (let s = 0; s < H; s++) {
          const ref = naiveEncoderCd(
            { layers: c.numLayers, d: c.hiddenSize, heads: H, ffn: c.intermediateSize, eps: c.normEps, family, w },
            { ids: row(TASK_INPUTS.ids), positions: row(TASK_INPUTS.positions), types: c.typeVocabSize > 1 ? row(TASK_INPUTS.tokenTypes) : new Array<number>(T).fill(0), mask, source: { layer: 0, head: s }, mean, attention, tol: 1e-12 },
          );
          for (let i = 0; i < classes; i++) {
            const clean = get('logits', b * classes + i);
            assert.ok(Math.abs(ref.relLogits[i]! + ref.irrLogits[i]! - clean) < 1e-9, 'two-stream completeness at the logits');
            const got = get('betaLogits', (s * B + b) * classes + i);
            assert.ok(Math.abs(got - ref.relLogits[i]!) < 1e-9 * Math.max(1, Math.abs(clean)), `β logit [${s},${b},${i}]: ${got} vs ${ref.relLogits[i]}`);
          }
          for (let t = 0; t < T; t++) {
            if (!mask[t]) continue;
            for (let e = 0; e < H * Dh; e++) {
              const clean = get('z1', (b * T + t) * H * Dh + e);
              assert.ok(Math.abs(ref.zs[1]!.rel[t]![e]! + ref.zs[1]!.irr[t]![e]! - clean) < 1e-9, `two-stream completeness at layer 1 [${b},${t},${e}]: ${ref.zs[1]!.rel[t]![e]! + ref.zs[1]!.irr[t]![e]!} vs ${clean}`);
              const got = get('betaZ1', ((s * B + b) * T + t) * H * Dh + e);
              assert.ok(Math.abs(got - ref.zs[1]!.rel[t]![e]!) < 1e-9, `β z1 [${s},${b},${t},${e}]: ${got} vs ${ref.zs[1]!.rel[t]![e]}`);
            }
          }
        }
      }
    });
  }
}
