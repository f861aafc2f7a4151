// Each family's task model (loaded from a tiny random folder on disk) against the independent
// plain-loop references of test/helpers/naive-models.ts: label-word logits for qwen2 and llama,
// classifier logits for bert and xlm-roberta, in float64 (tight) and float32 (the production path);
// padded batches give the same logits with left and right padding, and with positions derived in-graph.

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import * as op from '../../main/engine/ops/index';
import { hostTensor, toNumbers, type HostTensor } from '../../main/engine/tensor';
import { BatchEncoder, type ClassificationExample } from '../../main/models/classification/batch-encoder';
import { resolveTask, type ClassificationTask } from '../../main/models/classification/task';
import { buildTaskModel, type TaskModelOptions } from '../../main/models/classification/task-model';
import { loadModel, type LoadedModel } from '../../main/models/load';
import type { PaddingSide } from '../../main/models/tokenizer';
import { runGraph } from '../helpers/engine';
import { naiveDecoderLabelLogits, naiveEncoderLogits } from '../helpers/naive-models';
import { tempDir } from './fixtures/temp-dir';
import { referenceWeights, TEXTS, TINY_FAMILIES, tinyModel, writeTinyModel, type TinyFamily, type TinyModel } from './fixtures/tiny-models';

const root = tempDir();
const FROZEN: TaskModelOptions = { bind: { layout: 'inputs', trainability: () => ({ kind: 'frozen' }) } };
const examples: ClassificationExample[] = TEXTS.map((text, i) => ({ id: `ex${i}`, text, label: ['negative', 'neutral', 'positive'][i % 3]! }));
// A pair for the encoders (BERT token types 0/1; XLM-R's </s></s> separator).
const pairs: ClassificationExample[] = [{ id: 'pair', premise: 'the film was good', hypothesis: 'the dog ran', label: 'neutral' }];

function open(family: TinyFamily, dtype: 'F32' | 'F64') {
  const tiny = tinyModel(family);
  const model = loadModel(writeTinyModel(join(root, `${family}-${dtype}`), tiny, dtype));
  return { tiny, model, task: resolveTask(model) };
}

async function engineLogits(model: LoadedModel, task: ClassificationTask, batch: ClassificationExample[], side?: PaddingSide, options = FROZEN) {
  const floatType = model.weights.values().next().value!.dtype as 'float32' | 'float64';
  const encoded = new BatchEncoder(model, task, { paddingSide: side, floatType }).encode(batch, batch.length + 1);
  const m = buildTaskModel(model, task, encoded.shape, options);
  m.graph.output(m.logits, 'logits');
  m.graph.output(m.loss, 'loss');
  const out = await runGraph(m.graph, encoded.feeds);
  const C = task.labels.length;
  const rows = encoded.rows.map((_, b) => Array.from((out['logits']!.data as Float64Array).subarray(b * C, (b + 1) * C)));
  return { rows, encoded, loss: Number(out['loss']!.data[0]) };
}

function referenceLogits(tiny: TinyModel, dtype: 'F32' | 'F64', task: ClassificationTask, ids: number[], typeIds: number[]): number[] {
  const w = referenceWeights(tiny, dtype);
  if (task.kind === 'label-words') return naiveDecoderLabelLogits(tiny.config, w, ids, task.labels.map((l) => l.tokenId!));
  return naiveEncoderLogits(tiny.config, w, ids, typeIds);
}

function assertClose(actual: number[][], expected: number[][], tolerance: number, what: string): void {
  let worst = 0;
  actual.forEach((row, r) => row.forEach((v, c) => (worst = Math.max(worst, Math.abs(v - expected[r]![c]!) / Math.max(1, Math.abs(expected[r]![c]!))))));
  assert.ok(worst <= tolerance, `${what}: worst relative difference ${worst.toExponential(2)} > ${tolerance}`);
}

const typesOf = (model: LoadedModel, e: ClassificationExample) =>
  e.premise ? model.tokenizer.encode([e.premise, e.hypothesis!]).tokenTypeIds : model.tokenizer.encode(e.text!).tokenTypeIds;

