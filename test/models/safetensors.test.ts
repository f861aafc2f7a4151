import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { hostTensor, type HostTensor } from '../../main/engine/tensor';
import { Checkpoint } from '../../main/models/checkpoint/checkpoint';
import { checkpointContentHash, tensorsContentHash } from '../../main/models/checkpoint/content-hash';
import { f16BitsToNumber, numberToBf16Bits, numberToF16Bits } from '../../main/models/checkpoint/half-float';
import { SafetensorsFile } from '../../main/models/checkpoint/safetensors-file';
import { writeSafetensors } from '../../main/models/checkpoint/safetensors-write';
import { listFiles, tempDir } from './fixtures/temp-dir';

const dir = tempDir();

function bits32(a: Float32Array): number[] {
  return Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));
}

/** Builds a raw safetensors file from a header object and data bytes (for hand-made cases). */
function rawFile(path: string, header: object, data: Uint8Array): void {
  const json = Buffer.from(JSON.stringify(header));
  const prefix = Buffer.alloc(8);
  prefix.writeBigUInt64LE(BigInt(json.length));
  writeFileSync(path, Buffer.concat([prefix, json, data]));
}

test('write → read round trip is bit-exact for every host dtype, including NaN payloads, -0 and subnormals', () => {
  const f32 = new Float32Array(new Uint32Array([0x7fc00001, 0x80000000, 0x00000001, 0x3f800000, 0xff800000, 0x7f7fffff]).buffer);
  const tensors: Record<string, HostTensor> = {
    'model.f32': hostTensor('float32', [2, 3], f32),
    'model.f64': hostTensor('float64', [3], new Float64Array([Math.PI, -0, Number.MIN_VALUE])),
    'model.i64': hostTensor('int64', [2], new BigInt64Array([-(2n ** 63n), 2n ** 62n + 7n])),
    'model.i32': hostTensor('int32', [2], new Int32Array([-5, 2 ** 31 - 1])),
    'model.bool': hostTensor('bool', [3], new Uint8Array([1, 0, 1])),
    'model.empty': hostTensor('float32', [0, 4]),
    'model.scalar': hostTensor('float32', [], new Float32Array([2.5])),
  };
  const path = join(dir, 'roundtrip.safetensors');
  const size = writeSafetensors(path, tensors, { format: 'pt', note: 'ünïcode' });
  const file = SafetensorsFile.open(path);
  try {
    assert.equal(file.size, size);
    assert.deepEqual(file.metadata, { format: 'pt', note: 'ünïcode' });
    const f32Back = file.read('model.f32');
    assert.equal(f32Back.dtype, 'float32');
    assert.deepEqual(f32Back.shape, [2, 3]);
    assert.deepEqual(bits32(f32Back.data as Float32Array), bits32(f32));
    const f64Back = file.read('model.f64').data as Float64Array;
    assert.deepEqual(Array.from(new BigUint64Array(f64Back.buffer)), Array.from(new BigUint64Array(tensors['model.f64']!.data.buffer)));
    assert.deepEqual(Array.from(file.read('model.i64').data as BigInt64Array), [-(2n ** 63n), 2n ** 62n + 7n]);
    assert.deepEqual(Array.from(file.read('model.i32').data as Int32Array), [-5, 2 ** 31 - 1]);
    assert.deepEqual(file.read('model.bool'), { dtype: 'bool', shape: [3], data: new Uint8Array([1, 0, 1]) });
    assert.deepEqual(file.read('model.empty').shape, [0, 4]);
    assert.deepEqual(Array.from(file.read('model.scalar').data as Float32Array), [2.5]);
  } finally {
    file.close();
  }
});

test('the file follows the format: 8-byte aligned header, names sorted, data aligned by element size', () => {
  const path = join(dir, 'layout.safetensors');
  writeSafetensors(path, {
    'b.flag': hostTensor('bool', [3], [1, 1, 0]),
    'a.weight': hostTensor('float32', [2], [1, 2]),
    'c.big': hostTensor('float64', [1], [3]),
  });
  const bytes = readFileSync(path);
  const headerLength = Number(bytes.readBigUInt64LE(0));
  assert.equal(headerLength % 8, 0);
  const headerText = bytes.subarray(8, 8 + headerLength).toString('utf8');
  assert.match(headerText, /^\{.*\} *$/);
  const header = JSON.parse(headerText) as Record<string, { data_offsets: [number, number]; dtype: string }>;
  assert.deepEqual(Object.keys(header), ['a.weight', 'b.flag', 'c.big']);
  // Largest elements first keeps every tensor aligned to its own element size.
  assert.deepEqual(header['c.big']!.data_offsets, [0, 8]);
  assert.deepEqual(header['a.weight']!.data_offsets, [8, 16]);
  assert.deepEqual(header['b.flag']!.data_offsets, [16, 19]);
  assert.equal(bytes.length, 8 + headerLength + 19);
});

