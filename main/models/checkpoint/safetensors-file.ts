// One safetensors file opened for positioned reads: the header is parsed once, and each tensor is
// read from its own byte range straight into the typed array it ends up in, so a 2 GB checkpoint
// never needs the whole file in memory (nor a second and third copy of it).

import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { endianness } from 'node:os';
import { allocate, dtypeOfArray, type DType } from '../../engine/dtype';
import type { HostTensor } from '../../engine/tensor';
import { decodeBf16, decodeF16 } from './half-float';
import {
  parseHeader,
  parseHeaderLength,
  READABLE_DTYPES,
  SafetensorsError,
  type TensorEntry,
} from './safetensors-format';

/** Half-precision tensors are widened through a bounded staging buffer of this many bytes. */
const STAGING_BYTES = 8 << 20;
/** readSync moves at most ~2 GB per call; stay well under it. */
const MAX_READ_BYTES = 1 << 30;

export class SafetensorsFile {
  readonly path: string;
  readonly size: number;
  readonly metadata: Readonly<Record<string, string>>;
  /** In file order. */
  readonly entries: readonly TensorEntry[];
  private readonly byName: Map<string, TensorEntry>;
  private fd: number | undefined;

  private constructor(path: string, fd: number, size: number, metadata: Record<string, string>, entries: TensorEntry[]) {
    this.path = path;
    this.fd = fd;
    this.size = size;
    this.metadata = metadata;
    this.entries = entries;
    this.byName = new Map(entries.map((e) => [e.name, e]));
  }

  /** Opens and validates a file; throws a SafetensorsError naming the file for anything malformed. */
  static open(path: string): SafetensorsFile {
    const fd = openSync(path, 'r');
    try {
      const size = fstatSync(fd).size;
      const prefix = new Uint8Array(8);
      readExactly(fd, prefix, 0, Math.min(8, size), path);
      const headerLength = parseHeaderLength(prefix, size, path);
      const headerBytes = new Uint8Array(headerLength);
      readExactly(fd, headerBytes, 8, headerLength, path);
      const header = parseHeader(headerBytes, size, path);
      return new SafetensorsFile(path, fd, size, { ...header.metadata }, [...header.tensors]);
    } catch (error) {
      closeSync(fd);
      throw error;
    }
  }

  names(): string[] {
    return this.entries.map((e) => e.name);
  }

  entry(name: string): TensorEntry {
    const e = this.byName.get(name);
    if (!e) throw new SafetensorsError(`${this.path}: no tensor named "${name}"`);
    return e;
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  /** Reads a tensor: F32/F16/BF16 as float32, F64 as float64, I64/I32/BOOL as themselves. */
  read(name: string): HostTensor {
    const e = this.entry(name);
    const dtype = hostDTypeOf(e);
    const data = allocate(dtype, elementCount(e.shape));
    this.readInto(name, data);
    return { dtype, shape: [...e.shape], data } as HostTensor;
  }

  /** Reads a tensor into a caller-owned array of the matching host dtype and exact length. */
  readInto(name: string, dest: HostTensor['data']): void {
    const e = this.entry(name);
    const dtype = hostDTypeOf(e);
    const count = elementCount(e.shape);
    if (dtypeOfArray(dest) !== dtype || dest.length !== count) {
      throw new SafetensorsError(
        `${this.path}: tensor "${name}" (${e.dtype}, ${count} elements) cannot be read into a ${dest.constructor.name} of ${dest.length}`,
      );
    }
    if (endianness() !== 'LE') throw new SafetensorsError('safetensors data is little-endian; this machine is big-endian');
    if (e.dtype === 'F16' || e.dtype === 'BF16') {
      const staging = new Uint8Array(Math.min(STAGING_BYTES, e.byteLength));
      const decode = e.dtype === 'F16' ? decodeF16 : decodeBf16;
      for (let done = 0; done < e.byteLength; done += staging.length) {
        const bytes = Math.min(staging.length, e.byteLength - done);
        readExactly(this.openFd(), staging, e.byteOffset + done, bytes, this.path, name);
        decode(staging, dest as Float32Array, done / 2, bytes / 2);
      }
      return;
    }
    const target = new Uint8Array(dest.buffer, dest.byteOffset, e.byteLength);
    readExactly(this.openFd(), target, e.byteOffset, e.byteLength, this.path, name);
  }

  /** Streams a tensor's stored bytes in bounded chunks (for hashing and copying without decoding). */
  readRawChunks(name: string, onChunk: (bytes: Uint8Array) => void, chunkBytes = STAGING_BYTES): void {
    const e = this.entry(name);
    const staging = new Uint8Array(Math.max(1, Math.min(chunkBytes, e.byteLength)));
    for (let done = 0; done < e.byteLength; done += staging.length) {
      const bytes = Math.min(staging.length, e.byteLength - done);
      readExactly(this.openFd(), staging, e.byteOffset + done, bytes, this.path, name);
      onChunk(staging.subarray(0, bytes));
    }
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  private openFd(): number {
    if (this.fd === undefined) throw new SafetensorsError(`${this.path}: file is closed`);
    return this.fd;
  }
}

export function elementCount(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function hostDTypeOf(e: TensorEntry): DType {
  const dtype = READABLE_DTYPES[e.dtype];
  if (!dtype) {
    throw new SafetensorsError(
      `${e.file}: tensor "${e.name}" has dtype ${e.dtype}, which Lontar cannot read (readable: ${Object.keys(READABLE_DTYPES).join(', ')})`,
    );
  }
  return dtype;
}

/** Positioned read of exactly `length` bytes; a short read means the file shrank or lied. */
function readExactly(fd: number, into: Uint8Array, position: number, length: number, file: string, tensor?: string): void {
  let done = 0;
  while (done < length) {
    const n = readSync(fd, into, done, Math.min(length - done, MAX_READ_BYTES), position + done);
    if (n === 0) {
      const what = tensor ? `tensor "${tensor}"` : 'header';
      throw new SafetensorsError(`${file}: unexpected end of file while reading ${what} (got ${done} of ${length} bytes at offset ${position})`);
    }
    done += n;
  }
}
