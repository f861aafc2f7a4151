// Head-delta patches: only the changed head slices (q_proj rows, o_proj columns) and norms are
// stored; apply rebuilds the adapted checkpoint bit for bit (also from a bf16 base), refuses any other
// base and a damaged patch, and writes nothing when it refuses.

import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { hostTensor, type HostTensor } from '../../main/engine/tensor';
import { Checkpoint } from '../../main/models/checkpoint/checkpoint';
import { checkpointContentHash } from '../../main/models/checkpoint/content-hash';
import { writeSafetensors } from '../../main/models/checkpoint/safetensors-write';
import { writeHfFolder } from '../../main/models/export/hf-folder';
import { loadModel } from '../../main/models/load';
import { applyPatch, PatchBaseMismatchError, readPatchManifest } from '../../main/models/patch/apply-patch';
import { createPatch } from '../../main/models/patch/create-patch';
import { changedSlices } from '../../main/models/patch/tensor-diff';
import { tempDir } from './fixtures/temp-dir';
import { tinyModel, writeTinyModel } from './fixtures/tiny-models';

const root = tempDir();
const DH = 4; // tiny qwen2: 4 query heads of 4, 2 key/value heads

/** A CT-SFT-shaped change: layer 0 head 1's q rows, layer 1 head 2's o columns, every norm, a k bias. */
function adapt(weights: ReadonlyMap<string, HostTensor>): Map<string, HostTensor> {
  const out = new Map(weights);
  const edit = (name: string, touch: (data: Float32Array, shape: readonly number[]) => void) => {
    const t = weights.get(name)!;
    const data = (t.data as Float32Array).slice();
    touch(data, t.shape);
    out.set(name, { ...t, data });
  };
  edit('model.layers.0.self_attn.q_proj.weight', (d, [, cols]) => {
    for (let r = DH; r < 2 * DH; r++) for (let c = 0; c < cols!; c++) d[r * cols! + c]! += 0.01;
  });
  edit('model.layers.1.self_attn.o_proj.weight', (d, [rows, cols]) => {
    for (let r = 0; r < rows!; r++) for (let c = 2 * DH; c < 3 * DH; c++) d[r * cols! + c]! *= 1.5;
  });
  for (const name of weights.keys()) if (name.endsWith('norm.weight')) edit(name, (d) => d.forEach((v, i) => (d[i] = v + 1e-3)));
  edit('model.layers.1.self_attn.k_proj.bias', (d) => (d[5] = -0)); // a sign-only change must be seen
  return out;
}

function folders(name: string, baseStorage: 'F32' | 'BF16') {
  const baseDir = writeTinyModel(join(root, `${name}-base-src`), tinyModel('qwen2', 11), 'F32');
  const card = { baseModel: 'tiny', method: 'CT-SFT' };
  const base = loadModel(baseDir);
  const stored = join(root, `${name}-base`);
  writeHfFolder(stored, base, { card, dtype: baseStorage });
  const reloaded = loadModel(stored);
  const adapted = join(root, `${name}-adapted`);
  writeHfFolder(adapted, { ...reloaded, weights: adapt(reloaded.weights) }, { card: { ...card, metrics: { acc: 0.5 } } });
  return { base: stored, adapted };
}

test('create stores only the changed slices; apply rebuilds the adapted folder bit for bit', () => {
  const { base, adapted } = folders('f32', 'F32');
  const file = join(root, 'f32.patch.safetensors');
  const { manifest, bytes } = createPatch(base, adapted, file);
  const byTensor = Object.fromEntries(manifest.entries.map((e) => [e.tensor, `${e.axis}:${e.start}-${e.end}`]));
  assert.equal(byTensor['model.layers.0.self_attn.q_proj.weight'], `0:${DH}-${2 * DH}`, 'head 1 rows');
  assert.equal(byTensor['model.layers.1.self_attn.o_proj.weight'], `1:${2 * DH}-${3 * DH}`, 'head 2 columns');
  assert.equal(byTensor['model.layers.1.self_attn.k_proj.bias'], '0:5-6', '-0 differs from +0 bit-wise');
  assert.equal(byTensor['model.norm.weight'], '0:0-16');
  assert.equal(byTensor['model.embed_tokens.weight'], undefined);
  assert.equal(manifest.entries.length, 1 + 1 + 2 * 2 + 1 + 1, 'q, o, 2 norms per layer, final norm, k bias');
  assert.deepEqual([manifest.replaced, manifest.removed], [[], []]);
  assert.deepEqual(Object.keys(manifest.files), ['README.md'], 'config and tokenizer are the base ones; the card differs');
  assert.ok(bytes < statSync(join(adapted, 'model.safetensors')).size / 5, `patch ${bytes} bytes`);
  assert.deepEqual(readPatchManifest(file), manifest);

  const out = join(root, 'f32-applied');
  applyPatch(base, file, out);
  const [want, got] = [Checkpoint.open(adapted), Checkpoint.open(out)];
  assert.equal(checkpointContentHash(got), checkpointContentHash(want));
  want.close();
  got.close();
  for (const name of readdirSync(adapted)) assert.ok(readFileSync(join(out, name)).equals(readFileSync(join(adapted, name))), name);
});

