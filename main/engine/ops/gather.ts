// Gather (embedding lookups, label-token columns) and the row pick built on it.
// Backward: ScatterND with reduction "add" into zeros, so repeated indices accumulate.

import type { Value } from '../graph';
import { normalizeAxis } from '../shape';
import { hostTensor } from '../tensor';
import { betaAxis } from '../cd/rules';
import { ShapeError } from './op-def';
import { applyOp, defineOp } from './registry';
import { zerosOf } from './fill';
import { cast } from './cast';
import { equal } from './elementwise-logic';
import { matmul } from './matmul';
import { reshape, slice, transpose, transposeLast2, unsqueeze } from './shape-ops';
import { where } from './where';

function moveAxis(rank: number, from: number, to: number): number[] {
  const perm = [...Array(rank).keys()].filter((i) => i !== from);
  perm.splice(to, 0, from);
  return perm;
}

const Gather = defineOp<{ axis: number }>({
  name: 'Gather',
  nonDifferentiable: [1],
  infer([data, idx], { axis }) {
    if (idx!.dtype !== 'int64' && idx!.dtype !== 'int32') throw new ShapeError(`indices must be integers, got ${idx!.dtype}`);
    const a = normalizeAxis(axis, data!.rank);
    return [{ dtype: data!.dtype, shape: [...data!.shape.slice(0, a), ...idx!.shape, ...data!.shape.slice(a + 1)] }];
  },
  emit: (g, [data, idx], { axis }, specs) => ({
    outputs: g.node('Gather', [data!, idx!], { axis: { i: normalizeAxis(axis, data!.rank) } }, specs),
  }),
  vjp({ inputs: [data, idx], attrs: { axis } }, [g]) {
    const a = normalizeAxis(axis, data!.rank);
    const r = idx!.rank;
    // Bring the gathered dimensions to the front so ScatterND addresses rows of axis 0.
    let grad = g!;
    if (a > 0) {
      const perm = [...Array(grad.rank).keys()];
      const front = perm.splice(a, r);
      grad = transpose(grad, [...front, ...perm]);
    }
    const rowsFirst = a > 0 ? moveAxis(data!.rank, a, 0).map((i) => data!.shape[i]!) : data!.shape;
    const scattered = scatterAddRows(rowsFirst, data!.dtype, idx!, grad);
    return [a > 0 ? transpose(scattered, moveAxis(data!.rank, 0, a)) : scattered, null];
  },
  cd: ({ inputs: [data, idx], attrs: { axis } }, [b]) => [gather(b!, idx!, betaAxis(axis, data!.rank))],
});

/** Above this many indices the N×N de-duplication gets expensive; ScatterND's add is used instead. */
const DEDUPLICATE_UP_TO = 4096;

/**
 * Sum of `updates` rows into zeros of `shape` at `indices` (repeated indices accumulate). onnxruntime's
 * CPU ScatterND with reduction "add" splits the indices across threads, so repeated rows (the same
 * token twice in a batch) are summed in a racy order: not reproducible, and possibly lost updates.
 * Instead, each index's occurrences are summed into its first occurrence by a matrix product with a
 * one-hot map (deterministic), and only first occurrences are scattered — to distinct rows.
 */
function scatterAddRows(shape: readonly number[], dtype: Value['dtype'], indices: Value, updates: Value): Value {
  const g = indices.graph;
  const n = indices.shape.reduce((x, y) => x * y, 1);
  const [rows, rest] = [shape[0]!, shape.slice(1).reduce((x, y) => x * y, 1)];
  const idx = cast(reshape(indices, [n]), 'int64');
  const flat = reshape(updates, [n, rest]);
  if (n > DEDUPLICATE_UP_TO) {
    const [sum] = g.node('ScatterND', [zerosOf(g, dtype, [rows, rest]), unsqueeze(idx, -1), flat], { reduction: { s: 'add' } }, [{ dtype, shape: [rows, rest] }]);
    return reshape(sum!, shape);
  }
  const positions = g.constant(hostTensor('int64', [n], Array.from({ length: n }, (_, i) => i)));
  const same = cast(equal(unsqueeze(idx, 1), unsqueeze(idx, 0)), 'int32'); // [n, n]
  const [first] = g.node('ArgMax', [same], { axis: { i: 1 }, keepdims: { i: 0 } }, [{ dtype: 'int64', shape: [n] }]); // first occurrence
  const toFirst = cast(equal(unsqueeze(first!, 1), unsqueeze(positions, 0)), dtype); // [n, n], one 1 per row
  const summed = matmul(transposeLast2(toFirst), flat); // row j: Σ updates[i] over i whose first occurrence is j
  // Later occurrences (all-zero rows) go to a spare row past the end, so every real row is written once.
  const target = where(equal(first!, positions), idx, g.constant(hostTensor('int64', [], [rows])));
  const [spread] = g.node('ScatterND', [zerosOf(g, dtype, [rows + 1, rest]), unsqueeze(target, -1), summed], {}, [{ dtype, shape: [rows + 1, rest] }]);
  return reshape(slice(spread!, 0, 0, rows), shape);
}

/** Rows (or slices along `axis`) of `data` at integer `indices`; output dims = indices' dims in place of axis. */
export const gather = (data: Value, indices: Value, axis = 0): Value => applyOp(Gather, [data, indices], { axis })[0]!;

/** x [B, T, ...] and one position per row pos [B] → x[b, pos[b], ...] as [B, ...]. */
export function pickRows(x: Value, positions: Value): Value {
  const [b, t] = x.shape as [number, number];
  if (positions.rank !== 1 || positions.shape[0] !== b) {
    throw new ShapeError(`pickRows: positions must be [${b}], got ${positions.describe()}`);
  }
  const g = x.graph;
  const rowStarts = g.constant(hostTensor('int64', [b], Array.from({ length: b }, (_, i) => i * t)));
  const [flatIndex] = g.node('Add', [rowStarts, positions], {}, [{ dtype: 'int64', shape: [b] }]);
  return gather(reshape(x, [b * t, ...x.shape.slice(2)]), flatIndex!, 0);
}
