// Conversions between the engine's HostTensor and onnxruntime's Tensor, without copying data.

import * as ort from 'onnxruntime-node';
import { dtypeOfArray, type DType } from '../dtype';
import type { HostTensor } from '../tensor';

export function toOrt(t: HostTensor): ort.Tensor {
  return new ort.Tensor(t.dtype, t.data as never, [...t.shape]);
}

export function fromOrt(t: ort.Tensor): HostTensor {
  const data = t.data as HostTensor['data'];
  const dtype: DType = t.type === 'bool' ? 'bool' : dtypeOfArray(data);
  return { dtype, shape: [...t.dims], data } as HostTensor;
}
