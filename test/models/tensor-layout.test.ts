import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { hostTensor, type HostTensor } from '../../main/engine/tensor';
import { Checkpoint } from '../../main/models/checkpoint/checkpoint';
import type { SafetensorsDType } from '../../main/models/checkpoint/safetensors-format';
import { writeSafetensors } from '../../main/models/checkpoint/safetensors-write';
import { parseModelConfig } from '../../main/models/config';
import { expectedTensors, resolveTensorLayout, type TensorInventory } from '../../main/models/tensor-layout';
import { BERT_CLASSIFIER, QWEN25_05B, XLMR_BASE } from './fixtures/configs';
import { tempDir } from './fixtures/temp-dir';

const tinyQwen = parseModelConfig({
  ...QWEN25_05B,
  hidden_size: 8,
  num_attention_heads: 4,
  num_key_value_heads: 2,
  intermediate_size: 12,
  num_hidden_layers: 2,
  vocab_size: 32,
});

function inventory(entries: Record<string, number[]>, dtype: SafetensorsDType = 'F32'): TensorInventory {
  return {
    names: () => Object.keys(entries),
    entry: (name) => ({ dtype, shape: entries[name]! }),
  };
}

function asInventory(config = tinyQwen, edit: (m: Record<string, number[]>) => void = () => {}): TensorInventory {
  const m = Object.fromEntries(expectedTensors(config).filter((t) => !t.optional).map((t) => [t.name, [...t.shape]]));
  edit(m);
  return inventory(m);
}

test('qwen2 expected tensors: names and shapes for GQA, q/k/v biases, no o_proj bias, tied head optional', () => {
  const expected = new Map(expectedTensors(tinyQwen).map((t) => [t.name, t]));
  assert.equal(expected.size, 1 + 2 * 12 + 1 + 1);
  assert.deepEqual(expected.get('model.embed_tokens.weight')?.shape, [32, 8]);
  assert.deepEqual(expected.get('model.layers.1.self_attn.q_proj.weight')?.shape, [8, 8]);
  assert.deepEqual(expected.get('model.layers.1.self_attn.k_proj.weight')?.shape, [4, 8], '2 kv heads × head_dim 2');
  assert.deepEqual(expected.get('model.layers.1.self_attn.v_proj.bias')?.shape, [4]);
  assert.deepEqual(expected.get('model.layers.1.self_attn.o_proj.weight')?.shape, [8, 8]);
  assert.equal(expected.has('model.layers.1.self_attn.o_proj.bias'), false);
  assert.deepEqual(expected.get('model.layers.0.mlp.down_proj.weight')?.shape, [8, 12]);
  assert.equal(expected.get('lm_head.weight')?.optional, true);
  const untied = parseModelConfig({ ...QWEN25_05B, tie_word_embeddings: false });
  assert.equal(expectedTensors(untied).find((t) => t.name === 'lm_head.weight')?.optional, false);
});

test('a matching checkpoint resolves; a bare Qwen2Model without the model. prefix too', () => {
  const layout = resolveTensorLayout(tinyQwen, asInventory(), 'tiny');
  assert.equal(layout.fileNames.get('model.layers.0.self_attn.q_proj.bias'), 'model.layers.0.self_attn.q_proj.bias');
  assert.equal(layout.fileNames.has('lm_head.weight'), false);

  const bare = asInventory(tinyQwen, (m) => {
    for (const name of Object.keys(m)) {
      m[name.replace(/^model\./, '')] = m[name]!;
      delete m[name];
    }
    m['layers.0.self_attn.rotary_emb.inv_freq'] = [1];
  });
  const resolved = resolveTensorLayout(tinyQwen, bare, 'bare');
  assert.equal(resolved.fileNames.get('model.norm.weight'), 'norm.weight');
  assert.deepEqual(resolved.unused, [], 'rotary caches are known and ignored');
});