test('a bf16 base and an f32 adapted model: unchanged values are exact, the rebuilt folder equals the adapted', () => {
  const { base, adapted } = folders('bf16', 'BF16');
  const file = join(root, 'bf16.patch.safetensors');
  const { manifest } = createPatch(base, adapted, file);
  // Every tensor changes storage (BF16 → F32) but compares by value: still only the adapted slices.
  assert.equal(manifest.entries.length, 8);
  assert.equal(manifest.adapted.storage, 'F32');
  assert.ok(manifest.files['config.json'], 'torch_dtype differs, so config.json travels in the patch');
  const out = join(root, 'bf16-applied');
  applyPatch(base, file, out);
  const [want, got] = [Checkpoint.open(adapted), Checkpoint.open(out)];
  assert.equal(checkpointContentHash(got), checkpointContentHash(want));
  want.close();
  got.close();
  assert.ok(readFileSync(join(out, 'config.json')).equals(readFileSync(join(adapted, 'config.json'))));
});

test('apply refuses a different base, a damaged patch and a file that is no patch, writing nothing', () => {
  const { base, adapted } = folders('refuse', 'F32');
  const file = join(root, 'refuse.patch.safetensors');
  createPatch(base, adapted, file);
  const other = writeTinyModel(join(root, 'other-base'), tinyModel('qwen2', 12), 'F32');
  const out = join(root, 'refused');
  assert.throws(() => applyPatch(other, file, out), (e: Error) => {
    assert.ok(e instanceof PatchBaseMismatchError);
    assert.match(e.message, /was made for a base with content hash [0-9a-f]{16}…, but .* has [0-9a-f]{16}…/);
    return true;
  });
  assert.equal(existsSync(out), false);
  assert.throws(() => applyPatch(base, join(adapted, 'model.safetensors'), out), /not a Lontar patch/);

  // Flip one stored value of one slice: the base matches, the rebuilt weights do not.
  const damaged = join(root, 'damaged.patch.safetensors');
  const bytes = readFileSync(file);
  bytes[bytes.length - 1]! ^= 0x40;
  writeFileSync(damaged, bytes);
  assert.throws(() => applyPatch(base, damaged, out), /do not match the adapted checkpoint's hash \(the patch is damaged\)/);
  assert.equal(existsSync(out), false);
  assert.deepEqual(readdirSync(root).filter((n) => n.endsWith('.tmp')), []);
});

test('slice detection: rows or columns, whichever is smaller; small gaps merge, far ones do not', () => {
  const base = hostTensor('float32', [64, 32]);
  const rows = hostTensor('float32', [64, 32], (base.data as Float32Array).slice());
  (rows.data as Float32Array).fill(1, 3 * 32, 5 * 32); // rows 3-4
  (rows.data as Float32Array)[40 * 32 + 7] = 2; // one element of row 40
  assert.deepEqual(changedSlices(base, rows), [
    { axis: 0, start: 3, end: 5 },
    { axis: 0, start: 40, end: 41 },
  ]);
  const cols = hostTensor('float32', [64, 32], (base.data as Float32Array).slice());
  for (let r = 0; r < 64; r++) (cols.data as Float32Array)[r * 32 + 9] = 1;
  assert.deepEqual(changedSlices(base, cols), [{ axis: 1, start: 9, end: 10 }]);
  const gaps = hostTensor('float32', [64], new Float32Array(64));
  (gaps.data as Float32Array)[1] = 1;
  (gaps.data as Float32Array)[20] = 1;
  assert.deepEqual(changedSlices(hostTensor('float32', [64]), gaps), [{ axis: 0, start: 1, end: 21 }], 'a 19-element gap is cheaper than an entry');
  assert.deepEqual(changedSlices(base, base), []);
  const nan = hostTensor('float32', [2], new Float32Array(new Uint32Array([0x7fc00001, 0]).buffer));
  const otherNan = hostTensor('float32', [2], new Float32Array(new Uint32Array([0x7fc00002, 0]).buffer));
  assert.deepEqual(changedSlices(nan, otherNan), [{ axis: 0, start: 0, end: 1 }], 'NaN payloads compare by bits');
});

test('a tensor added or reshaped travels whole; one removed is listed', () => {
  const baseDir = join(root, 'shape-base');
  const adaptedDir = join(root, 'shape-adapted');
  const a = hostTensor('float32', [4, 2], [1, 2, 3, 4, 5, 6, 7, 8]);
  writeTinyModel(baseDir, tinyModel('qwen2', 3), 'F32');
  writeTinyModel(adaptedDir, tinyModel('qwen2', 3), 'F32');
  const extra = (dir: string, tensors: Record<string, HostTensor>) => {
    const cp = Checkpoint.open(dir);
    const all = new Map(cp.names().map((n) => [n, cp.read(n)]));
    cp.close();
    for (const [n, t] of Object.entries(tensors)) all.set(n, t);
    writeSafetensors(join(dir, 'model.safetensors'), all);
  };
  extra(baseDir, { reshaped: a, gone: a });
  extra(adaptedDir, { reshaped: { ...a, shape: [2, 4] }, added: a });
  const file = join(root, 'shape.patch.safetensors');
  const { manifest } = createPatch(baseDir, adaptedDir, file);
  assert.deepEqual(manifest.replaced, ['added', 'reshaped']);
  assert.deepEqual(manifest.removed, ['gone']);
  assert.deepEqual(manifest.entries, []);
  const out = join(root, 'shape-applied');
  applyPatch(baseDir, file, out);
  const [want, got] = [Checkpoint.open(adaptedDir), Checkpoint.open(out)];
  assert.equal(checkpointContentHash(got), checkpointContentHash(want));
  want.close();
  got.close();
});
