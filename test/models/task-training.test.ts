// The task model as CT-SFT will use it: a Trainer over buildTaskModel with the split layout, one
// query head's q/k/v rows, its o_proj columns and every norm trainable. The label-word loss falls,
// and everything outside the circuit stays bit-identical after merging the trained values back.

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { Trainer } from '../../main/engine/optim/trainer';
import { mergeTrained, type Trainability } from '../../main/engine/params/binding';
import { BatchEncoder } from '../../main/models/classification/batch-encoder';
import { resolveTask } from '../../main/models/classification/task';
import { buildTaskModel } from '../../main/models/classification/task-model';
import { loadModel } from '../../main/models/load';
import { testRunner } from '../helpers/engine';
import { tempDir } from './fixtures/temp-dir';
import { TEXTS, tinyModel, writeTinyModel } from './fixtures/tiny-models';

const DH = 4;
const HEAD = { start: 2 * DH, end: 3 * DH }; // query head 2 of the tiny qwen2 (its kv head 1: rows 4..8)

function circuit(name: string): Trainability {
  if (name.endsWith('norm.weight')) return { kind: 'whole' };
  if (name === 'model.layers.1.self_attn.q_proj.weight' || name === 'model.layers.1.self_attn.q_proj.bias') return { kind: 'slices', axis: 0, ranges: [HEAD] };
  if (name === 'model.layers.1.self_attn.o_proj.weight') return { kind: 'slices', axis: 1, ranges: [HEAD] };
  return { kind: 'frozen' };
}

test('CT-SFT shape: split-layout training of one head and the norms lowers the loss and leaves the rest bit-identical', async () => {
  const model = loadModel(writeTinyModel(join(tempDir(), 'qwen'), tinyModel('qwen2', 5), 'F32'));
  const task = resolveTask(model);
  const examples = TEXTS.map((text, i) => ({ id: String(i), text, label: ['negative', 'neutral', 'positive'][i % 3]! }));
  const batch = new BatchEncoder(model, task).encode(examples, 8);
  let trainables: ReturnType<typeof buildTaskModel>['params']['trainables'] = [];
  const trainer = new Trainer({
    runner: testRunner(),
    optimizer: { kind: 'adamw', weightDecay: 0.01 },
    schedule: { kind: 'constant', lr: 0.05 },
    build: () => {
      const m = buildTaskModel(model, task, batch.shape, { bind: { layout: 'split', trainability: circuit } });
      trainables = m.params.trainables;
      return { graph: m.graph, loss: m.loss, trainables: m.params.trainables };
    },
  });
  await trainer.start(batch.bucket);
  const losses: number[] = [];
  for (let i = 0; i < 8; i++) losses.push((await trainer.trainStep(batch.bucket, batch.feeds)).loss);
  assert.ok(losses[7]! < losses[0]! * 0.9, `loss ${losses[0]} → ${losses[7]}`);
  assert.deepEqual(
    trainables.map((t) => t.key).filter((k) => k.includes('@')).sort(),
    ['model.layers.1.self_attn.o_proj.weight@1:8-12', 'model.layers.1.self_attn.q_proj.bias@0:8-12', 'model.layers.1.self_attn.q_proj.weight@0:8-12'],
  );

  const merged = mergeTrained(model.weights, trainables, await trainer.trainedValues());
  await trainer.dispose();
  const q = { before: model.weights.get('model.layers.1.self_attn.q_proj.weight')!.data, after: merged.get('model.layers.1.self_attn.q_proj.weight')!.data };
  const cols = 16;
  for (let r = 0; r < 16; r++) {
    const same = q.before.slice(r * cols, (r + 1) * cols).every((v, c) => Object.is(v, q.after[r * cols + c]));
    assert.equal(same, r < HEAD.start || r >= HEAD.end, `q_proj row ${r}`);
  }
  for (const [name, t] of model.weights) {
    if (circuit(name).kind !== 'frozen') continue;
    assert.equal(merged.get(name), t, `${name} untouched`);
  }
});
