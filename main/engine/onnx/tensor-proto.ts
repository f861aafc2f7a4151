// Protobuf writers for ONNX TensorProto and ValueInfoProto.

import { BYTES_PER_ELEMENT, ONNX_DTYPE, type DType } from '../dtype';
import type { HostTensor } from '../tensor';
import type { ProtoWriter } from './protobuf';

export interface NamedSpec {
  name: string;
  dtype: DType;
  shape: number[];
}

export interface ExternalBlob {
  path: string;
  data: Uint8Array;
  /** Byte offset inside `path` (file mode: every blob shares one file). */
  offset: number;
}

export function bytesOf(t: HostTensor): Uint8Array {
  const d = t.data;
  return new Uint8Array(d.buffer, d.byteOffset, d.length * BYTES_PER_ELEMENT[t.dtype]);
}

export function writeTensor(w: ProtoWriter, name: string, t: HostTensor, external?: ExternalBlob): void {
  w.packedInts(1, t.shape);
  w.int(2, ONNX_DTYPE[t.dtype]);
  w.string(8, name);
  if (external === undefined) {
    w.bytes(9, bytesOf(t));
    return;
  }
  const entry = (key: string, value: string) => w.message(13, (e) => e.string(1, key).string(2, value));
  entry('location', external.path);
  entry('offset', String(external.offset));
  entry('length', String(external.data.length));
  w.int(14, 1);
}

export function writeValueInfo(w: ProtoWriter, spec: NamedSpec): void {
  w.string(1, spec.name);
  w.message(2, (type) =>
    type.message(1, (tensor) => {
      tensor.int(1, ONNX_DTYPE[spec.dtype]);
      tensor.message(2, (shape) => {
        for (const d of spec.shape) shape.message(1, (dim) => dim.int(1, d));
      });
    }),
  );
}
