import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadModelConfig, parseModelConfig } from '../../main/models/config';
import { BERT_CLASSIFIER, LLAMA3_LIKE, QWEN25_05B, XLMR_BASE } from './fixtures/configs';
import { tempDir } from './fixtures/temp-dir';

test('qwen2: Qwen2.5-0.5B normalizes to GQA 14/2 heads of 64, q/k/v biases, tied embeddings', () => {
  const c = parseModelConfig(QWEN25_05B);
  assert.equal(c.family, 'qwen2');
  assert.equal(c.kind, 'decoder');
  assert.deepEqual(
    [c.hiddenSize, c.numLayers, c.numHeads, c.numKvHeads, c.headDim, c.intermediateSize, c.vocabSize, c.maxPositions],
    [896, 24, 14, 2, 64, 4864, 151936, 32768],
  );
  assert.equal(c.norm, 'rmsnorm');
  assert.equal(c.normEps, 1e-6);
  assert.equal(c.ropeTheta, 1e6);
  assert.equal(c.ropeScaling, null);
  assert.equal(c.slidingWindow, null, 'use_sliding_window is false');
  assert.equal(c.activation, 'silu');
  assert.equal(c.tieWordEmbeddings, true);
  assert.deepEqual(c.bias, { qkv: true, output: false, mlp: false });
  assert.equal(c.typeVocabSize, 0);
  assert.deepEqual([c.padTokenId, c.bosTokenId, c.eosTokenIds], [null, 151643, [151643]]);
  assert.equal(c.torchDtype, 'bfloat16');
  assert.equal(c.raw['max_window_layers'], 24, 'unknown keys are kept for export');
});

test('llama: grouped-query attention, attention_bias, EOS list, rope scaling and defaults', () => {
  const c = parseModelConfig(LLAMA3_LIKE);
  assert.deepEqual([c.numHeads, c.numKvHeads, c.headDim], [32, 8, 64]);
  assert.deepEqual(c.eosTokenIds, [128001, 128008, 128009]);
  assert.equal(c.ropeScaling?.type, 'llama3');
  assert.equal(c.ropeScaling?.factor, 32);
  assert.deepEqual(c.bias, { qkv: false, output: false, mlp: false });

  const biased = parseModelConfig({ ...LLAMA3_LIKE, attention_bias: true, mlp_bias: true, head_dim: 128, tie_word_embeddings: undefined });
  assert.deepEqual(biased.bias, { qkv: true, output: true, mlp: true });
  assert.equal(biased.headDim, 128, 'an explicit head_dim wins over hidden/heads');
  assert.equal(biased.tieWordEmbeddings, false, 'llama default');

  const minimal = parseModelConfig({ model_type: 'llama', hidden_size: 64, num_hidden_layers: 2, num_attention_heads: 4, intermediate_size: 128, vocab_size: 100 });
  assert.equal(minimal.numKvHeads, 4, 'no num_key_value_heads: plain multi-head attention');
  assert.deepEqual([minimal.ropeTheta, minimal.normEps, minimal.maxPositions], [10000, 1e-6, 2048]);
});

test('bert and xlm-roberta: labels, token types, post-LN eps and XLM-R position offset', () => {
  const bert = parseModelConfig(BERT_CLASSIFIER);
  assert.equal(bert.kind, 'encoder');
  assert.equal(bert.norm, 'layernorm');
  assert.equal(bert.numLabels, 3);
  assert.deepEqual(bert.id2label, ['negative', 'neutral', 'positive']);
  assert.deepEqual([bert.typeVocabSize, bert.positionOffset, bert.padTokenId], [2, 0, 0]);
  assert.equal(bert.activation, 'gelu');
  assert.equal(bert.ropeTheta, null);

  const xlmr = parseModelConfig(XLMR_BASE);
  assert.deepEqual([xlmr.typeVocabSize, xlmr.padTokenId, xlmr.positionOffset, xlmr.normEps], [1, 1, 2, 1e-5]);
  assert.deepEqual(xlmr.id2label, ['LABEL_0', 'LABEL_1'], 'transformers default of two labels');
  assert.equal(parseModelConfig({ ...XLMR_BASE, num_labels: 3 }).numLabels, 3);
});

test('an unsupported or missing model_type names what is supported', () => {
  assert.throws(() => parseModelConfig({ ...QWEN25_05B, model_type: 'gpt2' }, 'x/config.json'), {
    name: 'ModelConfigError',
    message: 'x/config.json: model_type "gpt2" is not supported (supported: qwen2, llama, bert, xlm-roberta)',
  });
  assert.throws(() => parseModelConfig({ hidden_size: 8 }), /model_type is missing \(supported: qwen2, llama, bert, xlm-roberta\)/);
  assert.throws(() => parseModelConfig([1]), /must be a JSON object/);
});

test('inconsistent or incomplete configs are refused with the field named', () => {
  assert.throws(() => parseModelConfig({ ...QWEN25_05B, hidden_size: undefined }), /hidden_size: /);
  assert.throws(() => parseModelConfig({ ...QWEN25_05B, num_key_value_heads: 3 }), /num_attention_heads 14 is not a multiple of num_key_value_heads 3/);
  assert.throws(() => parseModelConfig({ ...QWEN25_05B, hidden_size: 900 }), /hidden_size 900 is not divisible by num_attention_heads 14/);
  assert.throws(() => parseModelConfig({ ...QWEN25_05B, hidden_act: 'mish' }), /hidden_act "mish" is not supported/);
  assert.throws(() => parseModelConfig({ ...QWEN25_05B, num_hidden_layers: 0 }), /num_hidden_layers: Too small/);
  assert.throws(() => parseModelConfig({ ...BERT_CLASSIFIER, position_embedding_type: 'relative_key' }), /position_embedding_type "relative_key" is not supported/);
  assert.throws(() => parseModelConfig({ ...BERT_CLASSIFIER, id2label: { '0': 'a', '2': 'c' } }), /id2label must number its labels 0\.\.1; "1" is missing/);
  assert.throws(() => parseModelConfig({ ...BERT_CLASSIFIER, num_labels: 5 }), /num_labels 5 disagrees with the 3 labels of id2label/);
});

test('loadModelConfig reads a folder and reports unreadable or invalid files by path', () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'config.json'), JSON.stringify(QWEN25_05B));
  assert.equal(loadModelConfig(dir).numKvHeads, 2);
  const broken = join(dir, 'broken');
  mkdirSync(broken);
  writeFileSync(join(broken, 'config.json'), '{"model_type": "qwen2",');
  assert.throws(() => loadModelConfig(broken), /broken\/config\.json: not valid JSON/);
  assert.throws(() => loadModelConfig(join(dir, 'none')), /none: cannot be read/);
});
