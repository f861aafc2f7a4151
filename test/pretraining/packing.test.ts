// Packing documents into rows and turning rows into next-token batches.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseModelConfig } from '../../main/models/config';
import { languageModelBatch, packDocuments, predictedTokens } from '../../main/models/pretraining/packing';
import { toNumbers } from '../../main/engine/tensor';

const EOT = 99;

test('documents are packed whole, first fit, each followed by end-of-text; only an over-long one is cut', () => {
  const docs = [[1, 2, 3], [4, 5, 6, 7, 8], [9], [10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20]];
  const rows = packDocuments(docs, 8, EOT);
  assert.deepEqual(rows, [
    [1, 2, 3, EOT, 9, EOT], // [9] fits back into the first row
    [4, 5, 6, 7, 8, EOT],
    [10, 11, 12, 13, 14, 15, 16, 17], // the 12-token document is cut into 8 + 4
    [18, 19, 20, EOT],
  ]);
  assert.ok(rows.every((r) => r.length <= 8));
  // Every token survives, each document's tokens stay in order.
  assert.deepEqual(rows.flat().filter((t) => t !== EOT).sort((a, b) => a - b), docs.flat());
  assert.throws(() => packDocuments(docs, 1, EOT), /rowLength/);
});

test('a batch holds right-padded rows, next-token labels, weights 0 on padding and row ends, and positions from 0', () => {
  const config = parseModelConfig({ model_type: 'qwen2', hidden_size: 8, num_hidden_layers: 1, num_attention_heads: 2, intermediate_size: 8, vocab_size: 100 });
  const rows = [[5, 6, 7], [8, 9]];
  const batch = languageModelBatch(config, rows, { batch: 3, seq: 4 }, 0);
  assert.deepEqual(toNumbers(batch['input_ids']!), [5, 6, 7, 0, 8, 9, 0, 0, 0, 0, 0, 0]);
  assert.deepEqual(toNumbers(batch['attention_mask']!), [1, 1, 1, 0, 1, 1, 0, 0, 0, 0, 0, 0]);
  assert.deepEqual(toNumbers(batch['position_ids']!), [0, 1, 2, 0, 0, 1, 0, 0, 0, 0, 0, 0]);
  assert.deepEqual(toNumbers(batch['labels']!), [6, 7, 0, 0, 9, 0, 0, 0, 0, 0, 0, 0]);
  assert.deepEqual(toNumbers(batch['label_weights']!), [1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0]);
  assert.equal(predictedTokens(rows), 3);
  assert.throws(() => languageModelBatch(config, [[1, 2, 3, 4, 5]], { batch: 1, seq: 4 }, 0), /more than the sequence length/);
});
