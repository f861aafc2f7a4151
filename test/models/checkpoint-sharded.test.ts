import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { hostTensor } from '../../main/engine/tensor';
import { Checkpoint } from '../../main/models/checkpoint/checkpoint';
import { checkpointContentHash } from '../../main/models/checkpoint/content-hash';
import { writeSafetensors } from '../../main/models/checkpoint/safetensors-write';
import { tempDir } from './fixtures/temp-dir';

const root = tempDir();
let counter = 0;

const tensors = {
  'model.embed_tokens.weight': hostTensor('float32', [4, 2], [1, 2, 3, 4, 5, 6, 7, 8]),
  'model.layers.0.input_layernorm.weight': hostTensor('float32', [2], [1, 1]),
  'model.norm.weight': hostTensor('float32', [2], [0.5, 2]),
};

/** A sharded folder: shard 1 holds the embedding, shard 2 the rest; `edit` may alter the index. */
function shardedFolder(edit: (index: { metadata: object; weight_map: Record<string, string> }) => void = () => {}): string {
  const dir = join(root, `sharded-${counter++}`);
  mkdirSync(dir);
  const first = 'model-00001-of-00002.safetensors';
  const second = 'model-00002-of-00002.safetensors';
  writeSafetensors(join(dir, first), { 'model.embed_tokens.weight': tensors['model.embed_tokens.weight'] }, { format: 'pt' });
  writeSafetensors(join(dir, second), {
    'model.layers.0.input_layernorm.weight': tensors['model.layers.0.input_layernorm.weight'],
    'model.norm.weight': tensors['model.norm.weight'],
  });
  const index = {
    metadata: { total_size: 48 },
    weight_map: {
      'model.embed_tokens.weight': first,
      'model.layers.0.input_layernorm.weight': second,
      'model.norm.weight': second,
    } as Record<string, string>,
  };
  edit(index);
  writeFileSync(join(dir, 'model.safetensors.index.json'), JSON.stringify(index));
  return dir;
}

test('a sharded checkpoint reads as one table, equal to the same tensors in one file', () => {
  const checkpoint = Checkpoint.open(shardedFolder());
  try {
    assert.equal(checkpoint.files.length, 2);
    assert.deepEqual(checkpoint.metadata, { total_size: 48 });
    assert.deepEqual(checkpoint.names(), Object.keys(tensors).sort());
    for (const [name, tensor] of Object.entries(tensors)) assert.deepEqual(checkpoint.read(name), tensor);
    assert.equal(checkpoint.entry('model.norm.weight').dtype, 'F32');

    const single = join(root, 'single');
    mkdirSync(single);
    writeSafetensors(join(single, 'model.safetensors'), tensors);
    const one = Checkpoint.open(single);
    assert.equal(checkpointContentHash(one), checkpointContentHash(checkpoint), 'sharding does not change the content hash');
    one.close();
  } finally {
    checkpoint.close();
  }
});

test('an index naming a missing shard, a tensor its shard lacks, or a path outside the folder is refused', () => {
  assert.throws(
    () => Checkpoint.open(shardedFolder((i) => (i.weight_map['model.norm.weight'] = 'model-00003-of-00003.safetensors'))),
    /model\.safetensors\.index\.json: shard model-00003-of-00003\.safetensors \(holding "model\.norm\.weight" and 0 more\) does not exist/,
  );
  assert.throws(
    () => Checkpoint.open(shardedFolder((i) => (i.weight_map['model.lm_head.weight'] = 'model-00001-of-00002.safetensors'))),
    /tensor "model\.lm_head\.weight" is mapped to model-00001-of-00002\.safetensors, which does not contain it/,
  );
  assert.throws(
    () => Checkpoint.open(shardedFolder((i) => (i.weight_map['model.norm.weight'] = '../elsewhere.safetensors'))),
    /shard name "\.\.\/elsewhere\.safetensors" \(for tensor "model\.norm\.weight"\) must be a plain file name/,
  );
});

test('a shard holding a tensor the index maps elsewhere, or omits, is refused', () => {
  assert.throws(
    () => Checkpoint.open(shardedFolder((i) => delete i.weight_map['model.norm.weight'])),
    /model-00002-of-00002\.safetensors holds tensor "model\.norm\.weight", which the index maps to no shard/,
  );
  // The same tensor stored in both shards.
  const dir = shardedFolder();
  writeSafetensors(join(dir, 'model-00001-of-00002.safetensors'), {
    'model.embed_tokens.weight': tensors['model.embed_tokens.weight'],
    'model.norm.weight': tensors['model.norm.weight'],
  });
  assert.throws(() => Checkpoint.open(dir), /holds tensor "model\.norm\.weight", which the index maps to model-00002-of-00002\.safetensors|stored twice/);
});

test('a broken index file is refused with its path', () => {
  const dir = join(root, 'broken-index');
  mkdirSync(dir);
  writeFileSync(join(dir, 'model.safetensors.index.json'), '{"weight_map": ');
  assert.throws(() => Checkpoint.open(dir), /model\.safetensors\.index\.json: shard index is not valid JSON/);
  writeFileSync(join(dir, 'model.safetensors.index.json'), '{"weight_map": {"a": 3}}');
  assert.throws(() => Checkpoint.open(dir), /shard index weight_map\.a: /);
});

test('a folder without safetensors says what it looked for', () => {
  const dir = join(root, 'empty');
  mkdirSync(dir);
  writeFileSync(join(dir, 'pytorch_model.bin'), 'not read');
  assert.throws(() => Checkpoint.open(dir), /no model\.safetensors or model\.safetensors\.index\.json \(Lontar reads safetensors checkpoints only/);
  assert.throws(() => Checkpoint.open(join(root, 'nowhere')), /no such file or directory/);
});