test('F16 and BF16 read as float32 with the hand-computed values', () => {
  // F16: 1.0 = 0x3C00, -2.0 = 0xC000, 65504 (max) = 0x7BFF, 2^-24 (min subnormal) = 0x0001,
  // 0.333251953125 = 0x3555, +inf = 0x7C00, -0 = 0x8000. BF16: top half of float32.
  const f16 = new Uint16Array([0x3c00, 0xc000, 0x7bff, 0x0001, 0x3555, 0x7c00, 0x8000]);
  const bf16 = new Uint16Array([0x3f80, 0xc049, 0x7f7f, 0x0001, 0xff80]);
  const data = new Uint8Array(f16.byteLength + bf16.byteLength);
  data.set(new Uint8Array(f16.buffer), 0);
  data.set(new Uint8Array(bf16.buffer), f16.byteLength);
  const path = join(dir, 'half.safetensors');
  rawFile(
    path,
    {
      h: { dtype: 'F16', shape: [7], data_offsets: [0, 14] },
      b: { dtype: 'BF16', shape: [5], data_offsets: [14, 24] },
    },
    data,
  );
  const file = SafetensorsFile.open(path);
  try {
    const h = file.read('h');
    assert.equal(h.dtype, 'float32');
    assert.deepEqual(Array.from(h.data as Float32Array), [1, -2, 65504, 2 ** -24, 0.333251953125, Infinity, -0]);
    assert.ok(Object.is((h.data as Float32Array)[6], -0));
    const b = file.read('b').data as Float32Array;
    // 0xC049 → 0xC0490000 = -3.140625; 0x7F7F → largest finite bf16 = (2 − 2^-7) · 2^127.
    assert.deepEqual(Array.from(b), [1, -3.140625, (2 - 2 ** -7) * 2 ** 127, new Float32Array(new Uint32Array([0x00010000]).buffer)[0], -Infinity]);
  } finally {
    file.close();
  }
});

test('float32 narrows to F16 and BF16 with round-to-nearest-even, matching hand-computed bits', () => {
  const f16Cases: [number, number][] = [
    [1, 0x3c00],
    [1 + 2 ** -11, 0x3c00], // exact tie between 1 and 1+2^-10: to even (1)
    [1 + 3 * 2 ** -11, 0x3c02], // tie between 0x3C01 and 0x3C02: to even
    [1 + 2 ** -11 + 2 ** -20, 0x3c01], // just above the tie: up
    [65504, 0x7bff],
    [65520, 0x7c00], // halfway to the next binade rounds to infinity
    [2 ** -24, 0x0001],
    [2 ** -25, 0x0000], // tie between 0 and the smallest subnormal: to even (0)
    [2 ** -25 * 1.5, 0x0001],
    [-0, 0x8000],
    [-Infinity, 0xfc00],
  ];
  for (const [value, expected] of f16Cases) assert.equal(numberToF16Bits(value), expected, `F16 of ${value}`);
  assert.ok(Number.isNaN(f16BitsToNumber(numberToF16Bits(NaN))));
  const bf16Cases: [number, number][] = [
    [1, 0x3f80],
    [1 + 2 ** -8, 0x3f80], // tie: to even
    [1 + 3 * 2 ** -8, 0x3f82], // tie: to even (up)
    [1 + 2 ** -8 + 2 ** -20, 0x3f81],
    [-3.140625, 0xc049],
    [3.4028234663852886e38, 0x7f80], // float32 max rounds up to infinity in bf16
  ];
  for (const [value, expected] of bf16Cases) assert.equal(numberToBf16Bits(value), expected, `BF16 of ${value}`);
  assert.equal(numberToBf16Bits(NaN) & 0x7fc0, 0x7fc0);

  const values = new Float32Array([1, 1 + 2 ** -11, 65504, 2 ** -24, -0.5]);
  for (const format of ['F16', 'BF16'] as const) {
    const path = join(dir, `narrow-${format}.safetensors`);
    writeSafetensors(path, { w: hostTensor('float32', [5], values) }, {}, { float32As: format });
    const file = SafetensorsFile.open(path);
    assert.equal(file.entry('w').dtype, format);
    assert.equal(file.entry('w').byteLength, 10);
    const back = Array.from(file.read('w').data as Float32Array);
    file.close();
    const expected = format === 'F16' ? [1, 1, 65504, 2 ** -24, -0.5] : [1, 1, 65536, 2 ** -24, -0.5];
    assert.deepEqual(back, expected);
  }
});

