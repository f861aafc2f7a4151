// Job checkpoints on disk: a round trip keeps every tensor bit for bit with its step and state; the
// same state always gives the same bytes (so the same blob); foreign files are refused clearly.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { CheckpointFileError, readCheckpointFile, writeCheckpointFile } from '../../main/jobs/checkpoint-file';
import { writeSafetensors } from '../../main/models/checkpoint/safetensors-write';
import { hostTensor } from '../../main/engine/tensor';
import { tempDir } from './helpers';

const checkpoint = () => ({
  step: 120,
  tensors: {
    'classifier.weight': hostTensor('float32', [2, 3], [0.1, -0.2, Math.fround(1 / 3), -0, 1e-38, 3.4e38]),
    'classifier.weight.m': hostTensor('float64', [2, 3], [1 / 3, -1e-300, 0, 5, 6, Number.MIN_VALUE]),
    'classifier.weight.v': hostTensor('float32', [2, 3]),
  },
  state: { rngDraws: 7, scores: [0.5, 0.25] },
});
const origin = { kind: 'train-tiny', seed: 42, config: { steps: 200, lr: 0.01 } };

test('a checkpoint round-trips tensors bit for bit, with its step, state, seed and config', (t) => {
  const dir = tempDir(t);
  const cp = checkpoint();
  writeCheckpointFile(join(dir, 'a.ckpt'), cp, origin);
  const back = readCheckpointFile(join(dir, 'a.ckpt'), 'train-tiny');
  assert.equal(back.step, 120);
  assert.deepEqual(back.state, cp.state);
  assert.deepEqual(back.origin, origin);
  assert.deepEqual(Object.keys(back.tensors).sort(), Object.keys(cp.tensors).sort());
  for (const [name, tensor] of Object.entries(cp.tensors)) {
    const read = back.tensors[name]!;
    assert.equal(read.dtype, tensor.dtype);
    assert.deepEqual(read.shape, tensor.shape);
    assert.ok(Buffer.from(read.data.buffer, read.data.byteOffset, read.data.byteLength).equals(Buffer.from(tensor.data.buffer)), name);
  }

  writeCheckpointFile(join(dir, 'b.ckpt'), checkpoint(), origin);
  assert.ok(readFileSync(join(dir, 'a.ckpt')).equals(readFileSync(join(dir, 'b.ckpt'))), 'same state, same bytes');
});

test('a checkpoint of another kind, or a file that is no checkpoint, is refused with the reason', (t) => {
  const dir = tempDir(t);
  writeCheckpointFile(join(dir, 'a.ckpt'), checkpoint(), origin);
  assert.throws(() => readCheckpointFile(join(dir, 'a.ckpt'), 'ct-sft'), (e: unknown) => e instanceof CheckpointFileError && /a "train-tiny" job, not "ct-sft"/.test(e.message));
  writeSafetensors(join(dir, 'model.safetensors'), { w: hostTensor('float32', [1], [1]) });
  assert.throws(() => readCheckpointFile(join(dir, 'model.safetensors'), 'train-tiny'), /is not a Lontar job checkpoint/);
  assert.throws(() => writeCheckpointFile(join(dir, 'c.ckpt'), { ...checkpoint(), step: -1 }, origin), /non-negative integer/);
});
