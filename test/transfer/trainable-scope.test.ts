// What each method may train, counted exactly: per head Q rows, O columns and (kv 'group') the rows of
// its shared key/value group, once however many chosen heads share it; every norm; the
// Qwen2.5-0.5B budget of the paper (6 heads + norms) checked against hand arithmetic.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseModelConfig } from '../../main/models/config';
import { expectedTensors } from '../../main/models/tensor-layout';
import { trainableScope } from '../../main/transfer/trainable-scope';
import { QWEN25_05B } from '../models/fixtures/configs';
import { tinyModel } from '../models/fixtures/tiny-models';

const tiny = tinyModel('qwen2', 3); // hidden 16, 4 query heads of 4 sharing 2 key/value heads, 2 layers
const tinyConfig = parseModelConfig(tiny.config);
const tinyShapes = new Map([...tiny.tensors].map(([n, t]) => [n, { shape: t.shape }]));
const NORMS = 2 * 2 * 16 + 16;

test('tiny Qwen2: head slices per kv mode, shared key/value rows counted once, norms always', () => {
  const q = 4 * 16 + 4; // rows of one query head, with bias
  const o = 16 * 4; // o_proj columns of one head
  const kv = 2 * (4 * 16 + 4); // k and v rows of one group, with biases
  const scope = (heads: { layer: number; head: number }[], kvMode: 'group' | 'freeze') => trainableScope(tinyConfig, tinyShapes, { kind: 'heads', heads, kv: kvMode });

  assert.equal(scope([{ layer: 1, head: 2 }], 'group').trainable, q + o + kv + NORMS);
  assert.equal(scope([{ layer: 1, head: 2 }], 'freeze').trainable, q + o + NORMS);
  // heads 0 and 1 share key/value group 0; head 2 is in group 1
  assert.equal(scope([{ layer: 0, head: 0 }, { layer: 0, head: 1 }], 'group').trainable, 2 * (q + o) + kv + NORMS);
  assert.equal(scope([{ layer: 0, head: 0 }, { layer: 0, head: 2 }], 'group').trainable, 2 * (q + o) + 2 * kv + NORMS);

  const s = scope([{ layer: 1, head: 2 }], 'group');
  assert.deepEqual(s.trainability('model.layers.1.self_attn.q_proj.weight'), { kind: 'slices', axis: 0, ranges: [{ start: 8, end: 12 }] });
  assert.deepEqual(s.trainability('model.layers.1.self_attn.k_proj.bias'), { kind: 'slices', axis: 0, ranges: [{ start: 4, end: 8 }] });
  assert.deepEqual(s.trainability('model.layers.1.self_attn.o_proj.weight'), { kind: 'slices', axis: 1, ranges: [{ start: 8, end: 12 }] });
  assert.deepEqual(s.trainability('model.layers.0.self_attn.q_proj.weight'), { kind: 'frozen' });
  assert.deepEqual(s.trainability('model.layers.1.mlp.up_proj.weight'), { kind: 'frozen' });
  assert.deepEqual(s.trainability('model.embed_tokens.weight'), { kind: 'frozen' });
  assert.deepEqual(s.trainability('model.norm.weight'), { kind: 'whole' });
  assert.equal(s.fraction, s.trainable / s.total);

  assert.equal(trainableScope(tinyConfig, tinyShapes, { kind: 'norms' }).trainable, NORMS);
  const all = trainableScope(tinyConfig, tinyShapes, { kind: 'all' });
  assert.equal(all.trainable, all.total);
  assert.equal(all.total, [...tiny.tensors.values()].reduce((sum, t) => sum + t.data.length, 0));
  assert.throws(() => scope([{ layer: 2, head: 0 }], 'group'), /outside the model/);
});

test('Qwen2.5-0.5B shapes: the paper\'s 6-head budget is Q, K, V and O per head plus every norm', () => {
  const config = parseModelConfig(QWEN25_05B);
  const shapes = new Map(expectedTensors(config).filter((t) => !t.optional).map((t) => [t.name, { shape: t.shape }]));
  const heads = [0, 4, 9, 14, 19, 23].map((layer, i) => ({ layer, head: i % 14 }));
  const s = trainableScope(config, shapes, { kind: 'heads', heads, kv: 'group' });
  const perHead = 3 * (896 * 64 + 64) + 64 * 896; // Q, K, V rows with biases + O columns = 229,568
  const norms = 24 * 2 * 896 + 896; // 43,904
  assert.equal(perHead, 229_568);
  assert.equal(s.trainable, 6 * perHead + norms);
  assert.equal(s.total, 494_032_768); // tied embeddings counted once
  // The paper divides by 630.5M (embedding and LM head counted separately): 0.225%; Lontar reports 0.288%.
  assert.equal(((6 * perHead + norms) / 630.5e6).toFixed(5), '0.00225');
  assert.equal(s.fraction.toFixed(5), '0.00288');
  // Seven query heads share a key/value head: two heads of one group add K and V once.
  const shared = trainableScope(config, shapes, { kind: 'heads', heads: [{ layer: 3, head: 0 }, { layer: 3, head: 6 }], kv: 'group' });
  assert.equal(shared.trainable, 2 * (896 * 64 + 64 + 64 * 896) + 2 * (896 * 64 + 64) + norms);
});