test('readInto fills a caller-owned array and refuses one of the wrong type or length', () => {
  const path = join(dir, 'into.safetensors');
  writeSafetensors(path, { w: hostTensor('float32', [4], [1, 2, 3, 4]) }, {}, { float32As: 'BF16' });
  const file = SafetensorsFile.open(path);
  try {
    const dest = new Float32Array(4);
    file.readInto('w', dest);
    assert.deepEqual(Array.from(dest), [1, 2, 3, 4]);
    assert.throws(() => file.readInto('w', new Float32Array(3)), /"w" \(BF16, 4 elements\) cannot be read into a Float32Array of 3/);
    assert.throws(() => file.readInto('w', new Float64Array(4)), /cannot be read into a Float64Array/);
    assert.throws(() => file.read('nope'), /no tensor named "nope"/);
  } finally {
    file.close();
  }
});

test('large half-precision tensors convert chunk by chunk without loss', () => {
  const n = 5_000_000; // > the 8 MB staging buffer in BF16 bytes
  const values = new Float32Array(n);
  for (let i = 0; i < n; i++) values[i] = ((i % 256) - 128) / 4; // at most 8 significant bits: exact in bf16
  const path = join(dir, 'big.safetensors');
  writeSafetensors(path, { big: hostTensor('float32', [n], values) }, {}, { float32As: 'BF16' });
  const file = SafetensorsFile.open(path);
  const back = file.read('big').data as Float32Array;
  file.close();
  assert.equal(back.length, n);
  for (let i = 0; i < n; i += 997) assert.equal(back[i], values[i]);
  assert.equal(back[n - 1], values[n - 1]);
});

test('content hash: same for memory and file, blind to layout and metadata, sensitive to any bit', () => {
  const tensors = {
    'z.last': hostTensor('float32', [2, 2], [1, 2, 3, 4]),
    'a.first': hostTensor('float32', [3], [5, 6, 7]),
    'm.ids': hostTensor('int64', [2], [1, 2]),
  };
  const path = join(dir, 'hash.safetensors');
  writeSafetensors(path, tensors, { any: 'metadata' });
  const checkpoint = Checkpoint.open(path);
  const onDisk = checkpointContentHash(checkpoint);
  checkpoint.close();
  assert.match(onDisk, /^[0-9a-f]{64}$/);
  assert.equal(tensorsContentHash(tensors), onDisk);
  assert.equal(tensorsContentHash(new Map(Object.entries(tensors).reverse())), onDisk);

  const flipped = hostTensor('float32', [3], new Float32Array([5, 6, 7]));
  new Uint32Array(flipped.data.buffer)[1]! ^= 1;
  assert.notEqual(tensorsContentHash({ ...tensors, 'a.first': flipped }), onDisk);
  assert.notEqual(tensorsContentHash({ ...tensors, 'z.last': hostTensor('float32', [4], [1, 2, 3, 4]) }), onDisk);
  assert.notEqual(tensorsContentHash({ ...tensors, 'a.first2': tensors['a.first'] }), onDisk);
  const narrowed = join(dir, 'hash-bf16.safetensors');
  writeSafetensors(narrowed, tensors, {}, { float32As: 'BF16' });
  const bf16 = Checkpoint.open(narrowed);
  assert.notEqual(checkpointContentHash(bf16), onDisk, 'a different stored dtype is a different base');
  bf16.close();
  assert.ok(listFiles(dir).every((f) => !f.endsWith('.tmp')));
});
