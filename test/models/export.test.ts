// Exports: the Hugging Face folder round-trips bit-exactly under the base's own tensor names, with a
// model card; the ONNX model runs in plain onnxruntime (from the file, nothing of Lontar's runner)
// and gives the engine's logits whatever the padding side; a failed or refused export leaves nothing.

import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import * as ort from 'onnxruntime-node';
import type { HostTensor } from '../../main/engine/tensor';
import { Checkpoint } from '../../main/models/checkpoint/checkpoint';
import { resolveTask } from '../../main/models/classification/task';
import { Predictor } from '../../main/models/classification/predictor';
import { writeHfFolder } from '../../main/models/export/hf-folder';
import { writeOnnxFolder } from '../../main/models/export/onnx-model';
import { loadModel } from '../../main/models/load';
import { testRunner } from '../helpers/engine';
import { tempDir } from './fixtures/temp-dir';
import { TEXTS, TINY_FAMILIES, tinyModel, writeTinyModel, type TinyFamily } from './fixtures/tiny-models';

const root = tempDir();
const card = {
  baseModel: 'tiny/base',
  method: 'CT-SFT from an Indonesian competence checkpoint',
  circuit: { heads: [{ layer: 1, head: 2 }, { layer: 0, head: 3 }, { layer: 1, head: 0 }], trainableFraction: 0.0123 },
  data: [{ name: 'NusaX-Senti', languages: ['jav'], examples: 100, licence: 'CC BY-SA 4.0' }],
  metrics: { 'accuracy (jav)': 0.61234, 'accuracy (ind, before)': 0.7 },
};
const bits = (t: HostTensor) => Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength);

function folder(family: TinyFamily, name: string = family): string {
  return writeTinyModel(join(root, `base-${name}`), tinyModel(family), 'F32');
}

