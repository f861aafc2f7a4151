// Cutting host tensors into pieces along one axis and writing pieces back (for slice-level training).

import { allocate, type DType, type TypedArrayFor } from '../dtype';
import { formatShape, sizeOf, type HostTensor } from '../tensor';

export interface Range {
  start: number;
  end: number;
}

function strides(shape: readonly number[], axis: number): { outer: number; inner: number } {
  return { outer: sizeOf(shape.slice(0, axis)), inner: sizeOf(shape.slice(axis + 1)) };
}

/** A copy of t's elements [start, end) along `axis` (a zero-copy view when the slice is contiguous). */
export function sliceHost<D extends DType>(t: HostTensor<D>, axis: number, r: Range): HostTensor<D> {
  if (r.start < 0 || r.end > t.shape[axis]! || r.start >= r.end) {
    throw new Error(`slice [${r.start}, ${r.end}) is outside axis ${axis} of ${formatShape(t.shape)}`);
  }
  const shape = [...t.shape];
  shape[axis] = r.end - r.start;
  const { outer, inner } = strides(t.shape, axis);
  const dim = t.shape[axis]!;
  const width = (r.end - r.start) * inner;
  if (outer === 1) {
    return { dtype: t.dtype, shape, data: t.data.subarray(r.start * inner, r.start * inner + width) as TypedArrayFor<D> };
  }
  const out = allocate(t.dtype, outer * width);
  for (let o = 0; o < outer; o++) {
    const from = (o * dim + r.start) * inner;
    (out as Float32Array).set((t.data as Float32Array).subarray(from, from + width), o * width);
  }
  return { dtype: t.dtype, shape, data: out };
}

/** Writes `piece` into `target` at [start, start + piece extent) along `axis`, in place. */
export function writeSlice(target: HostTensor, axis: number, start: number, piece: HostTensor): void {
  const { outer, inner } = strides(target.shape, axis);
  const dim = target.shape[axis]!;
  const width = piece.shape[axis]! * inner;
  for (let o = 0; o < outer; o++) {
    const to = (o * dim + start) * inner;
    (target.data as Float32Array).set((piece.data as Float32Array).subarray(o * width, (o + 1) * width), to);
  }
}

/**
 * Splits [0, length) into consecutive segments at the boundaries of the trainable ranges, each tagged
 * trainable or frozen. Ranges must be sorted and disjoint.
 */
export function segmentAxis(length: number, trainable: readonly Range[]): (Range & { trainable: boolean })[] {
  const out: (Range & { trainable: boolean })[] = [];
  let at = 0;
  for (const r of trainable) {
    if (r.start < at || r.end > length || r.start >= r.end) {
      throw new Error(`trainable ranges must be sorted, disjoint and inside [0, ${length}); got [${r.start}, ${r.end})`);
    }
    if (r.start > at) out.push({ start: at, end: r.start, trainable: false });
    out.push({ ...r, trainable: true });
    at = r.end;
  }
  if (at < length) out.push({ start: at, end: length, trainable: false });
  return out;
}

/** Merges adjacent or overlapping ranges after sorting (e.g. heads 1 and 2 → one range). */
export function normalizeRanges(ranges: readonly Range[]): Range[] {
  const sorted = [...ranges].sort((a, b) => a.start - b.start);
  const out: Range[] = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last && r.start <= last.end) last.end = Math.max(last.end, r.end);
    else out.push({ ...r });
  }
  return out;
}
