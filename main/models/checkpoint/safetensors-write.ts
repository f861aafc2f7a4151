// Writes safetensors files the way the reference implementation does: header keys in name order,
// header padded with spaces to a multiple of 8 bytes, data ordered by element size (largest first)
// then name so every tensor stays aligned, and the whole file written atomically.

import { endianness } from 'node:os';
import type { HostTensor } from '../../engine/tensor';
import { writeAll, writeFileAtomically } from './atomic-file';
import { encodeHalf } from './half-float';
import { SAFETENSORS_DTYPE_BYTES, SafetensorsError, STORED_DTYPE, type SafetensorsDType } from './safetensors-format';
import { elementCount } from './safetensors-file';

export interface WriteSafetensorsOptions {
  /** How float32 tensors are stored (default F32; F16/BF16 round to nearest, ties to even). */
  float32As?: 'F32' | 'F16' | 'BF16';
}

export type TensorSource = Record<string, HostTensor> | ReadonlyMap<string, HostTensor>;

const CHUNK_ELEMENTS = 1 << 20;

/** Writes `tensors` (and string metadata) to `path` atomically; returns the file size in bytes. */
export function writeSafetensors(
  path: string,
  tensors: TensorSource,
  metadata: Record<string, string> = {},
  options: WriteSafetensorsOptions = {},
): number {
  if (endianness() !== 'LE') throw new SafetensorsError('safetensors data is little-endian; this machine is big-endian');
  const plan = planLayout(path, tensors, options);
  for (const [key, value] of Object.entries(metadata)) {
    if (typeof value !== 'string') throw new SafetensorsError(`${path}: metadata "${key}" must be a string`);
  }
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) header['__metadata__'] = metadata;
  for (const item of [...plan.items].sort((a, b) => compareNames(a.name, b.name))) {
    header[item.name] = { dtype: item.stored, shape: item.tensor.shape, data_offsets: [item.begin, item.begin + item.byteLength] };
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(json.length / 8) * 8;
  const headerBytes = new Uint8Array(8 + padded).fill(0x20, 8 + json.length);
  new DataView(headerBytes.buffer).setBigUint64(0, BigInt(padded), true);
  headerBytes.set(json, 8);

  writeFileAtomically(path, (fd) => {
    writeAll(fd, headerBytes);
    for (const item of plan.items) writeTensorData(fd, item.tensor, item.stored);
  });
  return headerBytes.length + plan.dataBytes;
}

interface PlannedTensor {
  name: string;
  tensor: HostTensor;
  stored: SafetensorsDType;
  begin: number;
  byteLength: number;
}

function planLayout(path: string, tensors: TensorSource, options: WriteSafetensorsOptions) {
  const entries: [string, HostTensor][] = tensors instanceof Map ? [...tensors] : Object.entries(tensors);
  const items: PlannedTensor[] = [];
  for (const [name, tensor] of entries) {
    if (name === '' || name === '__metadata__') throw new SafetensorsError(`${path}: "${name}" cannot be a tensor name`);
    const count = elementCount(tensor.shape);
    if (!tensor.shape.every((d) => Number.isSafeInteger(d) && d >= 0) || tensor.data.length !== count) {
      throw new SafetensorsError(`${path}: tensor "${name}" has ${tensor.data.length} elements but shape [${tensor.shape.join(', ')}]`);
    }
    const stored = tensor.dtype === 'float32' ? (options.float32As ?? 'F32') : STORED_DTYPE[tensor.dtype];
    items.push({ name, tensor, stored, begin: 0, byteLength: count * SAFETENSORS_DTYPE_BYTES[stored] });
  }
  items.sort((a, b) => SAFETENSORS_DTYPE_BYTES[b.stored] - SAFETENSORS_DTYPE_BYTES[a.stored] || compareNames(a.name, b.name));
  let offset = 0;
  for (const item of items) {
    item.begin = offset;
    offset += item.byteLength;
  }
  return { items, dataBytes: offset };
}

function writeTensorData(fd: number, tensor: HostTensor, stored: SafetensorsDType): void {
  const data = tensor.data;
  if (stored === 'F16' || stored === 'BF16') {
    const src = data as Float32Array;
    const staging = new Uint8Array(Math.min(CHUNK_ELEMENTS, src.length) * 2);
    for (let start = 0; start < src.length; start += CHUNK_ELEMENTS) {
      const count = Math.min(CHUNK_ELEMENTS, src.length - start);
      encodeHalf(stored, src, start, count, staging);
      writeAll(fd, staging.subarray(0, count * 2));
    }
    return;
  }
  writeAll(fd, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
}

/** Code-point order of UTF-8 bytes, as Rust's string ordering (and so the reference writer) uses. */
function compareNames(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}
