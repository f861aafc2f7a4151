// The safetensors layout: an 8-byte little-endian header length, a JSON header naming each tensor's
// dtype, shape and [begin, end) byte range in the data section that follows, then the data.
// Parsing here is pure (bytes in, validated table out) so every malformed case has one clear error.

import type { DType } from '../../engine/dtype';

/** Element sizes of the dtypes the safetensors format defines (sub-byte float formats excluded). */
export const SAFETENSORS_DTYPE_BYTES = {
  BOOL: 1,
  U8: 1,
  I8: 1,
  F8_E5M2: 1,
  F8_E4M3: 1,
  I16: 2,
  U16: 2,
  F16: 2,
  BF16: 2,
  I32: 4,
  U32: 4,
  F32: 4,
  F64: 8,
  I64: 8,
  U64: 8,
} as const;

export type SafetensorsDType = keyof typeof SAFETENSORS_DTYPE_BYTES;

/** Stored dtype → the host dtype Lontar reads it as. Others are listed in files but cannot be read. */
export const READABLE_DTYPES: Partial<Record<SafetensorsDType, DType>> = {
  F32: 'float32',
  F16: 'float32',
  BF16: 'float32',
  F64: 'float64',
  I64: 'int64',
  I32: 'int32',
  BOOL: 'bool',
};

/** Host dtype → the stored dtype it is written as (float32 may instead be narrowed to F16/BF16). */
export const STORED_DTYPE: Record<DType, SafetensorsDType> = {
  float32: 'F32',
  float64: 'F64',
  int64: 'I64',
  int32: 'I32',
  bool: 'BOOL',
};

export function isSafetensorsDType(value: string): value is SafetensorsDType {
  return Object.hasOwn(SAFETENSORS_DTYPE_BYTES, value);
}

/** Where one tensor's bytes live. `byteOffset` is absolute in the file. */
export interface TensorEntry {
  readonly name: string;
  readonly dtype: SafetensorsDType;
  readonly shape: readonly number[];
  readonly file: string;
  readonly byteOffset: number;
  readonly byteLength: number;
}

export interface SafetensorsHeader {
  /** Total header size in bytes, including the 8-byte length prefix. */
  readonly dataStart: number;
  readonly metadata: Readonly<Record<string, string>>;
  /** In file order (ascending offsets). */
  readonly tensors: readonly TensorEntry[];
}

/** Headers above this size are refused, as the reference implementation does (100 MB). */
export const MAX_HEADER_BYTES = 100_000_000;

export class SafetensorsError extends Error {
  override name = 'SafetensorsError';
}

/** Reads the header length from the first 8 bytes; checks it against the file size. */
export function parseHeaderLength(prefix: Uint8Array, fileSize: number, file: string): number {
  if (fileSize < 8 || prefix.length < 8) {
    throw new SafetensorsError(`${file}: not a safetensors file: ${fileSize} bytes, too short for the 8-byte header length`);
  }
  const view = new DataView(prefix.buffer, prefix.byteOffset, 8);
  const length = view.getBigUint64(0, true);
  if (length > BigInt(fileSize - 8)) {
    throw new SafetensorsError(
      `${file}: header length ${length} runs past the end of the file (${fileSize} bytes): truncated or not a safetensors file`,
    );
  }
  if (length > BigInt(MAX_HEADER_BYTES)) {
    throw new SafetensorsError(`${file}: header length ${length} exceeds the ${MAX_HEADER_BYTES}-byte limit`);
  }
  if (length < 2n) throw new SafetensorsError(`${file}: header length ${length} is too small for a JSON object`);
  return Number(length);
}

/** Validates the JSON header against the data section size (file size − 8 − header length). */
export function parseHeader(headerBytes: Uint8Array, fileSize: number, file: string): SafetensorsHeader {
  const dataStart = 8 + headerBytes.length;
  const dataLength = fileSize - dataStart;
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(headerBytes);
  } catch {
    throw new SafetensorsError(`${file}: header is not valid UTF-8`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new SafetensorsError(`${file}: header is not valid JSON: ${(error as Error).message}`);
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    throw new SafetensorsError(`${file}: header must be a JSON object`);
  }
  const duplicate = firstDuplicateTopLevelKey(text);
  if (duplicate !== undefined) throw new SafetensorsError(`${file}: tensor "${duplicate}" appears twice in the header`);

  let metadata: Record<string, string> = {};
  const tensors: TensorEntry[] = [];
  for (const [name, value] of Object.entries(json as Record<string, unknown>)) {
    if (name === '__metadata__') {
      metadata = parseMetadata(value, file);
      continue;
    }
    tensors.push(parseEntry(name, value, dataStart, file));
  }
  checkLayout(tensors, dataStart, dataLength, file);
  return { dataStart, metadata, tensors };
}

