// Pretraining on a tiny Qwen2 config: the language-model loss is the weighted next-token
// cross-entropy of the model's own hidden states (checked on the host), a few steps are
// bit-deterministic across fresh runners, and training lowers the training and held-out loss.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encodeModel } from '../../main/engine/onnx/encode';
import { Rng } from '../../main/engine/random';
import { LocalRunner } from '../../main/engine/runtime/runner';
import type { HostTensor } from '../../main/engine/tensor';
import { parseModelConfig } from '../../main/models/config';
import { causalLmGraph } from '../../main/models/pretraining/causal-lm-graph';
import { initDecoderWeights } from '../../main/models/pretraining/init-weights';
import { languageModelBatch } from '../../main/models/pretraining/packing';
import { pretrain, type PretrainRecipe } from '../../main/models/pretraining/pretrain';

const VOCAB = 40;
const config = parseModelConfig({
  model_type: 'qwen2',
  hidden_size: 16,
  num_hidden_layers: 2,
  num_attention_heads: 4,
  num_key_value_heads: 2,
  intermediate_size: 24,
  vocab_size: VOCAB,
  tie_word_embeddings: true,
  max_position_embeddings: 32,
});
const PAD = VOCAB - 1;

/** Learnable rows: counting upwards (mod 39) from a random start, of random length. */
function countingRows(n: number, seed: number, maxLength = 12): number[][] {
  const rng = new Rng(seed);
  return Array.from({ length: n }, () => {
    const start = rng.int(PAD);
    return Array.from({ length: 4 + rng.int(maxLength - 3) }, (_, i) => (start + i) % PAD);
  });
}

const recipe: PretrainRecipe = {
  seed: 11,
  batchSize: 4,
  sequenceLength: 12,
  epochs: 8,
  learningRate: 1e-2,
  warmupSteps: 5,
  weightDecay: 0.1,
  beta1: 0.9,
  beta2: 0.95,
  clipNorm: 1,
  evalEverySteps: 10,
  logEverySteps: 1,
};

async function run(maxSteps?: number) {
  const runner = new LocalRunner({ threads: 1, provider: 'cpu' });
  try {
    return await pretrain({
      config,
      initial: initDecoderWeights(config, 3),
      trainRows: countingRows(24, 1),
      heldOutRows: countingRows(8, 2),
      padId: PAD,
      recipe,
      runner,
      maxSteps,
    });
  } finally {
    await runner.close();
  }
}

const bits = (t: HostTensor) => Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength);

test('the loss is the weighted next-token cross-entropy of the hidden states through the tied embedding', async () => {
  const weights = initDecoderWeights(config, 5, 0.3);
  const shape = { batch: 3, seq: 12 };
  const lm = causalLmGraph(config, weights, shape, { layout: 'inputs', trainability: () => ({ kind: 'frozen' }) });
  lm.graph.output(lm.loss, 'loss');
  lm.graph.output(lm.hidden, 'hidden');
  const rows = countingRows(3, 9);
  const feeds = languageModelBatch(config, rows, shape, PAD);
  const runner = new LocalRunner({ threads: 1, provider: 'cpu' });
  const session = await runner.load(encodeModel(lm.graph));
  const out = await runner.run(session.id, { feeds });
  await runner.close();

  const hidden = out['hidden']!.data as Float32Array;
  const embed = weights.get('model.embed_tokens.weight')!.data as Float32Array;
  const D = config.hiddenSize;
  let [nats, count] = [0, 0];
  rows.forEach((row, b) => {
    for (let t = 0; t + 1 < row.length; t++) {
      const h = hidden.subarray((b * shape.seq + t) * D, (b * shape.seq + t + 1) * D);
      const logits = Array.from({ length: VOCAB }, (_, v) => h.reduce((s, x, d) => s + x * embed[v * D + d]!, 0));
      const max = Math.max(...logits);
      const logZ = max + Math.log(logits.reduce((s, l) => s + Math.exp(l - max), 0));
      nats += logZ - logits[row[t + 1]!]!;
      count++;
    }
  });
  const loss = Number(out['loss']!.data[0]);
  assert.ok(Math.abs(loss - nats / count) < 1e-5 * (nats / count), `graph loss ${loss} vs host ${nats / count}`);
});

test('a few pretraining steps are bit-deterministic across fresh runners', async () => {
  const [a, b] = [await run(6), await run(6)];
  assert.equal(a.steps, 6);
  assert.deepEqual(a.log, b.log);
  assert.deepEqual([...a.weights.keys()], [...b.weights.keys()]);
  for (const [name, t] of a.weights) assert.ok(bits(t).equals(bits(b.weights.get(name)!)), `${name} differs between runs`);
  // And training moved every tensor.
  const initial = initDecoderWeights(config, 3);
  for (const [name, t] of a.weights) assert.ok(!bits(t).equals(bits(initial.get(name)!)), `${name} did not change`);
});

test('pretraining lowers the training and held-out loss, and logs the curve', async () => {
  const result = await run();
  assert.equal(result.steps, result.totalSteps);
  assert.equal(result.totalSteps, (24 / 4) * 8);
  const trainLosses = result.log.filter((e) => e.trainLoss !== null).map((e) => e.trainLoss!);
  const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
  assert.ok(mean(trainLosses.slice(-5)) < 0.5 * mean(trainLosses.slice(0, 5)), `training loss ${trainLosses.slice(0, 5)} → ${trainLosses.slice(-5)}`);
  assert.ok(result.finalHeldOut.loss < 0.5 * result.initialHeldOut.loss, `held-out ${result.initialHeldOut.loss} → ${result.finalHeldOut.loss}`);
  assert.equal(result.finalHeldOut.perplexity, Math.exp(result.finalHeldOut.loss));
  assert.equal(result.log[0]!.heldOutLoss, result.initialHeldOut.loss);
  assert.equal(result.log.at(-1)!.heldOutLoss, result.finalHeldOut.loss);
  assert.ok(Math.abs(result.initialHeldOut.loss - Math.log(VOCAB)) < 0.1, 'an untrained model is close to uniform');
});
