// The bundled demo model (resources/models/lontar-demo-qwen2) loads like any Hugging Face folder,
// its tokenizer is exactly what the build script trains from the shipped NusaX copy, and the
// held-out perplexity its card reports is what its weights really score.

import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parse } from 'csv-parse/sync';
import { encodeModel } from '../../main/engine/onnx/encode';
import { LocalRunner } from '../../main/engine/runtime/runner';
import { Graph } from '../../main/engine/graph';
import { int64Tensor } from '../../main/engine/tensor';
import { ParameterBinding } from '../../main/engine/params/binding';
import { decoderForward } from '../../main/models/architectures/decoder';
import { positionIds } from '../../main/models/architectures/positions';
import { Checkpoint } from '../../main/models/checkpoint/checkpoint';
import { loadModelConfig } from '../../main/models/config';
import { labelWordTokenIds } from '../../main/models/label-words';
import { loadWeights } from '../../main/models/load';
import { resolveTensorLayout } from '../../main/models/tensor-layout';
import { batchToTensors, LontarTokenizer } from '../../main/models/tokenizer';
import { prepareDemoData } from '../../main/models/pretraining/demo-data';
import { DEMO_PRETRAINING } from '../../main/models/pretraining/demo-recipe';
import { HeldOutEvaluator } from '../../main/models/pretraining/held-out-eval';
import { demoModelCard } from '../../main/models/pretraining/model-card';
import { DEMO_MODEL_DIR, SHIPPED_NUSAX } from './fixtures';

const config = loadModelConfig(DEMO_MODEL_DIR);
const tokenizer = LontarTokenizer.load(DEMO_MODEL_DIR, { config });
const log = JSON.parse(readFileSync(join(DEMO_MODEL_DIR, 'training-log.json'), 'utf8'));

test('the folder is a small Qwen2 with grouped-query attention, tied embeddings and a complete checkpoint', () => {
  assert.equal(config.family, 'qwen2');
  assert.equal(config.architectures[0], 'Qwen2ForCausalLM');
  assert.ok(config.numHeads >= 4 && config.numKvHeads >= 1 && config.numKvHeads < config.numHeads, 'several heads sharing fewer key/value heads');
  assert.ok(config.tieWordEmbeddings);
  assert.equal(config.vocabSize, tokenizer.vocabSize);
  const checkpoint = Checkpoint.open(DEMO_MODEL_DIR);
  try {
    const layout = resolveTensorLayout(config, checkpoint, DEMO_MODEL_DIR);
    assert.deepEqual(layout.unused, []);
    assert.ok(checkpoint.names().every((n) => checkpoint.entry(n).dtype === 'F32'));
    const parameters = checkpoint.names().reduce((n, name) => n + checkpoint.entry(name).shape.reduce((a, b) => a * b, 1), 0);
    assert.equal(parameters, log.parameters);
    assert.ok(parameters > 1e6 && parameters < 2e7, `a few million parameters, got ${parameters}`);
  } finally {
    checkpoint.close();
  }
  const bytes = readdirSync(DEMO_MODEL_DIR).reduce((n, f) => n + statSync(join(DEMO_MODEL_DIR, f)).size, 0);
  assert.ok(bytes < 25e6, `the folder is ${bytes} bytes`);
});

test('the label words are single tokens and every shipped NusaX text (all splits) round-trips', () => {
  const labels = labelWordTokenIds(tokenizer, ['negative', 'neutral', 'positive']);
  assert.deepEqual(labels.map((l) => l.tokenId), log.tokenizer.labelTokens.map((l: { id: number }) => l.id));
  let texts = 0;
  for (const language of readdirSync(SHIPPED_NUSAX).filter((f) => statSync(join(SHIPPED_NUSAX, f)).isDirectory())) {
    for (const split of ['train', 'valid', 'test']) {
      const rows = parse(readFileSync(join(SHIPPED_NUSAX, language, `${split}.csv`)), { columns: true }) as { text: string }[];
      for (const { text } of rows) {
        texts++;
        const decoded = tokenizer.decode(tokenizer.encodeText(text));
        if (decoded !== text) assert.fail(`${language}/${split}: ${JSON.stringify(text)} decodes as ${JSON.stringify(decoded)}`);
      }
    }
  }
  assert.equal(texts, 12 * 1000);
});

