// Concrete tensors held in JS memory (row-major): weights, batches, results.

import { allocate, dtypeOfArray, type AnyTypedArray, type DType, type TypedArrayFor } from './dtype';

export type Shape = readonly number[];

export interface HostTensor<D extends DType = DType> {
  readonly dtype: D;
  readonly shape: Shape;
  readonly data: TypedArrayFor<D>;
}

export function sizeOf(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function formatShape(shape: Shape): string {
  return `[${shape.join(',')}]`;
}

export function hostTensor<D extends DType>(dtype: D, shape: Shape, data?: TypedArrayFor<D> | ArrayLike<number>): HostTensor<D> {
  const size = sizeOf(shape);
  if (data !== undefined && data.length !== size) {
    throw new Error(`tensor data has ${data.length} elements but shape ${formatShape(shape)} needs ${size}`);
  }
  let out: TypedArrayFor<D>;
  if (data === undefined) out = allocate(dtype, size);
  else if (ArrayBuffer.isView(data) && dtypeOfArray(data as AnyTypedArray) === dtype) out = data as TypedArrayFor<D>;
  else {
    out = allocate(dtype, size);
    const src = data as ArrayLike<number>;
    if (dtype === 'int64') for (let i = 0; i < src.length; i++) (out as BigInt64Array)[i] = BigInt(src[i]!);
    else for (let i = 0; i < src.length; i++) (out as Float64Array)[i] = Number(src[i]);
  }
  return { dtype, shape: [...shape], data: out };
}

export function zeros<D extends DType>(dtype: D, shape: Shape): HostTensor<D> {
  return hostTensor(dtype, shape);
}

export function scalar(dtype: 'float32' | 'float64', value: number): HostTensor {
  return hostTensor(dtype, [], [value]);
}

export function int64Tensor(shape: Shape, values: ArrayLike<number>): HostTensor<'int64'> {
  return hostTensor('int64', shape, values);
}

/** Element values as plain numbers (int64 converted), for tests and reports. */
export function toNumbers(t: HostTensor): number[] {
  return Array.from(t.data as ArrayLike<number | bigint>, Number);
}

export function cloneTensor<D extends DType>(t: HostTensor<D>): HostTensor<D> {
  return { dtype: t.dtype, shape: [...t.shape], data: t.data.slice() as TypedArrayFor<D> };
}
