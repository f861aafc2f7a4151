// Static shape arithmetic: broadcasting, axis normalisation, reshape resolution.

import { ShapeError } from './ops/op-def';
import { formatShape, sizeOf, type Shape } from './tensor';

export function normalizeAxis(axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= rank) throw new ShapeError(`axis ${axis} is out of range for rank ${rank}`);
  return a;
}

/** Numpy-style broadcast of two shapes. */
export function broadcastShapes(a: Shape, b: Shape): number[] {
  const rank = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new ShapeError(`shapes ${formatShape(a)} and ${formatShape(b)} do not broadcast (dimension ${i}: ${da} vs ${db})`);
    }
    out.push(da === 1 ? db : da);
  }
  return out;
}

/** Axes of `out` along which a tensor of shape `from` was broadcast (to sum a gradient back over). */
export function broadcastAxes(from: Shape, out: Shape): number[] {
  const axes: number[] = [];
  const lead = out.length - from.length;
  for (let i = 0; i < out.length; i++) {
    if (i < lead || (from[i - lead] === 1 && out[i] !== 1)) axes.push(i);
  }
  return axes;
}

/** Resolves a reshape target with at most one -1 (and 0 meaning "copy that dimension"). */
export function resolveReshape(from: Shape, target: readonly number[]): number[] {
  const out = target.map((d, i) => (d === 0 ? from[i]! : d));
  const unknown = out.filter((d) => d === -1).length;
  if (unknown > 1) throw new ShapeError(`reshape target ${formatShape(target)} has more than one -1`);
  const known = out.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
  if (unknown === 1) {
    if (known === 0 || sizeOf(from) % known !== 0) {
      throw new ShapeError(`cannot reshape ${formatShape(from)} to ${formatShape(target)}`);
    }
    out[out.indexOf(-1)] = sizeOf(from) / known;
  }
  if (sizeOf(out) !== sizeOf(from)) {
    throw new ShapeError(`cannot reshape ${formatShape(from)} (${sizeOf(from)} elements) to ${formatShape(target)}`);
  }
  return out;
}

export function sameShape(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}
