// The label-balanced mean baseline against an independent computation from the plain-loop reference's
// head outputs (helpers/naive-models.ts), on a mean set whose examples are all shorter than the
// padded length: at positions some example of M reaches, μ is the mean of per-class means over the
// examples there; at the others it is the pooled value (each class's mean over all its real tokens,
// then the mean over classes), never a silent 0, and the report counts them. Also: μ at a position
// changes only the logits of examples with a real token there (padded keys are masked out).

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { CircuitSession } from '../../main/circuits/circuit-session';
import { ablatedLogits } from '../../main/circuits/faithfulness';
import { headMask } from '../../main/circuits/heads';
import { computeMeanBaseline, meanBaselineReport } from '../../main/circuits/mean-baseline';
import { labelIndex, resolveTask } from '../../main/models/classification/task';
import { loadModel } from '../../main/models/load';
import { testRunner } from '../helpers/engine';
import { naiveDecoderLabelLogits } from '../helpers/naive-models';
import { referenceWeights, tinyModel, writeTinyModel } from '../models/fixtures/tiny-models';

const dir = mkdtempSync(join(tmpdir(), 'lontar-mean-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const tiny = tinyModel('qwen2', 5);
writeTinyModel(dir, tiny, 'F64');

// M: 10–16 tokens each (3 negative, 1 neutral, 1 positive); the long examples (20 and 28 tokens) pad
// every batch to 32, so positions 0..15 hold no token of M.
const mean = [
  { id: 'm0', text: 'cat', label: 'negative' },
  { id: 'm1', text: 'the dog', label: 'negative' },
  { id: 'm2', text: 'cat sat', label: 'negative' },
  { id: 'm3', text: 'the dog ran', label: 'neutral' },
  { id: 'm4', text: 'the film was good', label: 'positive' },
];
const long = [
  { id: 'l0', text: 'the food was bad and the service was slow', label: 'negative' },
  { id: 'l1', text: 'makanan enak sekali', label: 'positive' },
];

async function open() {
  const model = loadModel(dir);
  const task = resolveTask(model);
  const session = await CircuitSession.open(model, task, { runner: testRunner(), batchSize: 3, maxLength: 64 });
  session.fixLength([...mean, ...long]);
  return { model, task, session };
}

test('μ at positions no example of M reaches is the pooled label-balanced mean, and the report counts them', async () => {
  const { model, task, session } = await open();
  const baseline = await computeMeanBaseline(session, mean);
  const { numLayers: L, numHeads: H, headDim: Dh } = model.config;
  const T = session.seq;
  assert.equal(T, 32);

  // Independent: each example's z per layer, token and head from the float64 reference, placed at its
  // left-padded position T − n + j.
  const w = referenceWeights(tiny, 'F64');
  const zs = mean.map((e) => {
    const ids = session.encoder.tokenize(e).ids;
    const z: number[][][][] = Array.from({ length: L }, () => Array.from({ length: ids.length }, () => []));
    naiveDecoderLabelLogits(tiny.config, w, ids, [0], (l, t, h, v) => ((z[l]![t]![h] = v), v));
    return { n: ids.length, label: labelIndex(task, e.label), z };
  });
  const longest = Math.max(...zs.map((x) => x.n));
  const classes = [...new Set(zs.map((x) => x.label))];
  const meanOf = (vs: number[][]) => vs[0]!.map((_, i) => vs.reduce((s, v) => s + v[i]!, 0) / vs.length);
  for (let l = 0; l < L; l++) {
    for (let h = 0; h < H; h++) {
      // Pooled: per class over every real token of its examples, then over classes.
      const pooled = meanOf(classes.map((c) => meanOf(zs.filter((x) => x.label === c).flatMap((x) => x.z[l]!.map((tok) => tok[h]!)))));
      assert.ok(pooled.some((v) => Math.abs(v) > 1e-3), 'the pooled value is not 0');
      for (let t = 0; t < T; t++) {
        const got = Array.from(baseline.layers[l]!.subarray((t * H + h) * Dh, (t * H + h + 1) * Dh));
        const here: number[][] = classes.flatMap((c): number[][] => {
          const rows: number[][] = zs.filter((x) => x.label === c && t >= T - x.n).map((x) => x.z[l]![t - (T - x.n)]![h]!);
          return rows.length ? [meanOf(rows)] : [];
        });
        const expected = here.length ? meanOf(here) : pooled;
        assert.equal(here.length > 0, t >= T - longest, `position ${t} reached only by M's tokens`);
        got.forEach((v, i) => assert.ok(Math.abs(v - expected[i]!) < 1e-10, `layer ${l} head ${h} position ${t}: ${v} vs ${expected[i]}`));
      }
    }
  }
  assert.deepEqual(baseline.reached, Array.from({ length: T }, (_, t) => t >= T - longest));
  assert.deepEqual(meanBaselineReport(session, baseline, [...long, mean[0]!]), {
    examples: 5, seq: 32, reachedPositions: longest, unreachedPositions: 32 - longest, unreached: 'pooled', examplesAtUnreached: 2,
  });
  await session.close();
});

test('μ at an unreached position changes only the logits of examples with a real token there', async () => {
  const { model, session } = await open();
  const baseline = await computeMeanBaseline(session, mean);
  const moved = { ...baseline, layers: baseline.layers.map((x) => x.map((v, i) => (baseline.reached[Math.floor(i / (model.config.numHeads * model.config.headDim))] ? v : v + 5))) };
  // Layer 0 ablated, layer 1 kept: layer 1's attention carries what μ wrote at other positions to the label.
  const keep = headMask(model.config, Array.from({ length: model.config.numHeads }, (_, head) => ({ layer: 1, head })));
  const examples = [...mean, ...long];
  const [before, after] = [await ablatedLogits(session, baseline, examples, keep), await ablatedLogits(session, moved, examples, keep)];
  const change = before.map((r, i) => Math.max(...r.logits.map((v, c) => Math.abs(v - after[i]!.logits[c]!))));
  change.slice(0, mean.length).forEach((d, i) => assert.equal(d, 0, `${mean[i]!.id} has no token there`));
  change.slice(mean.length).forEach((d, i) => assert.ok(d > 1e-3, `${long[i]!.id} reads it (${d})`));
  await session.close();
});
