// A batch split into micro-batches (gradient accumulation) takes the same optimizer steps as the
// whole batch: in float64 the losses and every trained weight agree to 1e-12 (only the summation order
// differs), for full fine-tuning and for CT-SFT's head slices, including a last, short batch whose
// filler rows make a micro-batch of weight 0 (dropped, not divided by zero). An optimizer update split
// over runs of a few tensors each (how full fine-tuning of a large model fits) changes no weight.

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { resolveTask } from '../../main/models/classification/task';
import { loadModel, type LoadedModel } from '../../main/models/load';
import { FineTuning } from '../../main/transfer/fine-tune';
import { describeRecipe, recipeSchema } from '../../main/transfer/recipe';
import { trainableScope, type ScopeSpec } from '../../main/transfer/trainable-scope';
import { testRunner } from '../helpers/engine';
import { TEXTS, tinyModel, writeTinyModel } from '../models/fixtures/tiny-models';
import { LABELS, tempDir } from './fixtures';

// 10 examples in batches of 4: the third batch has 2 real rows and 2 filler rows
const examples = [...TEXTS, ...TEXTS.map((x) => `${x} again`)].slice(0, 10).map((text, i) => ({ id: String(i), text, label: LABELS[i % 3]! }));

async function train(model: LoadedModel, spec: ScopeSpec, microBatch?: number, updateChunkBytes?: number) {
  const recipe = recipeSchema.parse({ epochs: 2, lr: 0.05, batchSize: 4, maxLength: 32, weightDecay: 0.1, microBatch });
  const scope = trainableScope(model.config, model.weights, spec);
  const ft = await FineTuning.prepare({ model, task: resolveTask(model), examples, recipe, scope, seed: 3, runner: testRunner(), ...(updateChunkBytes && { updateChunkBytes }) });
  const losses: number[] = [];
  await ft.run((r) => void losses.push(r.loss));
  const weights = await ft.trainedWeights();
  await ft.dispose();
  return { losses, weights };
}

const close = (a: number, b: number) => Math.abs(a - b) <= 1e-12 * Math.max(1, Math.abs(b));

for (const spec of [{ kind: 'all' }, { kind: 'heads', heads: [{ layer: 1, head: 2 }], kv: 'group' }] as ScopeSpec[]) {
  test(`micro-batches of 2 and of 1 train what whole batches of 4 train (float64, ${spec.kind})`, async (t) => {
    const model = loadModel(writeTinyModel(join(tempDir(t), 'model'), tinyModel('qwen2', 5), 'F64'));
    const whole = await train(model, spec);
    assert.equal(whole.losses.length, 6);
    for (const micro of [2, 1]) {
      const split = await train(model, spec, micro);
      split.losses.forEach((l, i) => assert.ok(close(l, whole.losses[i]!), `micro ${micro}, step ${i + 1}: loss ${l} vs ${whole.losses[i]}`));
      let moved = 0;
      for (const [name, w] of whole.weights) {
        const s = split.weights.get(name)!;
        w.data.forEach((x, i) => {
          assert.ok(close(s.data[i] as number, x as number), `micro ${micro}, ${name}[${i}]: ${s.data[i]} vs ${x}`);
          if (!Object.is(x, model.weights.get(name)!.data[i])) moved++;
        });
      }
      assert.ok(moved > 0, 'training changed something');
    }
  });
}

test('an update split over runs of a few tensors trains what one update run trains (float64, full FT)', async (t) => {
  const model = loadModel(writeTinyModel(join(tempDir(t), 'model'), tinyModel('qwen2', 5), 'F64'));
  const spec: ScopeSpec = { kind: 'all' };
  const whole = await train(model, spec);
  const oneRun = await train(model, spec, 2);
  // 4 KiB per run: the embedding alone, the rest a few tensors at a time; with whole batches the
  // trainables' size alone sends the step through gradient and update runs
  for (const micro of [2, undefined]) {
    const chunked = await train(model, spec, micro, 4096);
    const reference = micro ? oneRun : whole;
    chunked.losses.forEach((l, i) => assert.ok(close(l, reference.losses[i]!), `micro ${micro}, step ${i + 1}: loss ${l} vs ${reference.losses[i]}`));
    for (const [name, w] of reference.weights) {
      const c = chunked.weights.get(name)!;
      w.data.forEach((x, i) => assert.ok(micro ? Object.is(c.data[i], x) : close(c.data[i] as number, x as number), `micro ${micro}, ${name}[${i}]: ${c.data[i]} vs ${x}`));
    }
  }
});

test('a micro-batch must divide the batch, and the recipe line names it', () => {
  assert.throws(() => recipeSchema.parse({ batchSize: 16, microBatch: 3 }), /microBatch must divide batchSize/);
  assert.match(describeRecipe(recipeSchema.parse({ batchSize: 16, microBatch: 4 })), /batch 16 in micro-batches of 4/);
  assert.doesNotMatch(describeRecipe(recipeSchema.parse({})), /micro/);
});