for (const family of TINY_FAMILIES) {
  test(`${family}: float64 logits of a padded batch equal the plain-loop reference per example`, async () => {
    const { tiny, model, task } = open(family, 'F64');
    const batch = model.config.kind === 'encoder' ? [...examples, ...pairs] : examples;
    const { rows, encoded, loss } = await engineLogits(model, task, batch);
    const lengths = new Set(encoded.rows.map((r) => r.inputIds.length));
    assert.ok(lengths.size > 2, 'the batch mixes lengths, so rows are padded');
    const expected = encoded.rows.map((r, i) => referenceLogits(tiny, 'F64', task, r.inputIds, typesOf(model, batch[i]!)));
    assertClose(rows, expected, 1e-10, family);
    // Loss: mean cross-entropy over the real rows only (the filler row has weight 0).
    const ce = expected.map((l, i) => {
      const max = Math.max(...l);
      return max + Math.log(l.reduce((s, v) => s + Math.exp(v - max), 0)) - l[encoded.rows[i]!.label!]!;
    });
    assert.ok(Math.abs(loss - ce.reduce((a, b) => a + b, 0) / ce.length) < 1e-10, `loss ${loss}`);
  });

  test(`${family}: left and right padding, and positions derived in-graph, give the same logits`, async () => {
    const { model, task } = open(family, 'F64');
    const left = await engineLogits(model, task, examples, 'left');
    const right = await engineLogits(model, task, examples, 'right');
    assert.notDeepEqual(left.encoded.feeds['attention_mask']!.data, right.encoded.feeds['attention_mask']!.data);
    assertClose(left.rows, right.rows, 1e-12, 'left vs right padding');
    const derived = await engineLogits(model, task, examples, 'left', { ...FROZEN, derive: 'in-graph' });
    assertClose(derived.rows, left.rows, 0, 'fed vs in-graph positions');
  });

  test(`${family}: float32 checkpoint matches the reference to float32 precision`, async () => {
    const { tiny, model, task } = open(family, 'F32');
    assert.equal(model.weights.values().next().value!.dtype, 'float32');
    const { rows, encoded } = await engineLogits(model, task, examples);
    const expected = encoded.rows.map((r, i) => referenceLogits(tiny, 'F32', task, r.inputIds, typesOf(model, examples[i]!)));
    assertClose(rows, expected, 2e-5, `${family} float32`);
  });
}

test('hookZ reaches every layer: identity changes nothing, zeroing one head of one layer changes the logits', async () => {
  const { model, task } = open('qwen2', 'F64');
  const base = await engineLogits(model, task, examples);
  const seen: number[] = [];
  const identity = await engineLogits(model, task, examples, undefined, { ...FROZEN, hookZ: (layer, z) => (seen.push(layer), z) });
  assert.deepEqual(seen, [0, 1]);
  assert.deepEqual(identity.rows, base.rows);
  const ablated = await engineLogits(model, task, examples, undefined, {
    ...FROZEN,
    hookZ: (layer, z) => {
      if (layer !== 1) return z;
      const [, , h, dh] = z.shape as [number, number, number, number];
      const keep = Array.from({ length: h * dh }, (_, i) => (Math.floor(i / dh) === 2 ? 0 : 1));
      return op.mul(z, z.graph.constant(hostTensor('float64', [1, 1, h, dh], keep)));
    },
  });
  assert.ok(ablated.rows.some((r, i) => r.some((v, c) => Math.abs(v - base.rows[i]![c]!) > 1e-6)), 'head 2 of layer 1 matters');
});

test('feeds carry what the graph needs: int64 ids/mask/positions, label position at the last real token', () => {
  const { model, task } = open('qwen2', 'F64');
  const encoded = new BatchEncoder(model, task).encode(examples.slice(0, 2), 4);
  const t = (name: string): HostTensor => encoded.feeds[name]!;
  const seq = encoded.shape.seq;
  assert.equal(seq % 16, 0);
  assert.equal(encoded.bucket, `4x${seq}`);
  assert.deepEqual(Array.from(t('label_position').data, Number), [seq - 1, seq - 1, 0, 0], 'left padding: the last slot; filler rows 0');
  assert.deepEqual(toNumbers(t('example_weight')), [1, 1, 0, 0]);
  assert.equal(t('input_ids').dtype, 'int64');
  const first = Array.from(t('position_ids').data, Number).slice(0, seq);
  const len = encoded.rows[0]!.inputIds.length;
  assert.deepEqual(first.slice(seq - len), Array.from({ length: len }, (_, i) => i));
  const m = buildTaskModel(model, task, encoded.shape, FROZEN);
  assert.deepEqual(m.inputNames, ['input_ids', 'attention_mask', 'position_ids', 'label_position', 'labels', 'example_weight']);
  assert.deepEqual(Object.keys(encoded.feeds).sort(), [...m.inputNames].sort(), 'the encoder feeds exactly what the graph declares');
  const derived = buildTaskModel(model, task, encoded.shape, { ...FROZEN, derive: 'in-graph' });
  assert.deepEqual(derived.inputNames, ['input_ids', 'attention_mask', 'labels', 'example_weight']);
});
