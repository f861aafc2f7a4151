// CT-SFT changes only what it may: after training on the split layout, every parameter outside the
// chosen heads' slices and the norms is bit-identical to the starting checkpoint, and every element
// inside changed — with weight decay on, for both key/value modes, and for the encoder families
// (BERT and XLM-R: per-head query/key/value rows and output columns, every LayerNorm).

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import type { HostTensor } from '../../main/engine/tensor';
import { resolveTask } from '../../main/models/classification/task';
import { loadModel } from '../../main/models/load';
import { FineTuning } from '../../main/transfer/fine-tune';
import { recipeSchema } from '../../main/transfer/recipe';
import { trainableScope, type KvMode } from '../../main/transfer/trainable-scope';
import { testRunner } from '../helpers/engine';
import { TEXTS, tinyModel, writeTinyModel, type TinyFamily } from '../models/fixtures/tiny-models';
import { LABELS, tempDir } from './fixtures';

const HEADS = [
  { layer: 0, head: 1 },
  { layer: 1, head: 2 },
];

/** Per element: may it change? (from the scope's trainability, independently of the engine) */
function trainableMask(t: HostTensor, how: ReturnType<ReturnType<typeof trainableScope>['trainability']>): boolean[] {
  const size = t.data.length;
  if (how.kind === 'whole') return new Array<boolean>(size).fill(true);
  if (how.kind === 'frozen') return new Array<boolean>(size).fill(false);
  const cols = t.shape.length === 2 ? t.shape[1]! : 1;
  return Array.from({ length: size }, (_, i) => {
    const index = how.axis === 0 ? Math.floor(i / cols) : i % cols;
    return how.ranges.some((r) => index >= r.start && index < r.end);
  });
}

async function trainAndCompare(t: { after: (fn: () => void) => void }, kv: KvMode, family: TinyFamily = 'qwen2', heads = HEADS) {
  const model = loadModel(writeTinyModel(join(tempDir(t), 'model'), tinyModel(family, 5), 'F32'));
  const task = resolveTask(model);
  const examples = [...TEXTS, ...TEXTS.map((x) => `${x} again`)].map((text, i) => ({ id: String(i), text, label: LABELS[i % 3]! }));
  const scope = trainableScope(model.config, model.weights, { kind: 'heads', heads, kv });
  const ft = await FineTuning.prepare({
    model,
    task,
    examples,
    recipe: recipeSchema.parse({ epochs: 3, lr: 0.05, batchSize: 4, maxLength: 32, weightDecay: 0.1 }),
    scope,
    seed: 7,
    runner: testRunner(),
  });
  await ft.run();
  const trained = await ft.trainedWeights();
  await ft.dispose();
  let frozen = 0;
  let changed = 0;
  for (const [name, before] of model.weights) {
    const after = trained.get(name)!;
    const mask = trainableMask(before, scope.trainability(name));
    mask.forEach((mayChange, i) => {
      const same = Object.is(before.data[i], after.data[i]);
      if (mayChange) {
        assert.ok(!same, `${name}[${i}] is trainable but did not change`);
        changed++;
      } else {
        assert.ok(same, `${name}[${i}] is frozen but changed: ${before.data[i]} → ${after.data[i]}`);
        frozen++;
      }
    });
  }
  assert.equal(changed, scope.trainable);
  assert.equal(frozen + changed, scope.total);
  return scope;
}

test('after CT-SFT (kv group) everything outside the heads\' slices and the norms is bit-identical; inside, everything changed', async (t) => {
  const scope = await trainAndCompare(t, 'group');
  assert.ok(scope.tensors.some((x) => x.name === 'model.layers.1.self_attn.k_proj.weight'));
});

test('with kv freeze the shared key/value rows stay bit-identical too', async (t) => {
  const scope = await trainAndCompare(t, 'freeze');
  assert.ok(!scope.tensors.some((x) => /k_proj|v_proj/.test(x.name)));
});

for (const family of ['bert', 'xlm-roberta'] as const) {
  test(`${family}: CT-SFT trains only the heads' query/key/value rows, output columns and the LayerNorms`, async (t) => {
    const scope = await trainAndCompare(t, 'group', family, [{ layer: 0, head: 1 }, { layer: 1, head: 0 }]); // 2 heads a layer
    const names = scope.tensors.map((x) => x.name);
    assert.ok(names.some((n) => /layer\.1\.attention\.self\.key\.weight$/.test(n)) && names.some((n) => /layer\.0\.attention\.output\.dense\.weight$/.test(n)), names.join(', '));
    assert.ok(names.some((n) => /LayerNorm\.weight$/.test(n)));
    assert.ok(!names.some((n) => /intermediate|classifier|word_embeddings/.test(n)), 'feed-forward, head and embeddings stay frozen');
  });
}
