import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { hostTensor, type HostTensor } from '../../main/engine/tensor';
import { SafetensorsFile } from '../../main/models/checkpoint/safetensors-file';
import { writeSafetensors } from '../../main/models/checkpoint/safetensors-write';
import { listFiles, tempDir } from './fixtures/temp-dir';

const dir = tempDir();
let counter = 0;

/** A file from a header (object or raw JSON text) and a data section of `dataBytes` bytes. */
function malformed(header: object | string, dataBytes: number, headerLength?: bigint): string {
  const path = join(dir, `bad-${counter++}.safetensors`);
  const json = Buffer.from(typeof header === 'string' ? header : JSON.stringify(header));
  const prefix = Buffer.alloc(8);
  prefix.writeBigUInt64LE(headerLength ?? BigInt(json.length));
  writeFileSync(path, Buffer.concat([prefix, json, Buffer.alloc(dataBytes)]));
  return path;
}

const entry = (dtype: string, shape: number[], begin: number, end: number) => ({ dtype, shape, data_offsets: [begin, end] });

function rejects(path: string, message: RegExp): void {
  assert.throws(() => SafetensorsFile.open(path), (error: Error) => {
    assert.equal(error.name, 'SafetensorsError');
    assert.ok(error.message.startsWith(path), `error names the file: ${error.message}`);
    assert.match(error.message, message);
    return true;
  });
}

test('a truncated file is refused, naming the tensor that runs past the end', () => {
  const path = join(dir, 'truncated.safetensors');
  writeSafetensors(path, { 'a.weight': hostTensor('float32', [4], [1, 2, 3, 4]), 'b.weight': hostTensor('float32', [4], [5, 6, 7, 8]) });
  truncateSync(path, readFileSync(path).length - 3);
  rejects(path, /truncated: tensor "b\.weight" ends at data byte 32 but the data section has only 29 bytes/);
});

test('a header length beyond the file, or a file too short for one, is refused', () => {
  rejects(malformed({}, 0, 1000n), /header length 1000 runs past the end of the file/);
  const tiny = join(dir, 'tiny.safetensors');
  writeFileSync(tiny, Buffer.from([1, 2, 3]));
  rejects(tiny, /3 bytes, too short/);
});

test('a header that is not JSON, not an object, or not UTF-8 is refused', () => {
  rejects(malformed('{"a": {"dtype": "F32",', 0), /header is not valid JSON/);
  rejects(malformed('[1, 2]', 0), /header must be a JSON object/);
  const path = join(dir, 'latin1.safetensors');
  const prefix = Buffer.alloc(8);
  prefix.writeBigUInt64LE(4n);
  writeFileSync(path, Buffer.concat([prefix, Buffer.from([0x7b, 0x22, 0xff, 0x7d])]));
  rejects(path, /not valid UTF-8/);
});

test('a header lying about sizes is refused: shape × dtype disagreeing with data_offsets', () => {
  rejects(malformed({ w: entry('F32', [2, 3], 0, 20) }, 20), /tensor "w": shape \[2, 3\] of F32 needs 24 bytes but data_offsets \[0, 20\] cover 20/);
  rejects(malformed({ w: entry('BF16', [3], 0, 12) }, 12), /BF16 needs 6 bytes/);
});

test('overlapping offsets, gaps and uncovered bytes are refused', () => {
  rejects(
    malformed({ a: entry('F32', [2], 0, 8), b: entry('F32', [2], 4, 12) }, 12),
    /tensor "b" \(bytes 4\.\.12\) overlaps tensor "a" \(ends at 8\)/,
  );
  rejects(malformed({ a: entry('F32', [1], 0, 4), b: entry('F32', [1], 8, 12) }, 12), /4 bytes before tensor "b" belong to no tensor/);
  rejects(malformed({ a: entry('F32', [1], 0, 4) }, 10), /6 bytes after the last tensor belong to no tensor/);
});

test('duplicate tensor names, unknown dtypes and bad entries are refused, naming the tensor', () => {
  rejects(
    malformed('{"w": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}, "w": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}}', 4),
    /tensor "w" appears twice/,
  );
  rejects(malformed({ w: entry('F17', [1], 0, 4) }, 4), /tensor "w": unknown dtype "F17" \(known: BOOL, U8/);
  rejects(malformed({ w: { dtype: 'F32', shape: [-1], data_offsets: [0, 4] } }, 4), /tensor "w": shape must be an array of non-negative integers/);
  rejects(malformed({ w: { dtype: 'F32', shape: [1], data_offsets: [4, 0] } }, 4), /data_offsets must be \[begin, end\]/);
  rejects(malformed({ __metadata__: { n: 3 } }, 0), /__metadata__\.n must be a string/);
});

test('a known dtype Lontar cannot convert opens but fails clearly when read', () => {
  const path = malformed({ ok: entry('F32', [1], 0, 4), bytes: entry('U8', [4], 4, 8) }, 8);
  const file = SafetensorsFile.open(path);
  try {
    assert.deepEqual(file.names().sort(), ['bytes', 'ok']);
    assert.throws(() => file.read('bytes'), /tensor "bytes" has dtype U8, which Lontar cannot read \(readable: F32, F16, BF16, F64, I64, I32, BOOL\)/);
    assert.deepEqual(Array.from(file.read('ok').data as Float32Array), [0]);
  } finally {
    file.close();
  }
});

test('a failed write leaves nothing half-written: no temp file, and an existing file untouched', () => {
  const sub = join(dir, 'atomic');
  const target = join(sub, 'model.safetensors');
  mkdirSync(sub);
  writeSafetensors(target, { w: hostTensor('float32', [2], [1, 2]) });
  const before = readFileSync(target);

  // The second tensor's data becomes unreadable once writing has started, as a failing disk would.
  let reads = 0;
  const failing = {
    dtype: 'float32',
    shape: [2],
    get data() {
      if (++reads > 1) throw new Error('disk on fire');
      return new Float32Array([3, 4]);
    },
  } as HostTensor;
  assert.throws(() => writeSafetensors(target, { a: hostTensor('float32', [2], [9, 9]), b: failing }), /disk on fire/);
  assert.deepEqual(listFiles(sub), ['model.safetensors']);
  assert.deepEqual(readFileSync(target), before);

  assert.throws(
    () => writeSafetensors(target, { w: { dtype: 'float32', shape: [3], data: new Float32Array(2) } }),
    /tensor "w" has 2 elements but shape \[3\]/,
  );
  assert.throws(() => writeSafetensors(join(sub, 'new.safetensors'), { __metadata__: hostTensor('float32', [1], [1]) }), /cannot be a tensor name/);
  assert.throws(() => writeSafetensors(join(dir, 'missing-folder', 'x.safetensors'), { w: hostTensor('float32', [1], [1]) }), /ENOENT/);
  assert.deepEqual(listFiles(sub), ['model.safetensors']);
});