function parseMetadata(value: unknown, file: string): Record<string, string> {
  if (value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new SafetensorsError(`${file}: __metadata__ must be an object of strings`);
  }
  const out: Record<string, string> = {};
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    if (typeof v !== 'string') throw new SafetensorsError(`${file}: __metadata__.${key} must be a string, got ${typeof v}`);
    out[key] = v;
  }
  return out;
}

function parseEntry(name: string, value: unknown, dataStart: number, file: string): TensorEntry {
  const where = `${file}: tensor "${name}"`;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new SafetensorsError(`${where}: entry must be an object with dtype, shape and data_offsets`);
  }
  const { dtype, shape, data_offsets: offsets } = value as Record<string, unknown>;
  if (typeof dtype !== 'string') throw new SafetensorsError(`${where}: missing dtype`);
  if (!isSafetensorsDType(dtype)) {
    throw new SafetensorsError(
      `${where}: unknown dtype "${dtype}" (known: ${Object.keys(SAFETENSORS_DTYPE_BYTES).join(', ')})`,
    );
  }
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    throw new SafetensorsError(`${where}: shape must be an array of non-negative integers, got ${JSON.stringify(shape)}`);
  }
  if (
    !Array.isArray(offsets) ||
    offsets.length !== 2 ||
    !offsets.every((o) => Number.isSafeInteger(o) && o >= 0) ||
    offsets[0] > offsets[1]
  ) {
    throw new SafetensorsError(`${where}: data_offsets must be [begin, end] with 0 <= begin <= end, got ${JSON.stringify(offsets)}`);
  }
  const [begin, end] = offsets as [number, number];
  let elements = 1;
  for (const d of shape as number[]) elements *= d;
  const needed = elements * SAFETENSORS_DTYPE_BYTES[dtype];
  if (!Number.isSafeInteger(needed) || needed !== end - begin) {
    throw new SafetensorsError(
      `${where}: shape [${(shape as number[]).join(', ')}] of ${dtype} needs ${needed} bytes but data_offsets [${begin}, ${end}] cover ${end - begin}`,
    );
  }
  return { name, dtype, shape: [...(shape as number[])], file, byteOffset: dataStart + begin, byteLength: end - begin };
}

/** Tensors must tile the data section exactly: from byte 0, no gap, no overlap, nothing left over. */
function checkLayout(tensors: TensorEntry[], dataStart: number, dataLength: number, file: string): void {
  tensors.sort((a, b) => a.byteOffset - b.byteOffset || a.byteLength - b.byteLength);
  let cursor = 0;
  let previous: TensorEntry | undefined;
  for (const t of tensors) {
    const begin = t.byteOffset - dataStart;
    if (begin < cursor) {
      throw new SafetensorsError(`${file}: tensor "${t.name}" (bytes ${begin}..${begin + t.byteLength}) overlaps tensor "${previous!.name}" (ends at ${cursor})`);
    }
    if (begin > cursor) {
      throw new SafetensorsError(`${file}: ${begin - cursor} bytes before tensor "${t.name}" belong to no tensor (data must be contiguous)`);
    }
    cursor = begin + t.byteLength;
    previous = t;
  }
  if (cursor > dataLength) {
    throw new SafetensorsError(
      `${file}: truncated: tensor "${previous!.name}" ends at data byte ${cursor} but the data section has only ${dataLength} bytes`,
    );
  }
  if (cursor < dataLength) {
    throw new SafetensorsError(`${file}: ${dataLength - cursor} bytes after the last tensor belong to no tensor`);
  }
}

/**
 * JSON.parse keeps the last of two equal keys silently; a header naming one tensor twice is corrupt,
 * so the top-level keys are scanned here (the text is already known to be valid JSON).
 */
export function firstDuplicateTopLevelKey(text: string): string | undefined {
  const seen = new Set<string>();
  let depth = 0;
  let expectKey = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      const start = i;
      for (i++; text[i] !== '"'; i++) if (text[i] === '\\') i++;
      if (depth === 1 && expectKey) {
        const key = JSON.parse(text.slice(start, i + 1)) as string;
        if (seen.has(key)) return key;
        seen.add(key);
        expectKey = false;
      }
    } else if (c === '{' || c === '[') {
      depth++;
      expectKey = depth === 1;
    } else if (c === '}' || c === ']') {
      depth--;
    } else if (c === ',' && depth === 1) {
      expectKey = true;
    }
  }
  return undefined;
}