test('wrong shapes and missing tensors are each reported precisely, all at once', () => {
  const broken = asInventory(tinyQwen, (m) => {
    m['model.layers.1.self_attn.q_proj.weight'] = [8, 4];
    delete m['model.layers.0.mlp.up_proj.weight'];
    delete m['model.norm.weight'];
  });
  assert.throws(() => resolveTensorLayout(tinyQwen, broken, '/models/tiny'), (error: Error) => {
    assert.equal(error.name, 'TensorLayoutError');
    assert.match(error.message, /^\/models\/tiny: checkpoint does not match config\.json \(qwen2, 2 layers, hidden 8\):/);
    assert.match(error.message, /missing 2 tensor\(s\): model\.layers\.0\.mlp\.up_proj\.weight, model\.norm\.weight/);
    assert.match(error.message, /model\.layers\.1\.self_attn\.q_proj\.weight: expected \[8, 8\], file has \[8, 4\]/);
    return true;
  });
  // The example from the Qwen2.5-0.5B shapes.
  const real = asInventory(parseModelConfig(QWEN25_05B), (m) => (m['model.layers.3.self_attn.q_proj.weight'] = [896, 448]));
  assert.throws(() => resolveTensorLayout(parseModelConfig(QWEN25_05B), real, 'qwen'), /model\.layers\.3\.self_attn\.q_proj\.weight: expected \[896, 896\], file has \[896, 448\]/);
});

test('layers beyond the config and non-float weights are refused', () => {
  const extra = asInventory(tinyQwen, (m) => (m['model.layers.2.input_layernorm.weight'] = [8]));
  assert.throws(() => resolveTensorLayout(tinyQwen, extra, 't'), /tensors of layers beyond the 2 in config\.json: model\.layers\.2\.input_layernorm\.weight/);
  const ints = inventory(Object.fromEntries(expectedTensors(tinyQwen).map((t) => [t.name, [...t.shape]])), 'I64');
  assert.throws(() => resolveTensorLayout(tinyQwen, ints, 't'), /model\.embed_tokens\.weight: dtype I64 is not a float type/);
});

test('bert: bert. prefix, TF gamma/beta names, classifier detected with num_labels rows', () => {
  const bert = parseModelConfig({ ...BERT_CLASSIFIER, num_hidden_layers: 1, hidden_size: 8, num_attention_heads: 2, intermediate_size: 16, vocab_size: 20, max_position_embeddings: 10 });
  const m: Record<string, number[]> = {};
  for (const t of expectedTensors(bert, { classifier: true })) {
    const name = t.name.startsWith('classifier.') ? t.name : `bert.${t.name}`;
    m[name.replace('embeddings.LayerNorm.weight', 'embeddings.LayerNorm.gamma')] = [...t.shape];
  }
  m['cls.predictions.bias'] = [20];
  m['bert.embeddings.position_ids'] = [1, 10];
  const layout = resolveTensorLayout(bert, inventory(m), 'bert');
  assert.equal(layout.hasClassifier, true);
  assert.equal(layout.fileNames.get('embeddings.LayerNorm.weight'), 'bert.embeddings.LayerNorm.gamma');
  assert.equal(layout.fileNames.get('classifier.weight'), 'classifier.weight');
  assert.equal(layout.fileNames.get('encoder.layer.0.attention.self.query.weight'), 'bert.encoder.layer.0.attention.self.query.weight');
  assert.deepEqual(layout.unused, []);

  m['classifier.weight'] = [2, 8];
  assert.throws(() => resolveTensorLayout(bert, inventory(m), 'bert'), /classifier\.weight: expected \[3, 8\], file has \[2, 8\]/);
});

test('xlm-roberta: positions table of max_position_embeddings rows, its own head, no pooler needed', () => {
  const xlmr = parseModelConfig({ ...XLMR_BASE, num_labels: 3, num_hidden_layers: 1, hidden_size: 8, num_attention_heads: 2, intermediate_size: 16, vocab_size: 20, max_position_embeddings: 12 });
  const names = new Map(expectedTensors(xlmr, { classifier: true }).map((t) => [t.name, t]));
  assert.deepEqual(names.get('embeddings.position_embeddings.weight')?.shape, [12, 8]);
  assert.deepEqual(names.get('embeddings.token_type_embeddings.weight')?.shape, [1, 8]);
  assert.deepEqual(names.get('classifier.out_proj.weight')?.shape, [3, 8]);
  assert.equal(names.get('pooler.dense.weight')?.optional, true);
});

test('a checkpoint on disk resolves through the same check', () => {
  const dir = tempDir();
  const tensors: Record<string, HostTensor> = {};
  for (const t of expectedTensors(tinyQwen)) if (!t.optional) tensors[t.name] = hostTensor('float32', t.shape);
  writeSafetensors(join(dir, 'model.safetensors'), tensors, {}, { float32As: 'BF16' });
  const checkpoint = Checkpoint.open(dir);
  try {
    assert.equal(resolveTensorLayout(tinyQwen, checkpoint, dir).fileNames.size, Object.keys(tensors).length);
  } finally {
    checkpoint.close();
  }
});