test('the build regenerates the shipped tokenizer byte for byte, and the reported held-out perplexity is what the weights score', async () => {
  const data = prepareDemoData(SHIPPED_NUSAX, DEMO_PRETRAINING.sequenceLength);
  const shipped = (name: string) => readFileSync(join(DEMO_MODEL_DIR, name), 'utf8');
  assert.equal(`${JSON.stringify(data.trained.tokenizerJson, null, 2)}\n`, shipped('tokenizer.json'));
  assert.equal(`${JSON.stringify(data.trained.tokenizerConfig, null, 2)}\n`, shipped('tokenizer_config.json'));
  assert.equal(`${JSON.stringify(data.configJson, null, 2)}\n`, shipped('config.json'));

  const { weights } = loadWeights(DEMO_MODEL_DIR);
  const runner = new LocalRunner({ threads: 1, provider: 'cpu' });
  const shape = { batch: DEMO_PRETRAINING.batchSize, seq: DEMO_PRETRAINING.sequenceLength };
  const evaluator = new HeldOutEvaluator(runner, config, data.heldOutRows, shape, tokenizer.padTokenId, 'shipped.');
  try {
    await runner.setState(Object.fromEntries([...weights].map(([name, t]) => [`shipped.${name}`, t])));
    await evaluator.prepare(weights);
    const score = await evaluator.score();
    assert.equal(score.tokens, log.finalHeldOut.tokens);
    // Tight enough to catch other weights or rows, loose enough for a kernel that rounds differently.
    assert.ok(Math.abs(score.loss - log.finalHeldOut.loss) < 1e-4, `scored ${score.loss}, logged ${log.finalHeldOut.loss}`);
    assert.ok(score.loss < log.initialHeldOut.loss - 2, 'pretraining lowered the held-out loss by more than 2 nats per token');
    const card = shipped('README.md');
    assert.ok(card.includes(`**${log.finalHeldOut.perplexity.toFixed(2)}**`), 'the model card states the logged perplexity');
    assert.ok(!card.includes('Cut short'), 'the shipped model is a full run of the recipe');
  } finally {
    await evaluator.dispose();
    await runner.close();
  }
});

test('the model card is generated from training-log.json, whose curve shows the loss going down', () => {
  assert.equal(readFileSync(join(DEMO_MODEL_DIR, 'README.md'), 'utf8'), demoModelCard(log));
  const trainLosses = log.curve.filter((e: { trainLoss: number | null }) => e.trainLoss !== null).map((e: { trainLoss: number }) => e.trainLoss);
  assert.ok(trainLosses.at(-1) < trainLosses[0] - 2, `training loss ${trainLosses[0]} → ${trainLosses.at(-1)}`);
  assert.equal(log.steps, log.totalSteps);
});

test('a left-padded batch of prompts runs through the decoder with finite hidden states', async () => {
  const { weights } = loadWeights(DEMO_MODEL_DIR);
  const batch = tokenizer.encodeBatch(['Makanannya enak sekali | sentiment:', 'The service was slow | sentiment:']);
  const [B, T] = [2, batch.sequenceLength];
  const g = new Graph();
  const p = new ParameterBinding(g, weights, { layout: 'inputs', trainability: () => ({ kind: 'frozen' }) });
  const inputs = { ids: g.input('input_ids', 'int64', [B, T]), mask: g.input('attention_mask', 'int64', [B, T]), positions: g.input('position_ids', 'int64', [B, T]) };
  g.output(decoderForward(config, p, inputs).hidden, 'hidden');
  const runner = new LocalRunner({ threads: 1, provider: 'cpu' });
  try {
    const session = await runner.load(encodeModel(g));
    const positions = int64Tensor([B, T], positionIds(config, batch.attentionMask.flat(), B, T));
    const out = await runner.run(session.id, { feeds: { ...batchToTensors(batch), position_ids: positions } });
    const hidden = out['hidden']!;
    assert.deepEqual(hidden.shape, [B, T, config.hiddenSize]);
    assert.ok((hidden.data as Float32Array).every(Number.isFinite));
  } finally {
    await runner.close();
  }
});
