// Which parts of a tensor changed, as few and as small slices as possible: runs of changed rows
// (axis 0: a head's rows of q_proj, a bias, a norm) or of changed columns (axis 1: a head's columns
// of o_proj), whichever stores fewer elements. Elements are compared bit for bit, so -0, NaN payloads
// and subnormals survive a patch exactly.

import { BYTES_PER_ELEMENT } from '../../engine/dtype';
import { sizeOf, type HostTensor } from '../../engine/tensor';

export interface SliceRange {
  axis: number;
  start: number;
  end: number;
}

/** A gap this many elements wide (or less) inside a run is stored rather than split into two entries. */
const MERGE_GAP_ELEMENTS = 64;
/** What one more entry costs (header JSON + manifest), counted in elements. */
const ENTRY_COST_ELEMENTS = 64;

/**
 * Slices of `adapted` that hold every element differing from `base` (same dtype and shape, rank ≥ 1);
 * [] if none.
 */
export function changedSlices(base: HostTensor, adapted: HostTensor): SliceRange[] {
  const shape = base.shape;
  if (shape.length === 0) throw new RangeError('changedSlices: a scalar has no slices (compare it whole)');
  const size = sizeOf(shape);
  if (size === 0) return [];
  const words = wordView(base);
  const other = wordView(adapted);
  const perElement = words.length / size;
  const rank = shape.length;
  const rows = shape[0]!;
  const cols = rank >= 2 ? shape[1]! : 1;
  const inner = rank >= 2 ? size / (rows * cols) : 1;
  const rowChanged = new Uint8Array(rows);
  const colChanged = new Uint8Array(cols);
  let any = false;
  for (let i = 0; i < size; i++) {
    const w = i * perElement;
    let same = words[w] === other[w];
    for (let k = 1; k < perElement && same; k++) same = words[w + k] === other[w + k];
    if (same) continue;
    any = true;
    rowChanged[Math.floor(i / (cols * inner))] = 1;
    colChanged[Math.floor(i / inner) % cols] = 1;
  }
  if (!any) return [];
  const candidates = [{ axis: 0, runs: runs(rowChanged, size / rows) }];
  if (rank >= 2) candidates.push({ axis: 1, runs: runs(colChanged, size / cols) });
  const cost = (c: (typeof candidates)[number]) => c.runs.reduce((s, r) => s + (r.end - r.start) * (size / shape[c.axis]!) + ENTRY_COST_ELEMENTS, 0);
  const best = candidates.reduce((a, b) => (cost(b) < cost(a) ? b : a));
  return best.runs.map((r) => ({ axis: best.axis, ...r }));
}

/** Runs of set flags, merging gaps whose slices are smaller than an entry's cost. */
function runs(flags: Uint8Array, sliceElements: number): { start: number; end: number }[] {
  const out: { start: number; end: number }[] = [];
  for (let i = 0; i < flags.length; i++) {
    if (!flags[i]) continue;
    let end = i + 1;
    while (end < flags.length && flags[end]) end++;
    const last = out[out.length - 1];
    if (last && (i - last.end) * sliceElements <= MERGE_GAP_ELEMENTS) last.end = end;
    else out.push({ start: i, end });
    i = end;
  }
  return out;
}

/** Whether two tensors hold the same bytes (dtype and shape compared by the caller). */
export function sameBytes(a: HostTensor, b: HostTensor): boolean {
  const [x, y] = [wordView(a), wordView(b)];
  if (x.length !== y.length) return false;
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}

/** The tensor's bytes as 32-bit words (8-bit for bool), so elements compare exactly and fast. */
function wordView(t: HostTensor): Uint32Array | Uint8Array {
  const d = t.data;
  if (BYTES_PER_ELEMENT[t.dtype] < 4) return new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
  return new Uint32Array(d.buffer, d.byteOffset, d.byteLength / 4);
}
