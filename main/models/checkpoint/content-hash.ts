// A checkpoint's content hash: sha256 over every tensor's name, stored dtype, shape and bytes, in
// name order. It ignores file layout, sharding and metadata, so the same weights hash the same
// however they were saved, while any changed bit, dtype or shape changes it. Head-delta patches
// record their base's hash and refuse any other base.

import { createHash, type Hash } from 'node:crypto';
import type { HostTensor } from '../../engine/tensor';
import { Checkpoint } from './checkpoint';
import { STORED_DTYPE, type SafetensorsDType } from './safetensors-format';

const DOMAIN = 'lontar-checkpoint-content-v1\n';

/** Hash of a checkpoint on disk, streamed tensor by tensor in bounded chunks. */
export function checkpointContentHash(checkpoint: Checkpoint): string {
  const hash = createHash('sha256').update(DOMAIN);
  for (const name of sortedNames(checkpoint.names())) {
    const e = checkpoint.entry(name);
    updateTensorHeader(hash, name, e.dtype, e.shape, e.byteLength);
    checkpoint.readRawChunks(name, (bytes) => hash.update(bytes));
  }
  return hash.digest('hex');
}

/** Hash of the checkpoint in a model folder. */
export function folderContentHash(dir: string): string {
  const checkpoint = Checkpoint.open(dir);
  try {
    return checkpointContentHash(checkpoint);
  } finally {
    checkpoint.close();
  }
}

/** Hash of in-memory tensors; equals the hash of the file `writeSafetensors` makes of them in F32. */
export function tensorsContentHash(tensors: Record<string, HostTensor> | ReadonlyMap<string, HostTensor>): string {
  const map: ReadonlyMap<string, HostTensor> =
    tensors instanceof Map ? tensors : new Map(Object.entries(tensors as Record<string, HostTensor>));
  const hasher = new ContentHasher();
  for (const name of sortedNames([...map.keys()])) hasher.add(name, map.get(name)!);
  return hasher.digest();
}

/**
 * The same hash built one tensor at a time (so a whole checkpoint need not be in memory); tensors
 * must be added in `compareTensorNames` order.
 */
export class ContentHasher {
  private readonly hash = createHash('sha256').update(DOMAIN);
  private last: string | undefined;

  add(name: string, t: HostTensor): void {
    if (this.last !== undefined && compareTensorNames(this.last, name) >= 0) {
      throw new Error(`content hash: tensors must be added in name order ("${name}" after "${this.last}")`);
    }
    this.last = name;
    updateTensorHeader(this.hash, name, STORED_DTYPE[t.dtype], t.shape, t.data.byteLength);
    this.hash.update(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength));
  }

  digest(): string {
    return this.hash.digest('hex');
  }
}

// Length-prefixed fields, so no two different tables can produce the same byte stream.
function updateTensorHeader(hash: Hash, name: string, dtype: SafetensorsDType, shape: readonly number[], byteLength: number): void {
  const nameBytes = Buffer.from(name, 'utf8');
  const fixed = Buffer.alloc(4 + 1 + 4 + 8 * shape.length + 8);
  let at = fixed.writeUInt32LE(nameBytes.length, 0);
  at = fixed.writeUInt8(dtype.length, at);
  hash.update(fixed.subarray(0, at)).update(nameBytes).update(dtype);
  at = fixed.writeUInt32LE(shape.length, 0);
  for (const d of shape) at = fixed.writeBigUInt64LE(BigInt(d), at);
  at = fixed.writeBigUInt64LE(BigInt(byteLength), at);
  hash.update(fixed.subarray(0, at));
}

/** Byte order of the UTF-8 names, the order every content hash uses. */
export function compareTensorNames(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

export function sortedNames(names: string[]): string[] {
  return names.sort(compareTensorNames);
}