test('HF folder: config, weights under the stored names, tokenizer and card; reloads bit-exactly', () => {
  for (const family of ['qwen2', 'bert'] as const) {
    const base = loadModel(folder(family));
    const out = join(root, `hf-${family}`);
    const { files } = writeHfFolder(out, base, { card });
    assert.deepEqual(readdirSync(out).sort(), [...files].sort());
    assert.deepEqual(files.slice(0, 2), ['config.json', 'model.safetensors']);
    const again = loadModel(out);
    assert.deepEqual([...again.weights.keys()].sort(), [...base.weights.keys()].sort());
    for (const [name, t] of base.weights) assert.ok(bits(again.weights.get(name)!).equals(bits(t)), `${family} ${name} bit-exact`);
    const stored = Checkpoint.open(out);
    assert.deepEqual(stored.names(), Checkpoint.open(base.dir).names(), 'the base checkpoint names (bert. prefix kept)');
    stored.close();
    assert.deepEqual({ ...again.config.raw, torch_dtype: undefined }, { ...base.config.raw, torch_dtype: undefined });
    assert.equal(again.config.raw['torch_dtype'], 'float32');
    assert.ok(readFileSync(join(out, 'tokenizer.json')).equals(readFileSync(join(base.dir, 'tokenizer.json'))));
    const readme = readFileSync(join(out, 'README.md'), 'utf8');
    assert.match(readme, /^---\nbase_model: "tiny\/base"\nlibrary_name: transformers\n/);
    assert.match(readme, /tags:\n- lontar\n- ct-sft\n---/);
    assert.match(readme, /## Method\n\nCT-SFT from an Indonesian competence checkpoint/);
    assert.match(readme, /\| 0 \| 3 \|\n\| 1 \| 0, 2 \|/);
    assert.match(readme, /Trainable fraction of parameters: 1\.230%/);
    assert.match(readme, /\| NusaX-Senti \| jav \| 100 \| CC BY-SA 4.0 \|/);
    assert.match(readme, /\| accuracy \(jav\) \| 0\.6123 \|/);
  }
});

test('HF folder in bfloat16 says so in config.json; values are rounded to bf16', () => {
  const base = loadModel(folder('qwen2', 'qwen2-bf16'));
  const out = join(root, 'hf-bf16');
  writeHfFolder(out, base, { card, dtype: 'BF16' });
  const cp = Checkpoint.open(out);
  assert.ok(cp.names().every((n) => cp.entry(n).dtype === 'BF16'));
  cp.close();
  assert.equal(loadModel(out).config.raw['torch_dtype'], 'bfloat16');
});

test('a refused or failed export leaves nothing behind', () => {
  const base = loadModel(folder('qwen2', 'qwen2-fail'));
  const busy = join(root, 'busy');
  mkdirSync(busy);
  writeFileSync(join(busy, 'keep.txt'), 'mine');
  assert.throws(() => writeHfFolder(busy, base, { card }), /already exists and is not empty/);
  assert.deepEqual(readdirSync(busy), ['keep.txt']);
  const broken = new Map(base.weights);
  broken.set('model.norm.weight', { dtype: 'float32', shape: [16], data: new Float32Array(3) });
  const parent = join(root, 'fail-parent');
  mkdirSync(parent);
  assert.throws(() => writeHfFolder(join(parent, 'out'), { ...base, weights: broken }, { card }), /has 3 elements but shape \[16\]/);
  assert.deepEqual(readdirSync(parent), [], 'no folder and no temporary folder');
  assert.throws(() => writeOnnxFolder(busy, base, resolveTask(base)), /already exists and is not empty/);
});

for (const family of TINY_FAMILIES) {
  test(`${family}: the exported ONNX model in plain onnxruntime gives the engine's logits, padded on either side`, async () => {
    const model = loadModel(folder(family, `${family}-onnx`));
    const task = resolveTask(model);
    const out = join(root, `onnx-${family}`);
    const seq = 32;
    const exported = writeOnnxFolder(out, model, task, { batch: 2, seq });
    const expectedInputs = family === 'bert' ? ['input_ids', 'attention_mask', 'token_type_ids'] : ['input_ids', 'attention_mask'];
    assert.deepEqual(exported.inputs.map((i) => i.name), expectedInputs);
    assert.deepEqual(exported.outputs, [{ name: 'logits', dtype: 'float32', shape: [2, 3] }]);
    const sidecar = JSON.parse(readFileSync(join(out, 'lontar-task.json'), 'utf8'));
    assert.deepEqual(sidecar.labels.map((l: { name: string }) => l.name), ['negative', 'neutral', 'positive']);
    assert.ok(existsSync(join(out, 'model.onnx.data')) && existsSync(join(out, 'tokenizer.json')));

    const session = await ort.InferenceSession.create(join(out, 'model.onnx'));
    assert.deepEqual([...session.inputNames], expectedInputs);
    const predictor = Predictor.create(model, task, { runner: testRunner(), batchSize: 2 });
    const examples = TEXTS.slice(0, 2).map((text, i) => ({ id: String(i), text }));
    const engine = await predictor.predict(examples);
    await predictor.close();
    for (const side of ['left', 'right'] as const) {
      const ids: number[] = [];
      const mask: number[] = [];
      const types: number[] = [];
      for (const p of engine) {
        const pad = seq - p.inputIds.length;
        const row = (values: number[], fill: number) => (side === 'left' ? [...Array(pad).fill(fill), ...values] : [...values, ...Array(pad).fill(fill)]);
        ids.push(...row(p.inputIds, model.tokenizer.padTokenId));
        mask.push(...row(p.inputIds.map(() => 1), 0));
        types.push(...row(p.inputIds.map(() => 0), 0));
      }
      const int64 = (values: number[]) => new ort.Tensor('int64', BigInt64Array.from(values.map(BigInt)), [2, seq]);
      const feeds: Record<string, ort.Tensor> = { input_ids: int64(ids), attention_mask: int64(mask) };
      if (family === 'bert') feeds['token_type_ids'] = int64(types);
      const logits = (await session.run(feeds))['logits']!.data as Float32Array;
      engine.forEach((p, b) =>
        p.logits.forEach((v, c) => assert.ok(Math.abs(v - logits[b * 3 + c]!) < 1e-5, `${family} ${side} row ${b}: engine ${v} vs onnx ${logits[b * 3 + c]}`)),
      );
    }
    await session.release();
  });
}
